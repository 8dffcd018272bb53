// Loading one role's metadata file into an envelope, expiry checks, and the role report shell.
import type { TufContext } from './context.js';
import { readMetadataFile, type LoadedFile } from './json.js';
import { parseEnvelope, type Envelope } from './metadata.js';
import type { RoleReport } from './report.js';

export type EnvelopeResult =
  { kind: 'ok'; env: Envelope } | { kind: 'missing' } | { kind: 'failed'; file?: LoadedFile };

export function loadEnvelope(ctx: TufContext, path: string, type: string, role: string): EnvelopeResult {
  const r = readMetadataFile(ctx, path, { role });
  if (r.kind !== 'ok') return r;
  recordFile(ctx, r.file, role, undefined);
  const env = parseEnvelope(ctx, r.file, type, role);
  if (!env) return { kind: 'failed', file: r.file };
  const rec = ctx.fileHashes.find((h) => h.path === path);
  if (rec) rec.version = env.version ?? null;
  return { kind: 'ok', env };
}

export function recordFile(
  ctx: TufContext,
  file: LoadedFile,
  role: string,
  version: number | undefined,
): void {
  if (ctx.fileHashes.some((h) => h.path === file.path)) return;
  ctx.fileHashes.push({
    path: file.path,
    role,
    version: version ?? null,
    sha256: file.sha256,
    length: file.bytes.length,
  });
}

export interface ExpiryState {
  expiredAtRef: boolean | null;
  expiredNow: boolean | null;
  expiringSoon: boolean | null;
}

/**
 * Expiry (5.3.10, 5.4.4, 5.5.6, 5.6.5): expired at the reference time is an error; expired only
 * by now is information for a restore (online roles are re-signed by the node, offline ones need
 * a signing ceremony); expiring within the window is a warning.
 */
export function checkExpiry(ctx: TufContext, env: Envelope, online: boolean): ExpiryState {
  const exp = env.expires;
  if (!exp) return { expiredAtRef: null, expiredNow: null, expiringSoon: null };
  const loc = {
    path: env.path,
    role: env.role,
    ...(env.version !== undefined ? { version: env.version } : {}),
    field: 'signed.expires',
  };
  const t = exp.getTime();
  const expiredAtRef = t <= ctx.at.getTime();
  const expiredNow = t <= ctx.now.getTime();
  let expiringSoon: boolean | null = null;
  if (expiredAtRef)
    ctx.add(
      'TUF_EXPIRED',
      loc,
      `${env.path}: ${env.role} expired ${exp.toISOString()}, before the reference time ${ctx.at.toISOString()}`,
      {
        expires: exp.toISOString(),
        at: ctx.at.toISOString(),
      },
    );
  else if (expiredNow)
    ctx.add(
      online ? 'TUF_EXPIRED_NOW_ONLINE' : 'TUF_EXPIRED_NOW_OFFLINE',
      loc,
      online
        ? `${env.path}: ${env.role} expired ${exp.toISOString()} (valid at the reference time): the restored node must re-sign it with its online key`
        : `${env.path}: ${env.role} expired ${exp.toISOString()} (valid at the reference time): devices reject it until it is re-signed offline`,
      { expires: exp.toISOString(), now: ctx.now.toISOString() },
    );
  if (ctx.expiringWithinMs !== undefined) {
    expiringSoon = !expiredNow && t - ctx.now.getTime() <= ctx.expiringWithinMs;
    if (expiringSoon)
      ctx.add(
        'TUF_EXPIRING_SOON',
        loc,
        `${env.path}: ${env.role} expires ${exp.toISOString()}, within the chosen window`,
        {
          expires: exp.toISOString(),
          windowMs: ctx.expiringWithinMs,
        },
      );
  }
  return { expiredAtRef, expiredNow, expiringSoon };
}

export function roleShell(role: string, kind: RoleReport['kind']): RoleReport {
  return {
    role,
    kind,
    path: null,
    version: null,
    expires: null,
    expiredAtRef: null,
    expiredNow: null,
    expiringSoon: null,
    threshold: null,
    keyCount: 0,
    validSigners: [],
    failedSigners: [],
    thresholdMet: false,
    verified: false,
    delegatedBy: null,
    sha256: null,
    length: null,
  };
}

export function fillFromEnvelope(rep: RoleReport, env: Envelope, exp: ExpiryState): void {
  rep.path = env.path;
  rep.version = env.version ?? null;
  rep.expires = env.expires ? env.expires.toISOString() : null;
  rep.expiredAtRef = exp.expiredAtRef;
  rep.expiredNow = exp.expiredNow;
  rep.expiringSoon = exp.expiringSoon;
  rep.sha256 = env.file.sha256;
  rep.length = env.file.bytes.length;
}
