// Step 2, every pinned device can update: for each root version a device may have been
// provisioned with, walk the root history to the newest root as a TUF client does (5.3), then
// timestamp → snapshot → targets → delegations, and resolve the targets devices will ask for to
// their signed length and hashes.
import type { FileSource } from '../files/source.js';
import type { Finding, Location } from '../findings/types.js';
import { targetsByPath, type ResolvedTarget } from '../tuf/index.js';
import type { CollectedTable } from '../verify/table-rows.js';
import { text } from '../verify/table-rows.js';
import {
  blocking,
  causeOf,
  causesJson,
  intOf,
  readJson,
  signedOf,
  tufRun,
  type DrillRun,
  type TufRun,
} from './context.js';
import type { Cause, DevicesResult, PinnedResult, TargetResult, UpdateStep } from './types.js';

/** Target results kept in the section (findings are bounded by the collector). */
const MAX_TARGET_RESULTS = 10_000;
const TOP_LEVEL = new Set(['root', 'timestamp', 'snapshot', 'targets']);

interface Blocked {
  step: UpdateStep;
  reason: string;
  causes: Cause[];
}

export function drillDevices(
  run: DrillRun,
  metadata: FileSource,
  resigned: boolean,
  newestKnown: number | null,
): DevicesResult {
  const f = run.ctx.findings;
  const result: DevicesResult = {
    metadata: resigned ? 're-signed' : 'as backed up',
    newestRootVersion: null,
    pinned: [],
    targets: [],
    targetsTruncated: false,
  };

  // Every root a device may hold: the versioned files, root.json's version, the operator's root.
  const files = new Map<number, { path: string; data: Buffer; source: string }>();
  for (const p of metadata.list()) {
    const m = /^([1-9][0-9]{0,14})\.root\.json$/.exec(p);
    const data = m?.[1] !== undefined ? metadata.get(p)?.data : undefined;
    if (m?.[1] !== undefined && data) files.set(Number(m[1]), { path: p, data, source: p });
  }
  const rj = metadata.get('root.json')?.data;
  const rjVersion = rj ? intOf(signedOf(readJson(metadata, 'root.json'))?.['version']) : undefined;
  if (rj && rjVersion !== undefined && rjVersion >= 1 && !files.has(rjVersion))
    files.set(rjVersion, { path: 'root.json', data: rj, source: 'root.json' });
  const trusted = run.ctx.opts.trustedRoot;
  if (trusted) {
    let v: number | undefined;
    try {
      v = intOf(signedOf(JSON.parse(trusted.data.toString('utf8')))?.['version']);
    } catch {
      v = undefined;
    }
    // The operator's copy is what devices of that version hold: it replaces the input's.
    if (v !== undefined && v >= 1)
      files.set(v, { path: trusted.path, data: trusted.data, source: `--trusted-root ${trusted.path}` });
  }
  const present = [...files.keys()].sort((a, b) => a - b);
  const newest = present.reduce((m, v) => Math.max(m, v), Math.max(0, newestKnown ?? 0));
  result.newestRootVersion = newest > 0 ? newest : null;
  if (newest === 0) {
    f.add('DRILL_DEVICE_UPDATE_BLOCKED', { role: 'root' }, 'no root metadata: no device can update', {
      pinnedRoots: [],
      step: 'root',
    });
    return result;
  }

  // Bound the walks: the oldest and the newest pinned versions matter most.
  let checked = present;
  const max = Math.max(2, run.o.maxPinnedRoots);
  if (present.length > max) {
    checked = [
      ...present.slice(0, Math.ceil(max / 2)),
      ...present.slice(present.length - Math.floor(max / 2)),
    ];
    f.add(
      'LIMIT_EXCEEDED',
      { role: 'root', limit: 'drill.maxPinnedRoots' },
      `${present.length} root versions are present; devices pinned to the oldest ${Math.ceil(max / 2)} and the newest ${Math.floor(max / 2)} were checked`,
      { present: present.length, checked: checked.length },
    );
  }

  // Versions not in the input: nothing to walk from.
  let prev = 0;
  for (const v of [...present, newest + 1]) {
    if (v > prev + 1) {
      const from = prev + 1;
      const to = Math.min(v - 1, newest);
      if (from <= to) {
        result.pinned.push({
          pinnedRoot: from,
          pinnedRootTo: to > from ? to : null,
          source: null,
          status: 'unchecked',
          failedStep: null,
          reason: `root ${to > from ? `versions ${from}..${to} are` : `version ${from} is`} not in the input`,
          causes: [],
        });
        f.add(
          'DRILL_PINNED_ROOT_UNAVAILABLE',
          { path: `${from}.root.json`, role: 'root', version: from },
          to > from
            ? `root versions ${from}..${to} are not in the input: whether devices pinned to them can update cannot be checked`
            : `root version ${from} is not in the input: whether devices pinned to it can update cannot be checked`,
          { from, to, count: to - from + 1 },
        );
      }
    }
    prev = v;
  }

  // Walk from each pinned root.
  const groups = new Map<string, { pinned: number[]; blocked: Blocked; loc: Location }>();
  let reached: TufRun | undefined;
  const walked: Array<{ entry: PinnedResult; ok: boolean }> = [];
  for (const v of checked) {
    const file = files.get(v);
    if (!file) continue;
    const r = tufRun(run, metadata, { path: file.path, data: file.data });
    const blocked = judgeChain(r);
    const entry: PinnedResult = {
      pinnedRoot: v,
      pinnedRootTo: null,
      source: file.source,
      status: blocked ? 'blocked' : 'can-update',
      failedStep: blocked?.step ?? null,
      reason: blocked?.reason ?? null,
      causes: blocked?.causes.slice(0, 10) ?? [],
    };
    result.pinned.push(entry);
    walked.push({ entry, ok: !blocked });
    if (!blocked) {
      // Every device that reaches the newest root resolves targets the same way: keep the newest.
      reached = r;
      continue;
    }
    const first = blocked.causes[0];
    const loc: Location = first
      ? first.location
      : { role: blocked.step === 'target' ? 'targets' : blocked.step };
    const key = `${blocked.step}|${first?.code ?? ''}|${JSON.stringify(loc)}`;
    const g = groups.get(key);
    if (g) g.pinned.push(v);
    else groups.set(key, { pinned: [v], blocked, loc });
  }
  result.pinned.sort((a, b) => a.pinnedRoot - b.pinnedRoot);
  for (const g of groups.values()) {
    const list = g.pinned.join(', ');
    f.add(
      'DRILL_DEVICE_UPDATE_BLOCKED',
      g.loc,
      `devices pinned to root ${list} cannot update: the ${g.blocked.step} step fails: ${g.blocked.reason}`,
      { pinnedRoots: g.pinned, step: g.blocked.step, causes: causesJson(g.blocked.causes) },
    );
  }

  // Targets, resolved as a device that reached the newest root resolves them.
  if (reached) {
    const targets = resolveTargets(run, reached, result);
    const bad = targets.filter((t) => !t.ok);
    for (const w of walked) {
      if (!w.ok || bad.length === 0) continue;
      const firstBad = bad[0];
      w.entry.status = 'blocked';
      w.entry.failedStep = firstBad?.failedStep ?? 'target';
      w.entry.reason = `${bad.length} of ${targets.length} targets cannot be installed (first: ${firstBad?.path ?? '?'})`;
    }
  }
  return result;
}

