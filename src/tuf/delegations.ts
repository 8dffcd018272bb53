// Delegated targets (spec 5.6.7): load every role the delegation graph reaches, verify each
// against the keys and threshold of its delegation, then resolve every listed target with the
// pre-order depth-first search a device performs, so each target has exactly one signing role.
import { createHash } from 'node:crypto';
import type { TufContext } from './context.js';
import { matchPathPattern } from './glob.js';
import { short } from './keys.js';
import { checkExpiry, fillFromEnvelope, roleShell } from './load.js';
import { parseTargets, type DelegatedRoleDef, type MetaRef, type TargetsMeta } from './metadata.js';
import { loadReferenced } from './referenced.js';
import type { DelegationReport, ResolvedTarget, RoleReport } from './report.js';
import { checkThreshold } from './signatures.js';

export interface GraphRole {
  name: string;
  meta: TargetsMeta | undefined;
  report: RoleReport;
  /** This role and every role above it verified. */
  verified: boolean;
}

export interface DelegationGraph {
  roles: Map<string, GraphRole>;
  edges: DelegationReport[];
}

export function walkDelegations(
  ctx: TufContext,
  top: { targetsMeta: TargetsMeta | undefined; targets: RoleReport; chainVerified: boolean },
  rootVerified: boolean,
  snapshotMeta: Map<string, MetaRef | undefined>,
  snapshotPath: string,
  consistent: boolean,
): DelegationGraph {
  const roles = new Map<string, GraphRole>();
  const edges: DelegationReport[] = [];
  roles.set('targets', {
    name: 'targets',
    meta: top.targetsMeta,
    report: top.targets,
    verified: rootVerified && top.chainVerified && top.targets.verified,
  });
  const stack: string[] = [];
  const maxEdges = ctx.limits.maxDelegatedRoles * 4;

  const load = (d: DelegatedRoleDef, parent: GraphRole): GraphRole => {
    const rep = roleShell(d.name, 'delegated');
    rep.delegatedBy = parent.name;
    const g: GraphRole = { name: d.name, meta: undefined, report: rep, verified: false };
    const fname = `${d.name}.json`;
    const ref = snapshotMeta.get(fname);
    if (!ref) {
      if (!snapshotMeta.has(fname))
        ctx.add(
          'TUF_META_MISSING',
          { path: snapshotPath, role: d.name, field: `signed.meta.${fname}` },
          `${snapshotPath} does not list ${fname}, delegated by ${parent.name}: devices cannot fetch it`,
        );
      return g;
    }
    const l = loadReferenced(ctx, fname, ref, consistent, 'targets', d.name, snapshotPath);
    if (!l.env) return g;
    const exp = checkExpiry(ctx, l.env, false); // 5.6.5 for delegated roles
    fillFromEnvelope(rep, l.env, exp);
    g.meta = parseTargets(ctx, l.env);
    rep.verified = l.linkOk && l.nameOk && exp.expiredAtRef === false && l.env.wellFormed;
    return g;
  };

  const visit = (parent: GraphRole): void => {
    const pm = parent.meta;
    if (!pm) return;
    stack.push(parent.name);
    for (const d of pm.delegations) {
      if (!d.usable) continue;
      if (edges.length >= maxEdges) {
        ctx.limit('maxDelegatedRoles', { path: pm.env.path }, `more than ${maxEdges} delegations`);
        break;
      }
      const edge: DelegationReport = {
        delegator: parent.name,
        name: d.name,
        threshold: d.threshold ?? null,
        keyids: d.keyids,
        terminating: d.terminating,
        paths: d.paths ?? null,
        pathHashPrefixes: d.pathHashPrefixes ?? null,
        thresholdMet: false,
        validSigners: [],
        failedSigners: [],
      };
      edges.push(edge);
      const cycle = stack.includes(d.name);
      if (cycle)
        ctx.addOnce(
          `${parent.name}|${d.name}`,
          'TUF_DELEGATION_CYCLE',
          { path: pm.env.path, role: d.name },
          `${pm.env.path}: ${parent.name} delegates to ${d.name}, which is already on the delegation path ${[...stack, d.name].join(' → ')}`,
        );
      let child = roles.get(d.name);
      let fresh = false;
      if (!child) {
        if (roles.size > ctx.limits.maxDelegatedRoles) {
          ctx.limit(
            'maxDelegatedRoles',
            { path: pm.env.path, role: d.name },
            `more than ${ctx.limits.maxDelegatedRoles} delegated roles`,
          );
          break;
        }
        child = load(d, parent);
        roles.set(d.name, child);
        fresh = true;
      }
      const cm = child.meta;
      if (cm) {
        // 5.6.3 applied to delegated roles: a threshold of the delegation's keys.
        const r = checkThreshold(ctx, cm.env, d, pm.delegationKeys, { findingRole: d.name, report: true });
        edge.thresholdMet = r.met;
        edge.validSigners = r.valid;
        edge.failedSigners = r.failed;
        if (!r.met)
          ctx.add(
            'TUF_THRESHOLD_NOT_MET',
            {
              path: cm.env.path,
              role: d.name,
              ...(cm.env.version !== undefined ? { version: cm.env.version } : {}),
            },
            `${cm.env.path}: ${r.valid.length} valid signature(s) for ${d.name} as delegated by ${parent.name}, threshold ${d.threshold ?? 'invalid'}`,
            {
              delegator: parent.name,
              threshold: d.threshold ?? null,
              valid: r.valid,
              failed: r.failed.map((f) => `${short(f.keyid)}: ${f.reason}`),
            },
          );
        if (fresh) {
          const rep = child.report;
          rep.threshold = d.threshold ?? null;
          rep.keyCount = d.keyids.length;
          rep.validSigners = r.valid;
          rep.failedSigners = r.failed;
          rep.thresholdMet = r.met;
          rep.verified = rep.verified && r.met;
          child.verified = rep.verified && parent.verified;
        }
      }
      if (fresh && !cycle) visit(child);
    }
    stack.pop();
  };
  const t = roles.get('targets');
  if (t) visit(t);
  return { roles, edges };
}

