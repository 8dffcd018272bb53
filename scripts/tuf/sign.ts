// Signing TUF metadata for fixtures: OLPC canonical JSON of `signed`, then ed25519, ECDSA
// (DER signature) or RSASSA-PSS-SHA256 (32-byte salt) with node:crypto.
import { constants, sign } from 'node:crypto';
import { canonicalize } from '../../src/tuf/canonical.js';
import type { FixtureKey } from './keys.js';

export interface Signer {
  key: FixtureKey;
  /** Keyid written in the signature entry (default: the key's own keyid). */
  keyid?: string;
}

export interface Envelope {
  signatures: Array<{ keyid: string; sig: string }>;
  signed: Record<string, unknown>;
}

export function signBytes(k: FixtureKey, data: Buffer): string {
  switch (k.kind) {
    case 'ed25519':
      return sign(null, data, k.privateKey).toString('hex');
    case 'ecdsa':
      return sign('sha256', data, { key: k.privateKey, dsaEncoding: 'der' }).toString('hex');
    case 'rsa':
      return sign('sha256', data, {
        key: k.privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      }).toString('hex');
  }
}

export function canonicalBytes(v: unknown): Buffer {
  const c = canonicalize(v);
  if (!c.ok) throw new Error(`cannot canonicalize ${c.field}: ${c.reason}`);
  return c.bytes;
}

export function signEnvelope(signed: Record<string, unknown>, signers: Signer[]): Envelope {
  const data = canonicalBytes(signed);
  return {
    signatures: signers.map((s) => ({ keyid: s.keyid ?? s.key.keyid, sig: signBytes(s.key, data) })),
    signed,
  };
}

/** Files are written the way python-tuf writes them: 1-space indentation. */
export function serialize(env: Envelope): Buffer {
  return Buffer.from(JSON.stringify(env, null, 1) + '\n', 'utf8');
}
