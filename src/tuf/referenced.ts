// Loading metadata that another role references through `meta` (timestamp → snapshot,
// snapshot → targets and delegated roles): consistent-snapshot file naming, the unversioned copy,
// and the length and hash checks made before the signatures are (5.5.1-5.5.2, 5.6.1-5.6.2).
import type { TufContext } from './context.js';
import { short } from './keys.js';
import { loadEnvelope } from './load.js';
import { hashBytes, type Envelope, type MetaRef } from './metadata.js';

export interface ReferencedLoad {
  env: Envelope | undefined;
  /** Length and listed hashes agree (true when none are listed). */
  linkOk: boolean;
  /** The file exists under the name a client uses. */
  nameOk: boolean;
}

/**
 * Load `name` (e.g. "snapshot.json", "gateways.json") as referenced by `ref`. With consistent
 * snapshots a client fetches VERSION.name (5.5.1, 5.6.1); without, the plain name. When both
 * copies exist they must be identical.
 */
export function loadReferenced(
  ctx: TufContext,
  name: string,
  ref: MetaRef,
  consistent: boolean,
  type: string,
  role: string,
  referrer: string,
): ReferencedLoad {
  const versioned = `${ref.version}.${name}`;
  const primary = consistent ? versioned : name;
  const other = consistent ? name : versioned;
  const hasPrimary = ctx.src.get(primary) !== undefined;
  const hasOther = ctx.src.get(other) !== undefined;
  const loc = { role, version: ref.version };
  let path = primary;
  let nameOk = true;
  if (!hasPrimary) {
    nameOk = false;
    if (hasOther && consistent) {
      ctx.add(
        'TUF_CONSISTENT_FILE_MISSING',
        { ...loc, path: primary },
        `${primary} is missing: consistent_snapshot is true, so devices fetch it by version (the unversioned ${name} was checked instead)`,
      );
      path = other;
    } else if (hasOther) {
      ctx.add(
        'TUF_FILE_MISSING',
        { ...loc, path: primary },
        `${primary} is missing: consistent_snapshot is false, so devices fetch it without a version (${versioned} was checked instead)`,
      );
      path = other;
    } else {
      ctx.add(
        'TUF_FILE_MISSING',
        { ...loc, path: primary },
        `${primary} is missing; ${referrer} references ${name} version ${ref.version}`,
      );
      return { env: undefined, linkOk: false, nameOk };
    }
  }
  const r = loadEnvelope(ctx, path, type, role);
  if (r.kind !== 'ok') {
    if (r.kind === 'missing') ctx.add('TUF_FILE_MISSING', { ...loc, path }, `${path} is missing`);
    return { env: undefined, linkOk: false, nameOk };
  }
  const env = r.env;
  // The unversioned and versioned copies must agree.
  if (hasPrimary && hasOther) {
    const o = ctx.src.get(other);
    ctx.used.add(other);
    if (o?.data && !o.data.equals(env.file.bytes))
      ctx.add(
        'TUF_COPY_MISMATCH',
        { ...loc, path: other },
        `${other} differs from ${primary}; both should hold ${name} version ${ref.version}`,
      );
  }
  let linkOk = true;
  const vloc = { ...loc, path, ...(env.version !== undefined ? { version: env.version } : {}) };
  // 5.5.1 / 5.6.1: a client downloads at most the listed length.
  if (ref.length !== undefined && ref.length !== env.file.bytes.length) {
    linkOk = false;
    ctx.add(
      'TUF_LENGTH_MISMATCH',
      { ...vloc, field: `${referrer}:meta.${name}.length` },
      `${path} is ${env.file.bytes.length} bytes but ${referrer} lists ${ref.length}`,
      { expected: ref.length, found: env.file.bytes.length },
    );
  }
  // 5.5.2 / 5.6.2: the hashes listed by the referrer.
  for (const [alg, want] of ref.hashes ?? []) {
    const got = hashBytes(alg, env.file.bytes);
    if (got === undefined) {
      ctx.addOnce(
        `${referrer}|${name}|${alg}`,
        'TUF_HASH_UNSUPPORTED',
        { ...vloc, field: `${referrer}:meta.${name}.hashes.${alg}` },
        `${referrer} lists a ${alg} hash of ${name}, which this verifier does not compute`,
      );
      continue;
    }
    if (got !== want) {
      linkOk = false;
      ctx.add(
        'TUF_HASH_MISMATCH',
        { ...vloc, field: `${referrer}:meta.${name}.hashes.${alg}` },
        `${path}: ${alg} is ${short(got)} but ${referrer} lists ${short(want)}`,
        { algorithm: alg, expected: want, found: got },
      );
    }
  }
  // 5.5.4 / 5.6.4: the version must be the one the referrer lists.
  if (env.version !== undefined && env.version !== ref.version) {
    linkOk = false;
    ctx.add(
      'TUF_VERSION_MISMATCH',
      { ...vloc, field: 'signed.version' },
      `${path} holds ${role} version ${env.version} but ${referrer} lists version ${ref.version}`,
      { expected: ref.version, found: env.version },
    );
  }
  return { env, linkOk, nameOk };
}
