// The benchmark (not part of npm test): how fast meshverify verifies a large backup, next to
// reading the same dump out with pg_restore and to restoring it and recomputing the chain in SQL.
//   node dist/bench/run.js [--runs N] [--big] [--records N] [--shuffle F] [--formats custom,plain,plain-gz]
//                          [--tmp DIR] [--keep] [--json FILE]
// PostgreSQL from PGHOST/PGPORT/PGUSER/PGPASSWORD (default 127.0.0.1:5432, user postgres).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateScale, type DumpFormat, type ScaleResult } from '../scripts/scale/generate.js';
import { CHAIN_CHECK_SQL, parseChainCheck, REPLACE_WITH_SPEC_FUNCTIONS } from '../scripts/scale/spec-sql.js';
import { measure, median, type Measured } from './measure.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MESHVERIFY = join(REPO_ROOT, 'bin', 'meshverify');

type Route = 'meshverify' | 'read-out' | 'restore+sql';

const ROUTE_LABEL: Record<Route, Record<DumpFormat, string>> = {
  meshverify: {
    custom: 'meshverify verify --json',
    plain: 'meshverify verify --json',
    'plain-gz': 'meshverify verify --json',
  },
  'read-out': {
    custom: 'pg_restore -f /dev/null',
    plain: 'cat > /dev/null',
    'plain-gz': 'gzip -dc > /dev/null',
  },
  'restore+sql': {
    custom: 'pg_restore -d + SQL check',
    plain: 'psql -f + SQL check',
    'plain-gz': 'gzip -dc | psql + SQL check',
  },
};

interface RouteResult {
  format: DumpFormat;
  route: Route;
  seconds: number[];
  peakKiB: (number | null)[];
  /** What the route said about the chain (head seq and hash, or the SQL check's counts). */
  notes: string[];
  failures: string[];
}

interface BenchOptions {
  runs: number;
  records: number;
  shuffle: number;
  formats: DumpFormat[];
  tmp: string | undefined;
  keep: boolean;
  json: string | undefined;
}

function pgEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  env['PGHOST'] ??= '127.0.0.1';
  env['PGPORT'] ??= '5432';
  env['PGUSER'] ??= 'postgres';
  delete env['PGDATABASE'];
  delete env['PGOPTIONS'];
  return env;
}

function psqlAdmin(env: NodeJS.ProcessEnv, sql: string): void {
  const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'postgres', '-c', sql], {
    env,
    encoding: 'utf8',
  });
  if (r.error || r.status !== 0) throw new Error(`psql: ${r.error?.message ?? r.stderr}`);
}

function requireTools(env: NodeJS.ProcessEnv): void {
  for (const t of ['pg_restore', 'psql', 'gzip', 'cat', 'sh']) {
    const r = spawnSync(
      t === 'cat' || t === 'sh' ? 'which' : t,
      t === 'cat' || t === 'sh' ? [t] : ['--version'],
      { env },
    );
    if (r.error || r.status !== 0) throw new Error(`${t} is not on PATH (the benchmark's baselines need it)`);
  }
  psqlAdmin(env, 'SELECT 1');
}

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      big: { type: 'boolean' },
      records: { type: 'string' },
      shuffle: { type: 'string' },
      formats: { type: 'string' },
      tmp: { type: 'string' },
      keep: { type: 'boolean' },
      json: { type: 'string' },
    },
    strict: true,
  });
  const runs = Number(values.runs ?? '3');
  const records = Number(
    (values.records ?? (values.big === true ? '10000000' : '1000000')).replace(/_/g, ''),
  );
  const shuffle = Number(values.shuffle ?? '0');
  const formats = (values.formats ?? 'custom,plain,plain-gz').split(',').map((s) => s.trim());
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  if (!Number.isSafeInteger(records) || records < 1) throw new Error('--records must be a positive integer');
  if (!(shuffle >= 0 && shuffle <= 1)) throw new Error('--shuffle must be between 0 and 1');
  const known: DumpFormat[] = ['custom', 'plain', 'plain-gz'];
  const picked = formats.filter((f): f is DumpFormat => (known as string[]).includes(f));
  if (picked.length !== formats.length || picked.length === 0)
    throw new Error('--formats: custom, plain, plain-gz');
  return {
    runs,
    records,
    shuffle,
    formats: picked,
    tmp: values.tmp,
    keep: values.keep === true,
    json: values.json,
  };
}

