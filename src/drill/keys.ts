// Private keys for the drill: read a PEM private key (never prompting for a passphrase), and sign
// TUF metadata with it the way a TUF repository does (hex signatures over canonical JSON).
import { constants, createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { canonicalize } from '../tuf/canonical.js';

/** Key files larger than this are not private keys anyone uses. */
const MAX_KEY_FILE_BYTES = 1024 * 1024;

export type LoadedKey = { ok: true; key: KeyObject } | { ok: false; reason: string };

/** The first PEM private key in `data`. An encrypted key is reported, never decrypted. */
export function loadPrivateKey(data: Buffer | undefined): LoadedKey {
  if (!data) return { ok: false, reason: 'the file could not be read' };
  if (data.length > MAX_KEY_FILE_BYTES)
    return { ok: false, reason: `larger than ${MAX_KEY_FILE_BYTES} bytes` };
  const text = data.toString('latin1');
  const m = /-----BEGIN ([A-Z0-9 ]{0,40}PRIVATE KEY)-----[\s\S]*?-----END \1-----/.exec(text);
  if (!m) return { ok: false, reason: 'it holds no PEM private key' };
  if ((m[1] ?? '').startsWith('ENCRYPTED') || /Proc-Type:\s*4,ENCRYPTED/.test(m[0]))
    return { ok: false, reason: 'it is encrypted (the restored node needs its passphrase)' };
  try {
    return { ok: true, key: createPrivateKey({ key: m[0], format: 'pem' }) };
  } catch (e) {
    return { ok: false, reason: `it cannot be read: ${e instanceof Error ? e.message : String(e)}` };
  }
}

export interface TufKeyType {
  keytype: string;
  scheme: string;
}

/** The TUF key type and scheme a private key signs with, or why it cannot. */
export function tufKeyType(key: KeyObject): TufKeyType | string {
  const t = key.asymmetricKeyType;
  if (t === 'ed25519') return { keytype: 'ed25519', scheme: 'ed25519' };
  if (t === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return { keytype: 'ecdsa', scheme: 'ecdsa-sha2-nistp256' };
    return `an ECDSA key on ${curve ?? 'an unknown curve'}, which TUF's ecdsa-sha2-nistp256 does not use`;
  }
  if (t === 'rsa' || t === 'rsa-pss') return { keytype: 'rsa', scheme: 'rsassa-pss-sha256' };
  return `a ${t ?? 'unknown'} key, which no TUF scheme here signs with`;
}

/** The keyid TUF gives this key: SHA-256 of the canonical JSON of its public key object. */
export function tufKeyid(key: KeyObject, kt: TufKeyType): string | undefined {
  const pub = createPublicKey(key);
  let publicText: string;
  if (kt.keytype === 'ed25519') {
    const x = pub.export({ format: 'jwk' }).x;
    if (x === undefined) return undefined;
    publicText = Buffer.from(x, 'base64url').toString('hex');
  } else publicText = pub.export({ type: 'spki', format: 'pem' }).toString();
  const c = canonicalize({ keytype: kt.keytype, scheme: kt.scheme, keyval: { public: publicText } });
  return c.ok ? createHash('sha256').update(c.bytes).digest('hex') : undefined;
}

export interface MetadataSigner {
  key: KeyObject;
  keyid: string;
  scheme: string;
}

/** Sign `signed` as TUF does; the envelope's bytes, or why it cannot be signed. */
export function signMetadata(
  signed: Record<string, unknown>,
  signers: MetadataSigner[],
): { ok: true; bytes: Buffer } | { ok: false; reason: string } {
  const c = canonicalize(signed);
  if (!c.ok) return { ok: false, reason: `signed.${c.field} ${c.reason}` };
  const signatures: Array<{ keyid: string; sig: string }> = [];
  for (const s of signers) {
    try {
      signatures.push({ keyid: s.keyid, sig: signWith(s, c.bytes).toString('hex') });
    } catch (e) {
      return {
        ok: false,
        reason: `signing with ${s.keyid} failed: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
  }
  return { ok: true, bytes: Buffer.from(JSON.stringify({ signatures, signed }, null, 1) + '\n', 'utf8') };
}

function signWith(s: MetadataSigner, data: Buffer): Buffer {
  switch (s.scheme) {
    case 'ed25519':
      return sign(null, data, s.key);
    case 'ecdsa-sha2-nistp256':
      return sign('sha256', data, { key: s.key, dsaEncoding: 'der' });
    default:
      return sign('sha256', data, {
        key: s.key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      });
  }
}

/** TUF's time format: seconds precision, UTC, "Z". */
export function tufTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
