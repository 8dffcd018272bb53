// The README's main job: verifying the bundled sample backup, and the report's schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import type { Report } from '../../src/report/types.js';
import { cli } from '../support/cli.js';
import { FIXTURES, ROOT } from '../support/paths.js';

const SAMPLE = join(FIXTURES, 'sample-backup.tar.gz');

test('the sample backup verifies with exit 0 and prints its head', () => {
  const r = cli(['verify', SAMPLE, '--host', 'node.meshanics.test']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^VERIFIED/m);
  assert.match(r.stdout, /--anchor 3000:[0-9a-f]{64}/);
});

test('the JSON report validates against schema/report.schema.json', () => {
  const r = cli(['verify', SAMPLE, '--host', 'node.meshanics.test', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'report.schema.json'), 'utf8')) as object;
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  assert.ok(validate(report), JSON.stringify(validate.errors, null, 2));
  assert.equal(report.verdict, 'verified');
  assert.equal(report.archive?.container, 'tar.gz');
  assert.equal(report.archive?.topFolder, 'meshanics-backup-20261126T030000Z');
  assert.equal(report.dumps[0]?.format, 'custom');
  assert.equal(report.dumps[0]?.archiveVersion, '1.14');
  assert.equal(report.dumps[0]?.rowCounts['public.audit_log'], 3000);
  assert.equal(report.chains[0]?.count, 3000);
  for (const id of [
    'archive',
    'chain',
    'tuf',
    'x509',
    'cross.trust-state',
    'cross.artifacts',
    'cross.secrets',
    'cross.timing',
  ])
    assert.ok(
      report.checks.some((c) => c.id === id && c.status !== 'failed' && c.status !== 'skipped'),
      `check ${id} ran`,
    );
});

test('a failing report validates too, and --report writes the same JSON', () => {
  const out = join(ROOT, 'dist', 'test-report.json');
  const r = cli(['verify', join(FIXTURES, 'cross', 'trust-state-ahead.tar.gz'), '--report', out, '--quiet']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^FAILED/m);
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'report.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ strict: false }).compile(schema);
  assert.ok(validate(report), JSON.stringify(validate.errors));
  assert.equal(report.exitCode, 1);
});

test('an anchor from an earlier verification is checked: a wrong hash is a critical finding', () => {
  const r = cli(['verify', SAMPLE, '--json', '--anchor', `2999:${'ab'.repeat(32)}`]);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout) as Report;
  const f = report.findings.find((x) => x.code === 'CHAIN_ANCHOR_MISMATCH');
  assert.equal(f?.location.seq, 2999);
  assert.equal(f?.severity, 'critical');
});

test('an anchor beyond the head says records were cut off the end', () => {
  const r = cli(['verify', SAMPLE, '--json', '--anchor', `3010:${'ab'.repeat(32)}`]);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout) as Report;
  assert.equal(report.findings.find((x) => x.code === 'CHAIN_ANCHOR_BEYOND_HEAD')?.location.seq, 3010);
});
