// verifyDeviceCertificates: the device certificates recorded in the dump against the backup's CA.
// After a restore, an active device reconnects over mutual TLS with this certificate, so for it a
// foreign issuer is an error; for revoked or retired devices the same defects are only warnings.
import type { Findings } from '../findings/collector.js';
import type { JsonValue, Location } from '../findings/types.js';
import { OID, parseCertificate, signatureVerifies, validityAt, type ParsedCert } from './cert.js';
import type { X509Code } from './codes.js';
import { withDefaults, type X509Limits } from './limits.js';
import { issuedBy } from './path.js';
import { CERT_LABELS, parsePem } from './pem.js';
import {
  summarizeCert,
  type CaHandle,
  type CheckSummary,
  type DeviceCertReport,
  type DeviceResult,
} from './report-types.js';
import { report, runCheck, type Code } from './run-check.js';

export interface DeviceRecord {
  id: string;
  /** devices.serial: the device's own serial, not the certificate's. */
  serial: string;
  status: string;
  certPem: string | null;
  certSha256: string | null;
}

export interface VerifyDevicesOptions {
  at: Date;
  now: Date;
  findings: Findings;
  limits?: Partial<X509Limits>;
  /** Accepted for symmetry with verifyCertificates; device expiry warnings use `at` only. */
  hosts?: string[];
  expiringWithinMs?: number;
}

const KNOWN_STATUS = new Set(['active', 'revoked', 'retired']);

export function verifyDeviceCertificates(
  devices: DeviceRecord[],
  ca: CaHandle | undefined,
  opts: VerifyDevicesOptions,
): DeviceCertReport {
  const limits = withDefaults(opts.limits);
  const f = opts.findings;
  const checks: CheckSummary[] = [];
  const results: DeviceResult[] = [];
  let withCertificate = 0;
  runCheck(
    f,
    checks,
    'x509.devices',
    'Device certificates parse, match their fingerprints and were issued by the CA',
    () => {
      if (!ca)
        report(
          f,
          'RUN_STEP_SKIPPED',
          { table: 'devices' },
          'no usable CA certificate: device certificates were not checked against an issuer',
          {
            step: 'x509.devices.issuer',
          },
        );
      // Serial numbers are unique per issuer (RFC 5280 4.1.2.2).
      const serials = new Map<string, { device: string; sha256: string }>();
      for (const [i, d] of devices.entries()) {
        if (i >= limits.maxDevices) {
          report(
            f,
            'LIMIT_EXCEEDED',
            { table: 'devices', row: i + 1, limit: 'x509.maxDevices' },
            `${devices.length} devices: only the first ${limits.maxDevices} device certificates were checked (from row ${i + 1} of the devices table on, none was)`,
            { devices: devices.length, bound: limits.maxDevices },
          );
          break;
        }
        const r = checkDevice(d, ca, opts, limits, f, serials);
        if (r.certificate) withCertificate++;
        results.push(r);
      }
      return devices.length === 0 ? 'no devices' : undefined;
    },
  );
  return {
    kind: 'devices',
    referenceTime: opts.at.toISOString(),
    now: opts.now.toISOString(),
    ca: ca ? { ref: ca.ref, subject: ca.cert.subject, sha256: ca.cert.sha256 } : null,
    total: devices.length,
    withCertificate,
    withProblems: results.filter((r) => r.codes.length > 0).length,
    devices: results,
    checks,
  };
}

