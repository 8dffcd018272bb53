// The loopback mutual-TLS step on its own: the server really requires a certificate from the CA,
// a handshake that cannot finish in time is cut off, and in every case both ends close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { DrillRun } from '../../src/drill/context.js';
import { issueDeviceCertificate, type IssuedDevice } from '../../src/drill/issue.js';
import { loadPrivateKey } from '../../src/drill/keys.js';
import { drillMutualTls, type TlsInput } from '../../src/drill/mtls.js';
import { Findings } from '../../src/findings/collector.js';
import { FIXTURES } from '../support/paths.js';
import { AT, HOST, options } from './helpers.js';

const GOOD = join(FIXTURES, 'certs', 'good');
const caPem = readFileSync(join(GOOD, 'ca.crt'));
const caDer = new X509Certificate(caPem).raw;

function input(): TlsInput {
  return {
    serverCertPem: readFileSync(join(GOOD, 'server.crt')),
    serverKeyPem: readFileSync(join(GOOD, 'server.key')),
    caPem,
    serverCertPath: 'server.crt',
    serverKeyPath: 'server.key',
    caPath: 'ca.crt',
    serverRef: 'server.crt#0',
  };
}

function run(tlsTimeoutMs = 10_000): DrillRun {
  const o = options({ tlsTimeoutMs });
  return {
    ctx: {
      opts: o.verify,
      findings: new Findings(),
      archive: undefined,
      dumps: [],
      sections: {},
      shared: new Map(),
    },
    o,
    at: AT,
    input: { metadata: undefined, keys: undefined, certs: undefined, artifacts: undefined },
  };
}

function device(signingKeyPem: Buffer): IssuedDevice {
  const k = loadPrivateKey(signingKeyPem);
  assert.ok(k.ok);
  const d = issueDeviceCertificate({ der: caDer, subjectKeyId: undefined, spki: undefined }, k.key, {
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 3600_000),
  });
  assert.ok(typeof d !== 'string', String(d));
  return d;
}

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

test('a device enrolled with the real CA key completes the handshake', async () => {
  const r = run();
  const res = await drillMutualTls(r, input(), device(readFileSync(join(GOOD, 'ca.key'))));
  assert.equal(res.handshakes[0]?.ok, true, res.handshakes[0]?.error ?? '');
  assert.equal(res.closed, true);
  assert.ok(res.port !== null && (await refused(res.port)));
  assert.equal(r.ctx.findings.list.filter((f) => f.severity === 'error').length, 0);
});

test('the server rejects a device certificate the CA did not sign (names the CA, other key)', async () => {
  const r = run();
  const other = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  });
  const res = await drillMutualTls(r, input(), device(Buffer.from(other)));
  assert.equal(res.handshakes[0]?.ok, false);
  const f = r.ctx.findings.list.find((x) => x.code === 'DRILL_TLS_CLIENT_REJECTED');
  assert.ok(f, JSON.stringify(r.ctx.findings.list));
  assert.equal(f.location.path, 'ca.crt');
  assert.equal(res.closed, true);
  assert.ok(res.port !== null && (await refused(res.port)));
});

test('a handshake over its time bound is cut off and the server still closes', async () => {
  const r = run(1);
  const res = await drillMutualTls(r, input(), device(readFileSync(join(GOOD, 'ca.key'))));
  assert.equal(res.handshakes[0]?.ok, false);
  assert.ok(
    r.ctx.findings.list.some(
      (x) => x.code === 'DRILL_TLS_TIMEOUT' && x.location.certificate === 'server.crt#0',
    ),
  );
  assert.equal(res.closed, true);
  assert.ok(res.port !== null && (await refused(res.port)));
  assert.equal(res.handshakes[0]?.host, HOST);
});
