/**
 * make-dump-fixtures: small real pg_dump outputs for the dump reader's tests (fixtures/dump/),
 * made with the real PostgreSQL 15 and pg_dump / pg_restore, plus the ground truth PostgreSQL
 * itself gives for every value (expected.json) and a few hundred timestamptz values with their
 * to_char recipe form (timestamps.json).
 *
 * Run from the repository root (PostgreSQL 15 at 127.0.0.1:5432, user postgres, trust auth; the
 * PGHOST / PGPORT / PGUSER / PGPASSWORD variables override that):
 *
 *   npx tsc -p tsconfig.json && node dist/scripts/make-dump-fixtures.js
 *
 * It creates and drops the scratch database meshverify_dump_fixture. The archives it builds
 * byte by byte for versions 1.12 and 1.13 (test/dump/helpers/archive-builder.ts) are restored
 * with the real pg_restore and must give the same COPY data as the real dump, which checks the
 * builder's layout against the real tool.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { buildArchive, rawChunks, tableEntries, zlibChunks } from '../test/dump/helpers/archive-builder.js';

const DB = 'meshverify_dump_fixture';
const OUT = resolve(process.argv[2] ?? 'fixtures/dump');

const env = process.env;
const conn = {
  host: env.PGHOST ?? '127.0.0.1',
  port: Number(env.PGPORT ?? '5432'),
  user: env.PGUSER ?? 'postgres',
  password: env.PGPASSWORD,
};

/** Environment for pg_dump / pg_restore, with the session time zone and options chosen here. */
function toolEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    PGHOST: conn.host,
    PGPORT: String(conn.port),
    PGUSER: conn.user,
  };
  delete e.PGTZ;
  delete e.PGOPTIONS;
  delete e.PGDATABASE;
  return { ...e, ...extra };
}

const SCHEMA = String.raw`
CREATE TABLE public.audit_log (
  seq         bigint PRIMARY KEY,
  occurred_at timestamptz NOT NULL,
  actor       text NOT NULL,
  action      text NOT NULL,
  subject     text,
  payload     jsonb NOT NULL,
  prev_hash   bytea NOT NULL,
  hash        bytea NOT NULL
);
CREATE TABLE public."Weird ""Name""" ("Col A" integer, "b\c" text, data bytea, at timestamptz);
CREATE TABLE public.bulk (id integer PRIMARY KEY, h text);
CREATE TABLE public.empty_t (x integer);
-- A function whose body holds lines a naive line scanner would take for COPY data and a trailer.
CREATE FUNCTION public.tricky() RETURNS text LANGUAGE sql AS $f$ SELECT '
COPY public.fake (a) FROM stdin;
1
\.
-- PostgreSQL database dump complete
'::text $f$;
COMMENT ON TABLE public.bulk IS E'line one\n-- PostgreSQL database dump complete\nCOPY public.nope (x) FROM stdin;';
`;

const ROWS = String.raw`
SET TIME ZONE 'UTC';
INSERT INTO public.audit_log VALUES
 (1, '2026-11-25 22:00:00.12-05', 'alice', 'login', NULL, '{"a": 1}', ('\x' || repeat('00', 32))::bytea, sha256('one')),
 (2, '1800-01-01 00:00:00-04:56:02', E'tab\there', E'new\nline', E'back\\slash \\N', '{"k": "v\"q", "t": "a\tb"}', sha256('one'), sha256('two')),
 (3, 'infinity', 'Zoë 🚀', E'cr\rlf\r\n', '', '{"u": "é", "z": null}', sha256('two'), sha256('three')),
 (4, '0001-01-01 00:00:00+00 BC', E'\\.', E'\x01\x7f', '\.', '[]', sha256('three'), sha256('four')),
 (5, '10000-06-01 12:00:00.000001+00', E'vt\x0bff\fbs\b', 'x', E'\\x41', '{}', sha256('four'), sha256('five')),
 (6, '2026-06-01 12:00:00+05:45', 'kathmandu', 'zone', NULL, '{"n": 1.50}', sha256('five'), sha256('six')),
 (7, '-infinity', 'minus', 'inf', NULL, '"s"', sha256('six'), sha256('seven'));
INSERT INTO public."Weird ""Name""" VALUES
 (1, E'\\N', '\x00ff5c0a0d09', '2000-02-29 23:59:59.999999+14'),
 (NULL, NULL, NULL, NULL),
 (3, '\.', ''::bytea, '1969-12-31 23:59:59.5-00:30'),
 (4, E'\\', E'\\x5c78'::bytea, '4713-01-01 00:00:00+00 BC');
INSERT INTO public.bulk SELECT i, md5(i::text) || md5((i * 7)::text) FROM generate_series(1, 120) i;
`;

