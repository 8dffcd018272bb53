// The good repository: verifies cleanly, and the report carries what the lead's cross-checks need.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLAIN_STYLE, renderTufText, targetsByPath } from '../../src/tuf/index.js';
import { codes, FIXTURES, matching, runCase } from './helpers.js';

const trusted = (): { path: string; data: Buffer } => ({
  path: 'provisioned-root.json',
  data: readFileSync(join(FIXTURES, 'good', 'metadata', '1.root.json')),
});

test('good, anchored on the oldest root: only the anchor warning', () => {
  const { report, findings } = runCase('good');
  assert.deepEqual(codes(findings), ['TUF_ANCHOR_UNTRUSTED']);
  assert.equal(report.anchor.kind, 'oldest-in-archive');
  assert.match(report.anchor.description, /NO TRUSTED ROOT/);
  assert.equal(report.summary.ok, true);
});

test('good, with the trusted root: no warning at all', () => {
  const { report, findings } = runCase('good', { trustedRoot: trusted() });
  assert.deepEqual(codes(findings), []);
  assert.equal(report.anchor.kind, 'trusted-root');
  assert.equal(report.anchor.version, 1);
});

test('good: root path 1 → 2 → 3 with the rotation and the threshold change', () => {
  const { report } = runCase('good', { trustedRoot: trusted() });
  assert.equal(report.rootChainIntact, true);
  assert.deepEqual(
    report.rootPath.map((l) => [l.version, l.ok, l.signedByPrevious, l.selfSigned]),
    [
      [2, true, true, true],
      [3, true, true, true],
    ],
  );
  assert.deepEqual(report.rootPath[0]?.rotated, ['root', 'timestamp']);
  assert.deepEqual(report.rootPath[1]?.rotated, ['root']);
  assert.equal(report.newestRootVersion, 3);
  assert.equal(report.consistentSnapshot, true);
});

test('good: every role verified, with version, threshold and signers', () => {
  const { report } = runCase('good');
  const got = report.roles.map((r) => [
    r.role,
    r.version,
    r.threshold,
    r.validSigners.length,
    r.verified,
    r.path,
  ]);
  assert.deepEqual(got, [
    ['root', 3, 2, 2, true, '3.root.json'],
    ['timestamp', 5, 1, 1, true, 'timestamp.json'],
    ['snapshot', 3, 1, 1, true, '3.snapshot.json'],
    ['targets', 2, 1, 1, true, '2.targets.json'],
    ['gateways', 1, 1, 1, true, '1.gateways.json'],
  ]);
  for (const r of report.roles) {
    assert.equal(r.expires, '2030-01-01T00:00:00.000Z');
    assert.equal(r.expiredAtRef, false);
    assert.equal(r.expiredNow, false);
  }
  assert.deepEqual(
    report.delegations.map((d) => [d.delegator, d.name, d.terminating, d.paths]),
    [['targets', 'gateways', true, ['firmware/gw-*.bin']]],
  );
});

test('good: resolved targets equal fixtures/tuf/good/targets.json', () => {
  const { report } = runCase('good');
  const manifest = JSON.parse(readFileSync(join(FIXTURES, 'good', 'targets.json'), 'utf8')) as Array<{
    path: string;
    length: number;
    sha256: string;
    role: string;
  }>;
  assert.equal(report.targetsCount, manifest.length);
  const byPath = targetsByPath(report);
  for (const m of manifest) {
    const t = byPath.get(m.path);
    assert.ok(t, m.path);
    assert.equal(t.length, m.length);
    assert.equal(t.hashes['sha256'], m.sha256);
    assert.equal(t.role, m.role);
    assert.equal(t.verified, true);
    // And the target bytes committed beside it agree.
    assert.equal(readFileSync(join(FIXTURES, 'good', 'targets', m.path)).length, m.length);
  }
});

test('good: file hashes of each top-level role by version are reported', () => {
  const { report } = runCase('good');
  const roots = report.metadataFiles.filter((f) => f.role === 'root').map((f) => [f.path, f.version]);
  assert.deepEqual(roots.sort(), [
    ['1.root.json', 1],
    ['2.root.json', 2],
    ['3.root.json', 3],
  ]);
  const ts = report.metadataFiles.find((f) => f.path === 'timestamp.json');
  assert.match(ts?.sha256 ?? '', /^[0-9a-f]{64}$/);
  assert.equal(ts?.length, readFileSync(join(FIXTURES, 'good', 'metadata', 'timestamp.json')).length);
});

