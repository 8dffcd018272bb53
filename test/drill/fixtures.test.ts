// The drill on real backups: the sample drills green; each defect archive
// (scripts/make-sample-backup.ts --variant drill-*, and the cross fixture artifact-sha-mismatch)
// fails at the step it breaks, with a located finding, and every other step still passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { DevicesResult, OnlineKeysResult, TlsResult } from '../../src/drill/types.js';
import {
  AT,
  HOST,
  SAMPLE,
  assertLocated,
  crossFixture,
  drill,
  drillChecks,
  section,
  stepOf,
} from './helpers.js';

const ALL_PASS = {
  'drill.online-keys': 'passed',
  'drill.devices': 'passed',
  'drill.enrollment': 'passed',
  'drill.mtls': 'passed',
};

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

function tcpServers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
}

test('the sample backup drills green: re-signed metadata, every pinned root, enrollment, mutual TLS', async () => {
  const before = tcpServers();
  const r = await drill(SAMPLE, {}, { hosts: [HOST, '127.0.0.1'] });
  assert.equal(r.exitCode, 0, JSON.stringify(r.findings, null, 1));
  assert.equal(r.verdict, 'verified');
  assert.deepEqual(drillChecks(r), ALL_PASS);
  assert.equal(r.command, 'drill');

  const online = stepOf(r, 'drill.online-keys').result as OnlineKeysResult;
  assert.equal(online.trustedRootVersion, 3);
  assert.equal(online.snapshotResigned, true);
  assert.deepEqual(
    online.fresh.map((x) => [x.role, x.path, x.version, x.expires, x.accepted]),
    [
      ['timestamp', 'timestamp.json', 6, '2026-11-27T03:00:00Z', true],
      ['snapshot', '4.snapshot.json', 4, '2026-12-03T03:00:00Z', true],
    ],
  );

  const devices = stepOf(r, 'drill.devices').result as DevicesResult;
  assert.equal(devices.metadata, 're-signed');
  assert.deepEqual(
    devices.pinned.map((p) => [p.pinnedRoot, p.status]),
    [
      [1, 'can-update'],
      [2, 'can-update'],
      [3, 'can-update'],
    ],
  );
  // Every artifact row resolves to its signed length and hash.
  assert.deepEqual(
    devices.targets.map((t) => [t.path, t.from, t.ok, t.length]),
    [
      ['config/mesh-defaults.json', 'artifact', true, 47],
      ['firmware/sensor-2.0.1.bin', 'artifact', true, 3072],
      ['firmware/gw-1.2.0.bin', 'artifact', true, 4096],
      ['firmware/gw-1.3.0.bin', 'artifact', true, 4608],
    ],
  );
  assert.equal(
    devices.targets.find((t) => t.path === 'firmware/gw-1.3.0.bin')?.hashes['sha256'],
    'ca96084de8cf30c313c091a529b500248f7be5d599be36c22f6555f335e5b97c',
  );
  assert.equal(devices.targets.find((t) => t.path === 'firmware/gw-1.3.0.bin')?.role, 'gateways');

  const tls = stepOf(r, 'drill.mtls').result as TlsResult;
  assert.equal(tls.handshakes.length, 2);
  for (const h of tls.handshakes) {
    assert.equal(h.ok, true, h.error ?? '');
    assert.match(h.protocol ?? '', /^TLSv1\.[23]$/);
    assert.ok(h.cipher);
  }
  // Both ends closed: the port refuses connections and no server handle is left.
  assert.equal(tls.closed, true);
  assert.ok(tls.port !== null && tls.port > 0);
  assert.equal(await refused(tls.port), true, `port ${tls.port} still accepts connections`);
  assert.equal(tcpServers(), before);
  assert.equal(section(r).at, AT.toISOString());
});

test('a timestamp key the newest root does not list: the online-keys step fails at the key file', async () => {
  const r = await drill(crossFixture('drill-timestamp-key-unlisted'));
  assert.equal(r.exitCode, 1);
  assert.deepEqual(drillChecks(r), { ...ALL_PASS, 'drill.online-keys': 'failed' });
  assertLocated(r, 'DRILL_ONLINE_KEY_NOT_TRUSTED', { path: 'timestamp.key', role: 'timestamp' });
  const rej = assertLocated(r, 'DRILL_FRESH_METADATA_REJECTED', {
    path: 'timestamp.json',
    role: 'timestamp',
    version: 6,
  });
  assert.match(JSON.stringify(rej.detail), /TUF_THRESHOLD_NOT_MET/);
  // Devices were then checked against the metadata as backed up.
  assert.equal((stepOf(r, 'drill.devices').result as DevicesResult).metadata, 'as backed up');
});

