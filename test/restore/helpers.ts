// Restore-check test support: a real PostgreSQL (pgServer), the fixture dump restored ONCE with
// the real pg_restore into a template database, one fresh copy of it per test (CREATE DATABASE …
// TEMPLATE), a backup archive built with the tar package, and cleanup of all of it.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { c as tarCreate } from 'tar';
import type { Finding, Location } from '../../src/findings/types.js';
import type { Report } from '../../src/report/types.js';
import { defaultVerifyOptions, type VerifyOptions } from '../../src/verify/options.js';
import { pgServer, type PgServer } from '../support/pg.js';
import { FIXTURES } from '../support/paths.js';

export const CLEAN_DUMP = join(FIXTURES, 'db', 'clean.dump');
export const CLEAN_HEAD = {
  seq: 3000,
  hash: '85a0d06c64e92f29112258de02ce8a879683baaaa0e3fa749c34771c8c36ea76',
};
/** The restored audit table as findings name it. */
export const LIVE = 'db:public.audit_log';
/** The certificate fixtures' reference time and host. */
export const CERT_AT = new Date('2026-11-26T00:00:00Z');
export const CERT_HOST = 'node.meshanics.test';

const tag = `mv_restore_${process.pid}`;
let counter = 0;
const databases: string[] = [];
const dirs: string[] = [];
let template: Promise<string> | undefined;

export function requirePgRestore(): void {
  const r = spawnSync('pg_restore', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    throw new Error(
      'pg_restore is not on PATH: the restore tests restore a real pg_dump with it; install the PostgreSQL client tools (e.g. apt-get install postgresql-client)',
    );
}

export async function sql(server: PgServer, database: string, text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ ...server.config, database });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

function pgRestore(server: PgServer, database: string, dump: string): void {
  const r = spawnSync('pg_restore', ['--no-owner', '--exit-on-error', '-d', server.url(database), dump], {
    encoding: 'utf8',
  });
  if (r.error || r.status !== 0)
    throw new Error(`pg_restore into ${database} failed: ${r.error?.message ?? r.stderr}`);
}

/** A fresh database holding `dump` as pg_restore restores it (clean.dump via a shared template). */
export async function restoredDatabase(
  dump = CLEAN_DUMP,
): Promise<{ server: PgServer; name: string; url: string }> {
  requirePgRestore();
  const server = await pgServer();
  const name = `${tag}_${++counter}`;
  databases.push(name);
  if (dump !== CLEAN_DUMP) {
    await sql(server, 'postgres', `CREATE DATABASE ${name}`);
    pgRestore(server, name, dump);
    return { server, name, url: server.url(name) };
  }
  template ??= (async () => {
    const t = `${tag}_template`;
    databases.push(t);
    await sql(server, 'postgres', `CREATE DATABASE ${t}`);
    pgRestore(server, t, CLEAN_DUMP);
    return t;
  })();
  const t = await template;
  await sql(server, 'postgres', `CREATE DATABASE ${name} TEMPLATE ${t}`);
  return { server, name, url: server.url(name) };
}

export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `meshverify-${prefix}-`));
  dirs.push(d);
  return d;
}

/** The backup's folders as a node holds them: certs/ (keys 0600, folder 0700) and tuf/. */
export function stageNodeFolders(root: string): { certs: string; tuf: string } {
  const certs = join(root, 'certs');
  mkdirSync(certs, { recursive: true });
  for (const f of ['ca.crt', 'ca.key', 'server.crt', 'server.key']) {
    copyFileSync(join(FIXTURES, 'certs', 'good', f), join(certs, f));
    chmodSync(join(certs, f), f.endsWith('.key') ? 0o600 : 0o644);
  }
  chmodSync(certs, 0o700);
  const tuf = join(root, 'tuf');
  cpSync(join(FIXTURES, 'tuf', 'good', 'metadata'), join(tuf, 'metadata'), { recursive: true });
  cpSync(join(FIXTURES, 'tuf', 'good', 'keys'), join(tuf, 'keys'), { recursive: true });
  for (const k of ['snapshot.key', 'timestamp.key']) chmodSync(join(tuf, 'keys', k), 0o600);
  chmodSync(join(tuf, 'keys'), 0o700);
  return { certs, tuf };
}

/** backup.tar.gz: db/meshanics.dump = `dump`, plus certs/ and tuf/ as stageNodeFolders makes them. */
export async function buildArchive(dump = CLEAN_DUMP): Promise<{ archive: string; staging: string }> {
  const dir = tempDir('archive');
  const staging = join(dir, 'staging');
  mkdirSync(join(staging, 'db'), { recursive: true });
  copyFileSync(dump, join(staging, 'db', 'meshanics.dump'));
  stageNodeFolders(staging);
  const archive = join(dir, 'backup.tar.gz');
  await tarCreate({ gzip: true, file: archive, cwd: staging }, ['db', 'certs', 'tuf']);
  return { archive, staging };
}

/** A copy of a staged folder, modes preserved (as a restore would leave it). */
export function restoredCopy(from: string, name: string): string {
  const to = join(tempDir('restored'), name);
  cpSync(from, to, { recursive: true, preserveTimestamps: true });
  return to;
}

export function options(over: Partial<VerifyOptions> = {}): VerifyOptions {
  return defaultVerifyOptions({ at: CERT_AT, hosts: [CERT_HOST], ...over });
}

export function findings(r: Report, code: string): Finding[] {
  return r.findings.filter((f) => f.code === code);
}

/** The one finding with this code whose location includes `loc` (fails otherwise). */
export function one(r: Report, code: string, loc: Location): Finding {
  const all = findings(r, code);
  const hits = all.filter((f) =>
    Object.entries(loc).every(([k, v]) => (f.location as Record<string, unknown>)[k] === v),
  );
  if (hits.length !== 1)
    throw new Error(
      `expected one ${code} at ${JSON.stringify(loc)}, found ${hits.length}; all ${code}: ${JSON.stringify(all.map((f) => f.location))}`,
    );
  return hits[0] as Finding;
}

export function errorsOf(r: Report): Finding[] {
  return r.findings.filter((f) => f.severity === 'error' || f.severity === 'critical');
}

export function status(r: Report, id: string): string | undefined {
  return r.checks.find((c) => c.id === id)?.status;
}

export async function cleanup(): Promise<void> {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  if (databases.length === 0) return;
  const server = await pgServer();
  for (const db of databases.splice(0).reverse())
    await sql(server, 'postgres', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
  template = undefined;
  await server.stop();
}
