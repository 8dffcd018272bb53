// Root history (spec 5.2-5.3): from the trusted root (or, without one, the oldest root in the
// archive) walk every N+1.root.json to the newest, as a device pinned to the anchor would.
import type { TufContext } from './context.js';
import { FAILED, parseJsonBytes, sha256Hex, type LoadedFile } from './json.js';
import { short } from './keys.js';
import { checkExpiry, fillFromEnvelope, loadEnvelope, roleShell } from './load.js';
import { parseEnvelope, parseRoot, TOP_LEVEL_ROLES, type RootMeta } from './metadata.js';
import type { AnchorInfo, RoleReport, RootLink } from './report.js';
import { checkThreshold, type RoleDef, type ThresholdResult } from './signatures.js';

export interface RootChainResult {
  anchor: AnchorInfo;
  /** The newest root a device reaches (or would reach if the broken links were sound). */
  newest: RootMeta | undefined;
  links: RootLink[];
  intact: boolean;
  /** Every root parsed, by version (custody uses older roots to recognise rotated-out keys). */
  roots: Map<number, RootMeta>;
  report: RoleReport;
}

const MISSING_LIST_CAP = 50;

export function verifyRootChain(
  ctx: TufContext,
  trusted: { path: string; data: Buffer } | undefined,
): RootChainResult {
  const report = roleShell('root', 'root');
  const roots = new Map<number, RootMeta>();
  const links: RootLink[] = [];

  // Candidate files N.root.json (5.3.3: the name is VERSION.root.json).
  const candidates = new Map<number, string>();
  for (const p of ctx.src.list()) {
    const m = /^([1-9][0-9]{0,14})\.root\.json$/.exec(p);
    if (m?.[1]) candidates.set(Number(m[1]), p);
  }
  let versions = [...candidates.keys()].sort((a, b) => a - b);
  if (versions.length > ctx.limits.maxRootVersions) {
    ctx.limit('maxRootVersions', { role: 'root' }, `${versions.length} root versions are present`);
    versions = versions.slice(0, ctx.limits.maxRootVersions);
  }

  const parsed = new Map<string, RootMeta | null>();
  const parseAt = (path: string): RootMeta | null => {
    const c = parsed.get(path);
    if (c !== undefined) return c;
    const r = loadEnvelope(ctx, path, 'root', 'root');
    const meta = r.kind === 'ok' ? parseRoot(ctx, r.env) : null;
    if (r.kind === 'missing') ctx.add('TUF_FILE_MISSING', { path, role: 'root' }, `${path} is missing`);
    parsed.set(path, meta);
    return meta;
  };

  // root.json: a copy of the newest root. If its version has no N.root.json, it stands in for it.
  const maxVersioned = versions.length > 0 ? versions[versions.length - 1] : undefined;
  // Parsed only when it is not byte-identical to the newest versioned root (no double findings).
  let rootJson: RootMeta | null | undefined;
  const rjFile = ctx.src.get('root.json');
  if (rjFile) {
    const maxPath = maxVersioned !== undefined ? candidates.get(maxVersioned) : undefined;
    const maxData = maxPath !== undefined ? ctx.src.get(maxPath)?.data : undefined;
    if (
      rjFile.data &&
      maxData &&
      rjFile.data.length <= ctx.limits.maxMetadataBytes &&
      rjFile.data.equals(maxData)
    )
      ctx.used.add('root.json');
    else rootJson = parseAt('root.json');
  }
  if (rootJson && rootJson.env.version !== undefined && !candidates.has(rootJson.env.version)) {
    const v = rootJson.env.version;
    if (maxVersioned === undefined || v > maxVersioned) {
      ctx.add(
        'TUF_ROOT_VERSION_MISSING',
        { path: `${v}.root.json`, role: 'root', version: v },
        `root.json holds root version ${v} but ${v}.root.json is absent: devices look for ${v}.root.json to update (5.3.3)`,
        { from: v, to: v, count: 1 },
      );
      candidates.set(v, 'root.json');
      versions.push(v);
    }
  }

  // Anchor (5.2): the trusted root from the operator, else the oldest root in the archive.
  let anchorMeta: RootMeta | undefined;
  let anchor: AnchorInfo = { kind: 'none', path: null, version: null, description: 'no root metadata found' };
  let anchorOk = false;
  if (trusted) {
    const t = loadTrusted(ctx, trusted);
    if (t) {
      anchorMeta = t.meta;
      anchorOk = t.selfSigned;
      anchor = {
        kind: 'trusted-root',
        path: trusted.path,
        version: t.meta.env.version ?? null,
        description: `trusted root ${trusted.path} (version ${t.meta.env.version ?? '?'}), supplied by the operator`,
      };
    }
  }
  if (!anchorMeta) {
    const first = versions[0];
    const path = first !== undefined ? candidates.get(first) : undefined;
    const meta = path !== undefined ? parseAt(path) : null;
    if (!path) {
      ctx.add(
        'TUF_FILE_MISSING',
        { path: '1.root.json', role: 'root' },
        'no root metadata (N.root.json or root.json) is present',
      );
    } else if (meta) {
      anchorMeta = meta;
      const self = meta.roles.get('root');
      const r = self
        ? checkThreshold(ctx, meta.env, self, meta.keys, { findingRole: 'root', report: true })
        : undefined;
      anchorOk = r?.met ?? false;
      if (!anchorOk)
        ctx.add(
          'TUF_ROOT_NOT_SELF_SIGNED',
          { path, role: 'root', ...(meta.env.version !== undefined ? { version: meta.env.version } : {}) },
          `${path}: the anchor root is not signed by a threshold of its own root keys`,
          thresholdDetail(r),
        );
      anchor = {
        kind: 'oldest-in-archive',
        path,
        version: meta.env.version ?? null,
        description: `NO TRUSTED ROOT GIVEN: anchored on the oldest root in the archive, ${path} (version ${meta.env.version ?? '?'}). This proves the history is consistent, not that it is the one devices trust.`,
      };
      ctx.add('TUF_ANCHOR_UNTRUSTED', { path, role: 'root' }, anchor.description);
      // Without a trusted root, every version from 1 must be present (devices may hold any).
      if (first !== undefined && first > 1) reportGap(ctx, 1, first - 1);
    }
  }
  if (!anchorMeta) return { anchor, newest: undefined, links, intact: false, roots, report };

  const anchorVersion =
    anchorMeta.env.version ?? (anchor.kind === 'oldest-in-archive' ? (versions[0] ?? 0) : 0);
  roots.set(anchorVersion, anchorMeta);
  if (anchor.kind === 'trusted-root') {
    const samePath = candidates.get(anchorVersion);
    const same = samePath !== undefined ? parseAt(samePath) : null;
    if (
      same &&
      anchorMeta.env.canonical &&
      same.env.canonical &&
      !same.env.canonical.equals(anchorMeta.env.canonical)
    )
      ctx.add(
        'TUF_TRUSTED_ROOT_MISMATCH',
        { path: samePath, role: 'root', version: anchorVersion },
        `${samePath ?? ''} differs from the trusted root of the same version: this history is not the one devices trust`,
      );
    const newestAvail = versions.length > 0 ? Math.max(...versions) : 0;
    if (anchorVersion > newestAvail)
      ctx.add(
        'TUF_TRUSTED_ROOT_NEWER',
        { role: 'root', version: anchorVersion },
        `the trusted root is version ${anchorVersion}, newer than every root in the archive (newest ${newestAvail || 'none'})`,
      );
  }

  // 5.3.3-5.3.9: each N+1 after the anchor, in order.
  let prev: RootMeta | undefined = anchorMeta;
  let prevVersion = anchorVersion;
  let intact = anchorOk;
  for (const v of versions) {
    if (v <= anchorVersion) continue;
    const path = candidates.get(v) ?? `${v}.root.json`;
    const gap = v > prevVersion + 1;
    if (gap) reportGap(ctx, prevVersion + 1, v - 1);
    const missingBefore: number[] = [];
    for (let m = prevVersion + 1; m < v && missingBefore.length < MISSING_LIST_CAP; m++)
      missingBefore.push(m);
    const meta = parseAt(path);
    const link: RootLink = {
      version: v,
      path,
      signedByPrevious: null,
      selfSigned: false,
      versionMatches: false,
      missingBefore,
      missingBeforeCount: Math.max(0, v - prevVersion - 1),
      rotated: [],
      validSignersPrevious: [],
      validSignersOwn: [],
      ok: false,
    };
    links.push(link);
    if (!meta) {
      // Unreadable: the next version cannot be checked against it either.
      intact = false;
      prev = undefined;
      prevVersion = v;
      continue;
    }
    roots.set(v, meta);
    const loc = { path, role: 'root', version: v };
    // 5.3.5: the new root's version must be exactly N+1 (here: what its file name says).
    link.versionMatches = meta.env.version === v;
    if (!link.versionMatches)
      ctx.add(
        'TUF_ROOT_VERSION_MISMATCH',
        { ...loc, field: 'signed.version' },
        `${path} holds version ${meta.env.version ?? '?'}, not ${v}: a device updating from ${v - 1} rejects it (5.3.5)`,
        { expected: v, found: meta.env.version ?? null },
      );
    const ownRole = meta.roles.get('root');
    const prevRole = prev?.roles.get('root');
    // 5.3.4 (2): a threshold of the new root's own keys.
    const own = ownRole
      ? checkThreshold(ctx, meta.env, ownRole, meta.keys, {
          findingRole: 'root',
          report: true,
          alsoExpected: new Set(prevRole?.keyids ?? []),
        })
      : undefined;
    link.selfSigned = own?.met ?? false;
    link.validSignersOwn = own?.valid ?? [];
    if (!link.selfSigned)
      ctx.add(
        'TUF_ROOT_NOT_SELF_SIGNED',
        loc,
        `${path}: root ${v} is not signed by a threshold of its own root keys (5.3.4)`,
        thresholdDetail(own),
      );
    // 5.3.4 (1): a threshold of the previous root's root keys (not checkable across a gap).
    if (prev && !gap) {
      const byPrev = prevRole
        ? checkThreshold(ctx, meta.env, prevRole, prev.keys, {
            findingRole: 'root',
            report: true,
            alsoExpected: new Set(ownRole?.keyids ?? []),
          })
        : undefined;
      link.signedByPrevious = byPrev?.met ?? false;
      link.validSignersPrevious = byPrev?.valid ?? [];
      if (!link.signedByPrevious)
        ctx.add(
          'TUF_ROOT_NOT_SIGNED_BY_PREVIOUS',
          loc,
          `${path}: root ${v} is not signed by a threshold of root ${prevVersion}'s root keys; devices on ${prevVersion} cannot rotate to it (5.3.4)`,
          thresholdDetail(byPrev),
        );
      link.rotated = rotatedRoles(prev, meta);
    }
    link.ok =
      !gap &&
      link.versionMatches &&
      link.selfSigned &&
      link.signedByPrevious === true &&
      meta.env.wellFormed &&
      meta.complete;
    if (!link.ok) intact = false;
    prev = meta;
    prevVersion = v;
  }

  // The newest root (5.3.7/5.3.10): the last root read in the walk.
  let newest: RootMeta | undefined = anchorMeta;
  for (const l of links) {
    const m = roots.get(l.version);
    if (m) newest = m;
  }

  // root.json must equal the newest versioned root.
  if (rootJson) {
    const newestPath = newest.env.path;
    if (newestPath !== 'root.json' && !rootJson.env.file.bytes.equals(newest.env.file.bytes))
      ctx.add(
        'TUF_ROOT_JSON_MISMATCH',
        {
          path: 'root.json',
          role: 'root',
          ...(rootJson.env.version !== undefined ? { version: rootJson.env.version } : {}),
        },
        `root.json (version ${rootJson.env.version ?? '?'}) is not identical to the newest root ${newestPath} (version ${newest.env.version ?? '?'})`,
        { rootJsonVersion: rootJson.env.version ?? null, newestVersion: newest.env.version ?? null },
      );
  }

  // Report of the newest root: its own threshold, and expiry (5.3.10: only the newest counts).
  const ownRole = newest.roles.get('root');
  const own = ownRole
    ? checkThreshold(ctx, newest.env, ownRole, newest.keys, { findingRole: 'root', report: false })
    : undefined;
  const exp = checkExpiry(ctx, newest.env, false);
  fillFromEnvelope(report, newest.env, exp);
  report.threshold = ownRole?.threshold ?? null;
  report.keyCount = ownRole?.keyids.length ?? 0;
  report.validSigners = own?.valid ?? [];
  report.failedSigners = own?.failed ?? [];
  report.thresholdMet = own?.met ?? false;
  report.verified =
    intact && report.thresholdMet && exp.expiredAtRef === false && newest.env.wellFormed && newest.complete;
  return { anchor, newest, links, intact, roots, report };
}

