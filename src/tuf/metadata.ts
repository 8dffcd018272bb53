// Parsing of signed TUF metadata into typed, validated structures. Each problem is a finding
// naming the file and the field; the structures carry what could be read, never throw.
import { createHash } from 'node:crypto';
import { canonicalize } from './canonical.js';
import type { TufContext } from './context.js';
import { FieldReader, has, isObject, own, type JsonObject } from './fields.js';
import type { LoadedFile } from './json.js';
import { parseKeyDict, short, type TufKey } from './keys.js';
import type { RoleDef } from './signatures.js';
import { parseExpires } from './time.js';
import type { Location } from '../findings/types.js';

export interface SignatureEntry {
  keyid: string;
  sig: string;
  index: number;
}

export interface Envelope {
  path: string;
  role: string;
  file: LoadedFile;
  signed: JsonObject;
  /** OLPC canonical bytes of `signed`; undefined when it cannot be canonicalized. */
  canonical: Buffer | undefined;
  signatures: SignatureEntry[];
  version: number | undefined;
  expires: Date | undefined;
  /** false when a structural error makes the metadata unusable for a client. */
  wellFormed: boolean;
  reader: FieldReader;
  /** fingerprint|algo|signature index → verified. */
  sigCache: Map<string, boolean>;
}

export const TOP_LEVEL_ROLES = ['root', 'timestamp', 'snapshot', 'targets'] as const;

/**
 * Once its typed parse is done an envelope keeps its bytes and canonical bytes, not the parsed
 * JSON tree (several times the file's size): with a dozen large metadata files alive for the
 * whole run, the trees alone would be hundreds of MB.
 */
function dropTree(env: Envelope): void {
  env.signed = {};
  env.file.value = undefined;
}

/** Read the common envelope: signed/signatures, _type, spec_version, version, expires. */
export function parseEnvelope(
  ctx: TufContext,
  file: LoadedFile,
  expectedType: string,
  role: string,
): Envelope | undefined {
  const path = file.path;
  const baseLoc: Location = { path, role };
  const top = new FieldReader(ctx.findings, baseLoc);
  if (!isObject(file.value)) {
    top.invalid('(top level)', 'an object with signed and signatures', file.value);
    return undefined;
  }
  const signed = top.obj(file.value, 'signed', 'signed');
  const sigs = top.arr(file.value, 'signatures', 'signatures');
  if (!signed) return undefined;
  let wellFormed = sigs !== undefined;
  // Version first, so later findings carry it.
  const pre = new FieldReader(ctx.findings, baseLoc);
  const version = pre.int(signed, 'version', 'signed.version', 1);
  const loc: Location = version !== undefined ? { ...baseLoc, version } : baseLoc;
  const reader = new FieldReader(ctx.findings, loc);
  if (version === undefined) wellFormed = false;

  const type = reader.str(signed, '_type', 'signed._type');
  if (type === undefined) wellFormed = false;
  else if (type !== expectedType) {
    ctx.add(
      'TUF_TYPE_MISMATCH',
      { ...loc, field: 'signed._type' },
      `${path}: _type is ${JSON.stringify(type)}, expected ${JSON.stringify(expectedType)}`,
    );
    wellFormed = false;
  }

  const spec = reader.str(signed, 'spec_version', 'signed.spec_version');
  if (spec === undefined) wellFormed = false;
  else {
    const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(spec);
    if (!m || m[1] !== '1') {
      ctx.add(
        'TUF_SPEC_VERSION_UNSUPPORTED',
        { ...loc, field: 'signed.spec_version' },
        `${path}: spec_version ${JSON.stringify(spec)} is not a TUF 1.x version`,
      );
      wellFormed = false;
    } else if (m[3] === undefined)
      ctx.aggregate(
        'TUF_SPEC_VERSION_FORMAT',
        spec,
        path,
        `spec_version ${JSON.stringify(spec)} is not a full semantic version`,
        { specVersion: spec },
      );
  }

  let expires: Date | undefined;
  const expRaw = reader.str(signed, 'expires', 'signed.expires');
  if (expRaw === undefined) wellFormed = false;
  else {
    const p = parseExpires(expRaw);
    if (!p) {
      reader.invalid('signed.expires', 'a date-time YYYY-MM-DDTHH:MM:SSZ', expRaw);
      wellFormed = false;
    } else {
      expires = p.date;
      if (!p.strict)
        ctx.add(
          'TUF_EXPIRES_FORMAT',
          { ...loc, field: 'signed.expires' },
          `${path}: expires ${JSON.stringify(expRaw)} is not in the form YYYY-MM-DDTHH:MM:SSZ (read as ${p.date.toISOString()})`,
        );
    }
  }

  const c = canonicalize(signed);
  let canonical: Buffer | undefined;
  if (c.ok) canonical = c.bytes;
  else {
    ctx.add(
      'TUF_CANONICAL_JSON_INVALID',
      { ...loc, field: `signed.${c.field}` },
      `${path}: signed.${c.field}: ${c.reason}; canonical JSON has integers only, so no signature can verify`,
    );
    wellFormed = false;
  }

  const signatures = sigs ? parseSignatures(ctx, sigs, loc) : [];
  return {
    path,
    role,
    file,
    signed,
    canonical,
    signatures,
    version,
    expires,
    wellFormed,
    reader,
    sigCache: new Map(),
  };
}

