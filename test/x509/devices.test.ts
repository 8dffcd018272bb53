import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Findings } from '../../src/findings/collector.js';
import { severityOf } from '../../src/findings/severity.js';
import { verifyDeviceCertificates, type CaHandle } from '../../src/x509/index.js';
import type { DeviceRecord } from '../../src/x509/devices.js';
import { AT, devices, expectFinding, noFinding, run, source } from './helpers.js';

function ca(): CaHandle {
  const h = run(source()).report.ca;
  assert.ok(h);
  return h;
}

function check(
  rows: DeviceRecord[],
  noCa = false,
): { findings: Findings; report: ReturnType<typeof verifyDeviceCertificates> } {
  const handle = noCa ? undefined : ca();
  const findings = new Findings();
  const report = verifyDeviceCertificates(rows, handle, { hosts: [], at: AT, now: AT, findings });
  return { findings, report };
}

const one = (file: string, serial: string): DeviceRecord[] =>
  devices(file).filter((d) => d.serial === serial);
const loc = (file: string, serial: string): { certificate: string; device: string } => ({
  certificate: `device:${serial}`,
  device: one(file, serial)[0]?.id ?? '?',
});

describe('device certificates', () => {
  test('the good devices: parsed, fingerprints match, issued by the CA', () => {
    const { findings, report } = check(devices('good/devices.json'));
    assert.deepEqual(findings.list, []);
    assert.equal(report.total, 4);
    assert.equal(report.withCertificate, 4);
    assert.ok(
      report.devices.every(
        (d) => d.issuedByCa === true && d.fingerprint === 'match' && d.clientAuth === true,
      ),
    );
    assert.deepEqual(
      report.devices.map((d) => d.certificate?.key.type),
      ['ec', 'ed25519', 'rsa', 'ec'],
    );
  });

  test('active device with a certificate from a foreign CA: error', () => {
    const { findings } = check(one('devices/foreign-ca.json', 'MSH-0101'));
    const f = expectFinding(
      findings,
      'X509_DEVICE_FOREIGN_ISSUER',
      loc('devices/foreign-ca.json', 'MSH-0101'),
    );
    assert.equal(f.severity, 'error');
  });

  test('revoked device with a certificate from a foreign CA: warning, own code', () => {
    const { findings } = check(one('devices/foreign-ca.json', 'MSH-0102'));
    const f = expectFinding(
      findings,
      'X509_DEVICE_FOREIGN_ISSUER_INACTIVE',
      loc('devices/foreign-ca.json', 'MSH-0102'),
    );
    assert.equal(f.severity, 'warning');
    noFinding(findings, 'X509_DEVICE_FOREIGN_ISSUER');
  });

  test('a device certificate naming the CA but signed by another key is foreign', () => {
    const rows = one('good/devices.json', 'MSH-0001');
    const bad = run(source('foreign-ca-same-name')).report; // leaf under the CA's name, other key
    const leafPem = source('foreign-ca-same-name').get('server.crt')?.data?.toString() ?? '';
    const row = {
      ...rows[0],
      id: 'x',
      serial: 'MSH-X',
      status: 'active',
      certPem: leafPem,
      certSha256: bad.certificates[0]?.sha256 ?? null,
    };
    const { findings, report } = check([row]);
    const f = expectFinding(findings, 'X509_DEVICE_FOREIGN_ISSUER', { certificate: 'device:MSH-X' });
    assert.equal(f.detail?.['issuerNameMatches'], true);
    assert.equal(report.devices[0]?.issuedByCa, false);
  });

  test('fingerprint mismatch', () => {
    const { findings, report } = check(one('devices/fingerprint-mismatch.json', 'MSH-0201'));
    expectFinding(findings, 'X509_DEVICE_FINGERPRINT_MISMATCH', {
      ...loc('devices/fingerprint-mismatch.json', 'MSH-0201'),
      field: 'cert_sha256',
    });
    assert.equal(report.devices[0]?.fingerprint, 'mismatch');
  });

  test('expired certificate of an active device', () => {
    const { findings } = check(one('devices/expired.json', 'MSH-0301'));
    expectFinding(findings, 'X509_DEVICE_EXPIRED', loc('devices/expired.json', 'MSH-0301'));
  });

  test('expired certificate of a revoked device: its own code', () => {
    const { findings } = check(one('devices/expired.json', 'MSH-0302'));
    expectFinding(findings, 'X509_DEVICE_EXPIRED_INACTIVE', loc('devices/expired.json', 'MSH-0302'));
    noFinding(findings, 'X509_DEVICE_EXPIRED');
  });

  test('severities of the active/inactive pairs come from the codes table', () => {
    assert.equal(severityOf('X509_DEVICE_FOREIGN_ISSUER'), 'error');
    assert.equal(severityOf('X509_DEVICE_FOREIGN_ISSUER_INACTIVE'), 'warning');
    assert.equal(severityOf('X509_DEVICE_EXPIRED'), 'warning');
    assert.equal(severityOf('X509_DEVICE_EXPIRED_INACTIVE'), 'warning');
  });

  test('EKU without clientAuth', () => {
    const { findings } = check(one('devices/no-client-auth.json', 'MSH-0401'));
    expectFinding(findings, 'X509_DEVICE_NO_CLIENT_AUTH', loc('devices/no-client-auth.json', 'MSH-0401'));
  });

  test('a serial number used twice', () => {
    const { findings } = check(devices('devices/duplicate-serial.json'));
    expectFinding(findings, 'X509_DEVICE_SERIAL_DUPLICATE', loc('devices/duplicate-serial.json', 'MSH-0502'));
  });

  test('a cert_pem that is not a certificate', () => {
    const { findings } = check(one('devices/unparsable.json', 'MSH-0601'));
    expectFinding(findings, 'X509_DEVICE_CERT_UNPARSABLE', loc('devices/unparsable.json', 'MSH-0601'));
  });

  test('an active device without a certificate; a revoked one is fine without', () => {
    const base = one('good/devices.json', 'MSH-0001')[0];
    assert.ok(base);
    const { findings } = check([
      { ...base, certPem: null, certSha256: null },
      { ...base, id: 'r', serial: 'MSH-R', status: 'revoked', certPem: null, certSha256: null },
    ]);
    expectFinding(findings, 'X509_DEVICE_CERT_MISSING', { certificate: 'device:MSH-0001', device: base.id });
    assert.equal(findings.list.length, 1);
  });

  test('an unknown status is reported and treated as active', () => {
    const row = one('devices/foreign-ca.json', 'MSH-0102')[0];
    assert.ok(row);
    const { findings } = check([{ ...row, status: 'paused' }]);
    expectFinding(findings, 'X509_DEVICE_STATUS_UNKNOWN', {
      certificate: 'device:MSH-0102',
      field: 'status',
    });
    expectFinding(findings, 'X509_DEVICE_FOREIGN_ISSUER', { certificate: 'device:MSH-0102' });
  });

  test('a cert_pem over the size bound is not parsed', () => {
    const row = one('good/devices.json', 'MSH-0001')[0];
    assert.ok(row);
    const findings = new Findings();
    verifyDeviceCertificates([row], ca(), { at: AT, now: AT, findings, limits: { maxDevicePemBytes: 100 } });
    expectFinding(findings, 'LIMIT_EXCEEDED', {
      certificate: 'device:MSH-0001',
      limit: 'x509.maxDevicePemBytes',
    });
  });

  test('without a CA the issuer check is skipped, the rest still runs', () => {
    const { findings, report } = check(devices('devices/fingerprint-mismatch.json'), true);
    expectFinding(findings, 'RUN_STEP_SKIPPED', { table: 'devices' });
    expectFinding(findings, 'X509_DEVICE_FINGERPRINT_MISMATCH', { certificate: 'device:MSH-0201' });
    assert.equal(report.devices[0]?.issuedByCa, null);
    assert.equal(report.ca, null);
  });
});
