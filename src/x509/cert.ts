// One certificate, parsed once by both parsers: node:crypto (OpenSSL) for signatures and keys, and
// @peculiar/x509 for the fields OpenSSL does not expose (extension criticality, raw serial, time
// encodings). Parsing never throws: a certificate either parses or yields an error string.
import './reflect-shim.js';
import { createHash, X509Certificate as NodeX509, type KeyObject } from 'node:crypto';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  Extension,
  ExtensionFactory,
  KeyUsagesExtension,
  Name,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate as PeculiarX509,
} from '@peculiar/x509';
import { describeKey, type KeyFacts } from './keys.js';

export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  certificatePolicies: '2.5.29.32',
  issuerAltName: '2.5.29.18',
  crlDistributionPoints: '2.5.29.31',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  nameConstraints: '2.5.29.30',
  policyConstraints: '2.5.29.36',
  policyMappings: '2.5.29.33',
  inhibitAnyPolicy: '2.5.29.54',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

/** keyUsage bits as @peculiar/x509 numbers them. */
export const KU = {
  digitalSignature: 1,
  nonRepudiation: 2,
  keyEncipherment: 4,
  dataEncipherment: 8,
  keyAgreement: 16,
  keyCertSign: 32,
  cRLSign: 64,
  encipherOnly: 128,
  decipherOnly: 256,
} as const;

const SIG_ALGS: Record<string, { name: string; hash: string }> = {
  '1.2.840.113549.1.1.2': { name: 'md2WithRSAEncryption', hash: 'md2' },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', hash: 'md5' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'sha1' },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', hash: 'sha224' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'sha512' },
  '1.2.840.113549.1.1.10': { name: 'RSASSA-PSS', hash: 'pss' },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', hash: 'sha1' },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', hash: 'sha224' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', hash: 'sha512' },
  '1.2.840.10040.4.3': { name: 'dsa-with-SHA1', hash: 'sha1' },
  '2.16.840.1.101.3.4.3.2': { name: 'dsa-with-SHA256', hash: 'sha256' },
  '1.3.101.112': { name: 'Ed25519', hash: 'none' },
  '1.3.101.113': { name: 'Ed448', hash: 'none' },
};

export type TimeEncoding = 'utc' | 'generalized';

export interface SanEntry {
  type: string;
  value: string;
}

export interface ExtensionFacts {
  oid: string;
  critical: boolean;
  /** Why its value did not parse, when it did not. */
  error?: string;
}

export interface ParsedCert {
  /** "server.crt#0", "ca.crt#0", "device:<serial>". */
  ref: string;
  der: Buffer;
  /** Lowercase hex SHA-256 of the DER. */
  sha256: string;
  node: NodeX509;
  /** 1, 2 or 3. */
  version: number;
  /** Content octets of the serial INTEGER (two's complement, as encoded). */
  serialBytes: Buffer;
  /** Lowercase hex of the serial's magnitude (no sign byte), as people compare serials. */
  serialHex: string;
  subject: string;
  issuer: string;
  subjectDer: Buffer;
  issuerDer: Buffer;
  subjectNorm: string;
  issuerNorm: string;
  notBefore: Date;
  notAfter: Date;
  notBeforeEncoding: TimeEncoding;
  notAfterEncoding: TimeEncoding;
  signatureAlgorithmOid: string;
  signatureAlgorithm: string;
  signatureHash: string;
  /** The signed (TBS) and outer algorithm identifiers are identical, parameters included. */
  signatureAlgorithmsAgree: boolean;
  extensions: ExtensionFacts[];
  duplicateExtensions: string[];
  basicConstraints?: { ca: boolean; pathLen?: number; critical: boolean };
  keyUsage?: { flags: number; critical: boolean };
  extKeyUsage?: string[];
  subjectKeyId?: string;
  authorityKeyId?: string;
  san?: SanEntry[];
  publicKey: KeyObject | undefined;
  /** The public key as SPKI DER, for comparing keys. */
  publicKeySpki: Buffer | undefined;
  key: KeyFacts;
  /** Issuer name equals subject name (RFC 5280 "self-issued"). */
  selfIssued: boolean;
}

