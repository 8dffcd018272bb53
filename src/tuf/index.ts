// Public entry point of the TUF verifier: verify the repository in a backup as a device would,
// and account for every key. The result is described in src/tuf/report.ts.
import type { FileSource } from '../files/source.js';
import type { Findings } from '../findings/collector.js';
import { TufContext } from './context.js';
import { checkCustody, type CustodyResult } from './custody.js';
import { resolveTargets, walkDelegations, type DelegationGraph, type Resolution } from './delegations.js';
import { DEFAULT_TUF_LIMITS, type TufLimits } from './limits.js';
import { verifyRootChain, type RootChainResult } from './root-chain.js';
import type { ResolvedTarget, RoleReport, TufReport } from './report.js';
import { verifyTopLevel, type TopLevelResult } from './top-level.js';

export type {
  TufReport,
  RoleReport,
  RootLink,
  ResolvedTarget,
  KeyCustody,
  DelegationReport,
} from './report.js';
export type { TufLimits } from './limits.js';
export { DEFAULT_TUF_LIMITS } from './limits.js';
export type { Style } from './style.js';
export { PLAIN_STYLE } from './style.js';
export { renderTufText } from './render.js';
export { TUF_CODES } from './codes.js';

export interface TufInput {
  /** The metadata folder (tuf/metadata in a backup). */
  metadata: FileSource;
  /** The online key folder (tuf/keys in a backup): every file is examined. */
  keys?: FileSource;
  /** Other PEM private keys found in the archive (e.g. certs/*.key), checked for TUF role keys. */
  extraPrivateKeys?: Array<{ path: string; data: Buffer }>;
  /** The root devices were provisioned with, kept outside the backup. */
  trustedRoot?: { path: string; data: Buffer };
}

export interface TufOptions {
  /** Reference time: expiry is judged here (e.g. when the backup was taken). */
  at: Date;
  /** Wall-clock now: expiry by now is information for a restore. */
  now: Date;
  /** Warn about metadata that expires within this many ms of `now`. */
  expiringWithinMs?: number;
  findings: Findings;
  limits?: Partial<TufLimits>;
}