function parseSignatures(ctx: TufContext, sigs: unknown[], loc: Location): SignatureEntry[] {
  const path = loc.path ?? '';
  const out: SignatureEntry[] = [];
  const seen = new Set<string>();
  const dupReported = new Set<string>();
  const max = ctx.limits.maxSignaturesPerFile;
  if (sigs.length > max) ctx.limit('maxSignaturesPerFile', loc, `${path} has ${sigs.length} signatures`);
  for (let i = 0; i < Math.min(sigs.length, max); i++) {
    const s = sigs[i];
    const field = `signatures[${i}]`;
    if (!isObject(s)) {
      ctx.add('TUF_SIGNATURE_MALFORMED', { ...loc, field }, `${path}: ${field} is not an object`);
      continue;
    }
    const keyid = own(s, 'keyid');
    const sig = own(s, 'sig');
    if (typeof keyid !== 'string' || typeof sig !== 'string') {
      ctx.add('TUF_SIGNATURE_MALFORMED', { ...loc, field }, `${path}: ${field} needs string keyid and sig`);
      continue;
    }
    if (seen.has(keyid)) {
      // The spec: the keyid MUST be unique in "signatures"; clients count it at most once.
      if (!dupReported.has(keyid))
        ctx.add(
          'TUF_SIGNATURE_DUPLICATE_KEYID',
          { ...loc, keyid, field },
          `${path}: keyid ${short(keyid)} appears more than once in signatures (counted once)`,
        );
      dupReported.add(keyid);
    }
    seen.add(keyid);
    if (sig === '') {
      ctx.add(
        'TUF_SIGNATURE_EMPTY',
        { ...loc, keyid, field },
        `${path}: the signature slot of ${short(keyid)} is empty`,
      );
      out.push({ keyid, sig, index: i });
      continue;
    }
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(sig)) {
      ctx.add(
        'TUF_SIGNATURE_MALFORMED',
        { ...loc, keyid, field },
        `${path}: the signature of ${short(keyid)} is not hex`,
      );
      continue;
    }
    out.push({ keyid, sig, index: i });
  }
  return out;
}