/** The first step of the client workflow that fails for this walk, with its causes. */
function judgeChain(r: TufRun): Blocked | undefined {
  const rep = r.report;
  const bad = blocking(r.findings);
  const causes = (roles: (role: string | undefined) => boolean): Cause[] =>
    bad.filter((x) => roles(x.location.role)).map(causeOf);
  const fail = (step: UpdateStep, fallback: string, pick: (role: string | undefined) => boolean): Blocked => {
    let c = causes(pick);
    if (c.length === 0) c = causes((role) => role === undefined);
    return { step, reason: c[0]?.message ?? fallback, causes: c };
  };
  const role = (kind: string): { verified: boolean } | undefined => rep.roles.find((x) => x.kind === kind);
  if (rep.anchor.kind !== 'trusted-root')
    return fail('root', 'the pinned root is not usable as a trusted root', (x) => x === 'root');
  if (!rep.rootChainIntact || role('root')?.verified !== true)
    return fail('root', 'the root history does not reach a valid newest root', (x) => x === 'root');
  for (const step of ['timestamp', 'snapshot', 'targets'] as const)
    if (role(step)?.verified !== true)
      return fail(step, `${step} metadata is not verified`, (x) => x === step);
  return undefined;
}

/** Resolve each requested target against the verified metadata; record findings for failures. */
function resolveTargets(run: DrillRun, reached: TufRun, result: DevicesResult): TargetResult[] {
  const f = run.ctx.findings;
  const byPath = targetsByPath(reached.report);
  const table = run.input.artifacts;
  const tableName = table ? `${table.ref.schema}.${table.ref.name}` : '';
  const rows = artifactRows(table);
  const requests: Array<{ path: string; from: TargetResult['from']; row: ArtifactRow | undefined }> = [];
  if (run.o.targets.length > 0) {
    for (const p of run.o.targets)
      requests.push({ path: p, from: 'option', row: rows.find((r) => r.path === p) });
  } else if (table) {
    for (const r of rows) requests.push({ path: r.path ?? '', from: 'artifact', row: r });
  } else {
    for (const t of reached.report.targets) requests.push({ path: t.path, from: 'metadata', row: undefined });
  }
  if (requests.length === 0) {
    f.add(
      'DRILL_NO_TARGETS',
      table ? { table: tableName } : {},
      table
        ? `${tableName} has no rows and no --target was given: no artifact was resolved`
        : 'no --target was given, no artifacts table was read and the metadata signs no target',
    );
    return [];
  }
  const bad = blocking(reached.findings);
  const out: TargetResult[] = [];
  for (const req of requests) {
    const t = req.path !== '' ? byPath.get(req.path) : undefined;
    const res: TargetResult = {
      path: req.path,
      from: req.from,
      row: req.row?.row ?? null,
      role: t?.role ?? null,
      length: t?.length ?? null,
      hashes: t?.hashes ?? {},
      ok: false,
      failedStep: null,
      reason: null,
    };
    const rowLoc: Location = req.row ? { table: tableName, row: req.row.row } : {};
    judgeTarget(run, req, t, res, rowLoc, bad, reached.report.targetsTruncated);
    if (out.length < MAX_TARGET_RESULTS) out.push(res);
    else result.targetsTruncated = true;
  }
  result.targets = out;
  return out;
}

