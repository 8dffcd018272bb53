// `meshverify restore`: run on a node restored from a backup archive. The archive is read and
// verified as `verify` reads it; then the restored database (one read-only snapshot) and, when
// given, the restored TUF and certificate directories are compared with it, and the restored
// directories are verified on their own. Findings locate every difference (seq range, table and
// key, file path); a database that cannot be read stops the command (CannotRunError, exit 2).
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ChainReplay, type ChainFacts } from '../chain/replay.js';
import { DirectorySource } from '../files/source.js';
import { Findings } from '../findings/collector.js';
import { statusOf } from '../findings/severity.js';
import type { JsonValue } from '../findings/types.js';
import { buildReport } from '../report/build.js';
import type { Report } from '../report/types.js';
import { verifyCertSource } from '../verify/certs-step.js';
import type { VerifyContext } from '../verify/context.js';
import type { VerifyOptions } from '../verify/options.js';
import { skipStep } from '../verify/steps.js';
import { verifyTufSource } from '../verify/tuf-step.js';
import { chooseDump, readArchiveForRestore, type ArchiveDump } from './archive-chain.js';
import { compareDirectory, relativeFolder, tufRootFolder, type DirComparison } from './compare-files.js';
import { RecordComparer, type RecordCounts } from './compare-records.js';
import { compareRowCounts, compareRows, type RowComparison, type TableCount } from './compare-tables.js';
import { LiveDatabase, type DbTarget } from './db.js';
import { CannotRunError, StoppedError } from './errors.js';
import { auditTableState, streamLiveChain } from './live-chain.js';
import { dbStep, liveChainFacts, STOPPED } from './steps.js';

/** Rows per FETCH: 2,000 measured 40-55 MB less peak RSS than 10,000 at 1M records, same speed. */
export const DEFAULT_BATCH_ROWS = 2_000;

const TITLES = {
  tables: "Compare every table's row count with the dump",
  rows: 'Compare trust_state, artifacts, devices and secrets with the dump, row by row',
  chain: "Replay the restored database's audit chain",
  records: "Compare the restored audit records with the archive's, record by record",
};

const DB_CHECKS = [
  ['restore.tables', 'restore', TITLES.tables],
  ['restore.rows', 'restore', TITLES.rows],
  ['db.chain', 'chain', TITLES.chain],
  ['restore.records', 'restore', TITLES.records],
] as const;

export interface RestoreOptions {
  verify: VerifyOptions;
  db: DbTarget;
  /** The restored update-repository directory (the archive's tuf/ folder: metadata/, keys/). */
  tufDir?: string;
  /** The restored certificate directory (the archive's certs/ folder). */
  certsDir?: string;
  /** Rows per FETCH from the database. */
  batchRows?: number;
  onProgress?: (p: { table: string; rows: number }) => void;
}

export interface RestoreSection {
  database: string;
  serverVersion: string;
  databaseName: string;
  snapshot: string;
  comparedDump: string | null;
  records: (RecordCounts & { archive: number; restored: number }) | null;
  tables: TableCount[];
  rows: RowComparison[];
  directories: Array<DirComparison & { what: string }>;
}

/** A live chain replay with the verify options' tuning and anchors (table "db:schema.table"). */
export function liveReplay(opts: VerifyOptions, findings: Findings): ChainReplay {
  const p = opts.profile;
  return new ChainReplay({
    findings,
    table: liveTableName(opts),
    genesisPrevHash: Buffer.from(p.recipe.genesisPrevHash, 'hex'),
    firstSeq: p.recipe.firstSeq,
    anchors: opts.anchors,
    window: opts.limits.reorderWindow,
    spillMemRecords: opts.limits.spillMemRecords,
    maxSpillBytes: opts.limits.maxSpillBytes,
  });
}

export function liveTableName(opts: VerifyOptions): string {
  return `db:${opts.profile.database.schema}.${opts.profile.tables.auditLog}`;
}

export function newContext(opts: VerifyOptions): VerifyContext {
  return {
    opts,
    findings: new Findings(opts.severityOverrides, opts.limits.maxFindings),
    archive: undefined,
    dumps: [],
    sections: {},
    shared: new Map(),
  };
}

