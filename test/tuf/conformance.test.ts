// Real public repositories (../shared/conformance/tuf beside the repository, read-only): each
// must verify without errors at the time its README gives, anchored on its oldest root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DirectorySource } from '../../src/files/source.js';
import { Findings } from '../../src/findings/collector.js';
import { verifyTuf } from '../../src/tuf/index.js';
import { REPO_ROOT } from './helpers.js';

const CONFORMANCE = join(REPO_ROOT, '..', 'shared', 'conformance', 'tuf');

// Times from ../shared/conformance/README.md ("a time at which every role is unexpired").
const REPOS: Array<{ name: string; at: string; newestRoot: number; minTargets: number }> = [
  { name: 'sigstore-root-signing', at: '2026-08-22T00:00:00Z', newestRoot: 15, minTargets: 1 },
  { name: 'conformance-sigstore-2025', at: '2025-02-10T00:00:00Z', newestRoot: 12, minTargets: 1 },
  { name: 'python-tuf', at: '2026-11-26T00:00:00Z', newestRoot: 1, minTargets: 1 },
  { name: 'tuf-on-ci-0.11', at: '2026-11-26T00:00:00Z', newestRoot: 1, minTargets: 1 },
];

test('the conformance repositories are present beside the repository', () => {
  assert.ok(
    existsSync(CONFORMANCE),
    `missing ${CONFORMANCE}: the conformance data must be provided at ../shared`,
  );
});

for (const r of REPOS) {
  test(`conformance: ${r.name} verifies without errors`, () => {
    const dir = join(CONFORMANCE, r.name, 'metadata');
    assert.ok(existsSync(dir), `missing ${dir}`);
    const findings = new Findings();
    const at = new Date(r.at);
    const report = verifyTuf({ metadata: new DirectorySource(dir) }, { at, now: at, findings });
    const bad = findings.list.filter((f) => f.severity === 'error' || f.severity === 'critical');
    assert.deepEqual(
      bad.map((f) => `${f.code} ${JSON.stringify(f.location)} ${f.message}`),
      [],
    );
    assert.equal(report.rootChainIntact, true);
    assert.equal(report.newestRootVersion, r.newestRoot);
    assert.ok(
      report.roles.every((x) => x.verified),
      JSON.stringify(report.roles.map((x) => [x.role, x.verified])),
    );
    assert.ok(report.targetsCount >= r.minTargets);
  });
}

test('conformance: sigstore quirks are warnings (fractional expiry, keyid not the key hash, empty signatures)', () => {
  const findings = new Findings();
  const at = new Date('2026-08-22T00:00:00Z');
  verifyTuf(
    { metadata: new DirectorySource(join(CONFORMANCE, 'sigstore-root-signing', 'metadata')) },
    { at, now: at, findings },
  );
  const has = (code: string, path: string): boolean =>
    findings.list.some((f) => f.code === code && f.location.path === path && f.severity === 'warning');
  assert.ok(has('TUF_EXPIRES_FORMAT', '1.root.json'));
  assert.ok(has('TUF_KEYID_MISMATCH', '11.root.json'));
  assert.ok(has('TUF_SIGNATURE_EMPTY', '12.root.json'));
  assert.ok(has('TUF_META_EXTRA', '165.snapshot.json'));
});