function checkDevice(
  d: DeviceRecord,
  ca: CaHandle | undefined,
  opts: VerifyDevicesOptions,
  limits: X509Limits,
  f: Findings,
  serials: Map<string, { device: string; sha256: string }>,
): DeviceResult {
  const ref = `device:${d.serial}`;
  const loc: Location = { certificate: ref, device: d.id };
  const res: DeviceResult = {
    id: d.id,
    deviceSerial: d.serial,
    status: d.status,
    certificate: null,
    fingerprint: 'unchecked',
    issuedByCa: null,
    clientAuth: null,
    codes: [],
  };
  const add = (code: Code, message: string, detail?: { [k: string]: JsonValue }, extra?: Location): void => {
    report(f, code, { ...loc, ...extra }, `${ref}: ${message}`, detail);
    if (!res.codes.includes(code)) res.codes.push(code);
  };
  if (!KNOWN_STATUS.has(d.status))
    add(
      'X509_DEVICE_STATUS_UNKNOWN',
      `status "${d.status}" is not active, revoked or retired; checked as active`,
      { status: d.status },
      { field: 'status' },
    );
  const active = d.status === 'active' || !KNOWN_STATUS.has(d.status);
  const pick = (ifActive: X509Code, ifInactive: X509Code): X509Code => (active ? ifActive : ifInactive);

  if (d.certPem === null || d.certPem.trim() === '') {
    if (active)
      add('X509_DEVICE_CERT_MISSING', 'no certificate recorded for an active device', undefined, {
        field: 'cert_pem',
      });
    return res;
  }
  if (d.certPem.length > limits.maxDevicePemBytes) {
    add(
      'LIMIT_EXCEEDED',
      `cert_pem is larger than ${limits.maxDevicePemBytes} bytes; not parsed`,
      { size: d.certPem.length },
      {
        field: 'cert_pem',
        limit: 'x509.maxDevicePemBytes',
      },
    );
    return res;
  }
  const pem = parsePem(d.certPem, limits.maxCertsPerPem);
  const blocks = pem.blocks.filter((b) => CERT_LABELS.has(b.label));
  const first = blocks[0];
  if (!first) {
    add(
      'X509_DEVICE_CERT_UNPARSABLE',
      pem.problems[0]?.message ?? 'cert_pem holds no PEM certificate',
      undefined,
      { field: 'cert_pem' },
    );
    return res;
  }
  if (pem.blocks.length > 1 || pem.truncated)
    add(
      'X509_DEVICE_PEM_EXTRA',
      `cert_pem holds ${pem.blocks.length}${pem.truncated ? '+' : ''} PEM blocks; the first certificate is used`,
      {
        blocks: pem.blocks.length,
      },
      { field: 'cert_pem' },
    );
  const parsed = parseCertificate(first.der, ref);
  if (!parsed.ok) {
    add('X509_DEVICE_CERT_UNPARSABLE', parsed.error, undefined, { field: 'cert_pem' });
    return res;
  }
  const c: ParsedCert = parsed.cert;
  res.certificate = summarizeCert(c, 'device', null, opts.at, opts.now);

  // The recorded fingerprint: lowercase hex SHA-256 of the DER.
  if (d.certSha256 === null || d.certSha256.trim() === '') {
    res.fingerprint = 'unrecorded';
    add('X509_DEVICE_FINGERPRINT_MISSING', 'no cert_sha256 recorded', undefined, { field: 'cert_sha256' });
  } else if (d.certSha256.trim().toLowerCase() === c.sha256) {
    res.fingerprint = 'match';
  } else {
    res.fingerprint = 'mismatch';
    add(
      'X509_DEVICE_FINGERPRINT_MISMATCH',
      'SHA-256 of the certificate differs from cert_sha256',
      {
        recorded: d.certSha256,
        computed: c.sha256,
      },
      { field: 'cert_sha256' },
    );
  }

  // Issued by the backup's CA: the name must match AND the CA's key must verify the signature.
  if (ca) {
    const nameMatches = issuedBy(c, ca.cert);
    res.issuedByCa = nameMatches && signatureVerifies(c, ca.cert);
    if (!res.issuedByCa)
      add(
        pick('X509_DEVICE_FOREIGN_ISSUER', 'X509_DEVICE_FOREIGN_ISSUER_INACTIVE'),
        nameMatches
          ? `names the CA as issuer but its signature does not verify with ${ca.ref}`
          : `issued by "${c.issuer}", not by the CA "${ca.cert.subject}"`,
        { issuer: c.issuer, ca: ca.cert.subject, issuerNameMatches: nameMatches, status: d.status },
      );
  }

  const v = validityAt(c, opts.at);
  if (v === 'expired')
    add(
      pick('X509_DEVICE_EXPIRED', 'X509_DEVICE_EXPIRED_INACTIVE'),
      `expired on ${c.notAfter.toISOString()}`,
      {
        notAfter: c.notAfter.toISOString(),
        at: opts.at.toISOString(),
        status: d.status,
      },
    );
  else if (v === 'not-yet-valid')
    add('X509_DEVICE_NOT_YET_VALID', `not valid before ${c.notBefore.toISOString()}`, {
      notBefore: c.notBefore.toISOString(),
    });

  res.clientAuth = c.extKeyUsage === undefined || c.extKeyUsage.includes(OID.clientAuth);
  if (!res.clientAuth)
    add(
      pick('X509_DEVICE_NO_CLIENT_AUTH', 'X509_DEVICE_NO_CLIENT_AUTH_INACTIVE'),
      'extendedKeyUsage lacks clientAuth',
      {
        extKeyUsage: c.extKeyUsage ?? [],
      },
    );
  if (c.basicConstraints?.ca) add('X509_DEVICE_IS_CA', 'the device certificate has cA=true');

  const key = `${c.issuerNorm}\u0000${c.serialHex}`;
  const prior = serials.get(key);
  if (prior)
    add(
      'X509_DEVICE_SERIAL_DUPLICATE',
      prior.sha256 === c.sha256
        ? `the same certificate is recorded for device ${prior.device}`
        : `certificate serial ${c.serialHex} is also used by the certificate of device ${prior.device}`,
      { serial: c.serialHex, otherDevice: prior.device, sameCertificate: prior.sha256 === c.sha256 },
    );
  else serials.set(key, { device: d.serial, sha256: c.sha256 });
  return res;
}
