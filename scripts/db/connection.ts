// Where the real PostgreSQL is and how to reach it: DATABASE_URL, then the libpq PG* variables,
// then the project default (127.0.0.1:5432, user postgres, trust auth). The same settings are
// handed to pg_dump / pg_restore / psql through their environment so every tool talks to one server.
import pg from 'pg';

export interface ServerConfig {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  /** Maintenance database used for CREATE / DROP DATABASE. */
  maintenanceDb: string;
}

export function serverConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const cfg: ServerConfig = {
    host: env.PGHOST ?? '127.0.0.1',
    port: Number(env.PGPORT ?? '5432'),
    user: env.PGUSER ?? 'postgres',
    password: env.PGPASSWORD,
    maintenanceDb: env.PGDATABASE ?? 'postgres',
  };
  const url = env.DATABASE_URL;
  if (url !== undefined && url !== '') {
    const u = new URL(url);
    // A ?host=/path query names a Unix socket directory, as libpq allows.
    const hostParam = u.searchParams.get('host');
    if (hostParam !== null) cfg.host = hostParam;
    else if (u.hostname !== '') cfg.host = decodeURIComponent(u.hostname);
    if (u.port !== '') cfg.port = Number(u.port);
    if (u.username !== '') cfg.user = decodeURIComponent(u.username);
    if (u.password !== '') cfg.password = decodeURIComponent(u.password);
    const db = decodeURIComponent(u.pathname.replace(/^\//, ''));
    if (db !== '') cfg.maintenanceDb = db;
  }
  if (!Number.isInteger(cfg.port) || cfg.port <= 0)
    throw new Error(`bad PostgreSQL port: ${String(cfg.port)}`);
  return cfg;
}

/** Environment for the PostgreSQL command-line tools (libpq reads PG*). */
export function toolEnv(cfg: ServerConfig, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Settings that would silently change what the tools write are cleared, then set explicitly.
  delete env.PGTZ;
  delete env.PGOPTIONS;
  delete env.PGDATABASE;
  env.PGHOST = cfg.host;
  env.PGPORT = String(cfg.port);
  env.PGUSER = cfg.user;
  if (cfg.password !== undefined) env.PGPASSWORD = cfg.password;
  return { ...env, ...extra };
}

export async function connect(cfg: ServerConfig, database: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: cfg.host,
    port: cfg.port,
    user: cfg.user,
    password: cfg.password,
    database,
    application_name: 'meshverify-db-fixtures',
  });
  await client.connect();
  // Notices (e.g. "database does not exist, skipping") are expected noise here.
  client.on('notice', () => undefined);
  return client;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function dropDatabase(cfg: ServerConfig, name: string): Promise<void> {
  const admin = await connect(cfg, cfg.maintenanceDb);
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** A fresh database: from template0 (UTF8, C collation) or as a copy of another fixture. */
export async function createDatabase(cfg: ServerConfig, name: string, template?: string): Promise<void> {
  const admin = await connect(cfg, cfg.maintenanceDb);
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    if (template === undefined) {
      await admin.query(
        `CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`,
      );
    } else {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
    }
  } finally {
    await admin.end();
  }
}
