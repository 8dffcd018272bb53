import type { Command } from 'commander';
import { verifyDatabase } from '../restore/database.js';
import type { DbTarget } from '../restore/db.js';
import { registerRestoreSections } from '../restore/render.js';
import { addCommonOptions, emitReport, toVerifyOptions, UsageError, type CommonFlags } from './common.js';

export interface DbFlags extends CommonFlags {
  db?: string;
}

const PG_VARS = ['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGSERVICE'];

/** --db, or the standard PG* variables; anything else is bad usage. */
export function dbTarget(url: string | undefined): DbTarget {
  if (url === undefined) {
    if (PG_VARS.some((v) => (process.env[v] ?? '') !== '')) return {};
    throw new UsageError(
      'name the database with --db postgres://user@host:port/database (or set PGHOST, PGDATABASE, PGUSER, ...)',
    );
  }
  if (!/^postgres(ql)?:\/\//i.test(url) && !url.startsWith('/'))
    throw new UsageError(`--db must be a postgres:// URL (or a socket directory), not "${url}"`);
  return { url };
}

/** Rows streamed so far, on stderr, only for a person watching a terminal. */
export function progress(flags: CommonFlags): ((p: { table: string; rows: number }) => void) | undefined {
  if (flags.json || flags.quiet || process.stderr.isTTY !== true) return undefined;
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 500) return;
    last = now;
    process.stderr.write(`\r  reading ${p.table}: ${p.rows.toLocaleString('en')} rows`);
  };
}

export function registerDb(program: Command, setCode: (c: number) => void): void {
  const cmd = program
    .command('db')
    .description("verify a live database's audit chain (a running node), read-only in one snapshot")
    .option('--db <url>', 'postgres://user@host:port/database (default: the PG* variables)');
  addCommonOptions(cmd).action(async (flags: DbFlags) => {
    registerRestoreSections();
    const target = dbTarget(flags.db);
    const opts = toVerifyOptions(flags);
    const onProgress = progress(flags);
    const report = await verifyDatabase({ verify: opts, db: target, ...(onProgress ? { onProgress } : {}) });
    if (onProgress) process.stderr.write('\n');
    setCode(emitReport(report, flags));
  });
}