test('a CA key that does not match the CA certificate: enrollment fails at ca.key, TLS is skipped', async () => {
  const r = await drill(crossFixture('drill-ca-key-mismatch'));
  assert.equal(r.exitCode, 1);
  assert.deepEqual(drillChecks(r), {
    ...ALL_PASS,
    'drill.enrollment': 'failed',
    'drill.mtls': 'skipped',
  });
  const f = assertLocated(r, 'DRILL_ENROLLMENT_REJECTED', { path: 'ca.key', certificate: 'ca.crt#0' });
  assert.equal(f.detail?.['issuedByCa'], false);
});

test('a server key that does not match its certificate: the TLS server cannot start', async () => {
  const r = await drill(crossFixture('drill-server-key-mismatch'));
  assert.equal(r.exitCode, 1);
  assert.deepEqual(drillChecks(r), { ...ALL_PASS, 'drill.mtls': 'failed' });
  assertLocated(r, 'DRILL_TLS_SERVER_SETUP_FAILED', { path: 'server.key', certificate: 'server.crt#0' });
  assert.equal((stepOf(r, 'drill.mtls').result as TlsResult).closed, true);
});

test('a server certificate without the host: the device rejects the server in the handshake', async () => {
  const r = await drill(crossFixture('drill-wrong-host'));
  assert.equal(r.exitCode, 1);
  assert.deepEqual(drillChecks(r), { ...ALL_PASS, 'drill.mtls': 'failed' });
  const f = assertLocated(r, 'DRILL_TLS_HOST_REJECTED', { path: 'server.crt', certificate: 'server.crt#0' });
  assert.equal(f.detail?.['errorCode'], 'ERR_TLS_CERT_ALTNAME_INVALID');
  const tls = stepOf(r, 'drill.mtls').result as TlsResult;
  assert.equal(tls.closed, true);
  assert.ok(tls.port !== null && (await refused(tls.port)));
});

test('a missing middle root version: devices pinned below it cannot update, those above can', async () => {
  const r = await drill(crossFixture('drill-root-version-missing'));
  assert.equal(r.exitCode, 1);
  assert.deepEqual(drillChecks(r), { ...ALL_PASS, 'drill.devices': 'failed' });
  const f = assertLocated(r, 'DRILL_DEVICE_UPDATE_BLOCKED', {
    path: '2.root.json',
    role: 'root',
    version: 2,
  });
  assert.deepEqual(f.detail?.['pinnedRoots'], [1]);
  assert.equal(f.detail?.['step'], 'root');
  assertLocated(r, 'DRILL_PINNED_ROOT_UNAVAILABLE', { path: '2.root.json', role: 'root', version: 2 });
  const d = stepOf(r, 'drill.devices').result as DevicesResult;
  assert.deepEqual(
    d.pinned.map((p) => [p.pinnedRoot, p.status, p.failedStep]),
    [
      [1, 'blocked', 'root'],
      [2, 'unchecked', null],
      [3, 'can-update', null],
    ],
  );
});

test('an expired targets role: every pinned device stops at the targets step', async () => {
  const r = await drill(crossFixture('drill-expired-targets'));
  assert.equal(r.exitCode, 1);
  assert.deepEqual(drillChecks(r), { ...ALL_PASS, 'drill.devices': 'failed' });
  const f = assertLocated(r, 'DRILL_DEVICE_UPDATE_BLOCKED', {
    path: '2.targets.json',
    role: 'targets',
    version: 2,
    field: 'signed.expires',
  });
  assert.deepEqual(f.detail?.['pinnedRoots'], [1, 2, 3]);
  assert.equal(f.detail?.['step'], 'targets');
  const d = stepOf(r, 'drill.devices').result as DevicesResult;
  assert.ok(d.pinned.every((p) => p.status === 'blocked' && p.failedStep === 'targets'));
});

test('an artifact row that disagrees with its signed target: the target step fails at that row', async () => {
  const r = await drill(crossFixture('artifact-sha-mismatch'));
  assert.equal(r.exitCode, 1);
  assert.deepEqual(drillChecks(r), { ...ALL_PASS, 'drill.devices': 'failed' });
  assertLocated(r, 'DRILL_TARGET_ARTIFACT_MISMATCH', {
    table: 'public.artifacts',
    row: 2,
    path: 'firmware/sensor-2.0.1.bin',
    role: 'targets',
    field: 'sha256',
  });
  const d = stepOf(r, 'drill.devices').result as DevicesResult;
  assert.deepEqual(
    d.targets.filter((t) => !t.ok).map((t) => [t.path, t.failedStep]),
    [['firmware/sensor-2.0.1.bin', 'target']],
  );
  assert.ok(d.pinned.every((p) => p.status === 'blocked' && p.failedStep === 'target'));
});
