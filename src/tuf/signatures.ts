// Signature verification (node:crypto) and threshold counting over distinct keys.
import { constants, verify } from 'node:crypto';
import type { TufContext } from './context.js';
import type { Envelope } from './metadata.js';
import { short, type TufKey } from './keys.js';
import type { SignerFailure } from './report.js';

export interface RoleDef {
  name: string;
  keyids: string[];
  /** undefined when the threshold is not an integer >= 1 (the role can never be satisfied). */
  threshold: number | undefined;
}

export interface ThresholdResult {
  threshold: number | null;
  valid: string[];
  failed: SignerFailure[];
  met: boolean;
}

/** Verify one hex signature over `data` with a usable key. Never throws. */
export function verifySignature(key: TufKey, data: Buffer, sigHex: string): boolean {
  if (!key.publicKey || !key.algo) return false;
  const sig = Buffer.from(sigHex, 'hex');
  try {
    switch (key.algo) {
      case 'ed25519':
        return verify(null, data, key.publicKey, sig);
      case 'ecdsa-p256':
        return verify('sha256', data, { key: key.publicKey, dsaEncoding: 'der' }, sig);
      case 'rsa-pss-sha256':
        // Any salt length: python-tuf/securesystemslib sign with the maximum, others with 32 bytes.
        return verify(
          'sha256',
          data,
          {
            key: key.publicKey,
            padding: constants.RSA_PKCS1_PSS_PADDING,
            saltLength: constants.RSA_PSS_SALTLEN_AUTO,
          },
          sig,
        );
    }
  } catch {
    return false;
  }
}

export interface ThresholdOptions {
  /** Role name used in finding locations. */
  findingRole: string;
  /** Keyids whose signatures are expected although outside this role (the other root in a rotation). */
  alsoExpected?: ReadonlySet<string>;
  /** Whether to record findings for foreign and invalid signatures. */
  report: boolean;
}

/**
 * Count distinct valid signatures of `role` over `env` (5.3.4, 5.4.2, 5.5.3, 5.6.3): each keyid
 * counts once, each key MATERIAL counts once (a key listed under two keyids is one key), keys
 * outside the role are ignored and reported.
 */
export function checkThreshold(
  ctx: TufContext,
  env: Envelope,
  role: RoleDef,
  keys: ReadonlyMap<string, TufKey>,
  opts: ThresholdOptions,
): ThresholdResult {
  const roleKeyids = new Set(role.keyids);
  const valid: string[] = [];
  const failed: SignerFailure[] = [];
  const countedKeyid = new Set<string>();
  const countedFp = new Map<string, string>();
  const failedKeyid = new Set<string>();
  const loc = {
    path: env.path,
    role: opts.findingRole,
    ...(env.version !== undefined ? { version: env.version } : {}),
  };
  for (const s of env.signatures) {
    if (s.sig === '') continue; // reported once when the envelope was read
    if (!roleKeyids.has(s.keyid)) {
      if (opts.alsoExpected?.has(s.keyid)) continue;
      if (!failedKeyid.has(s.keyid)) {
        failed.push({ keyid: s.keyid, reason: `not a key of role ${role.name}; ignored` });
        failedKeyid.add(s.keyid);
      }
      if (opts.report)
        ctx.addOnce(
          `${env.path}|${opts.findingRole}|${s.keyid}`,
          'TUF_SIGNATURE_FOREIGN_KEY',
          { ...loc, keyid: s.keyid },
          `${env.path}: signature by ${short(s.keyid)}, which is not a key of role ${role.name}, ignored`,
        );
      continue;
    }
    if (countedKeyid.has(s.keyid)) continue; // a duplicate entry never counts twice
    const key = keys.get(s.keyid);
    if (!key) {
      if (!failedKeyid.has(s.keyid))
        failed.push({ keyid: s.keyid, reason: 'the role lists this keyid but no key object has it' });
      failedKeyid.add(s.keyid);
      continue;
    }
    if (!key.publicKey || key.problem !== undefined) {
      if (!failedKeyid.has(s.keyid))
        failed.push({ keyid: s.keyid, reason: `unusable key: ${key.problem ?? 'unknown'}` });
      failedKeyid.add(s.keyid);
      continue;
    }
    if (!env.canonical) {
      if (!failedKeyid.has(s.keyid))
        failed.push({ keyid: s.keyid, reason: 'signed cannot be canonicalized' });
      failedKeyid.add(s.keyid);
      continue;
    }
    const cacheKey = `${key.fingerprint ?? ''}|${key.algo ?? ''}|${s.index}`;
    let ok = env.sigCache.get(cacheKey);
    if (ok === undefined) {
      ok = verifySignature(key, env.canonical, s.sig);
      env.sigCache.set(cacheKey, ok);
    }
    if (!ok) {
      if (!failedKeyid.has(s.keyid)) failed.push({ keyid: s.keyid, reason: 'signature does not verify' });
      failedKeyid.add(s.keyid);
      if (opts.report)
        ctx.addOnce(
          `${env.path}|${s.keyid}`,
          'TUF_SIGNATURE_INVALID',
          { ...loc, keyid: s.keyid },
          `${env.path}: the signature by ${short(s.keyid)} (${key.scheme}) does not verify over the canonical signed body`,
        );
      continue;
    }
    countedKeyid.add(s.keyid);
    // A later valid entry supersedes an earlier failed one for the same keyid.
    const fi = failed.findIndex((f) => f.keyid === s.keyid);
    if (fi >= 0) failed.splice(fi, 1);
    const fp = key.fingerprint ?? s.keyid;
    const other = countedFp.get(fp);
    if (other !== undefined) {
      failed.push({ keyid: s.keyid, reason: `same key as ${short(other)}; counted once` });
      continue;
    }
    countedFp.set(fp, s.keyid);
    valid.push(s.keyid);
  }
  const threshold = role.threshold ?? null;
  return { threshold, valid, failed, met: role.threshold !== undefined && valid.length >= role.threshold };
}