/** Does delegation `d` cover target `path` (paths glob or path_hash_prefixes)? */
export function delegationMatches(d: DelegatedRoleDef, path: string): boolean {
  if (d.paths) return d.paths.some((p) => matchPathPattern(p, path));
  if (d.pathHashPrefixes) {
    const h = createHash('sha256').update(path, 'utf8').digest('hex');
    return d.pathHashPrefixes.some((p) => h.startsWith(p));
  }
  return false;
}

type SearchResult =
  | { kind: 'found'; role: string }
  | { kind: 'stopped'; reason: 'terminating' | 'unavailable' | 'bound'; at: string }
  | { kind: 'none' };

export interface Resolution {
  targets: ResolvedTarget[];
  /** Listings counted (all roles). */
  listed: number;
  /** Resolved targets before the report cap. */
  total: number;
  truncated: boolean;
}

/**
 * Resolve every target listed by any role as a device would (5.6.7: pre-order depth-first from
 * the top-level targets, delegations in order, visited roles skipped, terminating delegations
 * end the search, at most maxDelegationSearch roles visited), and report listings devices never use.
 */
export function resolveTargets(ctx: TufContext, graph: DelegationGraph): Resolution {
  const memo = new Map<string, SearchResult>();
  let work = 0;
  const workBound = 5_000_000;
  const search = (path: string): SearchResult => {
    const m = memo.get(path);
    if (m) return m;
    const visited = new Set<string>();
    const find = (name: string): SearchResult | undefined => {
      if (visited.has(name)) return undefined; // 5.6.7.1: skip roles visited before (cycles)
      visited.add(name);
      if (visited.size > ctx.limits.maxDelegationSearch)
        return { kind: 'stopped', reason: 'bound', at: name };
      const role = graph.roles.get(name);
      if (!role?.meta) return { kind: 'stopped', reason: 'unavailable', at: name };
      if (role.meta.targets.has(path)) return { kind: 'found', role: name };
      for (const d of role.meta.delegations) {
        if (!d.usable) continue;
        if (++work > workBound) return { kind: 'stopped', reason: 'bound', at: name };
        if (!delegationMatches(d, path)) continue;
        const r = find(d.name); // 5.6.7.2: recurse in order of appearance
        if (r) return r;
        if (d.terminating) return { kind: 'stopped', reason: 'terminating', at: d.name }; // 5.6.7.2.1
      }
      return undefined;
    };
    const r = find('targets') ?? { kind: 'none' };
    memo.set(path, r);
    return r;
  };
  // Is `role` reachable for `path` through delegations that all cover it (ignoring priority)?
  const authorized = (role: string, path: string): boolean => {
    if (role === 'targets') return true;
    const seen = new Set<string>();
    const stack = ['targets'];
    while (stack.length > 0) {
      const n = stack.pop() ?? '';
      if (seen.has(n)) continue;
      seen.add(n);
      const gm = graph.roles.get(n)?.meta;
      if (!gm) continue;
      for (const d of gm.delegations) {
        if (++work > workBound) return true; // cannot tell: do not accuse
        if (!d.usable || !delegationMatches(d, path)) continue;
        if (d.name === role) return true;
        stack.push(d.name);
      }
    }
    return false;
  };

  const out: ResolvedTarget[] = [];
  let listed = 0;
  let boundReported = false;
  for (const role of graph.roles.values()) {
    const meta = role.meta;
    if (!meta) continue;
    for (const [path, entry] of meta.targets) {
      listed++;
      if (work > workBound && !boundReported) {
        boundReported = true;
        ctx.limit('maxDelegationSearch', { role: role.name }, 'target resolution took too many steps');
      }
      const r = search(path);
      const loc = {
        path: meta.env.path,
        role: role.name,
        ...(meta.env.version !== undefined ? { version: meta.env.version } : {}),
        field: `signed.targets.${path}`,
      };
      if (r.kind === 'found' && r.role === role.name) {
        if (entry)
          out.push({
            path,
            length: entry.length,
            hashes: Object.fromEntries([...entry.hashes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
            role: role.name,
            verified: role.verified,
          });
        continue;
      }
      if (!authorized(role.name, path)) {
        ctx.add(
          'TUF_TARGET_NOT_DELEGATED',
          loc,
          `${meta.env.path}: ${role.name} lists ${path}, which no delegation chain grants it: devices ignore this entry`,
        );
        continue;
      }
      if (r.kind === 'found') {
        const other = graph.roles.get(r.role)?.meta?.targets.get(path);
        const same =
          other !== undefined &&
          entry !== undefined &&
          other.length === entry.length &&
          [...entry.hashes].every(([a, h]) => other.hashes.get(a) === h);
        ctx.add(
          'TUF_TARGET_SHADOWED',
          loc,
          `${meta.env.path}: ${role.name} lists ${path}, but devices take it from ${r.role}, which comes first${same ? ' (same length and hashes)' : ' (with DIFFERENT length or hashes)'}`,
          { providedBy: r.role, sameContent: same },
        );
        continue;
      }
      const why =
        r.kind === 'stopped'
          ? r.reason === 'terminating'
            ? `the search stops at the terminating delegation ${r.at}`
            : r.reason === 'unavailable'
              ? `the search reaches ${r.at}, whose metadata is unavailable`
              : `the search exceeds ${ctx.limits.maxDelegationSearch} roles at ${r.at}`
          : 'the search does not reach it';
      ctx.add(
        'TUF_TARGET_UNRESOLVED',
        loc,
        `${meta.env.path}: ${role.name} lists ${path}, but ${why}: devices cannot install it`,
        {
          reason: r.kind === 'stopped' ? r.reason : 'none',
          at: r.kind === 'stopped' ? r.at : null,
        },
      );
    }
  }
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const cap = ctx.limits.maxTargets;
  return { targets: out.slice(0, cap), listed, total: out.length, truncated: out.length > cap };
}