/** meshverify's head, from its JSON report. */
function headOf(m: Measured): string {
  try {
    const report: unknown = JSON.parse(m.stdout);
    const chains =
      typeof report === 'object' && report !== null ? (report as { chains?: unknown }).chains : undefined;
    const c: unknown = Array.isArray(chains) ? chains[0] : undefined;
    if (typeof c !== 'object' || c === null) return 'no chain in report';
    const { last, headHash, intact } = c as { last?: unknown; headHash?: unknown; intact?: unknown };
    const verdict = (report as { verdict?: unknown }).verdict;
    return `head ${String(last)} ${String(headHash)} intact=${String(intact)} verdict=${String(verdict)}`;
  } catch {
    return `no JSON report (exit ${m.status}): ${m.stderr.trim().split('\n').slice(-2).join(' | ')}`;
  }
}

async function runMeshverify(gen: ScaleResult, res: RouteResult): Promise<void> {
  const m = await measure(process.execPath, [MESHVERIFY, 'verify', gen.archive, '--json']);
  const note = headOf(m);
  res.notes.push(note);
  if (!note.startsWith(`head ${gen.head.seq} ${gen.head.hash} `)) {
    res.failures.push(`exit ${m.status}: ${note}`);
    return;
  }
  res.seconds.push(m.seconds);
  res.peakKiB.push(m.peakKiB);
}

async function runReadOut(dump: string, format: DumpFormat, res: RouteResult): Promise<void> {
  const m =
    format === 'custom'
      ? await measure('pg_restore', ['-f', '/dev/null', dump])
      : format === 'plain'
        ? await measure('sh', ['-c', 'cat "$1" > /dev/null', 'sh', dump])
        : await measure('sh', ['-c', 'gzip -dc "$1" > /dev/null', 'sh', dump]);
  if (m.status !== 0) {
    res.failures.push(`exit ${m.status}: ${m.stderr.trim()}`);
    return;
  }
  res.seconds.push(m.seconds);
  res.peakKiB.push(m.peakKiB);
}

async function runRestoreSql(
  env: NodeJS.ProcessEnv,
  gen: ScaleResult,
  dump: string,
  format: DumpFormat,
  res: RouteResult,
): Promise<void> {
  const db = `meshverify_bench_${process.pid}`;
  psqlAdmin(env, `DROP DATABASE IF EXISTS ${db}`);
  psqlAdmin(env, `CREATE DATABASE ${db} TEMPLATE template0 ENCODING 'UTF8'`);
  try {
    const psql = `psql -X -q -v ON_ERROR_STOP=1 -d ${db}`;
    const restore =
      format === 'custom'
        ? await measure('pg_restore', ['--exit-on-error', '-d', db, dump], { env })
        : format === 'plain'
          ? await measure('sh', ['-c', `${psql} -f "$1" > /dev/null`, 'sh', dump], { env })
          : await measure('sh', ['-c', `gzip -dc "$1" | ${psql} > /dev/null`, 'sh', dump], { env });
    if (restore.status !== 0) {
      res.failures.push(`restore exit ${restore.status}: ${restore.stderr.trim()}`);
      return;
    }
    const sql = `${REPLACE_WITH_SPEC_FUNCTIONS}\n${CHAIN_CHECK_SQL};\n`;
    const check = await measure('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', sql], {
      env,
    });
    const parsed = parseChainCheck(check.stdout.trim().split('\n').pop() ?? '');
    if (check.status !== 0 || parsed === undefined) {
      res.failures.push(`SQL check exit ${check.status}: ${check.stderr.trim()}`);
      return;
    }
    const ok =
      parsed.records === gen.records && parsed.badHashes === 0 && parsed.badLinks === 0 && parsed.genesisOk;
    res.notes.push(
      `restore ${restore.seconds.toFixed(1)} s + SQL ${check.seconds.toFixed(1)} s; ${parsed.records} records, ` +
        `${parsed.badHashes} bad hashes, ${parsed.badLinks} bad links${ok ? '' : ' (UNEXPECTED)'}`,
    );
    if (!ok) res.failures.push('the SQL check disagrees with the generator');
    res.seconds.push(restore.seconds + check.seconds);
    const peaks = [restore.peakKiB, check.peakKiB].filter((v): v is number => v !== null);
    res.peakKiB.push(peaks.length > 0 ? Math.max(...peaks) : null);
  } finally {
    psqlAdmin(env, `DROP DATABASE IF EXISTS ${db}`);
  }
}

function fmtNum(n: number, digits = 0): string {
  return Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';
}

