// Builds X.509 certificates from a spec with node:crypto signatures. Every field is explicit so a
// fixture can differ from the good set by exactly one defect.
import { createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import {
  bitString,
  bool,
  ctx,
  ctxPrim,
  generalizedTime,
  int,
  namedBits,
  nul,
  octets,
  oid,
  seq,
  set,
  utcTime,
  utf8,
} from './der.js';

export interface Ext {
  oid: string;
  critical: boolean;
  value: Buffer;
}

export interface NameSpec {
  CN: string;
  O?: string;
}

export interface CertSpec {
  subject: NameSpec;
  issuer: NameSpec;
  /** A bigint, or the raw content octets of the INTEGER (for negative or over-long serials). */
  serial: bigint | Buffer;
  notBefore: Date;
  notAfter: Date;
  /** Force a time encoding (default: RFC 5280, UTCTime before 2050). */
  timeEncoding?: { notBefore?: 'utc' | 'generalized'; notAfter?: 'utc' | 'generalized' };
  publicKey: KeyObject;
  signingKey: KeyObject;
  /** Hash for RSA/ECDSA signatures (default sha256, sha384 for P-384 issuers). */
  hash?: 'sha1' | 'sha256' | 'sha384';
  extensions: Ext[];
  version?: 1 | 3;
}

export function name(n: NameSpec): Buffer {
  const rdns = [];
  if (n.O !== undefined) rdns.push(set(seq(oid('2.5.4.10'), utf8(n.O))));
  rdns.push(set(seq(oid('2.5.4.3'), utf8(n.CN))));
  return seq(...rdns);
}

function time(d: Date, forced: 'utc' | 'generalized' | undefined): Buffer {
  const enc = forced ?? (d.getUTCFullYear() < 2050 ? 'utc' : 'generalized');
  return enc === 'utc' ? utcTime(d) : generalizedTime(d);
}

const RSA_OIDS = {
  sha1: '1.2.840.113549.1.1.5',
  sha256: '1.2.840.113549.1.1.11',
  sha384: '1.2.840.113549.1.1.12',
};
const ECDSA_OIDS = {
  sha1: '1.2.840.10045.4.1',
  sha256: '1.2.840.10045.4.3.2',
  sha384: '1.2.840.10045.4.3.3',
};

function algorithm(key: KeyObject, hashOpt: CertSpec['hash']): { id: Buffer; hash: string | null } {
  const t = key.asymmetricKeyType;
  if (t === 'ed25519') return { id: seq(oid('1.3.101.112')), hash: null };
  if (t === 'rsa') {
    const h = hashOpt ?? 'sha256';
    return { id: seq(oid(RSA_OIDS[h]), nul()), hash: h };
  }
  if (t === 'ec') {
    const h = hashOpt ?? (key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'sha384' : 'sha256');
    return { id: seq(oid(ECDSA_OIDS[h])), hash: h };
  }
  throw new Error(`unsupported signing key ${String(t)}`);
}

export function spki(k: KeyObject): Buffer {
  return createPublicKey(k).export({ type: 'spki', format: 'der' });
}

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING value. */
export function keyId(k: KeyObject): Buffer {
  const der = spki(k);
  // SPKI = SEQ { AlgorithmIdentifier, BIT STRING }: the BIT STRING is the last TLV; skip its
  // header and the unused-bits octet.
  const outerLen = der[1] ?? 0;
  let off = outerLen & 0x80 ? 2 + (outerLen & 0x7f) : 2;
  const algLenByte = der[off + 1] ?? 0;
  const algHdr = algLenByte & 0x80 ? 2 + (algLenByte & 0x7f) : 2;
  const algLen = algLenByte & 0x80 ? der.readUIntBE(off + 2, algLenByte & 0x7f) : algLenByte;
  off += algHdr + algLen;
  const bsLenByte = der[off + 1] ?? 0;
  const bsHdr = bsLenByte & 0x80 ? 2 + (bsLenByte & 0x7f) : 2;
  return createHash('sha1')
    .update(der.subarray(off + bsHdr + 1))
    .digest();
}

export function buildCert(spec: CertSpec): Buffer {
  const alg = algorithm(spec.signingKey, spec.hash);
  const version = spec.version ?? 3;
  const fields = [
    ...(version === 3 ? [ctx(0, int(2n))] : []),
    int(spec.serial),
    alg.id,
    name(spec.issuer),
    seq(time(spec.notBefore, spec.timeEncoding?.notBefore), time(spec.notAfter, spec.timeEncoding?.notAfter)),
    name(spec.subject),
    spki(spec.publicKey),
  ];
  if (version === 3 && spec.extensions.length)
    fields.push(
      ctx(
        3,
        seq(
          ...spec.extensions.map((e) =>
            seq(oid(e.oid), ...(e.critical ? [bool(true)] : []), octets(e.value)),
          ),
        ),
      ),
    );
  const tbs = seq(...fields);
  const sig = sign(alg.hash, tbs, spec.signingKey);
  return seq(tbs, alg.id, bitString(sig));
}

export function pem(der: Buffer, label = 'CERTIFICATE'): string {
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

// Extensions
export const ext = {
  basicConstraints(ca: boolean, pathLen?: number, critical = true): Ext {
    const body = [...(ca ? [bool(true)] : []), ...(pathLen !== undefined ? [int(BigInt(pathLen))] : [])];
    return { oid: '2.5.29.19', critical, value: seq(...body) };
  },
  /** Bits: 0 digitalSignature, 2 keyEncipherment, 5 keyCertSign, 6 cRLSign. */
  keyUsage(bits: number[], critical = true): Ext {
    return { oid: '2.5.29.15', critical, value: namedBits(bits) };
  },
  extKeyUsage(oids: string[], critical = false): Ext {
    return { oid: '2.5.29.37', critical, value: seq(...oids.map((o) => oid(o))) };
  },
  /** Entries "DNS:name" or "IP:address". */
  subjectAltName(entries: string[], critical = false): Ext {
    const names = entries.map((e) => {
      const [type, ...rest] = e.split(':');
      const v = rest.join(':');
      if (type === 'DNS') return ctxPrim(2, Buffer.from(v, 'ascii'));
      if (type === 'IP') return ctxPrim(7, ipOctets(v));
      throw new Error(`SAN type ${String(type)}`);
    });
    return { oid: '2.5.29.17', critical, value: seq(...names) };
  },
  subjectKeyId(k: KeyObject): Ext {
    return { oid: '2.5.29.14', critical: false, value: octets(keyId(k)) };
  },
  authorityKeyId(issuerKey: KeyObject): Ext {
    return { oid: '2.5.29.35', critical: false, value: seq(ctxPrim(0, keyId(issuerKey))) };
  },
  raw(o: string, critical: boolean, value: Buffer): Ext {
    return { oid: o, critical, value };
  },
};

function ipOctets(s: string): Buffer {
  if (isIP(s) === 4) return Buffer.from(s.split('.').map(Number));
  if (isIP(s) !== 6) throw new Error(`not an IP: ${s}`);
  const [l = '', r = ''] = s.split('::');
  const left = l ? l.split(':') : [];
  const right = r ? r.split(':') : [];
  const groups = s.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
