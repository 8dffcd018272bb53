// Proves the scale generator's archives are what pg_dump 15 writes: each format is restored with
// the real pg_restore / psql into a fresh database, PostgreSQL recomputes every hash and link
// with the spec's own functions (3.3), a real pg_dump of the restored database is compared with
// the generated dump, and the custom archive's TOC is compared field by field with real pg_dump's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { x as tarExtract } from 'tar';
import { generateScale, type DumpFormat, type ScaleResult } from '../../scripts/scale/generate.js';
import {
  CHAIN_CHECK_SQL,
  parseChainCheck,
  REPLACE_WITH_SPEC_FUNCTIONS,
} from '../../scripts/scale/spec-sql.js';
import { pgServer, type PgServer } from '../support/pg.js';
import { parseCustomArchive, type ParsedArchive } from './custom-archive.js';

const RECORDS = 2000;
const SEED = 7;
const SHUFFLE = 0.05;
const ZONE = 'America/New_York';
const FORMATS: DumpFormat[] = ['custom', 'plain', 'plain-gz'];

let server: PgServer;
let work = '';
let toolEnv: NodeJS.ProcessEnv = {};
const made = new Map<DumpFormat, ScaleResult>();
const databases: string[] = [];

function run(cmd: string, args: string[], input?: Buffer): Buffer {
  const r = spawnSync(cmd, args, { env: toolEnv, input, maxBuffer: 1 << 30 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return r.stdout;
}

function requireTools(): void {
  for (const t of ['pg_restore', 'pg_dump', 'psql']) {
    const r = spawnSync(t, ['--version'], { env: toolEnv });
    if (r.error || r.status !== 0) {
      throw new Error(
        `${t} is not on PATH: this test restores the generated dumps with the real PostgreSQL client tools ` +
          `(install the PostgreSQL 15 client, e.g. apt-get install postgresql-client-15)`,
      );
    }
  }
  const v = spawnSync('pg_dump', ['--version'], { env: toolEnv }).stdout.toString();
  if (!/\(PostgreSQL\) 15\./.test(v)) {
    throw new Error(
      `these comparisons need pg_dump 15 (the generator writes what pg_dump 15 writes); found: ${v.trim()}`,
    );
  }
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client(server.config);
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function freshDb(fmt: string): Promise<string> {
  const name = `mv_scale_${process.pid}_${fmt.replace('-', '_')}`;
  await admin(`DROP DATABASE IF EXISTS ${name}`);
  await admin(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
  databases.push(name);
  return name;
}

function dumpOf(fmt: DumpFormat): string {
  const r = made.get(fmt);
  if (r?.dumpOut == null) throw new Error(`no ${fmt} dump generated`);
  return r.dumpOut;
}

function plainText(fmt: 'plain' | 'plain-gz'): string {
  const raw = readFileSync(dumpOf(fmt));
  return (fmt === 'plain-gz' ? gunzipSync(raw) : raw).toString('utf8');
}

/** Restores a generated dump into a fresh database the way an operator would. */
async function restore(fmt: DumpFormat): Promise<string> {
  const db = await freshDb(fmt);
  if (fmt === 'custom') run('pg_restore', ['--exit-on-error', '-d', db, dumpOf(fmt)]);
  else run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db], Buffer.from(plainText(fmt), 'utf8'));
  return db;
}

/** The spec's functions replace the dump's own, then PostgreSQL checks the whole chain. */
function chainCheck(db: string): ReturnType<typeof parseChainCheck> {
  const out = run(
    'psql',
    ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', db],
    Buffer.from(`${REPLACE_WITH_SPEC_FUNCTIONS}\n${CHAIN_CHECK_SQL};\n`),
  );
  return parseChainCheck(out.toString().trim().split('\n').pop() ?? '');
}

/** Script text with what legitimately differs between two dumps of the same data normalized:
 *  the random \restrict key, the version lines, and the audit rows' physical order (COPY puts
 *  small rows into earlier pages' free space, so a re-dump's row order differs). */
function normalizeScript(s: string): string {
  const lines = s.split('\n').filter((l) => !/^\\(un)?restrict /.test(l));
  const out: string[] = [];
  let rows: string[] | undefined;
  for (const l of lines) {
    if (rows !== undefined) {
      if (l === '\\.') {
        out.push(...rows.sort(), l);
        rows = undefined;
      } else rows.push(l);
      continue;
    }
    if (l.startsWith('-- Dumped from database version') || l.startsWith('-- Dumped by pg_dump version')) {
      out.push(l.replace(/version .*/, 'version X'));
      continue;
    }
    out.push(l);
    if (l.startsWith('COPY public.audit_log ')) rows = [];
  }
  return out.join('\n');
}

/** A TOC with what a different database legitimately changes blanked: dump ids and OIDs (deps
 *  become tags), offsets (their state stays), the database's name, locale and version strings. */
function comparableToc(a: ParsedArchive): unknown {
  const tagOf = new Map(a.entries.map((e) => [String(e.dumpId), `${e.desc} ${e.tag}`]));
  return {
    version: a.version,
    format: a.format,
    compression: a.compression,
    entries: a.entries.map((e) => ({
      ...e,
      dumpId: 0,
      oid: e.oid === '0' ? '0' : 'oid',
      tag: e.desc === 'DATABASE' ? 'db' : e.tag,
      defn: e.desc === 'DATABASE' ? 'create database' : e.defn,
      dropStmt: e.desc === 'DATABASE' ? 'drop database' : e.dropStmt,
      deps: e.deps.map((d) => tagOf.get(d) ?? `missing ${d}`),
      offset: 0,
    })),
  };
}

before(async () => {
  server = await pgServer();
  toolEnv = {
    ...process.env,
    PGHOST: String(server.config.host ?? '127.0.0.1'),
    PGPORT: String(server.config.port ?? 5432),
    PGUSER: String(server.config.user ?? 'postgres'),
    PGTZ: ZONE,
  };
  if (server.config.password !== undefined) toolEnv['PGPASSWORD'] = String(server.config.password);
  delete toolEnv['PGDATABASE'];
  delete toolEnv['PGOPTIONS'];
  requireTools();
  work = mkdtempSync(join(tmpdir(), 'meshverify-scale-test-'));
  for (const format of FORMATS) {
    const r = await generateScale({
      records: RECORDS,
      format,
      out: join(work, `${format}.tar.gz`),
      seed: SEED,
      shuffle: SHUFFLE,
      zone: ZONE,
      identity: { owner: String(server.config.user ?? 'postgres') },
      dumpOut: join(work, `${format}.dump`),
      tmpDir: work,
    });
    made.set(format, r);
  }
});

after(async () => {
  for (const db of databases) await admin(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

test('the archive has the spec layout under one top folder, with the dump inside', async () => {
  const r = made.get('custom');
  assert.ok(r);
  const dir = join(work, 'extracted');
  mkdirSync(dir);
  await tarExtract({ file: r.archive, cwd: dir }, []);
  assert.deepEqual(readdirSync(dir), [r.top]);
  assert.match(r.top, /^meshanics-backup-\d{8}T\d{6}Z$/);
  assert.deepEqual(readFileSync(join(dir, r.top, 'db', 'meshanics.dump')), readFileSync(dumpOf('custom')));
  assert.equal(existsSync(join(dir, r.top, 'db', 'meshanics.sql')), false);
  // With the lead's fixtures present, the keys keep the modes the spec demands.
  if (r.tuf) assert.equal(statSync(join(dir, r.top, 'tuf', 'keys', 'timestamp.key')).mode & 0o777, 0o600);
  if (r.certs) assert.equal(statSync(join(dir, r.top, 'certs', 'ca.key')).mode & 0o777, 0o600);
  rmSync(dir, { recursive: true, force: true });
});

test('every format carries the same chain (same seed, same head)', () => {
  const heads = FORMATS.map((f) => made.get(f)?.head.hash);
  assert.equal(new Set(heads).size, 1);
  assert.equal(made.get('custom')?.displaced, made.get('plain')?.displaced);
  assert.ok((made.get('custom')?.displaced ?? 0) > 0);
});

test('custom: pg_restore -l lists the TOC', () => {
  const list = run('pg_restore', ['-l', dumpOf('custom')]).toString();
  assert.match(list, /TOC Entries: 27/);
  assert.match(list, /Format: CUSTOM/);
  assert.match(list, /Dump Version: 1\.14-0/);
  assert.match(list, /^\d+; 0 \d+ TABLE DATA public audit_log \S+$/m);
  assert.match(list, /^\d+; 1259 \d+ TABLE public audit_log \S+$/m);
  assert.match(list, /^\d+; 2620 \d+ TRIGGER public audit_log audit_log_chain \S+$/m);
});

test('custom: data blocks are framed as pg_dump frames them, at the offsets the TOC gives', () => {
  const a = parseCustomArchive(readFileSync(dumpOf('custom')));
  assert.equal(a.end, statSync(dumpOf('custom')).size);
  const data = a.entries.filter((e) => e.hasData === 1);
  assert.deepEqual(
    a.blocks.map((b) => b.dumpId),
    data.map((e) => e.dumpId),
  );
  for (const [i, b] of a.blocks.entries()) {
    assert.equal(b.type, 1);
    assert.equal(data[i]?.offsetState, 2);
    assert.equal(data[i]?.offset, b.at);
    // 4096-byte zlib chunks (pg_dump's ZLIB_OUT_SIZE), only the last one shorter.
    assert.ok(b.chunks.slice(0, -1).every((n) => n === 4096));
    assert.ok((b.chunks.at(-1) ?? 0) > 0 && (b.chunks.at(-1) ?? 0) <= 4096);
  }
  assert.ok(
    (a.blocks.find((b) => b.dumpId === data.find((e) => e.tag === 'audit_log')?.dumpId)?.chunks.length ?? 0) >
      10,
  );
});

test('custom: pg_restore prints it as exactly the plain dump the generator writes', () => {
  const fromArchive = run('pg_restore', ['-f', '-', dumpOf('custom')]).toString('utf8');
  const strip = (s: string): string => s.replace(/^\\(un)?restrict .*$/gm, '');
  assert.equal(strip(fromArchive), strip(plainText('plain')));
});

test('custom: restored, PostgreSQL recomputes every hash and link with the spec functions', async () => {
  const db = await restore('custom');
  const check = chainCheck(db);
  assert.deepEqual(check, {
    records: RECORDS,
    badHashes: 0,
    badLinks: 0,
    badSteps: 0,
    genesisOk: true,
    headSeq: RECORDS,
  });
});

test('custom: its TOC equals a real pg_dump -Fc of the restored data, field by field', async () => {
  const db = await restore('custom');
  // To a file, as a node's backup job writes it: seekable, so pg_dump sets the data offsets.
  const file = join(work, 'real.dump');
  run('pg_dump', ['-Fc', '-f', file, '-d', db]);
  const real = parseCustomArchive(readFileSync(file));
  const mine = parseCustomArchive(readFileSync(dumpOf('custom')));
  assert.deepEqual(comparableToc(mine), comparableToc(real));
});

test('plain: psql restores it and PostgreSQL verifies the chain with the spec functions', async () => {
  const db = await restore('plain');
  const check = chainCheck(db);
  assert.equal(check?.records, RECORDS);
  assert.equal(check?.badHashes, 0);
  assert.equal(check?.badLinks, 0);
  assert.equal(check?.genesisOk, true);
});

test('plain: a real pg_dump -Fp of the restored database prints the same script', async () => {
  const db = await restore('plain');
  const real = run('pg_dump', ['-Fp', '-d', db]).toString('utf8');
  assert.equal(normalizeScript(plainText('plain')), normalizeScript(real));
});

test('plain-gz: the gunzipped script restores and verifies with the spec functions', async () => {
  assert.equal(plainText('plain-gz'), plainText('plain'));
  const db = await restore('plain-gz');
  const check = chainCheck(db);
  assert.equal(check?.records, RECORDS);
  assert.equal(check?.badHashes, 0);
  assert.equal(check?.badLinks, 0);
});
