// Private keys (PKCS#8, SEC1, PKCS#1 PEM) and key strength. Pairing is decided by comparing the
// SPKI DER of the public half derived from the private key with the certificate's public key.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { parsePem } from './pem.js';

export interface KeyFacts {
  /** 'rsa', 'rsa-pss', 'ec', 'ed25519', 'ed448', 'dsa', … or 'unknown'. */
  type: string;
  bits?: number;
  curve?: string;
  /** RSA public exponent, as a decimal string (it can exceed 2^53). */
  exponent?: string;
  strength: 'ok' | 'weak' | 'unsupported';
  /** Why the key is weak or unsupported. */
  reason?: string;
}

const CURVE_BITS: Record<string, number> = {
  prime256v1: 256,
  'P-256': 256,
  secp384r1: 384,
  'P-384': 384,
  secp521r1: 521,
  'P-521': 521,
  secp256k1: 256,
  secp224r1: 224,
  prime192v1: 192,
};
const GOOD_CURVES = new Set(['prime256v1', 'P-256', 'secp384r1', 'P-384']);
const CURVE_NAMES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

export function describeKey(k: KeyObject | undefined): KeyFacts {
  if (!k)
    return {
      type: 'unknown',
      strength: 'unsupported',
      reason: 'public key algorithm not supported by OpenSSL',
    };
  const type = k.asymmetricKeyType ?? 'unknown';
  const d = k.asymmetricKeyDetails ?? {};
  switch (type) {
    case 'rsa':
    case 'rsa-pss': {
      const bits = d.modulusLength ?? 0;
      const e = d.publicExponent ?? 0n;
      const out: KeyFacts = { type, bits, exponent: e.toString(), strength: 'ok' };
      if (bits < 2048) return { ...out, strength: 'weak', reason: `RSA modulus of ${bits} bits (< 2048)` };
      if (e < 65537n) return { ...out, strength: 'weak', reason: `RSA public exponent ${e} (< 65537)` };
      return out;
    }
    case 'ec': {
      const raw = d.namedCurve ?? 'unknown';
      const curve = CURVE_NAMES[raw] ?? raw;
      const out: KeyFacts = { type, curve, strength: 'ok' };
      const bits = CURVE_BITS[raw];
      if (bits !== undefined) out.bits = bits;
      if (GOOD_CURVES.has(raw)) return out;
      if (bits !== undefined && bits < 256)
        return { ...out, strength: 'weak', reason: `EC curve ${curve} (< 256 bits)` };
      return { ...out, strength: 'unsupported', reason: `EC curve ${curve} is not P-256 or P-384` };
    }
    case 'ed25519':
      return { type, bits: 256, strength: 'ok' };
    case 'dsa':
      return { type, bits: d.modulusLength ?? 0, strength: 'weak', reason: 'DSA keys are deprecated' };
    default:
      return { type, strength: 'unsupported', reason: `${type} keys are not RSA, EC P-256/P-384 or Ed25519` };
  }
}

export type PrivateKeyRead =
  | {
      status: 'ok';
      format: 'pkcs8' | 'sec1' | 'pkcs1';
      key: KeyObject;
      publicSpki: Buffer;
      facts: KeyFacts;
      extraBlocks: string[];
    }
  | { status: 'encrypted'; format: string }
  | { status: 'unparsable'; reason: string };

const FORMAT_OF: Record<string, 'pkcs8' | 'sec1' | 'pkcs1'> = {
  'PRIVATE KEY': 'pkcs8',
  'EC PRIVATE KEY': 'sec1',
  'RSA PRIVATE KEY': 'pkcs1',
};

/** Reads the first private key of a PEM file; never throws. */
export function readPrivateKey(data: Buffer, maxBlocks: number): PrivateKeyRead {
  const pem = parsePem(data.toString('latin1'), maxBlocks);
  const extra: string[] = [];
  for (const b of pem.blocks) {
    if (b.label === 'ENCRYPTED PRIVATE KEY') return { status: 'encrypted', format: 'pkcs8 (encrypted)' };
    const format = FORMAT_OF[b.label];
    if (!format) {
      // "EC PARAMETERS" ahead of a SEC1 key is what `openssl ecparam -genkey` writes; harmless.
      if (b.label !== 'EC PARAMETERS') extra.push(b.label);
      continue;
    }
    if ((b.headers['Proc-Type'] ?? '').includes('ENCRYPTED'))
      return { status: 'encrypted', format: `${format} (legacy PEM encryption)` };
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: b.der, format: 'der', type: format });
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 'ERR_MISSING_PASSPHRASE') return { status: 'encrypted', format };
      return {
        status: 'unparsable',
        reason: `${b.label} block does not parse: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
    let publicSpki: Buffer;
    try {
      publicSpki = createPublicKey(key).export({ type: 'spki', format: 'der' });
    } catch (e) {
      return {
        status: 'unparsable',
        reason: `cannot derive the public key: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
    return {
      status: 'ok',
      format,
      key,
      publicSpki,
      facts: describeKey(createPublicKey(key)),
      extraBlocks: extra,
    };
  }
  const why =
    pem.problems[0]?.message ??
    (pem.blocks.length
      ? `no private key block (found ${pem.blocks.map((b) => b.label).join(', ')})`
      : 'no PEM block');
  return { status: 'unparsable', reason: why };
}
