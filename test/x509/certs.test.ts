import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Findings } from '../../src/findings/collector.js';
import { DirectorySource } from '../../src/files/source.js';
import { verifyCertificates } from '../../src/x509/index.js';
import { AT, clean, expectFinding, HOST, noFinding, readSet, run, source } from './helpers.js';

describe('the good set', () => {
  test('chains, matches every SAN form and both keys, and raises nothing', () => {
    const { report, findings } = run(source(), {
      hosts: [
        HOST,
        '127.0.0.1',
        '::1',
        '0:0:0:0:0:0:0:1',
        '[::1]',
        'a.fleet.meshanics.test',
        'NODE.Meshanics.Test.',
      ],
    });
    clean(findings);
    assert.deepEqual(report.chain, { refs: ['server.crt#0', 'ca.crt#0'], reachedAnchor: true, valid: true });
    assert.ok(report.hosts.every((h) => h.matched));
    assert.equal(report.hosts[3]?.normalized, '::1');
    assert.deepEqual(
      report.keys.map((k) => [k.role, k.status, k.format]),
      [
        ['server', 'matches', 'sec1'],
        ['ca', 'matches', 'pkcs8'],
      ],
    );
    assert.equal(report.caUsableForEnrollment, true);
    assert.ok(
      report.checks.every((c) => c.status === 'passed'),
      JSON.stringify(report.checks),
    );
    assert.equal(findings.checks.filter((c) => c.area === 'x509').length, report.checks.length);
  });

  test('the report shows each certificate with fingerprint, key, window and SANs', () => {
    const { report } = run(source());
    const leaf = report.certificates.find((c) => c.ref === 'server.crt#0');
    assert.ok(leaf);
    assert.equal(leaf.role, 'leaf');
    assert.match(leaf.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual([leaf.key.type, leaf.key.curve, leaf.key.bits], ['ec', 'P-256', 256]);
    assert.equal(leaf.notBefore, '2026-01-01T00:00:00.000Z');
    assert.equal(leaf.notAfter, '2031-01-01T00:00:00.000Z');
    assert.equal(leaf.atReference.status, 'valid');
    assert.deepEqual(leaf.extKeyUsage, ['serverAuth']);
    assert.deepEqual(
      leaf.san?.map((s) => `${s.type}:${s.value}`),
      ['dns:node.meshanics.test', 'dns:*.fleet.meshanics.test', 'ip:127.0.0.1', 'ip:::1'],
    );
    const ca = report.certificates.find((c) => c.ref === 'ca.crt#0');
    assert.equal(ca?.role, 'anchor');
    assert.equal(ca?.isCa, true);
    assert.deepEqual(ca?.keyUsage, ['keyCertSign', 'cRLSign']);
  });

  test('the report is JSON and leaves the CA handle out of it', () => {
    const { report } = run(source());
    assert.equal(report.ca?.ref, 'ca.crt#0');
    const json = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
    assert.equal('ca' in json, false);
    assert.deepEqual(Object.keys(json).sort(), Object.keys(report).sort());
  });

  test('a certificate valid at the reference time but expired now is a warning', () => {
    const { report, findings } = run(source(), { now: new Date('2031-06-01T00:00:00Z') });
    expectFinding(findings, 'X509_EXPIRED_BY_NOW', { certificate: 'server.crt#0', path: 'server.crt' });
    noFinding(findings, 'X509_EXPIRED');
    assert.equal(report.certificates[0]?.atNow.status, 'expired');
    assert.equal(report.certificates[0]?.atReference.status, 'valid');
  });

  test('expiry within the warning window is a warning', () => {
    const { findings } = run(source(), {
      at: new Date('2030-12-20T00:00:00Z'),
      expiringWithinMs: 30 * 86_400_000,
    });
    expectFinding(findings, 'X509_EXPIRING_SOON', { certificate: 'server.crt#0' });
    noFinding(findings, 'X509_EXPIRED');
  });

  test('validity is inclusive at notAfter, to the second', () => {
    const { findings } = run(source(), { at: new Date('2031-01-01T00:00:00.900Z'), expiringWithinMs: 0 });
    noFinding(findings, 'X509_EXPIRED');
    const after = run(source(), { at: new Date('2031-01-01T00:00:01Z') });
    expectFinding(after.findings, 'X509_EXPIRED', { certificate: 'server.crt#0' });
  });
});

// One fixture per defect: [fixture, code, location, host].
const DEFECTS: Array<[string, string, Record<string, string>, string?]> = [
  ['expired', 'X509_EXPIRED', { certificate: 'server.crt#0', path: 'server.crt' }],
  ['not-yet-valid', 'X509_NOT_YET_VALID', { certificate: 'server.crt#0' }],
  ['wrong-host', 'X509_HOST_MISMATCH', { certificate: 'server.crt#0' }],
  ['ip-in-dns', 'X509_HOST_MISMATCH', { certificate: 'server.crt#0' }, '127.0.0.1'],
  ['ip-in-dns', 'X509_SAN_DNS_IS_IP', { certificate: 'server.crt#0' }, '127.0.0.1'],
  ['foreign-ca', 'X509_CHAIN_NO_ISSUER', { certificate: 'server.crt#0' }],
  ['foreign-ca-same-name', 'X509_SIGNATURE_INVALID', { certificate: 'server.crt#0' }],
  ['bad-signature', 'X509_SIGNATURE_INVALID', { certificate: 'server.crt#0' }],
  ['key-mismatch', 'X509_KEY_MISMATCH', { certificate: 'server.crt#0', path: 'server.key' }],
  ['ca-not-ca', 'X509_ISSUER_NOT_CA', { certificate: 'ca.crt#0', path: 'ca.crt' }],
  ['ca-v1', 'X509_VERSION_NOT_V3', { certificate: 'ca.crt#0' }],
  ['no-key-cert-sign', 'X509_ISSUER_NO_KEY_CERT_SIGN', { certificate: 'ca.crt#0' }],
  ['pathlen', 'X509_PATH_LENGTH_EXCEEDED', { certificate: 'server.crt#1' }],
  ['weak-key', 'X509_KEY_WEAK', { certificate: 'server.crt#0' }],
  ['encrypted-key', 'X509_KEY_ENCRYPTED', { certificate: 'server.crt#0', path: 'server.key' }],
  ['encrypted-key-legacy', 'X509_KEY_ENCRYPTED', { certificate: 'server.crt#0', path: 'server.key' }],
  ['no-server-auth', 'X509_LEAF_NO_SERVER_AUTH', { certificate: 'server.crt#0' }],
  ['leaf-is-ca', 'X509_LEAF_IS_CA', { certificate: 'server.crt#0' }],
  ['unknown-critical', 'X509_CRITICAL_EXTENSION_UNKNOWN', { certificate: 'server.crt#0' }],
  ['duplicate-extension', 'X509_EXTENSION_DUPLICATE', { certificate: 'server.crt#0' }],
  ['lint-sha1', 'X509_SHA1_SIGNATURE', { certificate: 'server.crt#0' }],
  ['lint-bc-not-critical', 'X509_BASIC_CONSTRAINTS_NOT_CRITICAL', { certificate: 'ca.crt#0' }],
  ['lint-no-ski', 'X509_SKI_MISSING', { certificate: 'ca.crt#0' }],
  ['lint-no-aki', 'X509_AKI_MISSING', { certificate: 'server.crt#0' }],
  ['lint-serial-negative', 'X509_SERIAL_INVALID', { certificate: 'server.crt#0' }],
  ['lint-serial-long', 'X509_SERIAL_INVALID', { certificate: 'server.crt#0' }],
  ['lint-time-encoding', 'X509_TIME_ENCODING', { certificate: 'server.crt#0' }],
  ['lint-no-san', 'X509_SAN_EMPTY', { certificate: 'server.crt#0' }],
];

describe('one defect per fixture', () => {
  for (const [fixture, code, loc, host] of DEFECTS) {
    test(`${fixture}: ${code} at ${loc['certificate'] ?? ''}`, () => {
      const { findings } = run(source(fixture), { hosts: [host ?? HOST] });
      expectFinding(findings, code, loc);
    });
  }

  test('a CA without cA cannot sign enrollments', () => {
    const { report } = run(source('ca-not-ca'));
    assert.equal(report.caUsableForEnrollment, false);
    assert.equal(report.chain.valid, false);
  });

  test('the same defects do not occur in the good set', () => {
    const { findings } = run(source(), { hosts: [HOST, '127.0.0.1'] });
    for (const code of new Set(DEFECTS.map(([, c]) => c))) noFinding(findings, code);
  });

  test('an intermediate bundled after the leaf forms the path when pathLen allows it', () => {
    const { report, findings } = run(source('intermediate-ok'));
    clean(findings);
    assert.deepEqual(report.chain.refs, ['server.crt#0', 'server.crt#1', 'ca.crt#0']);
    assert.equal(report.chain.valid, true);
  });

  test('an RSA 2048 key in PKCS#1 matches its certificate', () => {
    const { report, findings } = run(source('rsa-pkcs1'));
    clean(findings);
    assert.equal(report.keys[0]?.format, 'pkcs1');
    assert.equal(report.keys[0]?.status, 'matches');
  });

  test('an encrypted key is a status of its own, not a crash', () => {
    const { report } = run(source('encrypted-key'));
    assert.equal(report.keys[0]?.status, 'encrypted');
  });
});

describe('file modes', () => {
  test('a key readable by others is an error (MemorySource mode 0644)', () => {
    const { findings } = run(source(undefined, { modes: { 'server.key': 0o644 } }));
    expectFinding(findings, 'X509_KEY_MODE_LOOSE', { path: 'server.key' });
  });

  test('a CA key readable by the group is an error', () => {
    const { findings } = run(source(undefined, { modes: { 'ca.key': 0o640 } }));
    expectFinding(findings, 'X509_KEY_MODE_LOOSE', { path: 'ca.key' });
  });

  test('a key folder open to others is a warning', () => {
    const { findings } = run(source(undefined, { dirMode: 0o755 }));
    expectFinding(findings, 'X509_KEY_DIR_MODE_LOOSE', { path: '.' });
    noFinding(findings, 'X509_KEY_MODE_LOOSE');
  });

  test('a directory on disk is checked the same way', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mv-certs-'));
    try {
      for (const [n, data] of Object.entries(readSet('good'))) {
        writeFileSync(join(dir, n), data);
        chmodSync(join(dir, n), n.endsWith('.key') ? 0o600 : 0o644);
      }
      chmodSync(dir, 0o700);
      const ok = new Findings();
      verifyCertificates(
        { certs: new DirectorySource(dir) },
        { hosts: [HOST], at: AT, now: AT, findings: ok },
      );
      clean(ok);
      chmodSync(join(dir, 'server.key'), 0o644);
      const loose = new Findings();
      verifyCertificates(
        { certs: new DirectorySource(dir) },
        { hosts: [HOST], at: AT, now: AT, findings: loose },
      );
      expectFinding(loose, 'X509_KEY_MODE_LOOSE', { path: 'server.key' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('finding the files', () => {
  test('absent default names: the pair is found by content', () => {
    const rename = {
      'server.crt': 'tls/node.pem',
      'server.key': 'tls/node-key.pem',
      'ca.crt': 'pki/root.pem',
      'ca.key': 'pki/root-key.pem',
    };
    const { report, findings } = run(source(undefined, { rename }));
    for (const p of Object.values(rename)) expectFinding(findings, 'X509_FOUND_BY_CONTENT', { path: p });
    assert.deepEqual(report.files.foundByContent.sort(), ['caCert', 'caKey', 'serverCert', 'serverKey']);
    assert.equal(report.chain.valid, true);
    assert.equal(report.caUsableForEnrollment, true);
    assert.deepEqual(report.chain.refs, ['tls/node.pem#0', 'pki/root.pem#0']);
    noFinding(findings, 'X509_FILE_MISSING');
  });

  test('explicit paths are used as given', () => {
    const rename = { 'server.crt': 'a.crt', 'ca.crt': 'b.crt' };
    const { report, findings } = run(source(undefined, { rename }), {
      input: { serverCertPath: 'a.crt', caCertPath: 'b.crt' },
    });
    noFinding(findings, 'X509_FOUND_BY_CONTENT');
    assert.deepEqual(report.chain.refs, ['a.crt#0', 'b.crt#0']);
  });

  test('an explicit path that is absent is missing, not searched for', () => {
    const { findings } = run(source(), { input: { serverCertPath: 'tls/node.crt' } });
    expectFinding(findings, 'X509_FILE_MISSING', { path: 'tls/node.crt' });
  });

  test('an absent CA key is missing and the CA cannot sign enrollments', () => {
    const { report, findings } = run(source(undefined, { drop: ['ca.key'] }));
    expectFinding(findings, 'X509_FILE_MISSING', { path: 'ca.key' });
    assert.equal(report.caUsableForEnrollment, false);
    assert.equal(report.keys[1]?.status, 'missing');
  });

  test('an absent ca.crt: the chain check is skipped, the leaf still checked', () => {
    const { report, findings } = run(source('expired', { drop: ['ca.crt'] }));
    expectFinding(findings, 'X509_FILE_MISSING', { path: 'ca.crt' });
    expectFinding(findings, 'X509_EXPIRED', { certificate: 'server.crt#0' });
    noFinding(findings, 'X509_CHAIN_NO_ISSUER');
    assert.equal(report.ca, undefined);
  });
});

describe('hostile or odd PEM', () => {
  const good = readSet('good');
  const caPem = good['ca.crt']?.toString() ?? '';
  const leafPem = good['server.crt']?.toString() ?? '';

  test('more certificates than the bound: a LIMIT_EXCEEDED finding, the rest still checked', () => {
    const { findings } = run(source(undefined, { extra: { 'server.crt': leafPem + caPem.repeat(70) } }));
    expectFinding(findings, 'LIMIT_EXCEEDED', { path: 'server.crt', limit: 'x509.maxCertsPerPem' });
    expectFinding(findings, 'X509_BUNDLE_INCLUDES_ANCHOR', { certificate: 'server.crt#1' });
  });

  test('a file over the size bound is not read', () => {
    const { findings } = run(source(), { limits: { maxPemBytes: 200 } });
    expectFinding(findings, 'LIMIT_EXCEEDED', { path: 'server.crt', limit: 'x509.maxPemBytes' });
  });

  test('no PEM at all', () => {
    const { findings } = run(source(undefined, { extra: { 'server.crt': 'hello\n' } }));
    expectFinding(findings, 'X509_PEM_INVALID', { path: 'server.crt' });
  });

  test('a PEM block that is not DER X.509', () => {
    const junk = `-----BEGIN CERTIFICATE-----\n${Buffer.from('0\u0003\u0002\u0001\u0000junk').toString('base64')}\n-----END CERTIFICATE-----\n`;
    const { findings } = run(source(undefined, { extra: { 'server.crt': junk } }));
    expectFinding(findings, 'X509_CERT_UNPARSABLE', { certificate: 'server.crt#0', path: 'server.crt' });
  });

  test('an unterminated block', () => {
    const { findings } = run(
      source(undefined, { extra: { 'server.crt': leafPem + '-----BEGIN CERTIFICATE-----\nMIIB\n' } }),
    );
    expectFinding(findings, 'X509_PEM_INVALID', { path: 'server.crt' });
  });

  test('a private key inside the certificate file', () => {
    const { findings } = run(
      source(undefined, { extra: { 'server.crt': leafPem + (good['server.key']?.toString() ?? '') } }),
    );
    expectFinding(findings, 'X509_PEM_UNEXPECTED_BLOCK', { path: 'server.crt' });
  });

  test('a bundled certificate off the path', () => {
    const bundle = readSet('pathlen')['server.crt']?.toString() ?? '';
    const other = bundle.split(/(?=-----BEGIN)/)[1] ?? '';
    const { findings } = run(source(undefined, { extra: { 'server.crt': leafPem + other } }));
    expectFinding(findings, 'X509_BUNDLE_UNUSED', { certificate: 'server.crt#1' });
  });

  test('an unparsable key', () => {
    const { report, findings } = run(
      source(undefined, {
        extra: { 'server.key': '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' },
      }),
    );
    expectFinding(findings, 'X509_KEY_UNPARSABLE', { path: 'server.key' });
    assert.equal(report.keys[0]?.status, 'unparsable');
  });
});

describe('hosts', () => {
  test('no --host: recorded as unchecked, the check skipped', () => {
    const { report, findings } = run(source(), { hosts: [] });
    expectFinding(findings, 'X509_HOST_UNCHECKED', { certificate: 'server.crt#0' });
    assert.equal(report.checks.find((c) => c.id === 'x509.host')?.status, 'skipped');
  });

  test('an address that is neither IP nor DNS name', () => {
    const { findings } = run(source(), { hosts: ['10.0.0.256'] });
    expectFinding(findings, 'X509_HOST_INVALID', { certificate: 'server.crt#0', field: 'host' });
  });

  for (const h of [
    'fleet.meshanics.test',
    'a.b.fleet.meshanics.test',
    'meshanics.test',
    '127.0.0.2',
    '::2',
  ]) {
    test(`${h} is not presented`, () => {
      const { findings } = run(source(), { hosts: [h] });
      expectFinding(findings, 'X509_HOST_MISMATCH', { certificate: 'server.crt#0' });
    });
  }

  test('the subject CN is never a fallback', () => {
    const { findings } = run(source('lint-no-san'), { hosts: [HOST] });
    expectFinding(findings, 'X509_HOST_MISMATCH', { certificate: 'server.crt#0' });
  });
});
