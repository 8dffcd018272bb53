// The drill's other inputs and options: restored directories, --target, --trusted-root, an offline
// snapshot key, no online keys; and the command line (exit codes, text and JSON reports).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import type { DevicesResult, OnlineKeysResult } from '../../src/drill/types.js';
import type { Report } from '../../src/report/types.js';
import { cli } from '../support/cli.js';
import { FIXTURES, ROOT } from '../support/paths.js';
import { HOST, SAMPLE, assertLocated, checkStatus, drill, drillChecks, stepOf } from './helpers.js';

const TUF_GOOD = join(FIXTURES, 'tuf', 'good');
const CERTS_GOOD = join(FIXTURES, 'certs', 'good');

/** A restored update-repository directory made of the good metadata and the given key files. */
function tufDirWith(keys: string[]): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'meshverify-drill-'));
  cpSync(join(TUF_GOOD, 'metadata'), join(dir, 'metadata'), { recursive: true });
  for (const k of keys) cpSync(join(TUF_GOOD, 'keys', k), join(dir, 'keys', k));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('restored directories drill green; without a dump every signed target is resolved', async () => {
  const r = await drill(undefined, { tufDir: TUF_GOOD, certsDir: CERTS_GOOD });
  assert.equal(r.exitCode, 0, JSON.stringify(r.findings, null, 1));
  assert.equal(r.input.kind, 'directory');
  assert.equal(r.archive, null);
  const d = stepOf(r, 'drill.devices').result as DevicesResult;
  assert.deepEqual(
    d.targets.map((t) => [t.path, t.from, t.ok]),
    [
      ['config/mesh-defaults.json', 'metadata', true],
      ['firmware/gw-1.2.0.bin', 'metadata', true],
      ['firmware/gw-1.3.0.bin', 'metadata', true],
      ['firmware/sensor-2.0.1.bin', 'metadata', true],
    ],
  );
});

test('--target that no role signs is unresolved, located at the target path', async () => {
  const r = await drill(SAMPLE, { targets: ['firmware/gw-1.2.0.bin', 'firmware/none-9.9.9.bin'] });
  assert.equal(r.exitCode, 1);
  assert.equal(checkStatus(r, 'drill.devices'), 'failed');
  const f = assertLocated(r, 'DRILL_TARGET_UNRESOLVED', { path: 'firmware/none-9.9.9.bin' });
  assert.equal(f.detail?.['step'], 'target');
  const d = stepOf(r, 'drill.devices').result as DevicesResult;
  assert.deepEqual(
    d.targets.map((t) => [t.path, t.from, t.ok, t.row]),
    [
      ['firmware/gw-1.2.0.bin', 'option', true, 3],
      ['firmware/none-9.9.9.bin', 'option', false, null],
    ],
  );
});

test("--trusted-root replaces the archive's copy of that version: devices holding it cannot update", async () => {
  const path = join(FIXTURES, 'tuf', 'trusted-root-mismatch', 'trusted-root.json');
  const r = await drill(SAMPLE, {}, { trustedRoot: { path, data: readFileSync(path) } });
  assert.equal(r.exitCode, 1);
  assert.deepEqual(drillChecks(r), {
    'drill.online-keys': 'passed',
    'drill.devices': 'failed',
    'drill.enrollment': 'passed',
    'drill.mtls': 'passed',
  });
  const f = assertLocated(r, 'DRILL_DEVICE_UPDATE_BLOCKED', {
    role: 'root',
    version: 1,
    path: '1.root.json',
  });
  assert.deepEqual(f.detail?.['pinnedRoots'], [1]);
  const d = stepOf(r, 'drill.devices').result as DevicesResult;
  assert.deepEqual(
    d.pinned.map((p) => [p.pinnedRoot, p.status, p.source]),
    [
      [1, 'blocked', `--trusted-root ${path}`],
      [2, 'can-update', '2.root.json'],
      [3, 'can-update', '3.root.json'],
    ],
  );
});