export async function verifyRestore(archivePath: string, o: RestoreOptions): Promise<Report> {
  const opts = o.verify;
  const ctx = newContext(opts);
  const batch = o.batchRows ?? DEFAULT_BATCH_ROWS;
  // Connect first: a wrong URL or password is found before a long archive read.
  const db = await LiveDatabase.open(o.db);
  db.signal = opts.signal;
  let dumps: ArchiveDump[] = [];
  try {
    dumps = await readArchiveForRestore(ctx, archivePath);
    const chosen = chooseDump(ctx, dumps);
    const section: RestoreSection = {
      database: db.description,
      serverVersion: db.serverVersion,
      databaseName: db.database,
      snapshot: 'REPEATABLE READ READ ONLY',
      comparedDump: chosen?.path ?? null,
      records: null,
      tables: [],
      rows: [],
      directories: [],
    };
    let live: ChainFacts | undefined;
    try {
      await db.beginSnapshot();
      live = await compareDatabase(ctx, db, chosen, batch, section, o.onProgress);
    } catch (e) {
      if (!(e instanceof StoppedError)) throw e;
      // --timeout during the archive read: the database was not compared at all.
      for (const [id, area, title] of DB_CHECKS) ctx.findings.check(id, area, title, 'skipped', STOPPED);
    }
    await db.close();
    // Placed first among the sections; its value is complete once the directories are compared.
    ctx.sections['restore'] = null;
    await compareDirectories(ctx, o, section);
    ctx.sections['restore'] = toJson(section);
    const report = buildReport(ctx, { command: 'restore', inputPath: archivePath, inputKind: 'archive' });
    if (live) report.chains.push(liveChainFacts(live, ctx.findings));
    return report;
  } finally {
    for (const d of dumps) d.chain.spill.dispose();
    await db.close();
  }
}

async function compareDatabase(
  ctx: VerifyContext,
  db: LiveDatabase,
  chosen: ArchiveDump | undefined,
  batch: number,
  section: RestoreSection,
  onProgress: RestoreOptions['onProgress'],
): Promise<ChainFacts | undefined> {
  const { opts, findings } = ctx;
  const strict = opts.strict;
  const noDump = 'no database dump was read from the archive';
  if (chosen) {
    await dbStep(findings, strict, 'restore.tables', 'restore', TITLES.tables, async () => {
      section.tables = (await compareRowCounts(db, chosen.result.facts, findings)).counts;
    });
    await dbStep(findings, strict, 'restore.rows', 'restore', TITLES.rows, async () => {
      section.rows = await compareRows(db, chosen.result, findings, batch);
    });
  } else {
    skipStep(findings, 'restore.tables', 'restore', TITLES.tables, noDump);
    skipStep(findings, 'restore.rows', 'restore', TITLES.rows, noDump);
  }

  const chainTitle = TITLES.chain;
  const recordsTitle = TITLES.records;
  const p = opts.profile;
  const table = `${p.database.schema}.${p.tables.auditLog}`;
  let state: Awaited<ReturnType<typeof auditTableState>>;
  try {
    state = await auditTableState(db, p);
  } catch (e) {
    if (!(e instanceof StoppedError)) throw e;
    findings.check('db.chain', 'chain', chainTitle, 'skipped', STOPPED);
    findings.check('restore.records', 'restore', recordsTitle, 'skipped', STOPPED);
    return undefined;
  }
  if (state.kind !== 'ok') {
    if (state.kind === 'missing-table') {
      if (!findings.list.some((f) => f.code === 'RESTORE_TABLE_MISSING' && f.location.table === table))
        findings.add('RESTORE_TABLE_MISSING', { table }, `${table} is not in the restored database`);
    } else {
      for (const c of state.missing)
        findings.add(
          'RESTORE_COLUMN_MISSING',
          { table, field: c },
          `${table}.${c} is not in the restored table: the chain cannot be replayed (set the column names with --profile if this release differs)`,
        );
    }
    const why =
      state.kind === 'missing-table'
        ? `${table} is not in the restored database`
        : `${table} lacks recipe columns`;
    skipStep(findings, 'db.chain', 'chain', chainTitle, why);
    skipStep(findings, 'restore.records', 'restore', recordsTitle, why);
    return undefined;
  }

  const archiveChain = chosen?.chain;
  const mark = findings.list.length;
  const replay = liveReplay(opts, findings);
  let comparer: RecordComparer | undefined;
  if (!archiveChain || archiveChain.failed || chosen.result.chains.length === 0) {
    findings.add(
      'RESTORE_CHAIN_UNCOMPARED',
      { table: liveTableName(opts) },
      !chosen
        ? 'no dump was read from the archive: the restored audit records were not compared'
        : archiveChain?.failed === true
          ? "the archive's audit records were over a bound: the restored audit records were not compared"
          : `the dump ${chosen.path} holds no audit chain: the restored audit records were not compared`,
    );
  } else {
    comparer = new RecordComparer(
      archiveChain.spill.sorted(),
      findings,
      liveTableName(opts),
      archiveChain.maxSeq,
    );
  }
  let facts: ChainFacts | undefined;
  let restored = 0;
  try {
    restored = await streamLiveChain({
      db,
      profile: p,
      replay,
      batch,
      ...(comparer ? { onRecord: (r) => comparer.live(r) } : {}),
      ...(onProgress ? { onProgress: (rows) => onProgress({ table, rows }) } : {}),
    });
    facts = replay.finish();
    const counts = comparer?.finish();
    if (counts) section.records = { ...counts, archive: archiveChain?.records ?? 0, restored };
  } catch (e) {
    if (e instanceof CannotRunError) throw e;
    if (e instanceof StoppedError) {
      // What was found before the stop stands; the unread rest is not judged.
      findings.check('db.chain', 'chain', chainTitle, 'skipped', STOPPED);
      findings.check('restore.records', 'restore', recordsTitle, 'skipped', STOPPED);
      return undefined;
    }
    findings.add(
      'RUN_INTERNAL_ERROR',
      {},
      `${chainTitle}: stopped unexpectedly (${e instanceof Error ? e.message : String(e)}); its result is unknown`,
      { step: 'db.chain' },
    );
  }
  const added = findings.list.slice(mark);
  const internal = (c: string): boolean => c === 'RUN_INTERNAL_ERROR' || c === 'LIMIT_EXCEEDED';
  findings.check(
    'db.chain',
    'chain',
    chainTitle,
    statusOf(
      added.filter((f) => f.area === 'chain' || internal(f.code)),
      strict,
    ),
  );
  findings.check(
    'restore.records',
    'restore',
    recordsTitle,
    statusOf(
      added.filter((f) => f.area === 'restore' || internal(f.code)),
      strict,
    ),
  );
  return facts;
}

