// The gate policy (schema/policy.schema.json): which finding codes block the upload or only warn,
// whether encryption is required, and how long metadata and certificates must stay valid after
// the backup. A file (YAML or JSON) is merged over the built-in default; unknown keys and unknown
// codes are rejected so a typo cannot silently weaken the gate.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseYaml } from '../profile/yaml.js';
import { ALL_CODES, type SeverityOverrides } from '../findings/severity.js';
import type { Severity } from '../findings/types.js';
import { canonicalize } from '../tuf/canonical.js';

export class PolicyError extends Error {}

export const POLICY_VERSION = 1;

/** The effective policy; durations are whole seconds. */
export interface Policy {
  version: 1;
  /** Codes (or PREFIX_* patterns) that block the upload: at least error severity. */
  block: string[];
  /** Codes that only warn (blocking only under strict). */
  warn: string[];
  /** Codes recorded as information only. */
  ignore: string[];
  /** Warnings block too. */
  strict: boolean;
  /** A plaintext archive is GATE_PLAINTEXT_ARCHIVE (as --require-encrypted). */
  requireEncrypted: boolean;
  validity: {
    /** Every TUF role must stay valid this long after the reference time… */
    metadata: number;
    /** …except the roles named here (role → seconds). */
    roles: Record<string, number>;
    /** The server and CA certificates must stay valid this long. */
    certificates: number;
  };
}

const DAY = 86_400;

/** The built-in default: every code keeps its default severity; offline-signed TUF roles and the
 *  certificates must outlive the backup by 7 days. The online roles (timestamp, snapshot) are
 *  re-signed with the online keys the backup holds, so only their expiry at the reference time
 *  counts (the TUF verifier checks that). */
export const DEFAULT_POLICY: Policy = {
  version: 1,
  block: [],
  warn: [],
  ignore: [],
  strict: false,
  requireEncrypted: false,
  validity: { metadata: 7 * DAY, roles: { timestamp: 0, snapshot: 0 }, certificates: 7 * DAY },
};

const MAX_POLICY_BYTES = 1024 * 1024;
const CODE_RE = /^[A-Z][A-Z0-9_]*\*?$/;
const DURATION_RE = /^(\d{1,7})\s*(d|h|m|s)?$/;
const ROLE_RE = /^[^\s]{1,200}$/;

export interface LoadedPolicy {
  policy: Policy;
  /** "built-in" or the file path. */
  source: string;
  /** SHA-256 (hex) of the policy's canonical JSON (see policyBytes). */
  sha256: string;
}

export function builtInPolicy(): LoadedPolicy {
  return { policy: DEFAULT_POLICY, source: 'built-in', sha256: policyHash(DEFAULT_POLICY) };
}

