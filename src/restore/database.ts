// `meshverify db`: the audit chain of a live database on its own (a running node), read in one
// read-only snapshot, with anchors, in the same report format as a dump's chain. A database that
// is not a Meshanics database (no audit table, missing recipe columns) cannot be checked: that is
// a CannotRunError (exit 2), not a report.
import type { ChainFacts } from '../chain/replay.js';
import type { Report } from '../report/types.js';
import { buildReport } from '../report/build.js';
import type { VerifyOptions } from '../verify/options.js';
import { LiveDatabase, type DbTarget } from './db.js';
import { CannotRunError, StoppedError } from './errors.js';
import { auditTableState, streamLiveChain } from './live-chain.js';
import { DEFAULT_BATCH_ROWS, liveReplay, liveTableName, newContext } from './restore.js';
import { dbStep, liveChainFacts, STOPPED } from './steps.js';

const TITLE = "Replay the database's audit chain";

export interface DatabaseOptions {
  verify: VerifyOptions;
  db: DbTarget;
  batchRows?: number;
  onProgress?: (p: { table: string; rows: number }) => void;
}

export async function verifyDatabase(o: DatabaseOptions): Promise<Report> {
  const opts = o.verify;
  const ctx = newContext(opts);
  const { findings } = ctx;
  const p = opts.profile;
  const table = `${p.database.schema}.${p.tables.auditLog}`;
  const db = await LiveDatabase.open(o.db);
  db.signal = opts.signal;
  try {
    let state: Awaited<ReturnType<typeof auditTableState>>;
    try {
      await db.beginSnapshot();
      state = await auditTableState(db, p);
    } catch (e) {
      if (!(e instanceof StoppedError)) throw e;
      findings.check('db.chain', 'chain', TITLE, 'skipped', STOPPED);
      return buildReport(ctx, { command: 'db', inputPath: db.description, inputKind: 'database' });
    }
    if (state.kind === 'missing-table')
      throw new CannotRunError(
        `${db.description} has no table ${table}: not a Meshanics database, or another schema/table name (set it with --profile)`,
      );
    if (state.kind === 'missing-columns')
      throw new CannotRunError(
        `${table} in ${db.description} has no column(s) ${state.missing.join(', ')} (it has ${[...state.columns.keys()].join(', ')}); set the column names with --profile if this release differs`,
      );
    let facts: ChainFacts | undefined;
    await dbStep(findings, opts.strict, 'db.chain', 'chain', TITLE, async () => {
      const replay = liveReplay(opts, findings);
      const rows = await streamLiveChain({
        db,
        profile: p,
        replay,
        batch: o.batchRows ?? DEFAULT_BATCH_ROWS,
        ...(o.onProgress ? { onProgress: (n: number) => o.onProgress?.({ table, rows: n }) } : {}),
      });
      facts = replay.finish();
      if (rows === 0)
        findings.add('CHAIN_EMPTY', { table: liveTableName(opts) }, `${table} holds no audit records`);
      else if (opts.anchors.length === 0)
        findings.add(
          'CHAIN_NO_ANCHOR',
          { table: liveTableName(opts) },
          'no --anchor given: a chain cut off at its end, or recomputed wholesale, verifies internally; keep the head below and pass it as --anchor next time',
        );
    });
    ctx.sections['database'] = {
      database: db.description,
      serverVersion: db.serverVersion,
      databaseName: db.database,
      snapshot: 'REPEATABLE READ READ ONLY',
    };
    await db.close();
    const report = buildReport(ctx, { command: 'db', inputPath: db.description, inputKind: 'database' });
    if (facts) report.chains.push(liveChainFacts(facts, findings));
    return report;
  } finally {
    await db.close();
  }
}
