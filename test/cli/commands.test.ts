// The single-domain commands on directories (a live node) and on archives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Report } from '../../src/report/types.js';
import { cli } from '../support/cli.js';
import { FIXTURES } from '../support/paths.js';

function json(args: string[]): { code: number | null; report: Report } {
  const r = cli([...args, '--json']);
  assert.ok(r.code === 0 || r.code === 1, `exit ${String(r.code)}: ${r.stderr}`);
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

test('meshverify tuf <repository dir> verifies the good repository', () => {
  const { code, report } = json(['tuf', join(FIXTURES, 'tuf', 'good'), '--at', '2026-11-26T00:00:00Z']);
  assert.equal(code, 0);
  assert.equal(report.input.kind, 'directory');
  assert.ok(report.checks.some((c) => c.id === 'tuf' && c.status !== 'failed'));
});

test('meshverify tuf <metadata dir> reports a missing root version by file', () => {
  const { code, report } = json([
    'tuf',
    join(FIXTURES, 'tuf', 'root-version-missing', 'metadata'),
    '--at',
    '2026-11-26T00:00:00Z',
  ]);
  assert.equal(code, 1);
  const f = report.findings.find((x) => x.code === 'TUF_ROOT_VERSION_MISSING');
  assert.ok(f, report.findings.map((x) => x.code).join());
  assert.equal(f.location.version, 2);
});

test('meshverify tuf <archive> runs the TUF step alone', () => {
  const { code, report } = json(['tuf', join(FIXTURES, 'sample-backup.tar.gz')]);
  assert.equal(code, 0);
  assert.ok(report.checks.some((c) => c.id === 'tuf'));
  assert.ok(!report.checks.some((c) => c.id === 'chain' || c.id === 'x509'));
});

test('meshverify certs <dir> --host checks the host against the SANs', () => {
  const { report } = json(['certs', join(FIXTURES, 'certs', 'good'), '--host', 'nowhere.example']);
  const f = report.findings.find((x) => x.code === 'X509_HOST_MISMATCH');
  assert.ok(f, report.findings.map((x) => x.code).join());
  assert.equal(f.location.certificate, 'server.crt#0');
});

test('meshverify certs <archive> checks device certificates from the dump too', () => {
  const { code, report } = json(['certs', join(FIXTURES, 'sample-backup.tar.gz'), '--host', '127.0.0.1']);
  assert.equal(code, 0);
  assert.ok(report.checks.some((c) => c.id === 'x509.devices' && c.status === 'passed'));
});