function judgeTarget(
  run: DrillRun,
  req: { path: string; row: ArtifactRow | undefined },
  t: ResolvedTarget | undefined,
  res: TargetResult,
  rowLoc: Location,
  bad: Finding[],
  truncated: boolean,
): void {
  const f = run.ctx.findings;
  const unresolved = (step: UpdateStep, reason: string, causes: Cause[], role?: string): void => {
    res.failedStep = step;
    res.reason = reason;
    f.add(
      'DRILL_TARGET_UNRESOLVED',
      { ...rowLoc, path: req.path, ...(role !== undefined ? { role } : {}) },
      `${req.path}: ${reason}`,
      { step, causes: causesJson(causes) },
    );
  };
  if (req.row && (req.row.path === null || req.row.length === undefined)) {
    res.failedStep = 'target';
    res.reason = 'the artifact row has no usable target_path or length';
    f.add(
      'DRILL_TARGET_UNRESOLVED',
      { ...rowLoc, field: req.row.path === null ? 'target_path' : 'length' },
      `artifact row ${req.row.row}: ${res.reason}; devices cannot be offered it`,
      { step: 'target' },
    );
    return;
  }
  if (!t) {
    const listing = bad.filter((x) => x.location.field === `signed.targets.${req.path}`).map(causeOf);
    const delegation = bad.filter((x) => x.location.role !== undefined && !TOP_LEVEL.has(x.location.role));
    if (listing[0]) unresolved('delegations', listing[0].message, listing, listing[0].location.role);
    else if (delegation[0])
      unresolved(
        'delegations',
        `no verified role lists it; a delegated role fails: ${delegation[0].message}`,
        delegation.map(causeOf),
        delegation[0].location.role,
      );
    else
      unresolved(
        'target',
        truncated
          ? 'it is not among the targets resolved (the resolved list reached its bound)'
          : 'no role that devices reach lists it: devices cannot install it',
        [],
      );
    return;
  }
  if (!t.verified) {
    const causes = bad.filter((x) => x.location.role === t.role).map(causeOf);
    unresolved(
      t.role === 'targets' ? 'targets' : 'delegations',
      `signed by ${t.role}, which devices do not accept${causes[0] ? `: ${causes[0].message}` : ''}`,
      causes,
      t.role,
    );
    return;
  }
  const row = req.row;
  if (row) {
    const signedSha = t.hashes['sha256'];
    const problems: Array<{ field: string; message: string; detail: { [k: string]: string | number } }> = [];
    if (signedSha !== undefined && signedSha.toLowerCase() !== (row.sha256 ?? '').toLowerCase())
      problems.push({
        field: 'sha256',
        message: `sha256 ${row.sha256 ?? '(none)'} in the artifacts row, ${signedSha} in ${t.role}'s signed metadata`,
        detail: { database: row.sha256 ?? '', signed: signedSha },
      });
    if (row.length !== undefined && row.length !== t.length)
      problems.push({
        field: 'length',
        message: `length ${row.length} in the artifacts row, ${t.length} in ${t.role}'s signed metadata`,
        detail: { database: row.length, signed: t.length },
      });
    for (const p of problems)
      f.add(
        'DRILL_TARGET_ARTIFACT_MISMATCH',
        { ...rowLoc, path: req.path, role: t.role, field: p.field },
        `${req.path}: ${p.message}: a device downloading the artifact the database describes rejects it`,
        { ...p.detail, step: 'target' },
      );
    if (problems.length > 0) {
      res.failedStep = 'target';
      res.reason = problems.map((p) => p.message).join('; ');
      return;
    }
  }
  res.ok = true;
}

interface ArtifactRow {
  /** 1-based, in dump order. */
  row: number;
  path: string | null;
  sha256: string | null;
  length: number | undefined;
}

function artifactRows(table: CollectedTable | undefined): ArtifactRow[] {
  if (!table) return [];
  return table.rows.map((r, i) => {
    const len = Number(text(r['length']));
    return {
      row: i + 1,
      path: text(r['target_path']),
      sha256: text(r['sha256']),
      length: Number.isSafeInteger(len) && len >= 0 ? len : undefined,
    };
  });
}
