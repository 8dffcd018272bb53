// Timestamp → snapshot → targets (spec 5.4-5.6.6), each verified with the newest root's keys.
import type { TufContext } from './context.js';
import { checkExpiry, fillFromEnvelope, loadEnvelope, roleShell } from './load.js';
import {
  parseMetaMap,
  parseTargets,
  type Envelope,
  type MetaRef,
  type RootMeta,
  type TargetsMeta,
} from './metadata.js';
import { loadReferenced } from './referenced.js';
import type { RoleReport } from './report.js';
import { checkThreshold } from './signatures.js';

export interface TopLevelResult {
  timestamp: RoleReport;
  snapshot: RoleReport;
  targets: RoleReport;
  /** Snapshot meta (name → reference), for delegated roles; empty when snapshot is unusable. */
  snapshotMeta: Map<string, MetaRef | undefined>;
  targetsMeta: TargetsMeta | undefined;
  /** timestamp and snapshot verified: what the targets chain hangs from. */
  chainVerified: boolean;
}

function verifySigned(
  ctx: TufContext,
  env: Envelope,
  root: RootMeta,
  role: string,
  rep: RoleReport,
): boolean {
  const def = root.roles.get(role);
  rep.threshold = def?.threshold ?? null;
  rep.keyCount = def?.keyids.length ?? 0;
  if (!def) return false;
  const r = checkThreshold(ctx, env, def, root.keys, { findingRole: role, report: true });
  rep.validSigners = r.valid;
  rep.failedSigners = r.failed;
  rep.thresholdMet = r.met;
  if (!r.met)
    ctx.add(
      'TUF_THRESHOLD_NOT_MET',
      { path: env.path, role, ...(env.version !== undefined ? { version: env.version } : {}) },
      `${env.path}: ${r.valid.length} valid signature(s) of the ${role} role, threshold ${def.threshold ?? 'invalid'}`,
      {
        threshold: def.threshold ?? null,
        valid: r.valid,
        failed: r.failed.map((f) => `${f.keyid}: ${f.reason}`),
      },
    );
  return r.met;
}

export function verifyTopLevel(ctx: TufContext, root: RootMeta): TopLevelResult {
  const timestamp = roleShell('timestamp', 'timestamp');
  const snapshot = roleShell('snapshot', 'snapshot');
  const targets = roleShell('targets', 'targets');
  const out: TopLevelResult = {
    timestamp,
    snapshot,
    targets,
    snapshotMeta: new Map(),
    targetsMeta: undefined,
    chainVerified: false,
  };

  // 5.4.1: timestamp.json, always unversioned.
  const tr = loadEnvelope(ctx, 'timestamp.json', 'timestamp', 'timestamp');
  if (tr.kind === 'missing')
    ctx.add('TUF_FILE_MISSING', { path: 'timestamp.json', role: 'timestamp' }, 'timestamp.json is missing');
  if (tr.kind !== 'ok') return out;
  const ts = tr.env;
  const tsSigned = verifySigned(ctx, ts, root, 'timestamp', timestamp); // 5.4.2
  const tsExp = checkExpiry(ctx, ts, true); // 5.4.4
  fillFromEnvelope(timestamp, ts, tsExp);
  const tsMeta = parseMetaMap(ctx, ts);
  // The timestamp MUST describe only snapshot.json.
  for (const name of tsMeta.keys())
    if (name !== 'snapshot.json')
      ctx.add(
        'TUF_META_EXTRA',
        { path: ts.path, role: 'timestamp', field: `signed.meta.${name}` },
        `timestamp.json lists ${name}; timestamp meta should list only snapshot.json`,
      );
  const snapRef = tsMeta.get('snapshot.json');
  timestamp.verified = tsSigned && tsExp.expiredAtRef === false && ts.wellFormed;
  if (!snapRef) {
    if (!tsMeta.has('snapshot.json'))
      ctx.add(
        'TUF_META_MISSING',
        { path: ts.path, role: 'timestamp', field: 'signed.meta.snapshot.json' },
        'timestamp.json does not list snapshot.json',
      );
    return out;
  }

  // 5.5: snapshot.
  const sl = loadReferenced(
    ctx,
    'snapshot.json',
    snapRef,
    root.consistentSnapshot,
    'snapshot',
    'snapshot',
    'timestamp.json',
  );
  if (!sl.env) return out;
  const sn = sl.env;
  const snSigned = verifySigned(ctx, sn, root, 'snapshot', snapshot); // 5.5.3
  const snExp = checkExpiry(ctx, sn, true); // 5.5.6
  fillFromEnvelope(snapshot, sn, snExp);
  out.snapshotMeta = parseMetaMap(ctx, sn);
  snapshot.verified = snSigned && sl.linkOk && sl.nameOk && snExp.expiredAtRef === false && sn.wellFormed;
  out.chainVerified = timestamp.verified && snapshot.verified;

  // 5.6: top-level targets.
  const tgRef = out.snapshotMeta.get('targets.json');
  if (!tgRef) {
    if (!out.snapshotMeta.has('targets.json'))
      ctx.add(
        'TUF_META_MISSING',
        { path: sn.path, role: 'snapshot', field: 'signed.meta.targets.json' },
        `${sn.path} does not list targets.json`,
      );
    return out;
  }
  const tl = loadReferenced(
    ctx,
    'targets.json',
    tgRef,
    root.consistentSnapshot,
    'targets',
    'targets',
    sn.path,
  );
  if (!tl.env) return out;
  const tg = tl.env;
  const tgSigned = verifySigned(ctx, tg, root, 'targets', targets); // 5.6.3
  const tgExp = checkExpiry(ctx, tg, false); // 5.6.5
  fillFromEnvelope(targets, tg, tgExp);
  out.targetsMeta = parseTargets(ctx, tg);
  targets.verified = tgSigned && tl.linkOk && tl.nameOk && tgExp.expiredAtRef === false && tg.wellFormed;
  return out;
}