export type CertParse = { ok: true; cert: ParsedCert } | { ok: false; error: string };

// Bounds for the ASN.1 parser on untrusted input (a certificate is a few KiB).
const PARSE_OPTIONS = { berOptions: { maxDepth: 32, maxNodes: 20_000, maxContentLength: 1024 * 1024 } };

/** Exposes the ASN.1 fields @peculiar/x509 keeps protected, as plain facts. */
class Asn1View extends PeculiarX509 {
  facts(): {
    version: number;
    serial: Buffer;
    issuerDer: Buffer;
    subjectDer: Buffer;
    nbEnc: TimeEncoding;
    naEnc: TimeEncoding;
    tbsSigOid: string;
    sigOid: string;
    sigAgree: boolean;
    rawExtensions: Array<{ oid: string; critical: boolean; value: ArrayBuffer }>;
  } {
    const c = this.asn;
    const t = c.tbsCertificate;
    const a = t.signature;
    const b = c.signatureAlgorithm;
    const pa = a.parameters ? Buffer.from(a.parameters) : a.parameters;
    const pb = b.parameters ? Buffer.from(b.parameters) : b.parameters;
    const paramsAgree = pa instanceof Buffer && pb instanceof Buffer ? pa.equals(pb) : pa === pb;
    return {
      version: Number(t.version) + 1,
      serial: Buffer.from(t.serialNumber),
      issuerDer: Buffer.from(new Name(t.issuer).toArrayBuffer()),
      subjectDer: Buffer.from(new Name(t.subject).toArrayBuffer()),
      nbEnc: t.validity.notBefore.utcTime ? 'utc' : 'generalized',
      naEnc: t.validity.notAfter.utcTime ? 'utc' : 'generalized',
      tbsSigOid: a.algorithm,
      sigOid: b.algorithm,
      sigAgree: a.algorithm === b.algorithm && paramsAgree,
      rawExtensions: (t.extensions ?? []).map((e) => ({
        oid: e.extnID,
        critical: e.critical,
        value: e.extnValue.buffer,
      })),
    };
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** RFC 5280 7.1 name comparison, approximated: exact DER, else case- and space-insensitive text. */
export function normalizeName(s: string): string {
  return s.toLowerCase().replace(/\s+/g, ' ').trim();
}

export function namesEqual(aDer: Buffer, aNorm: string, bDer: Buffer, bNorm: string): boolean {
  return aDer.equals(bDer) || aNorm === bNorm;
}

export function parseCertificate(der: Buffer, ref: string): CertParse {
  let node: NodeX509;
  let pec: Asn1View;
  try {
    node = new NodeX509(der);
  } catch (e) {
    return { ok: false, error: `OpenSSL cannot parse it: ${errText(e)}` };
  }
  try {
    pec = new Asn1View(der, PARSE_OPTIONS);
  } catch (e) {
    return { ok: false, error: `ASN.1 parse failed: ${errText(e)}` };
  }
  let f: ReturnType<Asn1View['facts']>;
  let subject: string;
  let issuer: string;
  let notBefore: Date;
  let notAfter: Date;
  try {
    f = pec.facts();
    subject = pec.subject;
    issuer = pec.issuer;
    notBefore = pec.notBefore;
    notAfter = pec.notAfter;
  } catch (e) {
    return { ok: false, error: `certificate fields do not parse: ${errText(e)}` };
  }
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime()))
    return { ok: false, error: 'validity times do not parse' };

  let publicKey: KeyObject | undefined;
  let publicKeySpki: Buffer | undefined;
  try {
    publicKey = node.publicKey;
    publicKeySpki = publicKey.export({ type: 'spki', format: 'der' });
  } catch {
    publicKey = undefined;
  }