/** A role definition (root roles, or a delegation). Checks keyids, threshold and distinct keys. */
export function parseRoleDef(
  ctx: TufContext,
  reader: FieldReader,
  o: JsonObject,
  field: string,
  name: string,
  keys: ReadonlyMap<string, TufKey>,
): RoleDef {
  const loc: Location = { ...reader.loc, role: name, field };
  const path = loc.path ?? '';
  const keyids = reader.strings(o, 'keyids', `${field}.keyids`) ?? [];
  const uniq: string[] = [];
  for (const k of keyids) {
    if (uniq.includes(k)) {
      ctx.add(
        'TUF_ROLE_KEYIDS_DUPLICATE',
        { ...loc, keyid: k, field: `${field}.keyids` },
        `${path}: role ${name} lists keyid ${short(k)} twice`,
      );
      continue;
    }
    uniq.push(k);
  }
  let threshold: number | undefined;
  if (!has(o, 'threshold')) reader.missing(`${field}.threshold`);
  else {
    const t = own(o, 'threshold');
    if (typeof t === 'number' && Number.isSafeInteger(t) && t >= 1) threshold = t;
    else
      ctx.add(
        'TUF_THRESHOLD_INVALID',
        { ...loc, field: `${field}.threshold` },
        `${path}: role ${name} has threshold ${JSON.stringify(t)}; a threshold must be an integer >= 1`,
      );
  }
  const byFp = new Map<string, string>();
  for (const k of uniq) {
    const key = keys.get(k);
    if (!key) {
      ctx.add(
        'TUF_ROLE_KEY_UNDEFINED',
        { ...loc, keyid: k },
        `${path}: role ${name} lists keyid ${short(k)}, which has no key object`,
      );
      continue;
    }
    if (!key.fingerprint) continue;
    const other = byFp.get(key.fingerprint);
    if (other !== undefined)
      ctx.add(
        'TUF_KEY_DUPLICATE_MATERIAL',
        { ...loc, keyid: k },
        `${path}: role ${name} lists the same key as ${short(other)} and ${short(k)}; it counts once toward the threshold`,
        { keyids: [other, k] },
      );
    else byFp.set(key.fingerprint, k);
  }
  if (threshold !== undefined && byFp.size < threshold)
    ctx.add(
      'TUF_THRESHOLD_UNREACHABLE',
      { ...loc, field: `${field}.threshold` },
      `${path}: role ${name} needs ${threshold} signatures but has only ${byFp.size} distinct usable key(s)`,
      { threshold, distinctKeys: byFp.size },
    );
  return { name, keyids: uniq, threshold };
}

export interface RootMeta {
  env: Envelope;
  keys: Map<string, TufKey>;
  roles: Map<string, RoleDef>;
  consistentSnapshot: boolean;
  /** Every top-level role is defined. */
  complete: boolean;
}

export function parseRoot(ctx: TufContext, env: Envelope): RootMeta {
  const r = env.reader;
  const keysObj = r.obj(env.signed, 'keys', 'signed.keys');
  const keys = keysObj ? parseKeyDict(ctx, r, keysObj, 'signed.keys', r.loc) : new Map<string, TufKey>();
  const rolesObj = r.obj(env.signed, 'roles', 'signed.roles');
  const roles = new Map<string, RoleDef>();
  let complete = rolesObj !== undefined;
  if (rolesObj) {
    for (const name of Object.keys(rolesObj)) {
      const def = own(rolesObj, name);
      if (!(TOP_LEVEL_ROLES as readonly string[]).includes(name)) {
        ctx.add(
          'TUF_ROOT_ROLE_UNKNOWN',
          { ...r.loc, role: name, field: `signed.roles.${name}` },
          `${env.path}: root defines role ${JSON.stringify(name)}, which is not a top-level role`,
        );
        continue;
      }
      if (!isObject(def)) {
        r.invalid(`signed.roles.${name}`, 'an object', def);
        continue;
      }
      roles.set(name, parseRoleDef(ctx, r, def, `signed.roles.${name}`, name, keys));
    }
    for (const name of TOP_LEVEL_ROLES)
      if (!roles.has(name)) {
        complete = false;
        ctx.add(
          'TUF_ROOT_ROLE_MISSING',
          { ...r.loc, role: name, field: `signed.roles.${name}` },
          `${env.path}: root does not define the ${name} role`,
        );
      }
  }
  if (!keysObj || !rolesObj) env.wellFormed = false;
  const cs = r.bool(env.signed, 'consistent_snapshot', 'signed.consistent_snapshot', false) ?? false;
  dropTree(env);
  return { env, keys, roles, consistentSnapshot: cs, complete };
}

export interface MetaRef {
  version: number;
  length: number | undefined;
  hashes: Map<string, string> | undefined;
}

/** The `meta` map of timestamp or snapshot metadata. Malformed entries map to undefined. */
export function parseMetaMap(ctx: TufContext, env: Envelope): Map<string, MetaRef | undefined> {
  const r = env.reader;
  const out = new Map<string, MetaRef | undefined>();
  const meta = r.obj(env.signed, 'meta', 'signed.meta');
  if (!meta) {
    env.wellFormed = false;
    return out;
  }
  let n = 0;
  for (const name of Object.keys(meta)) {
    if (++n > ctx.limits.maxDelegatedRoles + 16) {
      ctx.limit('maxDelegatedRoles', r.loc, `${env.path} lists more than ${n - 1} metadata files`);
      break;
    }
    const f = `signed.meta.${name}`;
    const e = own(meta, name);
    if (!isObject(e)) {
      r.invalid(f, 'an object', e);
      out.set(name, undefined);
      env.wellFormed = false;
      continue;
    }
    const version = r.int(e, 'version', `${f}.version`, 1);
    const length = r.int(e, 'length', `${f}.length`, 0, false);
    const hashes = parseHashes(r, e, `${f}.hashes`, false);
    if (version === undefined || (has(e, 'length') && length === undefined) || hashes === null) {
      out.set(name, undefined);
      env.wellFormed = false;
      continue;
    }
    out.set(name, { version, length, hashes });
  }
  dropTree(env);
  return out;
}

