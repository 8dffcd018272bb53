// TUF public keys: parse a key object into a node:crypto KeyObject, check its keyid, and give it a
// fingerprint of the key material itself (so one key under two keyids, or in PEM and in hex,
// is recognised as one key).
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { canonicalize } from './canonical.js';
import type { TufContext } from './context.js';
import { has, isObject, own, type FieldReader, type JsonObject } from './fields.js';
import type { Location } from '../findings/types.js';

export type KeyAlgo = 'ed25519' | 'ecdsa-p256' | 'rsa-pss-sha256';

export interface TufKey {
  keyid: string;
  keytype: string;
  scheme: string;
  algo: KeyAlgo | undefined;
  publicKey: KeyObject | undefined;
  /** SHA-256 over the JWK parameters of the public key; undefined when unusable. */
  fingerprint: string | undefined;
  /** Why the key cannot verify signatures (undefined when usable). */
  problem: string | undefined;
  /** Where the key object was read (file relative to the metadata folder). */
  path: string;
}

// SubjectPublicKeyInfo prefixes for raw key encodings used by TUF repositories.
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const P256_SPKI_UNCOMPRESSED = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
const P256_SPKI_COMPRESSED = Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex');

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const MIN_RSA_BITS = 2048;

/** Fingerprint of a public key: stable across SPKI/PEM/hex encodings and RSA vs RSA-PSS OIDs. */
export function fingerprintOf(k: KeyObject): string {
  const jwk = k.export({ format: 'jwk' });
  const parts = [jwk.kty, jwk.crv, jwk.x, jwk.y, jwk.n, jwk.e].map((p) => p ?? '');
  return createHash('sha256').update(parts.join('|')).digest('hex');
}

type Decoded =
  { key: KeyObject; algo: KeyAlgo } | { problem: string; tooSmall?: boolean; unsupported?: boolean };

