// The JSON-safe reports of the certificate checks (one exception, marked: the CA handle).
import type { CheckStatus, JsonValue } from '../findings/types.js';
import { KU, OID, validityAt, type ParsedCert, type SanEntry, type TimeEncoding } from './cert.js';
import type { KeyFacts } from './keys.js';

export interface TimeStatus {
  status: 'valid' | 'expired' | 'not-yet-valid';
  /** Whole days from that instant to notAfter (negative once expired). */
  daysToExpiry: number;
  /** Whole days from that instant to notBefore (positive while not yet valid). */
  daysToStart: number;
}

export interface CertSummary {
  /** "server.crt#0", "ca.crt#0", "device:<serial>". */
  ref: string;
  /** File the certificate came from, when it came from one. */
  path: string | null;
  role: 'leaf' | 'intermediate' | 'anchor' | 'unused' | 'device';
  subject: string;
  issuer: string;
  /** Lowercase hex of the serial number (no sign byte). */
  serial: string;
  /** Lowercase hex SHA-256 of the DER. */
  sha256: string;
  version: number;
  signatureAlgorithm: string;
  key: KeyFacts;
  notBefore: string;
  notAfter: string;
  timeEncoding: { notBefore: TimeEncoding; notAfter: TimeEncoding };
  /** Validity at the reference time (--at). */
  atReference: TimeStatus;
  /** Validity now: a restore happens later than the backup. */
  atNow: TimeStatus;
  san: SanEntry[] | null;
  isCa: boolean;
  pathLen: number | null;
  keyUsage: string[] | null;
  extKeyUsage: string[] | null;
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  selfIssued: boolean;
  extensions: Array<{ oid: string; critical: boolean }>;
}

export interface CheckSummary {
  id: string;
  title: string;
  status: CheckStatus;
  /** Codes of the findings this check raised, in order, without repeats. */
  codes: string[];
  reason?: string;
}

export interface HostResult {
  host: string;
  kind: 'dns' | 'ip' | 'invalid';
  /** The reference identifier as compared: A-label lowercase name, or RFC 5952 address. */
  normalized: string | null;
  matched: boolean;
  /** The SAN entry that matched, as "DNS:…" or "IP:…". */
  matchedBy: string | null;
}

export type KeyStatus =
  'matches' | 'mismatch' | 'encrypted' | 'unparsable' | 'missing' | 'unreadable' | 'unchecked';

export interface KeyResult {
  role: 'server' | 'ca';
  path: string;
  status: KeyStatus;
  /** Octal permission bits, e.g. "0600", when known. */
  mode: string | null;
  /** pkcs8 / sec1 / pkcs1, or how it is encrypted. */
  format: string | null;
  key: KeyFacts | null;
  /** The certificate it was compared with. */
  certificate: string | null;
}

/** What verifyDeviceCertificates needs of the CA. Opaque to callers; not JSON. */
export interface CaHandle {
  readonly ref: string;
  readonly cert: ParsedCert;
}

export interface CertReport {
  kind: 'certificates';
  source: string;
  referenceTime: string;
  now: string;
  expiringWithinMs: number;
  files: {
    serverCert: string | null;
    serverKey: string | null;
    caCert: string | null;
    caKey: string | null;
    /** Roles whose file was found by content rather than by its default name. */
    foundByContent: string[];
  };
  certificates: CertSummary[];
  chain: {
    /** Leaf first, trust anchor last. */
    refs: string[];
    reachedAnchor: boolean;
    /** Every link verified and no error-level finding on the path. */
    valid: boolean;
  };
  hosts: HostResult[];
  keys: KeyResult[];
  /** ca.crt is a valid CA at the reference time with keyCertSign and its key is usable. */
  caUsableForEnrollment: boolean;
  checks: CheckSummary[];
  /**
   * The CA for verifyDeviceCertificates. NOT JSON: a non-enumerable property, so
   * JSON.stringify(report) leaves it out.
   */
  readonly ca?: CaHandle;
}

export interface DeviceResult {
  id: string;
  /** The device's serial (devices.serial), not the certificate's. */
  deviceSerial: string;
  status: string;
  certificate: CertSummary | null;
  fingerprint: 'match' | 'mismatch' | 'unrecorded' | 'unchecked';
  /** Signature verified with the CA's key; null when it could not be checked. */
  issuedByCa: boolean | null;
  /** EKU allows clientAuth (true when there is no EKU); null when unparsed. */
  clientAuth: boolean | null;
  codes: string[];
}

export interface DeviceCertReport {
  kind: 'devices';
  referenceTime: string;
  now: string;
  /** The CA the certificates were checked against, or null without one. */
  ca: { ref: string; subject: string; sha256: string } | null;
  total: number;
  withCertificate: number;
  /** Devices with at least one finding. */
  withProblems: number;
  devices: DeviceResult[];
  checks: CheckSummary[];
}

const DAY = 86_400_000;

function timeStatus(c: ParsedCert, t: Date): TimeStatus {
  return {
    status: validityAt(c, t),
    daysToExpiry: Math.floor((c.notAfter.getTime() - t.getTime()) / DAY),
    daysToStart: Math.ceil((c.notBefore.getTime() - t.getTime()) / DAY),
  };
}

const KU_NAMES = Object.entries(KU) as Array<[string, number]>;
const EKU_NAMES: Record<string, string> = {
  [OID.serverAuth]: 'serverAuth',
  [OID.clientAuth]: 'clientAuth',
  [OID.anyExtendedKeyUsage]: 'anyExtendedKeyUsage',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

export function summarizeCert(
  c: ParsedCert,
  role: CertSummary['role'],
  path: string | null,
  at: Date,
  now: Date,
): CertSummary {
  return {
    ref: c.ref,
    path,
    role,
    subject: c.subject,
    issuer: c.issuer,
    serial: c.serialHex,
    sha256: c.sha256,
    version: c.version,
    signatureAlgorithm: c.signatureAlgorithm,
    key: c.key,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    timeEncoding: { notBefore: c.notBeforeEncoding, notAfter: c.notAfterEncoding },
    atReference: timeStatus(c, at),
    atNow: timeStatus(c, now),
    san: c.san ?? null,
    isCa: c.basicConstraints?.ca === true,
    pathLen: c.basicConstraints?.pathLen ?? null,
    keyUsage: c.keyUsage
      ? KU_NAMES.filter(([, bit]) => ((c.keyUsage?.flags ?? 0) & bit) !== 0).map(([n]) => n)
      : null,
    extKeyUsage: c.extKeyUsage ? c.extKeyUsage.map((o) => EKU_NAMES[o] ?? o) : null,
    subjectKeyId: c.subjectKeyId ?? null,
    authorityKeyId: c.authorityKeyId ?? null,
    selfIssued: c.selfIssued,
    extensions: c.extensions.map((e) => ({ oid: e.oid, critical: e.critical })),
  };
}

/** The report as plain JSON (drops the CA handle). */
export function reportJson(r: CertReport | DeviceCertReport): JsonValue {
  return JSON.parse(JSON.stringify(r)) as JsonValue;
}
