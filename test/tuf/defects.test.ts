// One committed fixture per defect: each must produce its code at its file and role.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Location } from '../../src/findings/types.js';
import { matching, runCase } from './helpers.js';

interface Expect {
  fixture: string;
  code: string;
  loc: Partial<Location>;
  /** The run must fail (critical or error). */
  fails?: boolean;
}

const CASES: Expect[] = [
  // Root rotation (5.3.4, 5.3.5) and history
  {
    fixture: 'root-not-signed-by-previous',
    code: 'TUF_ROOT_NOT_SIGNED_BY_PREVIOUS',
    loc: { path: '2.root.json', role: 'root', version: 2 },
  },
  {
    fixture: 'root-not-self-signed',
    code: 'TUF_ROOT_NOT_SELF_SIGNED',
    loc: { path: '2.root.json', role: 'root', version: 2 },
  },
  {
    fixture: 'root-version-jump',
    code: 'TUF_ROOT_VERSION_MISMATCH',
    loc: { path: '2.root.json', role: 'root', version: 2 },
  },
  {
    fixture: 'root-version-missing',
    code: 'TUF_ROOT_VERSION_MISSING',
    loc: { path: '2.root.json', role: 'root', version: 2 },
  },
  { fixture: 'root-json-stale', code: 'TUF_ROOT_JSON_MISMATCH', loc: { path: 'root.json', role: 'root' } },
  {
    fixture: 'trusted-root-mismatch',
    code: 'TUF_TRUSTED_ROOT_MISMATCH',
    loc: { path: '1.root.json', role: 'root', version: 1 },
  },
  // Expiry
  {
    fixture: 'expired-targets',
    code: 'TUF_EXPIRED',
    loc: { path: '2.targets.json', role: 'targets', version: 2 },
  },
  // Links: version, hash, length at each step
  {
    fixture: 'timestamp-snapshot-version',
    code: 'TUF_VERSION_MISMATCH',
    loc: { path: '4.snapshot.json', role: 'snapshot' },
  },
  {
    fixture: 'timestamp-snapshot-hash',
    code: 'TUF_HASH_MISMATCH',
    loc: { path: '3.snapshot.json', role: 'snapshot' },
  },
  {
    fixture: 'timestamp-snapshot-length',
    code: 'TUF_LENGTH_MISMATCH',
    loc: { path: '3.snapshot.json', role: 'snapshot' },
  },
  {
    fixture: 'snapshot-targets-version',
    code: 'TUF_VERSION_MISMATCH',
    loc: { path: '3.targets.json', role: 'targets' },
  },
  {
    fixture: 'snapshot-targets-hash',
    code: 'TUF_HASH_MISMATCH',
    loc: { path: '2.targets.json', role: 'targets' },
  },
  {
    fixture: 'snapshot-targets-length',
    code: 'TUF_LENGTH_MISMATCH',
    loc: { path: '2.targets.json', role: 'targets' },
  },
  {
    fixture: 'snapshot-delegated-version',
    code: 'TUF_VERSION_MISMATCH',
    loc: { path: '2.gateways.json', role: 'gateways' },
  },
  {
    fixture: 'snapshot-delegated-hash',
    code: 'TUF_HASH_MISMATCH',
    loc: { path: '1.gateways.json', role: 'gateways' },
  },
  {
    fixture: 'snapshot-delegated-length',
    code: 'TUF_LENGTH_MISMATCH',
    loc: { path: '1.gateways.json', role: 'gateways' },
  },
  { fixture: 'copy-mismatch', code: 'TUF_COPY_MISMATCH', loc: { path: 'targets.json', role: 'targets' } },
  {
    fixture: 'delegated-missing',
    code: 'TUF_FILE_MISSING',
    loc: { path: '1.gateways.json', role: 'gateways' },
  },
  // Thresholds and signatures
  {
    fixture: 'duplicate-keyid-signatures',
    code: 'TUF_SIGNATURE_DUPLICATE_KEYID',
    loc: { path: '1.gateways.json', role: 'gateways' },
  },
  {
    fixture: 'duplicate-keyid-signatures',
    code: 'TUF_THRESHOLD_NOT_MET',
    loc: { path: '1.gateways.json', role: 'gateways' },
  },
  {
    fixture: 'same-key-two-keyids',
    code: 'TUF_KEY_DUPLICATE_MATERIAL',
    loc: { path: '2.targets.json', role: 'gateways' },
  },
  {
    fixture: 'same-key-two-keyids',
    code: 'TUF_THRESHOLD_NOT_MET',
    loc: { path: '1.gateways.json', role: 'gateways' },
  },
  {
    fixture: 'foreign-signer',
    code: 'TUF_SIGNATURE_FOREIGN_KEY',
    loc: { path: '3.snapshot.json', role: 'snapshot' },
  },
  {
    fixture: 'foreign-signer',
    code: 'TUF_THRESHOLD_NOT_MET',
    loc: { path: '3.snapshot.json', role: 'snapshot' },
  },
  { fixture: 'edited-body', code: 'TUF_SIGNATURE_INVALID', loc: { path: '2.targets.json', role: 'targets' } },
  { fixture: 'edited-body', code: 'TUF_THRESHOLD_NOT_MET', loc: { path: '2.targets.json', role: 'targets' } },
  {
    fixture: 'threshold-zero',
    code: 'TUF_THRESHOLD_INVALID',
    loc: { path: '2.targets.json', role: 'gateways' },
  },
  // Delegations
  {
    fixture: 'delegation-cycle',
    code: 'TUF_DELEGATION_CYCLE',
    loc: { path: '1.gateways.json', role: 'gateways' },
    fails: false,
  },
  {
    fixture: 'target-not-delegated',
    code: 'TUF_TARGET_NOT_DELEGATED',
    loc: { path: '1.gateways.json', role: 'gateways', field: 'signed.targets.firmware/sensor-9.9.9.bin' },
  },
  {
    fixture: 'terminating-shadow',
    code: 'TUF_TARGET_SHADOWED',
    loc: { path: '1.late.json', role: 'late', field: 'signed.targets.firmware/gw-1.2.0.bin' },
  },
  {
    fixture: 'terminating-shadow',
    code: 'TUF_TARGET_UNRESOLVED',
    loc: { path: '1.late.json', role: 'late', field: 'signed.targets.firmware/gw-9.9.9.bin' },
  },
  // Key custody
  { fixture: 'leaked-root-key', code: 'TUF_KEY_LEAKED_OFFLINE', loc: { path: 'root.key', role: 'root' } },
  {
    fixture: 'leaked-targets-key',
    code: 'TUF_KEY_LEAKED_OFFLINE',
    loc: { path: 'targets.key', role: 'targets' },
  },
  {
    fixture: 'wrong-online-key',
    code: 'TUF_ONLINE_KEY_MISMATCH',
    loc: { path: 'timestamp.key', role: 'timestamp' },
  },
  { fixture: 'wrong-online-key', code: 'TUF_ONLINE_KEY_MISSING', loc: { role: 'timestamp' } },
  { fixture: 'encrypted-key', code: 'TUF_KEY_FILE_ENCRYPTED', loc: { path: 'snapshot.key' }, fails: true },
  { fixture: 'unknown-key', code: 'TUF_KEY_FILE_UNKNOWN', loc: { path: 'spare.key' }, fails: false },
];