  const sig = SIG_ALGS[f.sigOid];
  const cert: ParsedCert = {
    ref,
    der,
    sha256: createHash('sha256').update(der).digest('hex'),
    node,
    version: f.version,
    serialBytes: f.serial,
    serialHex: serialMagnitudeHex(f.serial),
    subject,
    issuer,
    subjectDer: f.subjectDer,
    issuerDer: f.issuerDer,
    subjectNorm: normalizeName(subject),
    issuerNorm: normalizeName(issuer),
    notBefore,
    notAfter,
    notBeforeEncoding: f.nbEnc,
    notAfterEncoding: f.naEnc,
    signatureAlgorithmOid: f.sigOid,
    signatureAlgorithm: sig?.name ?? f.sigOid,
    signatureHash: sig?.hash ?? 'unknown',
    signatureAlgorithmsAgree: f.sigAgree,
    extensions: [],
    duplicateExtensions: [],
    publicKey,
    publicKeySpki,
    key: describeKey(publicKey),
    selfIssued: false,
  };
  cert.selfIssued = namesEqual(cert.subjectDer, cert.subjectNorm, cert.issuerDer, cert.issuerNorm);
  readExtensions(cert, f.rawExtensions);
  return { ok: true, cert };
}

function serialMagnitudeHex(b: Buffer): string {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i).toString('hex');
}

function readExtensions(
  cert: ParsedCert,
  raw: Array<{ oid: string; critical: boolean; value: ArrayBuffer }>,
): void {
  const seen = new Set<string>();
  for (const r of raw) {
    if (seen.has(r.oid) && !cert.duplicateExtensions.includes(r.oid)) cert.duplicateExtensions.push(r.oid);
    seen.add(r.oid);
    const facts: ExtensionFacts = { oid: r.oid, critical: r.critical };
    cert.extensions.push(facts);
    let ext: Extension;
    try {
      ext = ExtensionFactory.create(new Extension(r.oid, r.critical, r.value).rawData, PARSE_OPTIONS);
    } catch (e) {
      facts.error = errText(e);
      continue;
    }
    // The first occurrence wins; a duplicate is reported, never merged.
    if (cert.duplicateExtensions.includes(r.oid)) continue;
    try {
      if (ext instanceof BasicConstraintsExtension) {
        cert.basicConstraints = { ca: ext.ca === true, critical: r.critical };
        if (ext.pathLength !== undefined) cert.basicConstraints.pathLen = Number(ext.pathLength);
      } else if (ext instanceof KeyUsagesExtension) {
        cert.keyUsage = { flags: Number(ext.usages), critical: r.critical };
      } else if (ext instanceof ExtendedKeyUsageExtension) {
        cert.extKeyUsage = Array.from(ext.usages, (u) => String(u));
      } else if (ext instanceof SubjectKeyIdentifierExtension) {
        cert.subjectKeyId = ext.keyId.toLowerCase();
      } else if (ext instanceof AuthorityKeyIdentifierExtension) {
        if (ext.keyId !== undefined) cert.authorityKeyId = ext.keyId.toLowerCase();
      } else if (ext instanceof SubjectAlternativeNameExtension) {
        cert.san = Array.from(ext.names.items, (n) => ({ type: n.type, value: n.value }));
      }
    } catch (e) {
      facts.error = errText(e);
    }
  }
}

/** Does `issuer`'s key verify `cert`'s signature? OpenSSL checks the algorithm identifiers too. */
export function signatureVerifies(cert: ParsedCert, issuer: ParsedCert): boolean {
  if (!issuer.publicKey) return false;
  try {
    return cert.node.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

export function hasKeyUsage(c: ParsedCert, bit: number): boolean {
  return c.keyUsage === undefined || (c.keyUsage.flags & bit) !== 0;
}

/**
 * Validity at an instant, inclusive at both ends (RFC 5280 4.1.2.5). Certificate times have whole
 * seconds, so the instant is compared at that granularity: a notAfter of 00:00:00Z covers 00:00:00.5.
 */
export function validityAt(c: ParsedCert, t: Date): 'valid' | 'expired' | 'not-yet-valid' {
  const s = Math.floor(t.getTime() / 1000) * 1000;
  if (s < c.notBefore.getTime()) return 'not-yet-valid';
  if (s > c.notAfter.getTime()) return 'expired';
  return 'valid';
}
