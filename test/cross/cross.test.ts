// One cross-check defect per fixture archive (scripts/make-sample-backup.ts --all-variants),
// each asserting the finding's code and location.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Report } from '../../src/report/types.js';
import { cli } from '../support/cli.js';
import { FIXTURES } from '../support/paths.js';

function verify(name: string): Report {
  const r = cli([
    'verify',
    join(FIXTURES, 'cross', `${name}.tar.gz`),
    '--host',
    'node.meshanics.test',
    '--at',
    '2026-11-26T03:00:00Z',
    '--json',
  ]);
  assert.ok(r.code === 0 || r.code === 1, `exit ${String(r.code)}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}

const cases: Array<{ name: string; code: string; loc: Record<string, unknown>; exit: number }> = [
  {
    name: 'trust-state-ahead',
    code: 'CROSS_TRUST_STATE_AHEAD',
    loc: { table: 'public.trust_state', role: 'targets', version: 3 },
    exit: 1,
  },
  {
    name: 'trust-state-behind',
    code: 'CROSS_TRUST_STATE_BEHIND',
    loc: { table: 'public.trust_state', role: 'snapshot', version: 2 },
    exit: 0,
  },
  {
    name: 'trust-state-sha-mismatch',
    code: 'CROSS_TRUST_STATE_SHA_MISMATCH',
    loc: { role: 'root', version: 3, path: '3.root.json' },
    exit: 1,
  },
  {
    name: 'artifact-without-target',
    code: 'CROSS_ARTIFACT_NO_TARGET',
    loc: { table: 'public.artifacts', path: 'firmware/unsigned-9.9.9.bin' },
    exit: 1,
  },
  {
    name: 'target-without-artifact',
    code: 'CROSS_TARGET_NO_ARTIFACT',
    loc: { path: 'firmware/gw-1.3.0.bin', role: 'gateways' },
    exit: 1,
  },
  {
    name: 'artifact-sha-mismatch',
    code: 'CROSS_ARTIFACT_SHA_MISMATCH',
    loc: { path: 'firmware/sensor-2.0.1.bin', role: 'targets' },
    exit: 1,
  },
  {
    name: 'artifact-length-mismatch',
    code: 'CROSS_ARTIFACT_LENGTH_MISMATCH',
    loc: { path: 'firmware/gw-1.2.0.bin', role: 'gateways' },
    exit: 1,
  },
  {
    name: 'plaintext-secret',
    code: 'CROSS_SECRET_NOT_ENVELOPE',
    loc: { table: 'public.secrets', row: 4, field: 'ciphertext' },
    exit: 1,
  },
  { name: 'files-late', code: 'CROSS_CLOCK_SKEW', loc: { path: 'tuf/metadata' }, exit: 0 },
];

for (const c of cases) {
  test(`cross-check ${c.name}: ${c.code}`, () => {
    const r = verify(c.name);
    const hits = r.findings.filter((f) => f.code === c.code);
    assert.ok(hits.length >= 1, `expected ${c.code}, got ${r.findings.map((f) => f.code).join(', ')}`);
    assert.ok(
      hits.some((f) =>
        Object.entries(c.loc).every(([k, v]) => (f.location as Record<string, unknown>)[k] === v),
      ),
      `location ${JSON.stringify(c.loc)} not in ${JSON.stringify(hits.map((h) => h.location))}`,
    );
    // Nothing else in the cross area is wrong: one defect per fixture.
    const otherCross = r.findings.filter(
      (f) => f.area === 'cross' && f.code !== c.code && f.severity !== 'info',
    );
    assert.deepEqual(
      otherCross.map((f) => f.code),
      c.name === 'files-late' ? [] : [],
    );
    assert.equal(r.exitCode, c.exit);
  });
}