/** Verify a TUF repository. Never throws for bad input: every problem is a finding. */
export function verifyTuf(input: TufInput, opts: TufOptions): TufReport {
  const limits: TufLimits = { ...DEFAULT_TUF_LIMITS, ...opts.limits };
  const findings = opts.findings;
  const mark = findings.list.length;
  const droppedMark = findings.dropped;
  const ctx = new TufContext(input.metadata, findings, limits, opts.at, opts.now, opts.expiringWithinMs);
  let top: TopLevelResult | undefined;
  let graph: DelegationGraph | undefined;
  let resolution: Resolution | undefined;
  let custody: CustodyResult | undefined;
  const unreferenced: string[] = [];
  const phase = <T>(id: string, title: string, fn: () => T): T | undefined => {
    const m = findings.mark();
    try {
      const r = fn();
      findings.check(id, 'tuf', title, findings.statusSince(m, false));
      return r;
    } catch (e) {
      // A bug must not hide the rest of the report: record it and go on.
      ctx.add('RUN_INTERNAL_ERROR', {}, `TUF ${title}: ${e instanceof Error ? e.message : String(e)}`);
      findings.check(id, 'tuf', title, 'failed', 'internal error');
      return undefined;
    }
  };

  const chain: RootChainResult | undefined = phase(
    'tuf.root',
    'root history from the anchor to the newest root (5.3)',
    () => verifyRootChain(ctx, input.trustedRoot),
  );
  const newest = chain?.newest;
  if (newest) {
    top = phase('tuf.top-level', 'timestamp → snapshot → targets (5.4-5.6)', () =>
      verifyTopLevel(ctx, newest),
    );
    const t = top;
    if (t) {
      graph = phase('tuf.delegations', 'delegated targets roles (5.6.7)', () =>
        walkDelegations(
          ctx,
          t,
          chain?.report.verified ?? false,
          t.snapshotMeta,
          t.snapshot.path ?? 'snapshot.json',
          newest.consistentSnapshot,
        ),
      );
      const g = graph;
      if (g) {
        resolution = phase('tuf.targets', 'every target resolves to the role that signs it (5.6.7)', () => {
          const r = resolveTargets(ctx, g);
          reportSnapshotExtras(ctx, t, g);
          return r;
        });
      }
    }
  } else {
    for (const [id, title] of [
      ['tuf.top-level', 'timestamp → snapshot → targets (5.4-5.6)'],
      ['tuf.delegations', 'delegated targets roles (5.6.7)'],
      ['tuf.targets', 'every target resolves to the role that signs it (5.6.7)'],
    ] as const)
      findings.check(id, 'tuf', title, 'skipped', 'no usable root metadata');
  }
  if (input.keys || (input.extraPrivateKeys?.length ?? 0) > 0) {
    const c = chain;
    custody = phase(
      'tuf.keys',
      'key custody: online keys match the root, no offline key in the archive',
      () => checkCustody(ctx, input.keys, input.extraPrivateKeys ?? [], newest, c?.roots ?? new Map(), graph),
    );
  } else findings.check('tuf.keys', 'tuf', 'key custody', 'skipped', 'no key folder given');

  phase('tuf.files', 'every metadata file is accounted for; repository-wide quirks', () => {
    ctx.flushAggregates();
    for (const p of input.metadata.list()) {
      if (ctx.used.has(p) || /^[1-9][0-9]*\.root\.json$/.test(p)) continue;
      if (unreferenced.length < 1000) unreferenced.push(p);
      if (unreferenced.length <= 100)
        ctx.add('TUF_FILE_UNREFERENCED', { path: p }, `${p} is not referenced by the verified metadata`);
    }
  });
  ctx.flushAggregates(); // no-op unless the phase above failed

  const roles: RoleReport[] = [];
  if (chain) roles.push(chain.report);
  if (top) roles.push(top.timestamp, top.snapshot, top.targets);
  if (graph) for (const g of graph.roles.values()) if (g.name !== 'targets') roles.push(g.report);

  const added = findings.list.slice(mark);
  const count = (s: string): number => added.filter((f) => f.severity === s).length;
  const summary = {
    critical: count('critical'),
    errors: count('error'),
    warnings: count('warning'),
    infos: count('info'),
    dropped: findings.dropped - droppedMark,
    ok: false,
  };
  // Findings dropped at the collector's cap are of unknown severity: never call that a pass.
  summary.ok = summary.critical === 0 && summary.errors === 0 && summary.dropped === 0;
  return {
    source: input.metadata.description,
    at: iso(opts.at),
    now: iso(opts.now),
    expiringWithinMs: opts.expiringWithinMs ?? null,
    anchor: chain?.anchor ?? {
      kind: 'none',
      path: null,
      version: null,
      description: 'root history not verified',
    },
    newestRootVersion: newest?.env.version ?? null,
    rootPath: chain?.links ?? [],
    rootChainIntact: chain?.intact ?? false,
    consistentSnapshot: newest ? newest.consistentSnapshot : null,
    roles,
    delegations: graph?.edges ?? [],
    targets: resolution?.targets ?? [],
    targetsCount: resolution?.total ?? 0,
    targetsTruncated: resolution?.truncated ?? false,
    metadataFiles: ctx.fileHashes.slice(0, 10_000),
    keys: custody?.keys ?? null,
    onlineRoles: custody?.onlineRoles ?? null,
    unreferencedFiles: unreferenced,
    summary,
  };
}

/** Snapshot meta entries that no role reaches (sigstore lists root.json and others): a warning. */
function reportSnapshotExtras(ctx: TufContext, top: TopLevelResult, graph: DelegationGraph): void {
  const snapPath = top.snapshot.path;
  if (!snapPath) return;
  for (const name of top.snapshotMeta.keys()) {
    if (name === 'targets.json') continue;
    const role = name.endsWith('.json') ? name.slice(0, -5) : name;
    if (graph.roles.has(role)) continue;
    ctx.add(
      'TUF_META_EXTRA',
      { path: snapPath, role: 'snapshot', field: `signed.meta.${name}` },
      `${snapPath} lists ${name}, which no delegation reaches`,
    );
  }
}

function iso(d: Date): string {
  return Number.isNaN(d.getTime()) ? 'invalid date' : d.toISOString();
}

/** Resolved targets by path, for cross-checks (a Map, so any path string is safe as a key). */
export function targetsByPath(report: TufReport): Map<string, ResolvedTarget> {
  return new Map(report.targets.map((t) => [t.path, t]));
}