/** A `hashes` object: algorithm → hex digest. null when present but malformed. */
function parseHashes(
  r: FieldReader,
  o: JsonObject,
  field: string,
  required: boolean,
): Map<string, string> | undefined | null {
  if (!has(o, 'hashes')) {
    if (required) {
      r.obj(o, 'hashes', field, true);
      return null;
    }
    return undefined;
  }
  const h = r.obj(o, 'hashes', field);
  if (!h) return null;
  const out = new Map<string, string>();
  for (const alg of Object.keys(h)) {
    const v = own(h, alg);
    if (typeof v !== 'string' || !/^(?:[0-9a-fA-F]{2})+$/.test(v)) {
      r.invalid(`${field}.${alg}`, 'a hex digest', v);
      return null;
    }
    out.set(alg, v.toLowerCase());
  }
  if (out.size === 0 && required) {
    r.invalid(field, 'at least one hash', h);
    return null;
  }
  return out;
}

export interface TargetEntry {
  length: number;
  hashes: Map<string, string>;
}

export interface DelegatedRoleDef extends RoleDef {
  terminating: boolean;
  paths: string[] | undefined;
  pathHashPrefixes: string[] | undefined;
  /** The name can be used as a file name and is not reserved or duplicated. */
  usable: boolean;
}

export interface TargetsMeta {
  env: Envelope;
  /** Listed targets; undefined values were malformed (reported). */
  targets: Map<string, TargetEntry | undefined>;
  delegationKeys: Map<string, TufKey>;
  delegations: DelegatedRoleDef[];
}

export function parseTargets(ctx: TufContext, env: Envelope): TargetsMeta {
  const r = env.reader;
  const targets = new Map<string, TargetEntry | undefined>();
  const tobj = r.obj(env.signed, 'targets', 'signed.targets');
  if (!tobj) env.wellFormed = false;
  else {
    for (const p of Object.keys(tobj)) {
      if (ctx.targetsBudget <= 0) {
        ctx.limit('maxTargets', r.loc, `more than ${ctx.limits.maxTargets} target entries`);
        break;
      }
      ctx.targetsBudget--;
      const f = `signed.targets.${p}`;
      const e = own(tobj, p);
      if (!isObject(e)) {
        r.invalid(f, 'a target object', e);
        targets.set(p, undefined);
        env.wellFormed = false;
        continue;
      }
      const length = r.int(e, 'length', `${f}.length`, 0);
      const hashes = parseHashes(r, e, `${f}.hashes`, true);
      if (has(e, 'custom') && !isObject(own(e, 'custom')))
        r.invalid(`${f}.custom`, 'an object', own(e, 'custom'));
      if (length === undefined || !hashes) {
        targets.set(p, undefined);
        env.wellFormed = false;
        continue;
      }
      targets.set(p, { length, hashes });
    }
  }
  const delegationKeys = new Map<string, TufKey>();
  const delegations: DelegatedRoleDef[] = [];
  const dobj = r.obj(env.signed, 'delegations', 'signed.delegations', false);
  if (dobj) {
    const keysObj = r.obj(dobj, 'keys', 'signed.delegations.keys');
    if (keysObj)
      for (const [k, v] of parseKeyDict(ctx, r, keysObj, 'signed.delegations.keys', r.loc))
        delegationKeys.set(k, v);
    if (has(dobj, 'succinct_roles'))
      ctx.add(
        'TUF_UNSUPPORTED_FEATURE',
        { ...r.loc, field: 'signed.delegations.succinct_roles' },
        `${env.path}: succinct_roles (TAP 15) is not evaluated; those delegated roles are not verified`,
      );
    const roles =
      has(dobj, 'succinct_roles') && !has(dobj, 'roles')
        ? []
        : r.arr(dobj, 'roles', 'signed.delegations.roles');
    if (!roles) env.wellFormed = false;
    const names = new Set<string>();
    (roles ?? []).forEach((ro, i) => {
      const f = `signed.delegations.roles[${i}]`;
      if (delegations.length >= ctx.limits.maxDelegatedRoles) {
        ctx.limit(
          'maxDelegatedRoles',
          r.loc,
          `${env.path} delegates to more than ${ctx.limits.maxDelegatedRoles} roles`,
        );
        return;
      }
      if (!isObject(ro)) {
        r.invalid(f, 'a delegated role object', ro);
        return;
      }
      const name = r.str(ro, 'name', `${f}.name`);
      if (name === undefined) return;
      const d = parseDelegatedRole(ctx, r, ro, f, name, delegationKeys);
      if (names.has(name)) {
        ctx.add(
          'TUF_DELEGATION_NAME_DUPLICATE',
          { ...r.loc, role: name, field: `${f}.name` },
          `${env.path}: two delegations are named ${JSON.stringify(name)}`,
        );
        d.usable = false;
      }
      names.add(name);
      delegations.push(d);
    });
  }
  dropTree(env);
  return { env, targets, delegationKeys, delegations };
}