for (const c of CASES) {
  test(`${c.fixture}: ${c.code} at ${JSON.stringify(c.loc)}`, () => {
    const { report, findings } = runCase(c.fixture);
    const hits = matching(findings, c.code, c.loc);
    assert.ok(
      hits.length > 0,
      `expected ${c.code} at ${JSON.stringify(c.loc)}; got:\n${findings.map((f) => `${f.code} ${JSON.stringify(f.location)}`).join('\n')}`,
    );
    assert.equal(report.summary.ok, !(c.fails ?? true));
  });
}

test('terminating-shadow: the unshadowed target of the lower-priority role still resolves to it', () => {
  const { report } = runCase('terminating-shadow');
  const byPath = new Map(report.targets.map((t) => [t.path, t.role]));
  assert.equal(byPath.get('firmware/radio-1.0.0.bin'), 'late');
  assert.equal(byPath.get('firmware/gw-1.2.0.bin'), 'gateways');
  assert.equal(byPath.has('firmware/gw-9.9.9.bin'), false);
});

test('root-version-missing: verification continues above the gap', () => {
  const { report, findings } = runCase('root-version-missing');
  assert.equal(report.newestRootVersion, 3);
  assert.equal(report.rootChainIntact, false);
  const link = report.rootPath.find((l) => l.version === 3);
  assert.deepEqual(link?.missingBefore, [2]);
  assert.equal(link?.selfSigned, true);
  assert.equal(link?.signedByPrevious, null);
  // Timestamp, snapshot and targets were still verified with root 3.
  assert.equal(report.roles.find((r) => r.role === 'targets')?.thresholdMet, true);
  assert.equal(matching(findings, 'TUF_ROOT_NOT_SIGNED_BY_PREVIOUS').length, 0);
});

test('duplicate keyid in signatures counts once (threshold inflation refused)', () => {
  const { report } = runCase('duplicate-keyid-signatures');
  const gw = report.roles.find((r) => r.role === 'gateways');
  assert.equal(gw?.threshold, 2);
  assert.equal(gw?.validSigners.length, 1);
  assert.equal(gw?.thresholdMet, false);
});

test('a key listed under two keyids counts once', () => {
  const { report } = runCase('same-key-two-keyids');
  const gw = report.roles.find((r) => r.role === 'gateways');
  assert.equal(gw?.validSigners.length, 1);
  assert.ok(gw?.failedSigners.some((f) => /counted once/.test(f.reason)));
});

test('wrong online key: the custody record names the rotated-out root version', () => {
  const { report } = runCase('wrong-online-key');
  const k = report.keys?.find((x) => x.path === 'timestamp.key');
  assert.equal(k?.status, 'wrong-role');
  assert.equal(k?.matches[0]?.rootVersion, 1);
  assert.equal(k?.matches[0]?.current, false);
  assert.equal(report.onlineRoles?.find((o) => o.role === 'timestamp')?.ok, false);
});