export function loadPolicy(path: string): LoadedPolicy {
  let text: string;
  try {
    const buf = readFileSync(path);
    if (buf.length > MAX_POLICY_BYTES)
      throw new PolicyError(`policy ${path} is larger than ${MAX_POLICY_BYTES} bytes`);
    text = buf.toString('utf8');
  } catch (e) {
    if (e instanceof PolicyError) throw e;
    throw new PolicyError(`cannot read policy ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let doc: unknown;
  try {
    doc = /^\s*[{[]/.test(text) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new PolicyError(
      `policy ${path} is not valid JSON/YAML: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const policy = parsePolicy(doc ?? {}, path);
  return { policy, source: path, sha256: policyHash(policy) };
}

/** Validates a policy document and merges it over the default. Throws PolicyError. */
export function parsePolicy(doc: unknown, where: string): Policy {
  const err = (msg: string): PolicyError => new PolicyError(`${where}: ${msg}`);
  const o = record(doc, 'the policy', err);
  only(o, ['version', 'block', 'warn', 'ignore', 'strict', 'requireEncrypted', 'validity'], '', err);
  if (o['version'] !== undefined && o['version'] !== POLICY_VERSION)
    throw err(`version must be ${POLICY_VERSION}, not ${JSON.stringify(o['version'])}`);
  const p: Policy = {
    version: 1,
    block: codes(o['block'], 'block', err),
    warn: codes(o['warn'], 'warn', err),
    ignore: codes(o['ignore'], 'ignore', err),
    strict: bool(o['strict'], 'strict', DEFAULT_POLICY.strict, err),
    requireEncrypted: bool(o['requireEncrypted'], 'requireEncrypted', DEFAULT_POLICY.requireEncrypted, err),
    validity: { ...DEFAULT_POLICY.validity, roles: { ...DEFAULT_POLICY.validity.roles } },
  };
  const seen = new Map<string, string>();
  for (const list of ['block', 'warn', 'ignore'] as const)
    for (const c of p[list]) {
      const other = seen.get(c);
      if (other !== undefined && other !== list) throw err(`${c} is listed under both ${other} and ${list}`);
      seen.set(c, list);
    }
  if (o['validity'] !== undefined) {
    const v = record(o['validity'], 'validity', err);
    only(v, ['metadata', 'roles', 'certificates'], 'validity.', err);
    if (v['metadata'] !== undefined) p.validity.metadata = duration(v['metadata'], 'validity.metadata', err);
    if (v['certificates'] !== undefined)
      p.validity.certificates = duration(v['certificates'], 'validity.certificates', err);
    if (v['roles'] !== undefined) {
      const r = record(v['roles'], 'validity.roles', err);
      for (const [role, d] of Object.entries(r)) {
        if (!ROLE_RE.test(role)) throw err(`validity.roles: "${role}" is not a role name`);
        p.validity.roles[role] = duration(d, `validity.roles.${role}`, err);
      }
    }
  }
  return p;
}

/** Canonical JSON of the effective policy (sorted keys and lists, durations in seconds): the
 *  bytes whose SHA-256 a receipt records, so the same rules always give the same hash. */
export function policyBytes(p: Policy): Buffer {
  const c = canonicalize({
    ...p,
    block: [...new Set(p.block)].sort(),
    warn: [...new Set(p.warn)].sort(),
    ignore: [...new Set(p.ignore)].sort(),
  });
  if (!c.ok) throw new PolicyError(`policy cannot be canonicalized: ${c.field}: ${c.reason}`);
  return c.bytes;
}

export function policyHash(p: Policy): string {
  return createHash('sha256').update(policyBytes(p)).digest('hex');
}

/** The severity overrides the findings collector applies. Patterns apply first; exact names win. */
export function severityOverrides(p: Policy): SeverityOverrides {
  const out: Record<string, Severity> = {};
  const lists: Array<[string[], (def: Severity) => Severity]> = [
    // Blocking never lowers a critical code.
    [p.block, (def) => (def === 'critical' ? 'critical' : 'error')],
    [p.warn, () => 'warning'],
    [p.ignore, () => 'info'],
  ];
  for (const exact of [false, true])
    for (const [list, sev] of lists)
      for (const entry of list) {
        if (entry.endsWith('*') === exact) continue;
        for (const code of expand(entry)) out[code] = sev(ALL_CODES[code]?.severity ?? 'error');
      }
  return out;
}

function expand(entry: string): string[] {
  if (!entry.endsWith('*')) return [entry];
  const prefix = entry.slice(0, -1);
  return Object.keys(ALL_CODES).filter((c) => c.startsWith(prefix));
}

function codes(v: unknown, key: string, err: (m: string) => PolicyError): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw err(`${key} must be a list of finding codes`);
  const out: string[] = [];
  for (const c of v) {
    if (typeof c !== 'string' || !CODE_RE.test(c))
      throw err(`${key}: ${JSON.stringify(c)} is not a finding code (UPPER_SNAKE, optionally ending in *)`);
    if (expand(c).every((x) => !(x in ALL_CODES)))
      throw err(`${key}: ${c} matches no finding code this version knows`);
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

function duration(v: unknown, key: string, err: (m: string) => PolicyError): number {
  if (v === 0) return 0;
  const m = typeof v === 'string' ? DURATION_RE.exec(v.trim()) : null;
  if (!m || m[1] === undefined)
    throw err(
      `${key} must be a duration like "7d", "12h", "30m", "90s" (whole numbers), not ${JSON.stringify(v)}`,
    );
  const unit = { d: DAY, h: 3600, m: 60, s: 1 }[(m[2] ?? 's') as 'd' | 'h' | 'm' | 's'];
  return Number(m[1]) * unit;
}

function bool(v: unknown, key: string, def: boolean, err: (m: string) => PolicyError): boolean {
  if (v === undefined || v === null) return def;
  if (typeof v !== 'boolean') throw err(`${key} must be true or false`);
  return v;
}

function record(v: unknown, what: string, err: (m: string) => PolicyError): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw err(`${what} must be a mapping`);
  return v as Record<string, unknown>;
}

function only(o: Record<string, unknown>, keys: string[], at: string, err: (m: string) => PolicyError): void {
  for (const k of Object.keys(o))
    if (!keys.includes(k)) throw err(`unknown key ${at}${k} (known: ${keys.join(', ')})`);
}

/** Seconds as a short duration for messages ("7d", "36h", "0s"). */
export function formatSeconds(s: number): string {
  if (s > 0 && s % DAY === 0) return `${s / DAY}d`;
  if (s > 0 && s % 3600 === 0) return `${s / 3600}h`;
  return `${s}s`;
}