function reportGap(ctx: TufContext, from: number, to: number): void {
  const count = to - from + 1;
  ctx.add(
    'TUF_ROOT_VERSION_MISSING',
    { path: `${from}.root.json`, role: 'root', version: from },
    count === 1
      ? `${from}.root.json is missing: devices pinned below root ${from + 1} cannot update (5.3.3)`
      : `${from}.root.json … ${to}.root.json (${count} versions) are missing: devices pinned below root ${to + 1} cannot update (5.3.3)`,
    { from, to, count },
  );
}

function thresholdDetail(r: ThresholdResult | undefined): { [k: string]: string | number | null | string[] } {
  if (!r) return { threshold: null, valid: [], reason: 'the root role is not defined' };
  return {
    threshold: r.threshold,
    validCount: r.valid.length,
    valid: r.valid,
    failed: r.failed.map((f) => `${short(f.keyid)}: ${f.reason}`),
  };
}

/** Top-level roles whose key material or threshold changed (5.3.11: devices drop cached timestamp/snapshot). */
function rotatedRoles(a: RootMeta, b: RootMeta): string[] {
  const out: string[] = [];
  for (const name of TOP_LEVEL_ROLES) {
    const ra = a.roles.get(name);
    const rb = b.roles.get(name);
    if (!ra || !rb) continue;
    if (ra.threshold !== rb.threshold || materials(ra, a) !== materials(rb, b)) out.push(name);
  }
  return out;
}

