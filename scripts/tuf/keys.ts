// Fixture keys: real ed25519, ECDSA P-256 and RSA-3072 keys from node:crypto, kept in a key store
// (PKCS#8 PEM) so regenerating the fixtures reuses them and ed25519 signatures stay identical.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalize } from '../../src/tuf/canonical.js';

export type KeyKind = 'ed25519' | 'ecdsa' | 'rsa';

export interface TufKeyObject {
  keytype: string;
  scheme: string;
  keyval: { public: string };
  [extra: string]: unknown;
}

export interface FixtureKey {
  name: string;
  kind: KeyKind;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The key as TUF metadata lists it. */
  tuf: TufKeyObject;
  /** SHA-256 of the canonical key object. */
  keyid: string;
  /** Unencrypted PKCS#8 PEM of the private key. */
  pkcs8Pem: string;
}

export function keyidOf(obj: unknown): string {
  const c = canonicalize(obj);
  if (!c.ok) throw new Error(`cannot canonicalize key: ${c.reason}`);
  return createHash('sha256').update(c.bytes).digest('hex');
}

export function tufKeyOf(kind: KeyKind, pub: KeyObject): TufKeyObject {
  switch (kind) {
    case 'ed25519': {
      const der = pub.export({ type: 'spki', format: 'der' });
      return {
        keytype: 'ed25519',
        scheme: 'ed25519',
        keyval: { public: der.subarray(der.length - 32).toString('hex') },
      };
    }
    case 'ecdsa':
      return {
        keytype: 'ecdsa',
        scheme: 'ecdsa-sha2-nistp256',
        keyval: { public: pub.export({ type: 'spki', format: 'pem' }).toString() },
      };
    case 'rsa':
      return {
        keytype: 'rsa',
        scheme: 'rsassa-pss-sha256',
        keyval: { public: pub.export({ type: 'spki', format: 'pem' }).toString() },
      };
  }
}

/** The legacy form older repositories used for ECDSA: keytype ecdsa-sha2-nistp256, hex EC point. */
export function legacyHexEcdsa(k: FixtureKey): TufKeyObject {
  const jwk = k.publicKey.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url').toString('hex');
  const y = Buffer.from(jwk.y ?? '', 'base64url').toString('hex');
  return { keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256', keyval: { public: '04' + x + y } };
}

export function loadOrCreateKey(store: string, name: string, kind: KeyKind): FixtureKey {
  mkdirSync(store, { recursive: true });
  const file = join(store, `${name}.${kind}.pem`);
  let privateKey: KeyObject;
  if (existsSync(file)) privateKey = createPrivateKey(readFileSync(file, 'utf8'));
  else {
    const pair =
      kind === 'ed25519'
        ? generateKeyPairSync('ed25519')
        : kind === 'ecdsa'
          ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
          : generateKeyPairSync('rsa', { modulusLength: 3072 });
    privateKey = pair.privateKey;
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
  }
  const publicKey = createPublicKey(privateKey);
  const tuf = tufKeyOf(kind, publicKey);
  return {
    name,
    kind,
    privateKey,
    publicKey,
    tuf,
    keyid: keyidOf(tuf),
    pkcs8Pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
