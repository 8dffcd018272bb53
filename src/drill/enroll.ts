// Step 3, enrollment works: issue a throwaway device certificate with the backup's CA key and
// check it against the CA certificate the way device certificates are checked (issuer name AND
// signature, validity, clientAuth). The key and certificate live in memory only.
import type { Finding, Location } from '../findings/types.js';
import { verifyDeviceCertificates, type CertReport } from '../x509/index.js';
import { blocking, causeOf, causesJson, scratchFindings, type DrillRun } from './context.js';
import { issueDeviceCertificate, type IssuedDevice } from './issue.js';
import { loadPrivateKey } from './keys.js';
import type { Cause, EnrollmentResult } from './types.js';

/** The device certificate's validity around the drill time (and the real clock, for the handshake). */
const SKEW_MS = 5 * 60_000;
const LIFETIME_MS = 86_400_000;

export interface EnrollOutcome {
  result: EnrollmentResult;
  /** The enrolled test device, when the CA accepted its certificate. */
  device: IssuedDevice | undefined;
}

export function drillEnrollment(
  run: DrillRun,
  certs: CertReport,
  certFindings: readonly Finding[],
): EnrollOutcome {
  const f = run.ctx.findings;
  const ca = certs.ca;
  const caPath = certs.files.caCert;
  const keyPath = certs.files.caKey;
  const result: EnrollmentResult = {
    ca: { path: caPath, certificate: ca?.ref ?? null, keyPath },
    device: null,
    accepted: false,
    causes: [],
  };
  const out: EnrollOutcome = { result, device: undefined };
  if (!ca || caPath === null) {
    f.add(
      'DRILL_ENROLL_NO_CA',
      { path: 'ca.crt' },
      'no usable CA certificate: the restored node cannot enroll devices',
    );
    return out;
  }
  const caLoc: Location = { path: caPath, certificate: ca.ref };
  if (keyPath === null) {
    f.add('DRILL_ENROLL_NO_CA', caLoc, `no CA key for ${ca.ref}: the restored node cannot enroll devices`);
    return out;
  }
  const keyLoc: Location = { path: keyPath, certificate: ca.ref };
  const loaded = loadPrivateKey(run.input.certs?.get(keyPath)?.data);
  if (!loaded.ok) {
    f.add(
      'DRILL_ENROLL_CA_KEY_UNUSABLE',
      keyLoc,
      `${keyPath} cannot sign device certificates: ${loaded.reason}`,
    );
    return out;
  }
  const now = run.ctx.opts.now;
  const issued = issueDeviceCertificate(
    { der: ca.cert.der, subjectKeyId: ca.cert.subjectKeyId, spki: ca.cert.publicKeySpki },
    loaded.key,
    {
      notBefore: new Date(Math.min(run.at.getTime(), now.getTime()) - SKEW_MS),
      notAfter: new Date(Math.max(run.at.getTime(), now.getTime()) + LIFETIME_MS),
    },
  );
  if (typeof issued === 'string') {
    f.add('DRILL_ENROLL_CA_KEY_UNUSABLE', keyLoc, `${keyPath} cannot sign device certificates: ${issued}`);
    return out;
  }
  result.device = {
    serial: issued.serial,
    subject: issued.subject,
    keyType: issued.keyType,
    signatureAlgorithm: issued.signatureAlgorithm,
    sha256: issued.sha256,
    notBefore: issued.notBefore.toISOString(),
    notAfter: issued.notAfter.toISOString(),
  };

  // Checked as the node checks an enrolled device: against the CA handle, at the drill time.
  const scratch = scratchFindings(run);
  const devices = verifyDeviceCertificates(
    [
      {
        id: 'meshverify-drill',
        serial: issued.serial,
        status: 'active',
        certPem: issued.certPem,
        certSha256: issued.sha256,
      },
    ],
    ca,
    { at: run.at, now: run.at, findings: scratch },
  );
  const causes: Cause[] = blocking(scratch.list).map(causeOf);
  // A CA that is no CA at the drill time (expired, no keyCertSign, key not its own) issues
  // certificates no one accepts. (File modes and the like are verify's business, not a cause.)
  for (const x of blocking(certFindings)) if (x.location.certificate === ca.ref) causes.push(causeOf(x));
  const issuedByCa = devices.devices[0]?.issuedByCa === true;
  result.causes = causes.slice(0, 20);
  result.accepted = issuedByCa && causes.length === 0;
  if (result.accepted) {
    out.device = issued;
    return out;
  }
  const keyCause = certs.keys.find((k) => k.role === 'ca');
  const why =
    !issuedByCa && keyCause?.status === 'mismatch'
      ? `${keyPath} is not the private key of ${ca.ref}: what it signs does not verify with the CA certificate`
      : (causes[0]?.message ?? 'the certificate does not verify against the CA certificate');
  f.add(
    'DRILL_ENROLLMENT_REJECTED',
    !issuedByCa ? keyLoc : (causes[0]?.location ?? caLoc),
    `a device certificate issued with ${keyPath} is not accepted against ${ca.ref}: ${why}`,
    { serial: issued.serial, issuedByCa, causes: causesJson(causes) },
  );
  return out;
}