test('an offline snapshot key: only the timestamp is re-signed, and it is accepted', async () => {
  const t = tufDirWith(['timestamp.key']);
  try {
    const r = await drill(undefined, { tufDir: t.dir, certsDir: CERTS_GOOD });
    assert.equal(checkStatus(r, 'drill.online-keys'), 'passed', JSON.stringify(r.findings, null, 1));
    const o = stepOf(r, 'drill.online-keys').result as OnlineKeysResult;
    assert.equal(o.snapshotResigned, false);
    assert.deepEqual(
      o.fresh.map((x) => [x.role, x.version, x.accepted]),
      [['timestamp', 6, true]],
    );
    assert.equal(checkStatus(r, 'drill.devices'), 'passed');
  } finally {
    t.done();
  }
});

test('no online timestamp key: the restored node cannot re-sign', async () => {
  const t = tufDirWith(['snapshot.key']);
  try {
    const r = await drill(undefined, { tufDir: t.dir, certsDir: CERTS_GOOD });
    assert.equal(checkStatus(r, 'drill.online-keys'), 'failed');
    assertLocated(r, 'DRILL_ONLINE_KEY_MISSING', { role: 'timestamp' });
    // Devices are still walked, over the metadata as backed up.
    assert.equal(checkStatus(r, 'drill.devices'), 'passed');
    assert.equal((stepOf(r, 'drill.devices').result as DevicesResult).metadata, 'as backed up');
  } finally {
    t.done();
  }
});

test('no certificate folder: enrollment fails, mutual TLS is skipped', async () => {
  const r = await drill(undefined, { tufDir: TUF_GOOD });
  assert.equal(r.exitCode, 1);
  assertLocated(r, 'DRILL_INPUT_MISSING', { path: 'certs' });
  assert.equal(checkStatus(r, 'drill.enrollment'), 'failed');
  assert.equal(checkStatus(r, 'drill.mtls'), 'skipped');
});

test('CLI: the sample drills with exit 0; the text report lists each step and pinned root', () => {
  const r = cli(['drill', SAMPLE, '--host', HOST, '--at', '2026-11-26T03:00:00Z']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^Drill +restore rehearsed at 2026-11-26T03:00:00\.000Z/m);
  assert.match(r.stdout, /pinned to root 1: can update/);
  assert.match(r.stdout, /✓ A device and the server complete mutual TLS on loopback/);
  assert.match(r.stdout, /^VERIFIED/m);
});

test('CLI: a failing drill validates against the report schema and exits 1', () => {
  const r = cli([
    'drill',
    join(FIXTURES, 'cross', 'drill-wrong-host.tar.gz'),
    '--host',
    HOST,
    '--at',
    '2026-11-26T03:00:00Z',
    '--json',
  ]);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'report.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  assert.ok(validate(report), JSON.stringify(validate.errors, null, 2));
  assert.equal(report.verdict, 'failed');
  assert.ok(report.findings.some((f) => f.code === 'DRILL_TLS_HOST_REJECTED' && f.area === 'drill'));
});

test('CLI: no input, no --host, or a bad duration is bad usage (exit 2)', () => {
  assert.equal(cli(['drill', '--host', HOST]).code, 2);
  assert.equal(cli(['drill', SAMPLE]).code, 2);
  assert.equal(cli(['drill', SAMPLE, '--host', HOST, '--tls-timeout', 'soon']).code, 2);
  assert.equal(cli(['drill', '--tuf-dir', join(FIXTURES, 'nope'), '--host', HOST]).code, 2);
});

test('CLI: the drill honours --limit in its own TUF run (one root version allowed: the walk cannot pass)', () => {
  const base = ['drill', SAMPLE, '--host', HOST, '--at', '2026-11-26T03:00:00Z', '--json'];
  const limited = cli([...base, '--limit', 'tuf.maxRootVersions=1']);
  assert.equal(limited.code, 1, limited.stderr);
  const report = JSON.parse(limited.stdout) as Report;
  assert.ok(
    report.findings.some(
      (f) => f.code === 'DRILL_FRESH_METADATA_REJECTED' && f.location.role === 'timestamp',
    ),
    JSON.stringify(report.findings.map((f) => f.code)),
  );
});
