// A read-only session on the live (restored) database. Everything is read in ONE transaction,
// REPEATABLE READ READ ONLY, so counts, rows and the audit stream are one consistent snapshot even
// while the node writes. Large tables are streamed with a server-side cursor (DECLARE / FETCH
// FORWARD n): memory does not grow with the table. Any database error is a CannotRunError.
import type pg from 'pg';
import { cannotRun, CannotRunError, StoppedError } from './errors.js';

export interface DbTarget {
  /** postgres:// URL; when absent the standard PG* variables (PGHOST, PGDATABASE, …) apply. */
  url?: string;
  connectTimeoutMs?: number;
}

export type Row = unknown[];

/** Every value as its text output, except bytea as a Buffer: no Date or number conversions. */
interface RawTypes {
  getTypeParser: (oid: number) => (v: string) => unknown;
}
let RAW_TYPES: RawTypes = { getTypeParser: () => (v: string) => v };

/** pg, loaded on first use: only `restore` and `db` talk to a database, and loading it costs
 *  every other command ~30 ms of start-up (measured). */
async function loadPg(): Promise<typeof pg> {
  const m = (await import('pg')).default;
  const byteaParser = m.types.getTypeParser(m.types.builtins.BYTEA, 'text');
  const bytea = m.types.builtins.BYTEA;
  RAW_TYPES = { getTypeParser: (oid) => (oid === bytea ? byteaParser : (v: string) => v) };
  return m;
}

/** Quote an identifier for SQL (PostgreSQL's quote_ident, always quoted). */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualified(schema: string, name: string): string {
  return `${ident(schema)}.${ident(name)}`;
}

export class LiveDatabase {
  private lost: unknown;
  private cursors = 0;
  private closed = false;
  /** When aborted (--timeout), every later statement throws StoppedError instead of running. */
  signal: AbortSignal | undefined;
  private constructor(
    private readonly client: pg.Client,
    /** user@host:port/database, never the password. */
    readonly description: string,
    readonly serverVersion: string,
    readonly database: string,
  ) {
    client.on('error', (e: unknown) => {
      // A dropped connection while idle: remembered, reported by the next query.
      this.lost = e;
    });
  }

  static async open(target: DbTarget): Promise<LiveDatabase> {
    const config: pg.ClientConfig = {
      connectionTimeoutMillis: target.connectTimeoutMs ?? 15_000,
      application_name: 'meshverify',
    };
    if (target.url !== undefined) config.connectionString = target.url;
    const pgm = await loadPg();
    let client: pg.Client;
    try {
      client = new pgm.Client(config);
    } catch (e) {
      throw cannotRun('the database URL is not usable', e);
    }
    const where = `${client.user ?? '?'}@${client.host || 'localhost'}:${client.port}/${client.database ?? '?'}`;
    // Until the instance takes over, an 'error' event must not crash the process.
    const early = (): void => undefined;
    client.on('error', early);
    try {
      await client.connect();
    } catch (e) {
      await client.end().catch(() => undefined);
      throw cannotRun(`cannot connect to postgres://${where}`, e);
    }
    try {
      // Read-only for the whole session; text forms that match pg_dump's (ISO dates, hex bytea),
      // UTC so timestamptz text is unambiguous.
      await client.query(
        "SET default_transaction_read_only = on; SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY';" +
          " SET IntervalStyle = 'postgres'; SET bytea_output = 'hex'; SET extra_float_digits = 3;",
      );
      const r = await client.query<Row>({
        text: 'SELECT current_setting($1), current_database()',
        values: ['server_version'],
        rowMode: 'array',
        types: RAW_TYPES,
      });
      const row = r.rows[0] ?? [];
      const db = new LiveDatabase(client, `postgres://${where}`, String(row[0]), String(row[1]));
      client.off('error', early);
      return db;
    } catch (e) {
      await client.end().catch(() => undefined);
      throw cannotRun(`cannot prepare the session on postgres://${where}`, e);
    }
  }

  /** BEGIN the read-only snapshot every later read belongs to. */
  async beginSnapshot(): Promise<void> {
    await this.query(
      'start a read-only REPEATABLE READ transaction',
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }

  /** Run one statement; rows as arrays of text (bytea as Buffer). */
  async query(what: string, text: string, values: unknown[] = []): Promise<Row[]> {
    if (this.signal?.aborted === true) throw new StoppedError(`${what}: stopped by --timeout`);
    if (this.lost) throw cannotRun(what, this.lost);
    try {
      const r = await this.client.query<Row>({ text, values, rowMode: 'array', types: RAW_TYPES });
      return r.rows;
    } catch (e) {
      throw cannotRun(what, this.lost ?? e);
    }
  }

  /** Stream a query's rows in batches through a server-side cursor (inside the snapshot). */
  async *cursor(what: string, text: string, values: unknown[], batch: number): AsyncGenerator<Row[]> {
    const name = `meshverify_c${++this.cursors}`;
    await this.query(what, `DECLARE ${name} NO SCROLL CURSOR FOR ${text}`, values);
    const n = Math.max(1, Math.floor(batch));
    const fetch = `FETCH FORWARD ${n} FROM ${name}`;
    // One FETCH ahead: the server produces the next batch while this one is processed.
    const ahead = (): Promise<Row[]> => {
      const p = this.query(what, fetch);
      p.catch(() => undefined); // awaited below; never an unhandled rejection if the caller stops
      return p;
    };
    let next: Promise<Row[]> | undefined = ahead();
    while (next) {
      const rows: Row[] = await next;
      next = rows.length === n ? ahead() : undefined;
      if (rows.length > 0) yield rows;
    }
    await this.query(what, `CLOSE ${name}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (!this.lost) await this.client.query('ROLLBACK').catch(() => undefined);
    } finally {
      await this.client.end().catch(() => undefined);
    }
  }
}

/** Run fn with an open database, closing it whatever happens. */
export async function withDatabase<T>(target: DbTarget, fn: (db: LiveDatabase) => Promise<T>): Promise<T> {
  const db = await LiveDatabase.open(target);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export { CannotRunError };