interface Dumped {
  file: string;
  args: string[];
  env: Record<string, string>;
  /** gzip the pg_dump output (plain .sql.gz). */
  gzip?: boolean;
  /** Write through a pipe (pg_dump cannot seek: no data offsets). */
  pipe?: boolean;
  note: string;
}

const DUMPS: Dumped[] = [
  {
    file: 'custom.dump',
    args: ['-Fc'],
    env: { PGTZ: 'UTC' },
    note: 'pg_dump -Fc, zlib default level, data offsets set',
  },
  {
    file: 'custom-z0.dump',
    args: ['-Fc', '-Z0'],
    env: { PGTZ: 'UTC' },
    note: 'pg_dump -Fc -Z0 (uncompressed blocks)',
  },
  {
    file: 'custom-pipe.dump',
    args: ['-Fc', '-Z6'],
    env: { PGTZ: 'Asia/Kathmandu' },
    pipe: true,
    note: 'pg_dump -Fc -Z6 | cat (no data offsets), PGTZ=Asia/Kathmandu',
  },
  {
    file: 'plain.sql',
    args: ['-Fp'],
    env: { PGTZ: 'America/New_York' },
    note: 'pg_dump -Fp, PGTZ=America/New_York',
  },
  {
    file: 'plain-create.sql',
    args: ['-Fp', '--create', '-t', 'public.empty_t', '-t', 'public."Weird ""Name"""'],
    env: { PGTZ: 'UTC' },
    note: 'pg_dump -Fp --create of two tables (a \\connect line names the database)',
  },
  {
    file: 'plain.sql.gz',
    args: ['-Fp'],
    env: { PGTZ: 'Asia/Kathmandu', PGOPTIONS: '-c bytea_output=escape' },
    gzip: true,
    note: 'pg_dump -Fp | gzip, PGTZ=Asia/Kathmandu, bytea_output=escape',
  },
];

function dump(d: Dumped): void {
  const e = toolEnv(d.env);
  const out = join(OUT, d.file);
  if (d.gzip || d.pipe) {
    const dumped = spawnSync('pg_dump', [...d.args, DB], { env: e, maxBuffer: 64 << 20 });
    if (dumped.status !== 0) throw new Error(`pg_dump failed: ${dumped.stderr.toString()}`);
    // The pipe: pg_dump's stdout is a pipe here (spawnSync), so it cannot seek.
    const bytes = d.gzip ? execFileSync('gzip', ['-9', '-n', '-c'], { input: dumped.stdout }) : dumped.stdout;
    writeFileSync(out, bytes);
  } else {
    execFileSync('pg_dump', [...d.args, '-f', out, DB], { env: e });
  }
}

/** Ground truth per table, in physical (dump) order, each value as PostgreSQL renders it. */
async function expectedTables(c: pg.Client): Promise<Record<string, unknown>> {
  const recipe = (col: string): string =>
    `CASE WHEN ${col} IS NULL THEN NULL ELSE json_build_object('recipe', to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'epoch', ${exactEpoch(col)}) END`;
  const q = async (sql: string): Promise<unknown> => (await c.query<{ j: unknown }>(sql)).rows[0]?.j ?? [];
  return {
    'public.audit_log': {
      columns: ['seq', 'occurred_at', 'actor', 'action', 'subject', 'payload', 'prev_hash', 'hash'],
      rows: await q(`SELECT json_agg(json_build_array(seq::text, ${recipe('occurred_at')}, actor, action, subject,
        payload::text, encode(prev_hash, 'hex'), encode(hash, 'hex')) ORDER BY ctid) AS j FROM public.audit_log`),
    },
    'public.Weird "Name"': {
      columns: ['Col A', 'b\\c', 'data', 'at'],
      rows: await q(`SELECT json_agg(json_build_array("Col A"::text, "b\\c", encode(data, 'hex'), ${recipe('at')})
        ORDER BY ctid) AS j FROM public."Weird ""Name"""`),
    },
    'public.bulk': {
      columns: ['id', 'h'],
      rows: await q(`SELECT json_agg(json_build_array(id::text, h) ORDER BY ctid) AS j FROM public.bulk`),
    },
    'public.empty_t': { columns: ['x'], rows: [] },
  };
}

