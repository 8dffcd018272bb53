// Issue one device certificate with the CA's key, as enrollment does: a fresh P-256 device key,
// the CA's subject as issuer (byte for byte), clientAuth, key identifiers. Built by hand so any CA
// key node:crypto can sign with works (ECDSA P-256/384/521, RSA, Ed25519, Ed448).
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  bitString,
  bool,
  certificateSubject,
  explicit,
  implicit,
  namedBits,
  nul,
  octets,
  oid,
  readTlv,
  seq,
  set,
  time,
  uint,
  utf8,
} from './der.js';

export interface IssuedDevice {
  serial: string;
  subject: string;
  keyType: string;
  signatureAlgorithm: string;
  certDer: Buffer;
  certPem: string;
  keyPem: string;
  sha256: string;
  notBefore: Date;
  notAfter: Date;
}

interface SigAlg {
  name: string;
  id: Buffer;
  hash: string | null;
}

function signatureAlgorithm(key: KeyObject): SigAlg | string {
  const t = key.asymmetricKeyType;
  if (t === 'ed25519') return { name: 'Ed25519', id: seq(oid('1.3.101.112')), hash: null };
  if (t === 'ed448') return { name: 'Ed448', id: seq(oid('1.3.101.113')), hash: null };
  if (t === 'rsa')
    return { name: 'sha256WithRSAEncryption', id: seq(oid('1.2.840.113549.1.1.11'), nul()), hash: 'sha256' };
  if (t === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const by: Record<string, [string, string, string]> = {
      prime256v1: ['ecdsa-with-SHA256', '1.2.840.10045.4.3.2', 'sha256'],
      secp384r1: ['ecdsa-with-SHA384', '1.2.840.10045.4.3.3', 'sha384'],
      secp521r1: ['ecdsa-with-SHA512', '1.2.840.10045.4.3.4', 'sha512'],
    };
    const a = curve !== undefined ? by[curve] : undefined;
    if (!a) return `an ECDSA key on ${curve ?? 'an unknown curve'} is not supported for signing certificates`;
    return { name: a[0], id: seq(oid(a[1])), hash: a[2] };
  }
  return `a ${t ?? 'unknown'} key is not supported for signing certificates`;
}

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's value. */
export function keyIdentifier(spki: Buffer): Buffer | undefined {
  const outer = readTlv(spki, 0);
  const alg = outer ? readTlv(spki, outer.start, outer.end) : undefined;
  const bits = alg && outer ? readTlv(spki, alg.end, outer.end) : undefined;
  if (!bits || bits.tag !== 0x03) return undefined;
  return createHash('sha1')
    .update(spki.subarray(bits.start + 1, bits.end))
    .digest();
}

export interface CaForIssue {
  der: Buffer;
  /** The CA's subjectKeyIdentifier, lowercase hex, when it has one. */
  subjectKeyId: string | undefined;
  spki: Buffer | undefined;
}

/** Issue a device certificate, or say why the CA key cannot. Never throws. */
export function issueDeviceCertificate(
  ca: CaForIssue,
  caKey: KeyObject,
  validity: { notBefore: Date; notAfter: Date },
): IssuedDevice | string {
  const alg = signatureAlgorithm(caKey);
  if (typeof alg === 'string') return alg;
  const issuer = certificateSubject(ca.der);
  if (!issuer) return "the CA certificate's subject cannot be read";
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const deviceSpki = publicKey.export({ type: 'spki', format: 'der' });
  const serialBytes = randomBytes(16);
  serialBytes[0] = ((serialBytes[0] ?? 0) & 0x7f) | 0x01;
  const serial = serialBytes.toString('hex');
  const cn = `meshverify-drill-${serial.slice(0, 12)}`;
  const ski = keyIdentifier(deviceSpki);
  const aki =
    ca.subjectKeyId !== undefined
      ? Buffer.from(ca.subjectKeyId, 'hex')
      : ca.spki
        ? keyIdentifier(ca.spki)
        : undefined;
  const ext = (id: string, critical: boolean, value: Buffer): Buffer =>
    seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
  const extensions = [
    ext('2.5.29.19', true, seq()),
    ext('2.5.29.15', true, namedBits([0])),
    ext('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.2'))),
    ...(ski ? [ext('2.5.29.14', false, octets(ski))] : []),
    ...(aki ? [ext('2.5.29.35', false, seq(implicit(0, aki)))] : []),
  ];
  const tbs = seq(
    explicit(0, uint(Buffer.from([2]))),
    uint(serialBytes),
    alg.id,
    issuer,
    seq(time(validity.notBefore), time(validity.notAfter)),
    seq(set(seq(oid('2.5.4.3'), utf8(cn)))),
    deviceSpki,
    explicit(3, seq(...extensions)),
  );
  let signature: Buffer;
  try {
    signature = sign(alg.hash, tbs, caKey);
  } catch (e) {
    return `signing failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  const certDer = seq(tbs, alg.id, bitString(signature));
  const b64 = certDer
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return {
    serial,
    subject: `CN=${cn}`,
    keyType: 'ECDSA P-256',
    signatureAlgorithm: alg.name,
    certDer,
    certPem: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    sha256: createHash('sha256').update(certDer).digest('hex'),
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
  };
}