test('good: online keys are the root-listed timestamp and snapshot keys', () => {
  const { report } = runCase('good');
  assert.deepEqual(
    report.keys?.map((k) => [k.path, k.status, k.matches.map((m) => m.role)]),
    [
      ['snapshot.key', 'online', ['snapshot']],
      ['timestamp.key', 'online', ['timestamp']],
    ],
  );
  assert.deepEqual(
    report.onlineRoles?.map((o) => [o.role, o.ok]),
    [
      ['timestamp', true],
      ['snapshot', true],
    ],
  );
});

test('old backup: expiry by now is information for online roles, a warning for offline ones', () => {
  const { report, findings } = runCase('good', {
    trustedRoot: trusted(),
    now: new Date('2031-01-01T00:00:00Z'),
  });
  assert.equal(report.summary.ok, true);
  assert.equal(
    matching(findings, 'TUF_EXPIRED_NOW_ONLINE', { role: 'timestamp', path: 'timestamp.json' }).length,
    1,
  );
  assert.equal(
    matching(findings, 'TUF_EXPIRED_NOW_OFFLINE', { role: 'targets', path: '2.targets.json' }).length,
    1,
  );
  assert.equal(matching(findings, 'TUF_EXPIRED').length, 0);
  assert.equal(report.roles.find((r) => r.role === 'timestamp')?.expiredNow, true);
  assert.equal(report.roles.find((r) => r.role === 'timestamp')?.expiredAtRef, false);
});

test('expiry at the reference time is an error; the window warns before', () => {
  const late = runCase('good', { at: new Date('2030-06-01T00:00:00Z') });
  assert.equal(matching(late.findings, 'TUF_EXPIRED', { role: 'root', path: '3.root.json' }).length, 1);
  assert.equal(matching(late.findings, 'TUF_EXPIRED', { role: 'timestamp' }).length, 1);
  const soon = runCase('good', {
    at: new Date('2029-12-20T00:00:00Z'),
    expiringWithinMs: 14 * 24 * 3600 * 1000,
  });
  assert.equal(matching(soon.findings, 'TUF_EXPIRING_SOON', { role: 'snapshot' }).length, 1);
  assert.equal(soon.report.roles.find((r) => r.role === 'gateways')?.expiringSoon, true);
});

test('the report is plain JSON and renders to text', () => {
  const { report } = runCase('leaked-root-key');
  assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
  const marks: string[] = [];
  const style = {
    ...PLAIN_STYLE,
    bad: (s: string): string => {
      marks.push(s);
      return s;
    },
  };
  const text = renderTufText(report, style).join('\n');
  assert.match(text, /root path: v1 → v2 → v3/);
  assert.match(text, /root\.key: LEAKED OFFLINE KEY: root/);
  assert.ok(marks.some((m) => m.includes('LEAKED')));
});

test('extra private keys from elsewhere in the archive are checked too', () => {
  const pem = readFileSync(join(FIXTURES, 'leaked-targets-key', 'keys', 'targets.key'));
  const caKey = readFileSync(join(FIXTURES, 'unknown-key', 'keys', 'spare.key'));
  const { report, findings } = runCase('good', {
    extraPrivateKeys: [
      { path: 'certs/odd.key', data: pem },
      { path: 'certs/ca.key', data: caKey },
    ],
  });
  assert.equal(
    matching(findings, 'TUF_KEY_LEAKED_OFFLINE', { path: 'certs/odd.key', role: 'targets' }).length,
    1,
  );
  assert.equal(report.keys?.find((k) => k.path === 'certs/ca.key')?.status, 'not-tuf');
  assert.equal(matching(findings, 'TUF_KEY_FILE_UNKNOWN').length, 0);
});

test('hash-prefix-delegation verifies cleanly against the trusted root', () => {
  const { report, findings } = runCase('hash-prefix-delegation', { trustedRoot: trusted() });
  assert.deepEqual(codes(findings), []);
  assert.equal(report.targets.filter((t) => t.role === 'gateways').length, 2);
});

test('legacy-ecdsa-hex (keytype ecdsa-sha2-nistp256, hex point) verifies cleanly', () => {
  const { report, findings } = runCase('legacy-ecdsa-hex');
  assert.deepEqual(codes(findings), ['TUF_ANCHOR_UNTRUSTED']);
  assert.equal(report.roles.find((r) => r.role === 'targets')?.verified, true);
  assert.equal(report.targetsCount, 4);
});