/**
 * extract(epoch) as exact text. extract() itself rounds to 16 significant digits near the top of
 * the range (numeric division), so whole days and the time of day are added up instead.
 */
function exactEpoch(col: string): string {
  return `CASE WHEN isfinite(${col}) THEN (((${col} AT TIME ZONE 'UTC')::date - date '1970-01-01')::numeric * 86400
            + extract(epoch FROM (${col} AT TIME ZONE 'UTC')::time))::text ELSE extract(epoch FROM ${col})::text END`;
}

const ZONES = [
  'UTC',
  'America/New_York',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'America/St_Johns',
  'Asia/Kolkata',
  'Europe/Amsterdam',
  'Africa/Monrovia',
  'Australia/Eucla',
  'Pacific/Kiritimati',
  'America/Sao_Paulo',
  'Etc/GMT+12',
];

/** Random and edge timestamptz values, each printed in one of ZONES, with PostgreSQL's recipe form. */
async function timestampSamples(c: pg.Client): Promise<unknown[]> {
  await c.query(`SELECT setseed(0.4242)`);
  await c.query(`CREATE TEMP TABLE ts_samples (i int, t timestamptz)`);
  await c.query(`SET TIME ZONE 'UTC'`);
  // Years spread over PostgreSQL's whole range, BC too, with 0–6 fractional digits.
  await c.query(String.raw`
    INSERT INTO ts_samples
    SELECT i, format('%s-%s-%s %s:%s:%s.%s+00%s',
        lpad(y::text, 4, '0'), lpad(mo::text, 2, '0'), lpad(d::text, 2, '0'),
        lpad(h::text, 2, '0'), lpad(mi::text, 2, '0'), lpad(s::text, 2, '0'), lpad(us::text, 6, '0'),
        CASE WHEN bc THEN ' BC' ELSE '' END)::timestamptz
    FROM (
      SELECT i,
        CASE i % 4 WHEN 0 THEN 1 + floor(random() * 294275)::int
                   WHEN 1 THEN 1 + floor(random() * 4712)::int
                   WHEN 2 THEN 1900 + floor(random() * 200)::int
                   ELSE 1 + floor(random() * 3000)::int END AS y,
        i % 4 = 1 AS bc,
        1 + floor(random() * 12)::int AS mo, 1 + floor(random() * 28)::int AS d,
        floor(random() * 24)::int AS h, floor(random() * 60)::int AS mi, floor(random() * 60)::int AS s,
        CASE floor(random() * 4)::int WHEN 0 THEN 0
                                      WHEN 1 THEN floor(random() * 1000)::int * 1000
                                      WHEN 2 THEN floor(random() * 100)::int * 10000
                                      ELSE floor(random() * 1000000)::int END AS us
      FROM generate_series(1, 300) i) g`);
  const edges = [
    'infinity',
    '-infinity',
    '4714-11-24 00:00:00+00 BC',
    '294276-12-31 23:59:59.999999+00',
    '0001-01-01 00:00:00+00',
    '0001-12-31 23:59:59.999999+00 BC',
    '0001-01-01 00:30:00+01',
    '0005-02-29 12:00:00+00 BC',
    '2000-02-29 23:59:59.999999+00',
    '1900-02-28 23:59:59+00',
    '1969-12-31 23:59:59.999999+00',
    '1970-01-01 00:00:00+00',
    '9999-12-31 23:59:59.999999+00',
    '10000-01-01 00:00:00+00',
    '1800-01-01 00:00:00+00',
    '1883-11-18 12:00:00+00',
    '2026-11-25 22:00:00.12-05',
  ];
  for (const [k, t] of edges.entries())
    await c.query(`INSERT INTO ts_samples VALUES ($1, $2::timestamptz)`, [1000 + k, t]);
  const out: unknown[] = [];
  for (const [zi, zone] of ZONES.entries()) {
    await c.query(`SET TIME ZONE '${zone}'`);
    const r = await c.query<{ zone: string; text: string; recipe: string | null; epoch: string }>(
      `SELECT $1::text AS zone, t::text AS text,
              to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS recipe,
              ${exactEpoch('t')} AS epoch
         FROM ts_samples WHERE (i < 1000 AND i % $2 = $3) OR i >= 1000 ORDER BY i`,
      [zone, ZONES.length, zi],
    );
    out.push(...r.rows);
  }
  return out;
}