function parseDelegatedRole(
  ctx: TufContext,
  r: FieldReader,
  o: JsonObject,
  f: string,
  name: string,
  keys: ReadonlyMap<string, TufKey>,
): DelegatedRoleDef {
  const loc: Location = { ...r.loc, role: name, field: `${f}.name` };
  const path = loc.path ?? '';
  let usable = true;
  // The name becomes a file name: it must not climb out of the metadata folder.
  if (
    name === '' ||
    /[/\\]/.test(name) ||
    [...name].some((c) => c.charCodeAt(0) < 0x20) ||
    name === '.' ||
    name === '..' ||
    name.startsWith('..')
  ) {
    ctx.add(
      'TUF_DELEGATION_NAME_UNSAFE',
      loc,
      `${path}: delegated role name ${JSON.stringify(name)} cannot be a file name`,
    );
    usable = false;
  } else if ((TOP_LEVEL_ROLES as readonly string[]).includes(name)) {
    ctx.add(
      'TUF_DELEGATION_NAME_RESERVED',
      loc,
      `${path}: a delegated role is named ${JSON.stringify(name)}, a top-level role`,
    );
    usable = false;
  }
  const def = parseRoleDef(ctx, r, o, f, name, keys);
  const terminating = r.bool(o, 'terminating', `${f}.terminating`) ?? false;
  const hasPaths = has(o, 'paths');
  const hasPrefixes = has(o, 'path_hash_prefixes');
  let paths: string[] | undefined;
  let pathHashPrefixes: string[] | undefined;
  if (hasPaths && hasPrefixes) {
    ctx.add(
      'TUF_DELEGATION_PATHS_CONFLICT',
      { ...loc, field: f },
      `${path}: delegation ${name} sets both paths and path_hash_prefixes`,
    );
    usable = false;
  } else if (hasPaths) paths = r.strings(o, 'paths', `${f}.paths`);
  else if (hasPrefixes) {
    pathHashPrefixes = r.strings(o, 'path_hash_prefixes', `${f}.path_hash_prefixes`);
    for (const p of pathHashPrefixes ?? [])
      if (!/^[0-9a-f]*$/.test(p))
        ctx.add(
          'TUF_DELEGATION_PATTERN_INVALID',
          { ...loc, field: `${f}.path_hash_prefixes` },
          `${path}: path hash prefix ${JSON.stringify(p)} of ${name} is not lowercase hex and matches nothing`,
        );
  } else
    ctx.add(
      'TUF_DELEGATION_NO_PATHS',
      { ...loc, field: f },
      `${path}: delegation ${name} sets neither paths nor path_hash_prefixes and matches no target`,
    );
  return { ...def, terminating, paths, pathHashPrefixes, usable };
}

export function hashBytes(alg: string, data: Uint8Array): string | undefined {
  const map: Record<string, string> = {
    sha224: 'sha224',
    sha256: 'sha256',
    sha384: 'sha384',
    sha512: 'sha512',
  };
  const a = Object.hasOwn(map, alg) ? map[alg] : undefined;
  if (!a) return undefined;
  return createHash(a).update(data).digest('hex');
}