function materials(r: RoleDef, m: RootMeta): string {
  return r.keyids
    .map((k) => m.keys.get(k)?.fingerprint ?? `?${k}`)
    .sort()
    .join(',');
}

function loadTrusted(
  ctx: TufContext,
  trusted: { path: string; data: Buffer },
): { meta: RootMeta; selfSigned: boolean } | undefined {
  const loc = { path: trusted.path, role: 'root' };
  if (trusted.data.length > ctx.limits.maxMetadataBytes) {
    ctx.limit('maxMetadataBytes', loc, `the trusted root is ${trusted.data.length} bytes`);
    ctx.add(
      'TUF_TRUSTED_ROOT_INVALID',
      loc,
      `the trusted root ${trusted.path} is too large; anchoring on the archive instead`,
    );
    return undefined;
  }
  const value = parseJsonBytes(ctx, trusted.data, loc);
  if (value === FAILED) {
    ctx.add(
      'TUF_TRUSTED_ROOT_INVALID',
      loc,
      `the trusted root ${trusted.path} is not valid JSON; anchoring on the archive instead`,
    );
    return undefined;
  }
  const file: LoadedFile = {
    path: trusted.path,
    bytes: trusted.data,
    sha256: sha256Hex(trusted.data),
    value,
  };
  const env = parseEnvelope(ctx, file, 'root', 'root');
  if (!env) {
    ctx.add(
      'TUF_TRUSTED_ROOT_INVALID',
      loc,
      `the trusted root ${trusted.path} is not root metadata; anchoring on the archive instead`,
    );
    return undefined;
  }
  const meta = parseRoot(ctx, env);
  const self = meta.roles.get('root');
  // Clients verify even the bootstrap root against its own keys before trusting it.
  const r = self
    ? checkThreshold(ctx, env, self, meta.keys, { findingRole: 'root', report: true })
    : undefined;
  const selfSigned = r?.met ?? false;
  if (!selfSigned || !env.wellFormed || env.role !== 'root') {
    ctx.add(
      'TUF_TRUSTED_ROOT_INVALID',
      loc,
      `the trusted root ${trusted.path} is not signed by a threshold of its own root keys; anchoring on the archive instead`,
      thresholdDetail(r),
    );
    return undefined;
  }
  return { meta, selfSigned };
}