function summarize(o: BenchOptions, gens: Map<DumpFormat, ScaleResult>, results: RouteResult[]): string {
  const med = (f: DumpFormat, r: Route): number => {
    const x = results.find((e) => e.format === f && e.route === r);
    return x !== undefined && x.seconds.length > 0 ? median(x.seconds) : NaN;
  };
  const rows: string[][] = [['format', 'route', 'median s', 'records/s', 'peak RSS MiB', 'runs ok']];
  for (const r of results) {
    const s = r.seconds.length > 0 ? median(r.seconds) : NaN;
    const peaks = r.peakKiB.filter((v): v is number => v !== null);
    rows.push([
      r.format,
      ROUTE_LABEL[r.route][r.format],
      fmtNum(s, 2),
      fmtNum((gens.get(r.format)?.records ?? NaN) / s),
      peaks.length > 0 ? fmtNum(Math.max(...peaks) / 1024) : 'n/a',
      `${r.seconds.length}/${o.runs}`,
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  const line = (row: string[]): string =>
    row.map((c, i) => (i >= 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  const out = [line(rows[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  out.push('', 'ratios (of medians):');
  for (const f of o.formats) {
    out.push(
      `  ${f}: meshverify / read-out = ${fmtNum(med(f, 'meshverify') / med(f, 'read-out'), 2)}; ` +
        `restore+SQL / meshverify = ${fmtNum(med(f, 'restore+sql') / med(f, 'meshverify'), 2)}`,
    );
  }
  for (const f of ['plain', 'plain-gz'] as const) {
    if (o.formats.includes(f) && o.formats.includes('custom')) {
      out.push(
        `  meshverify ${f} / custom = ${fmtNum(med(f, 'meshverify') / med('custom', 'meshverify'), 2)}`,
      );
    }
  }
  const problems = results.flatMap((r) => r.failures.map((f) => `  ${r.format} ${r.route}: ${f}`));
  if (problems.length > 0) out.push('', 'runs that did not count:', ...[...new Set(problems)]);
  return out.join('\n');
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const env = pgEnv();
  requireTools(env);
  const work = mkdtempSync(join(o.tmp ?? tmpdir(), 'meshverify-bench-'));
  const log = (s: string): void => {
    process.stderr.write(`bench: ${s}\n`);
  };
  try {
    const gens = new Map<DumpFormat, ScaleResult>();
    for (const format of o.formats) {
      log(`generating ${o.records} records, ${format} …`);
      const g = await generateScale({
        records: o.records,
        format,
        out: join(work, `${format}.tar.gz`),
        dumpOut: join(
          work,
          `${format}.${format === 'custom' ? 'dump' : format === 'plain' ? 'sql' : 'sql.gz'}`,
        ),
        shuffle: o.shuffle,
        tmpDir: work,
      });
      gens.set(format, g);
      log(
        `  ${g.seconds.toFixed(1)} s (${fmtNum(g.records / g.seconds)} records/s), archive ${fmtNum(g.archiveBytes / 2 ** 20)} MiB`,
      );
    }
    const results: RouteResult[] = [];
    for (const format of o.formats) {
      const g = gens.get(format);
      if (g?.dumpOut == null) continue;
      const dump = g.dumpOut;
      const mk = (route: Route): RouteResult => {
        const r: RouteResult = { format, route, seconds: [], peakKiB: [], notes: [], failures: [] };
        results.push(r);
        return r;
      };
      const mv = mk('meshverify');
      const ro = mk('read-out');
      const rs = mk('restore+sql');
      for (let i = 1; i <= o.runs; i++) {
        log(`${format} run ${i}/${o.runs}: meshverify …`);
        await runMeshverify(g, mv);
        log(`${format} run ${i}/${o.runs}: read-out …`);
        await runReadOut(dump, format, ro);
        log(`${format} run ${i}/${o.runs}: restore + SQL …`);
        await runRestoreSql(env, g, dump, format, rs);
      }
      for (const r of [mv, rs]) if (r.notes[0] !== undefined) log(`${format} ${r.route}: ${r.notes[0]}`);
    }
    const table = summarize(o, gens, results);
    process.stdout.write(
      `meshverify benchmark: ${fmtNum(o.records)} records, shuffle ${o.shuffle}, ${o.runs} run(s) each, ` +
        `node ${process.version}, PostgreSQL at ${env['PGHOST']}:${env['PGPORT']}\n\n${table}\n`,
    );
    if (o.json !== undefined) {
      const gen = Object.fromEntries(
        [...gens].map(([f, g]) => [
          f,
          { seconds: g.seconds, archiveBytes: g.archiveBytes, dumpBytes: g.dumpBytes, head: g.head },
        ]),
      );
      writeFileSync(o.json, `${JSON.stringify({ options: o, generated: gen, results }, null, 2)}\n`);
    }
    if (o.keep) log(`kept ${work}`);
  } finally {
    if (!o.keep) rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