function importPublic(pub: string, raw: Buffer | undefined): KeyObject | string {
  try {
    if (raw) return createPublicKey({ key: raw, format: 'der', type: 'spki' });
    return createPublicKey({ key: pub, format: 'pem' });
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function decode(keytype: string, scheme: string, pub: string): Decoded {
  const isPem = pub.includes('-----BEGIN');
  if (keytype === 'ed25519' || scheme === 'ed25519') {
    if (keytype !== 'ed25519' || scheme !== 'ed25519')
      return { problem: `keytype ${keytype} does not go with scheme ${scheme}` };
    let raw: Buffer | undefined;
    if (!isPem) {
      if (!/^[0-9a-fA-F]{64}$/.test(pub)) return { problem: 'an ed25519 public key must be 64 hex digits' };
      raw = Buffer.concat([ED25519_SPKI, Buffer.from(pub, 'hex')]);
    }
    const k = importPublic(pub, raw);
    if (typeof k === 'string') return { problem: `unreadable ed25519 public key: ${k}` };
    if (k.asymmetricKeyType !== 'ed25519')
      return { problem: `the PEM key is ${k.asymmetricKeyType ?? '?'}, not ed25519` };
    return { key: k, algo: 'ed25519' };
  }
  if (keytype === 'ecdsa' || keytype === 'ecdsa-sha2-nistp256' || scheme === 'ecdsa-sha2-nistp256') {
    if (scheme !== 'ecdsa-sha2-nistp256') {
      if (scheme.startsWith('ecdsa-'))
        return { problem: `scheme ${scheme} is not supported`, unsupported: true };
      return { problem: `keytype ${keytype} does not go with scheme ${scheme}` };
    }
    if (keytype !== 'ecdsa' && keytype !== 'ecdsa-sha2-nistp256')
      return { problem: `keytype ${keytype} does not go with scheme ${scheme}` };
    let raw: Buffer | undefined;
    if (!isPem) {
      // Older repositories (sigstore roots 1-4) wrote the EC point in hex.
      if (/^04[0-9a-fA-F]{128}$/.test(pub))
        raw = Buffer.concat([P256_SPKI_UNCOMPRESSED, Buffer.from(pub, 'hex')]);
      else if (/^0[23][0-9a-fA-F]{64}$/.test(pub))
        raw = Buffer.concat([P256_SPKI_COMPRESSED, Buffer.from(pub, 'hex')]);
      else return { problem: 'an ecdsa public key must be PEM SPKI or a hex P-256 point' };
    }
    const k = importPublic(pub, raw);
    if (typeof k === 'string') return { problem: `unreadable ecdsa public key: ${k}` };
    if (k.asymmetricKeyType !== 'ec')
      return { problem: `the key is ${k.asymmetricKeyType ?? '?'}, not ecdsa` };
    const curve = k.asymmetricKeyDetails?.namedCurve;
    if (curve !== 'prime256v1') return { problem: `the key is on curve ${curve ?? '?'}, not P-256` };
    return { key: k, algo: 'ecdsa-p256' };
  }
  if (keytype === 'rsa' || scheme.startsWith('rsa')) {
    if (scheme !== 'rsassa-pss-sha256')
      return { problem: `scheme ${scheme} is not supported`, unsupported: true };
    if (keytype !== 'rsa') return { problem: `keytype ${keytype} does not go with scheme ${scheme}` };
    if (!isPem) return { problem: 'an rsa public key must be PEM' };
    const k = importPublic(pub, undefined);
    if (typeof k === 'string') return { problem: `unreadable rsa public key: ${k}` };
    if (k.asymmetricKeyType !== 'rsa' && k.asymmetricKeyType !== 'rsa-pss')
      return { problem: `the key is ${k.asymmetricKeyType ?? '?'}, not rsa` };
    const bits = k.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS)
      return { problem: `the rsa key has ${bits} bits, fewer than ${MIN_RSA_BITS}`, tooSmall: true };
    return { key: k, algo: 'rsa-pss-sha256' };
  }
  return { problem: `keytype ${keytype} / scheme ${scheme} is not supported`, unsupported: true };
}

/** SHA-256 of the canonical key object, as TUF computes keyids (5.3: clients MUST calculate each KEYID). */
function keyidCandidates(o: JsonObject): string[] {
  const out: string[] = [];
  const full = canonicalize(o);
  if (full.ok) out.push(createHash('sha256').update(full.bytes).digest('hex'));
  // Some tools hashed the key before adding their own x-* annotations.
  const stripped: JsonObject = {};
  let hadCustom = false;
  for (const k of Object.keys(o)) {
    if (k.startsWith('x-')) hadCustom = true;
    else stripped[k] = o[k];
  }
  if (hadCustom) {
    const c = canonicalize(stripped);
    if (c.ok) out.push(createHash('sha256').update(c.bytes).digest('hex'));
  }
  return out;
}

/** Parse a `keys` dictionary (root keys or delegations keys). Problems become findings, never throws. */
export function parseKeyDict(
  ctx: TufContext,
  reader: FieldReader,
  dict: JsonObject,
  field: string,
  loc: Location,
): Map<string, TufKey> {
  const out = new Map<string, TufKey>();
  const path = loc.path ?? '';
  let n = 0;
  for (const keyid of Object.keys(dict)) {
    if (++n > ctx.limits.maxKeysPerFile) {
      ctx.limit('maxKeysPerFile', loc, `${path} lists more than ${ctx.limits.maxKeysPerFile} keys`);
      break;
    }
    const f = `${field}.${keyid}`;
    const o = own(dict, keyid);
    if (!isObject(o)) {
      reader.invalid(f, 'a key object', o);
      continue;
    }
    const keytype = reader.str(o, 'keytype', `${f}.keytype`);
    const scheme = reader.str(o, 'scheme', `${f}.scheme`);
    const keyval = reader.obj(o, 'keyval', `${f}.keyval`);
    const pub = keyval ? reader.str(keyval, 'public', `${f}.keyval.public`) : undefined;
    if (has(o, 'keyid_hash_algorithms'))
      ctx.aggregate(
        'TUF_DEPRECATED_FIELD',
        'keyid_hash_algorithms',
        path,
        'Key objects carry the deprecated keyid_hash_algorithms field',
      );
    const base = { keyid, keytype: keytype ?? '', scheme: scheme ?? '', path };
    if (keytype === undefined || scheme === undefined || pub === undefined) {
      out.set(keyid, {
        ...base,
        algo: undefined,
        publicKey: undefined,
        fingerprint: undefined,
        problem: 'incomplete key object',
      });
      continue;
    }
    const d = decode(keytype, scheme, pub);
    const kloc: Location = { ...loc, keyid, field: f };
    if ('problem' in d) {
      const code = d.tooSmall
        ? 'TUF_KEY_TOO_SMALL'
        : d.unsupported
          ? 'TUF_KEY_UNSUPPORTED'
          : 'TUF_KEY_INVALID';
      ctx.addOnce(`${keyid}|${pub}`, code, kloc, `${path}: key ${short(keyid)}: ${d.problem}`);
      out.set(keyid, {
        ...base,
        algo: undefined,
        publicKey: undefined,
        fingerprint: undefined,
        problem: d.problem,
      });
      continue;
    }
    const fp = fingerprintOf(d.key);
    if (!keyidCandidates(o).includes(keyid.toLowerCase()))
      ctx.addOnce(
        `${keyid}|${fp}`,
        'TUF_KEYID_MISMATCH',
        kloc,
        `${path}: keyid ${short(keyid)} is not the SHA-256 of its canonical key object`,
      );
    const seen = ctx.keyidMaterial.get(keyid);
    if (seen && seen.fingerprint !== fp)
      ctx.addOnce(
        `${keyid}|${fp}`,
        'TUF_KEYID_CONFLICT',
        kloc,
        `${path}: keyid ${short(keyid)} names a different key than in ${seen.path}`,
      );
    else if (!seen) ctx.keyidMaterial.set(keyid, { fingerprint: fp, path });
    out.set(keyid, { ...base, algo: d.algo, publicKey: d.key, fingerprint: fp, problem: undefined });
  }
  return out;
}

export function short(keyid: string): string {
  return keyid.length > 12 ? keyid.slice(0, 12) + '…' : keyid;
}

export const HEX_RE = HEX;