/** Restores `file` with the real pg_restore to a script and returns its COPY sections. */
function restoredCopies(file: string): string {
  const r = spawnSync('pg_restore', ['-f', '-', '--data-only', file], {
    env: toolEnv({}),
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`pg_restore ${file} failed: ${r.stderr.toString()}`);
  const text = r.stdout.toString('utf8');
  const parts = text.split('\n').reduce<{ out: string[]; on: boolean }>(
    (acc, line) => {
      if (line.startsWith('COPY ')) acc.on = true;
      if (acc.on) acc.out.push(line);
      if (line === '\\.') acc.on = false;
      return acc;
    },
    { out: [], on: false },
  );
  return parts.out.join('\n');
}

/** Archives built byte by byte for versions pg_dump 15 does not write; checked with pg_restore 15. */
function builtArchives(bulkRows: string[]): Array<{ file: string; note: string }> {
  const out: Array<{ file: string; note: string }> = [];
  const made: Array<[string, [number, number, number], number, 'raw' | 'zlib']> = [
    ['built-1.12.dump', [1, 12, 0], -1, 'zlib'],
    ['built-1.13.dump', [1, 13, 0], 0, 'raw'],
    ['built-1.14.dump', [1, 14, 0], -1, 'zlib'],
  ];
  for (const [file, version, compression, kind] of made) {
    const buf = buildArchive({
      version,
      compression,
      dbname: DB,
      entries: tableEntries(10, 'public', 'bulk', ['id', 'h']),
      blocks: [{ dumpId: 11, chunks: kind === 'zlib' ? zlibChunks(bulkRows, 1024) : rawChunks(bulkRows) }],
      setOffsets: true,
    });
    writeFileSync(join(OUT, file), buf);
    const got = restoredCopies(join(OUT, file));
    const want = `COPY public.bulk (id, h) FROM stdin;\n${bulkRows.join('\n')}\n\\.`;
    if (got !== want) throw new Error(`pg_restore does not read ${file} as built:\n${got.slice(0, 400)}`);
    out.push({
      file,
      note: `built by archive-builder.ts as archive ${version.join('.')}, read back by the real pg_restore`,
    });
  }
  return out;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const admin = new pg.Client({ ...conn, database: 'postgres' });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.query(`CREATE DATABASE ${DB} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
  const c = new pg.Client({ ...conn, database: DB });
  await c.connect();
  try {
    await c.query(SCHEMA);
    await c.query(ROWS);
    const serverVersion = (
      await c.query<{ v: string }>(`SELECT setting AS v FROM pg_settings WHERE name = 'server_version'`)
    ).rows[0]?.v;
    for (const d of DUMPS) dump(d);
    const tables = await expectedTables(c);
    const bulk = (
      await c.query<{ r: string }>(`SELECT id::text || E'\t' || h AS r FROM public.bulk ORDER BY ctid`)
    ).rows.map((x) => x.r);
    const built = builtArchives(bulk);
    const pgDumpVersion = execFileSync('pg_dump', ['--version']).toString().trim();
    writeFileSync(
      join(OUT, 'expected.json'),
      JSON.stringify(
        {
          database: DB,
          serverVersion,
          pgDump: pgDumpVersion,
          dumps: Object.fromEntries([
            ...DUMPS.map((d) => [d.file, d.note]),
            ...built.map((b) => [b.file, b.note]),
          ]),
          tables,
        },
        null,
        1,
      ) + '\n',
    );
    writeFileSync(
      join(OUT, 'timestamps.json'),
      JSON.stringify(await timestampSamples(c), null, 0).replace(/\},\{/g, '},\n{') + '\n',
    );
  } finally {
    await c.end();
    await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
    await admin.end();
  }
  for (const d of [...DUMPS.map((x) => x.file), 'expected.json', 'timestamps.json']) {
    process.stdout.write(`${d}\t${readFileSync(join(OUT, d)).length} bytes\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