async function compareDirectories(
  ctx: VerifyContext,
  o: RestoreOptions,
  section: RestoreSection,
): Promise<void> {
  const { opts, findings } = ctx;
  const a = ctx.archive;
  const maxFile = opts.limits.maxEntryBytes;
  const p = opts.profile.paths;
  const tufTitle = 'Compare the restored TUF directory with the archive';
  const tufVerify = 'Verify the TUF metadata as a device would, and account for every key';
  const certsTitle = 'Compare the restored certificate directory with the archive';

  if (opts.signal?.aborted === true) {
    for (const [id, area, title] of [
      ['restore.certs-files', 'restore', certsTitle],
      ['x509', 'x509', 'Check the certificates and keys'],
      ['restore.tuf-files', 'restore', tufTitle],
      ['tuf', 'tuf', tufVerify],
    ] as const)
      findings.check(id, area, title, 'skipped', STOPPED);
    return;
  }
  let certsKeys: Array<{ path: string; data: Buffer }> = [];
  if (o.certsDir !== undefined) {
    const dir = o.certsDir;
    await dbStep(findings, opts.strict, 'restore.certs-files', 'restore', certsTitle, () => {
      if (!a) return;
      section.directories.push({
        what: 'certificate directory',
        ...compareDirectory(findings, a, a.layout.certs, dir, 'certificate directory', maxFile),
      });
    });
    const src = new DirectorySource(dir, maxFile);
    certsKeys = src
      .list()
      .map((f) => src.get(f))
      .filter(
        (f) => f?.data !== undefined && f.data.length < 1024 * 1024 && f.data.includes('PRIVATE KEY-----'),
      )
      .map((f) => ({ path: join(dir, f?.path ?? ''), data: f?.data ?? Buffer.alloc(0) }));
    await verifyCertSource(ctx, src);
  } else {
    skipStep(findings, 'restore.certs-files', 'restore', certsTitle, 'no --certs-dir given');
    skipStep(findings, 'x509', 'x509', 'Check the certificates and keys', 'no --certs-dir given');
  }

  if (o.tufDir !== undefined) {
    const dir = o.tufDir;
    const root = a ? tufRootFolder(a.layout.tufMetadata, a.layout.tufKeys) : undefined;
    await dbStep(findings, opts.strict, 'restore.tuf-files', 'restore', tufTitle, () => {
      if (!a) return;
      section.directories.push({
        what: 'TUF directory',
        ...compareDirectory(findings, a, root, dir, 'TUF directory', maxFile),
      });
    });
    // Where metadata/ and keys/ sit inside the restored directory: as in the archive, else the profile.
    const base = root ?? tufRootFolder(p.tufMetadata, p.tufKeys) ?? '';
    const metaRel = relativeFolder(base, a?.layout.tufMetadata ?? p.tufMetadata);
    const keysRel = relativeFolder(base, a?.layout.tufKeys ?? p.tufKeys);
    const metaDir = join(dir, metaRel);
    const keysDir = join(dir, keysRel);
    const keys = isDir(keysDir) && keysDir !== metaDir ? new DirectorySource(keysDir, maxFile) : undefined;
    await verifyTufSource(ctx, new DirectorySource(metaDir, maxFile), keys, certsKeys);
  } else {
    skipStep(findings, 'restore.tuf-files', 'restore', tufTitle, 'no --tuf-dir given');
    skipStep(findings, 'tuf', 'tuf', tufVerify, 'no --tuf-dir given');
  }
}

function isDir(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function toJson(v: unknown): JsonValue {
  return JSON.parse(JSON.stringify(v)) as JsonValue;
}

export { CannotRunError };
