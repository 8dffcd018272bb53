/**
 * make-db-fixtures: the database dumps the audit-chain verifier is tested against, made with the
 * real PostgreSQL 15 and the real pg_dump, plus fixtures/db/manifest.json with the ground truth.
 *
 * Run (from the repository root, PostgreSQL 15 at 127.0.0.1:5432, user postgres, trust auth;
 * DATABASE_URL or PGHOST / PGPORT / PGUSER / PGPASSWORD / PGDATABASE override that):
 *
 *   npx tsc -p tsconfig.json && node dist/scripts/make-db-fixtures.js
 *
 * Options:
 *   --out <dir>          where to write (default fixtures/db); old *.dump, *.sql, *.sql.gz and
 *                        manifest.json there are replaced
 *   --rows <file>        JSON rows for devices / artifacts / trust_state / secrets (see table-rows.ts)
 *   --clean-only         only the clean database and its dumps (for archive fixtures built on top)
 *   --audit-end <iso>    time of the newest ordinary audit record (default 2026-11-26T02:58:41.617Z)
 *   --no-extreme-times   no -infinity / BC / LMT / year 12345 / infinity records, so the newest
 *                        record is the --audit-end one (what the dump-age cross-check wants)
 *   --records <n>        audit records in the clean chain (default 3000)
 *   --seed <n>           pseudo-random seed (default 20261126)
 *   --no-restore-check   skip restoring every dump to re-verify it
 *   --keep               keep the scratch databases (meshverify_fixture_*) for inspection
 *
 * Everything the chain holds is inserted THROUGH the spec's trigger: this script never computes a
 * hash. Defects are then made as a superuser attacker would (triggers off, plain SQL), each in a
 * copy of the clean database, and PostgreSQL itself verifies every fixture before it is dumped.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateRecords } from './db/audit-records.js';
import type { ServerConfig } from './db/connection.js';
import { connect, createDatabase, dropDatabase, serverConfig, toolEnv } from './db/connection.js';
import { assertVerdict, expectedVerdict } from './db/expectations.js';
import type { DumpFormat, DumpInfo, DumpSpec, RowOrder } from './db/pg-dump.js';
import { dumpSeqOrder, restoreDump, rowOrder, writeDump } from './db/pg-dump.js';
import { createSchema, insertAuditRecords, insertTableRows } from './db/populate.js';
import { Prng } from './db/prng.js';
import type { DbFacts, Reference } from './db/reference.js';
import { dbFacts, hashesAt } from './db/reference.js';
import { pipeline } from './db/run-tool.js';
import type { Tamper } from './db/tamper.js';
import { DEFECTS } from './db/tamper.js';
import type { TableRows } from './db/table-rows.js';
import { defaultRows, loadRows, ROWS_FILE_HELP } from './db/table-rows.js';

const DB_PREFIX = 'meshverify_fixture_';
const DUMP_TZ = 'America/New_York';

interface Options {
  out: string;
  rows: string | undefined;
  cleanOnly: boolean;
  /** Epoch milliseconds of the newest ordinary record. */
  auditEnd: number;
  extremeTimes: boolean;
  records: number;
  seed: number;
  restoreCheck: boolean;
  keep: boolean;
}

type AnchorExpect = 'match' | 'mismatch' | 'missing' | 'beyond-head';

interface Anchor {
  seq: number;
  /** The hash the ORIGINAL chain had at seq (lowercase hex). */
  hash: string;
  /** What checking this anchor against the fixture must give. */
  expect: AnchorExpect;
}

interface Head {
  seq: number;
  hash: string;
}

interface ManifestFile {
  file: string;
  format: DumpFormat;
  /** First bytes: "PGDMP" (custom), "--" (plain), "gzip" (1f 8b). */
  magic: 'PGDMP' | '--' | 'gzip';
  bytes: number;
  sha256: string;
  fixture: string;
  database: string;
  dump: DumpInfo;
  /** Rows in public.audit_log. */
  records: number;
  /** SELECT seq, encode(hash,'hex') ... ORDER BY seq DESC LIMIT 1, before dumping. */
  head: Head | null;
  headOccurredAt: string | null;
  newestOccurredAt: string | null;
  /** Head of the chain before the attack (the clean chain's head). */
  originalHead: Head | null;
  originalRecords: number;
  anchors: Anchor[];
  /** What was done to the clean chain ({kind: 'none'} for clean dumps). */
  tamper: Tamper;
  /** Rows per table, "schema.table". */
  tables: Record<string, number>;
  /** PostgreSQL's own verification of the database that was dumped. */
  reference: Reference;
  /** audit_log rows' physical order in this dump file. */
  rowOrder: RowOrder;
  /** 'identical': restored into an empty database, it verifies to the same facts. */
  restoreCheck: 'identical' | 'skipped';
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'fixtures/db' },
      rows: { type: 'string' },
      'clean-only': { type: 'boolean', default: false },
      'audit-end': { type: 'string', default: '2026-11-26T02:58:41.617Z' },
      'no-extreme-times': { type: 'boolean', default: false },
      records: { type: 'string', default: '3000' },
      seed: { type: 'string', default: '20261126' },
      'no-restore-check': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help === true) {
    console.log(
      `usage: node dist/scripts/make-db-fixtures.js [options] (see the top of scripts/make-db-fixtures.ts)\n${ROWS_FILE_HELP}`,
    );
    process.exit(0);
  }
  const endMs = Date.parse(values['audit-end']);
  const records = Number(values.records);
  const seed = Number(values.seed);
  // The ordinary timeline runs back about a year from here and must stay after the historic records.
  if (!Number.isFinite(endMs) || endMs < Date.UTC(2000, 0, 1)) {
    throw new Error(`--audit-end: not a time after 2000: ${values['audit-end']}`);
  }
  if (!Number.isInteger(records) || records < 200) throw new Error('--records: an integer >= 200');
  if (!Number.isInteger(seed)) throw new Error('--seed: an integer');
  return {
    out: resolve(values.out),
    rows: values.rows,
    cleanOnly: values['clean-only'],
    auditEnd: endMs,
    extremeTimes: !values['no-extreme-times'],
    records,
    seed,
    restoreCheck: !values['no-restore-check'],
    keep: values.keep,
  };
}

/** One database's worth of results, waiting for its dump files. */
interface Fixture {
  name: string;
  database: string;
  facts: DbFacts;
  tamper: Tamper;
  /** The chain it was derived from (for anchors). */
  original: { head: Head | null; records: number; hashes: Map<number, string> };
  anchors: Anchor[];
  dumps: DumpSpec[];
}

const NO_TAMPER: Tamper = { kind: 'none', description: 'clean chain', method: 'none', sql: [], seqs: [] };

async function buildDatabase(
  cfg: ServerConfig,
  database: string,
  rows: TableRows,
  opts: Options,
  backwardsAt?: number,
): Promise<void> {
  await createDatabase(cfg, database);
  const client = await connect(cfg, database);
  try {
    await createSchema(client);
    await insertTableRows(client, rows, new Prng(opts.seed + 2));
    const records = generateRecords(new Prng(opts.seed), {
      count: opts.records,
      end: Math.floor(opts.auditEnd / 1000),
      endFrac: String(opts.auditEnd % 1000)
        .padStart(3, '0')
        .replace(/0+$/, ''),
      extremeTimes: opts.extremeTimes,
      backwardsAt,
    });
    const n = await insertAuditRecords(client, records);
    if (n !== opts.records) throw new Error(`${database}: ${n} records inserted, wanted ${opts.records}`);
    // Fresh statistics and a settled heap, as on a node that has been running a while.
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

async function allHashes(cfg: ServerConfig, database: string): Promise<Map<number, string>> {
  const client = await connect(cfg, database);
  try {
    const res = await client.query<{ seq_text: string; hash: string }>(
      `SELECT seq::text AS seq_text, encode(hash, 'hex') AS hash FROM public.audit_log ORDER BY seq`,
    );
    return new Map(res.rows.map((r) => [Number(r.seq_text), r.hash]));
  } finally {
    await client.end();
  }
}

/** Anchors from the original chain, with what each must give against the fixture. */
async function anchorsFor(
  cfg: ServerConfig,
  database: string,
  original: Fixture['original'],
  head: Head | null,
  seqs: readonly number[],
): Promise<Anchor[]> {
  const wanted = [...new Set(seqs)].filter((s) => original.hashes.has(s)).sort((a, b) => a - b);
  const client = await connect(cfg, database);
  try {
    const now = await hashesAt(client, wanted);
    return wanted.map((seq) => {
      const hash = original.hashes.get(seq) ?? '';
      const have = now.get(seq);
      let expect: AnchorExpect;
      if (head === null || seq > head.seq) expect = 'beyond-head';
      else if (have === undefined) expect = 'missing';
      else expect = have === hash ? 'match' : 'mismatch';
      return { seq, hash, expect };
    });
  } finally {
    await client.end();
  }
}

async function factsOf(cfg: ServerConfig, database: string): Promise<DbFacts> {
  const client = await connect(cfg, database);
  try {
    return await dbFacts(client);
  } finally {
    await client.end();
  }
}

function magicOf(format: DumpFormat): ManifestFile['magic'] {
  return format === 'custom' ? 'PGDMP' : format === 'plain' ? '--' : 'gzip';
}

/** The facts that must survive dump and restore unchanged. */
function comparable(f: DbFacts): string {
  return JSON.stringify([f.records, f.head, f.headOccurredAt, f.newestOccurredAt, f.tables, f.reference]);
}

async function main(): Promise<void> {
  const opts = parseOptions();
  const cfg = serverConfig();
  const version = (await pipeline([{ cmd: 'pg_dump', args: ['--version'], env: toolEnv(cfg) }]))
    .toString()
    .trim();
  const admin = await connect(cfg, cfg.maintenanceDb);
  const server = (await admin.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v ?? '';
  await admin.end();
  console.log(`server: ${server}\npg_dump: ${version}`);

  mkdirSync(opts.out, { recursive: true });
  for (const f of readdirSync(opts.out)) {
    if (/\.(dump|sql|sql\.gz)$/.test(f) || f === 'manifest.json') rmSync(join(opts.out, f));
  }

  const rows0 = defaultRows(new Prng(opts.seed + 1));
  const rows = opts.rows === undefined ? rows0 : loadRows(opts.rows, rows0);
  const fixtures: Fixture[] = [];
  const scratch: string[] = [];
  const cleanDb = `${DB_PREFIX}clean`;

  const restoreDb = `${DB_PREFIX}restore_check`;
  scratch.push(restoreDb);
  try {
    // 1. The clean chain, through the trigger.
    scratch.push(cleanDb);
    await buildDatabase(cfg, cleanDb, rows, opts);
    const cleanFacts = await factsOf(cfg, cleanDb);
    assertVerdict('clean', cleanFacts.reference, expectedVerdict(NO_TAMPER, opts.records));
    const original = {
      head: cleanFacts.head,
      records: cleanFacts.records,
      hashes: await allHashes(cfg, cleanDb),
    };
    const N = opts.records;
    const commonAnchors = [1, Math.round(N / 3), Math.round((2 * N) / 3), N - 10, N];
    const custom = (file: string, extra: Partial<DumpSpec> = {}): DumpSpec => ({
      file,
      format: 'custom',
      pgTz: DUMP_TZ,
      ...extra,
    });
    fixtures.push({
      name: 'clean',
      database: cleanDb,
      facts: cleanFacts,
      tamper: NO_TAMPER,
      original,
      anchors: await anchorsFor(cfg, cleanDb, original, cleanFacts.head, commonAnchors),
      dumps: [
        custom('clean.dump'),
        { file: 'clean.sql', format: 'plain', pgTz: DUMP_TZ },
        { file: 'clean.sql.gz', format: 'plain-gzip', pgTz: DUMP_TZ },
        custom('clean-pipe.dump', { pipe: true }),
        custom('clean-z0.dump', { uncompressed: true }),
        custom('clean-kathmandu.dump', { pgTz: 'Asia/Kathmandu' }),
        custom('clean-lordhowe.dump', { pgTz: 'Australia/Lord_Howe' }),
        custom('clean-utc.dump', { pgTz: 'UTC' }),
        custom('clean-bytea-escape.dump', { byteaOutput: 'escape' }),
      ],
    });
    console.log(`clean: ${cleanFacts.records} records, head ${JSON.stringify(cleanFacts.head)}`);

    if (!opts.cleanOnly) {
      // 2. One copy of the clean database per defect, attacked in plain SQL.
      for (const plan of DEFECTS) {
        const db = `${DB_PREFIX}${plan.name.replace(/-/g, '_')}`;
        scratch.push(db);
        await createDatabase(cfg, db, cleanDb);
        const client = await connect(cfg, db);
        let tamper: Tamper;
        try {
          tamper = await plan.apply({ client, prng: new Prng(opts.seed + 3 + fixtures.length), count: N });
        } finally {
          await client.end();
        }
        if (tamper.before !== undefined && tamper.before === tamper.after) {
          throw new Error(`${plan.name}: the edit changed nothing (${String(tamper.before)})`);
        }
        const facts = await factsOf(cfg, db);
        assertVerdict(plan.name, facts.reference, expectedVerdict(tamper, N));
        const tamperSeqs = tamper.seqs.flatMap((s) => [s - 1, s, s + 1]);
        const dumps: DumpSpec[] = [custom(`${plan.name}.dump`)];
        if (plan.plainToo === true) {
          dumps.push({ file: `${plan.name}.sql`, format: 'plain', pgTz: DUMP_TZ });
          dumps.push({ file: `${plan.name}.sql.gz`, format: 'plain-gzip', pgTz: DUMP_TZ });
        }
        const anchors = await anchorsFor(cfg, db, original, facts.head, [...commonAnchors, ...tamperSeqs]);
        // The point of the anchor-only defects: an anchor at or after the attack must catch them.
        if (tamper.kind === 'recomputed' || tamper.kind === 'truncated-tail') {
          const first = tamper.seqs[0] ?? 0;
          const late = anchors.filter((x) => x.seq >= first);
          if (late.length === 0 || late.some((x) => x.expect === 'match')) {
            throw new Error(`${plan.name}: an anchor at or after ${first} still matches`);
          }
        }
        fixtures.push({ name: plan.name, database: db, facts, tamper, original, anchors, dumps });
        console.log(`${plan.name}: ${facts.records} records, ${tamper.description}`);
      }

      // 3. Time running backwards, made honestly through the trigger in a fresh database.
      const backwardsAt = Math.round(N * 0.6);
      const tbDb = `${DB_PREFIX}time_backwards`;
      scratch.push(tbDb);
      await buildDatabase(cfg, tbDb, rows, opts, backwardsAt);
      const tbFacts = await factsOf(cfg, tbDb);
      const tbTamper: Tamper = {
        kind: 'time-backwards',
        description: `inserted through the trigger with seq ${backwardsAt} 90 minutes before seq ${backwardsAt - 1}: chain intact, one time-backwards warning`,
        method: 'none',
        sql: [],
        seqs: [backwardsAt],
      };
      assertVerdict('time-backwards', tbFacts.reference, expectedVerdict(NO_TAMPER, N, backwardsAt));
      const tbOriginal = { head: tbFacts.head, records: tbFacts.records, hashes: await allHashes(cfg, tbDb) };
      fixtures.push({
        name: 'time-backwards',
        database: tbDb,
        facts: tbFacts,
        tamper: tbTamper,
        original: tbOriginal,
        anchors: await anchorsFor(cfg, tbDb, tbOriginal, tbFacts.head, [...commonAnchors, backwardsAt]),
        dumps: [custom('time-backwards.dump')],
      });
      console.log(`time-backwards: ${tbFacts.records} records, backwards at ${backwardsAt}`);
    }

    // 4. Dump, read the row order back, and prove each dump restores to the same verdict.
    const files: ManifestFile[] = [];
    for (const fx of fixtures) {
      for (const spec of fx.dumps) {
        const path = join(opts.out, spec.file);
        const dump = await writeDump(cfg, fx.database, path, spec);
        const order = rowOrder(await dumpSeqOrder(cfg, path, spec.format));
        if (order.rows !== fx.facts.records)
          throw new Error(`${spec.file}: ${order.rows} audit rows in the dump`);
        let restoreCheck: ManifestFile['restoreCheck'] = 'skipped';
        if (opts.restoreCheck) {
          await createDatabase(cfg, restoreDb);
          await restoreDump(cfg, path, spec.format, restoreDb);
          const again = await factsOf(cfg, restoreDb);
          if (comparable(again) !== comparable(fx.facts)) {
            throw new Error(
              `${spec.file}: restored database differs:\n${comparable(again)}\n${comparable(fx.facts)}`,
            );
          }
          restoreCheck = 'identical';
        }
        const bytes = readFileSync(path);
        files.push({
          file: spec.file,
          format: spec.format,
          magic: magicOf(spec.format),
          bytes: bytes.length,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          fixture: fx.name,
          database: fx.database,
          dump,
          records: fx.facts.records,
          head: fx.facts.head,
          headOccurredAt: fx.facts.headOccurredAt,
          newestOccurredAt: fx.facts.newestOccurredAt,
          originalHead: fx.original.head,
          originalRecords: fx.original.records,
          anchors: fx.anchors,
          tamper: fx.tamper,
          tables: fx.facts.tables,
          reference: fx.facts.reference,
          rowOrder: order,
          restoreCheck,
        });
        console.log(
          `  ${spec.file}: ${bytes.length} bytes, rows ${order.inSeqOrder ? 'in seq order' : `out of order (${order.descents} descents, max displacement ${order.maxDisplacement})`}`,
        );
      }
    }

    const manifest = {
      manifestVersion: 1,
      description:
        'Database dump fixtures for the audit-chain verifier (spec 3.1-3.3), made by scripts/make-db-fixtures.ts ' +
        'with the real PostgreSQL and pg_dump. "reference" is PostgreSQL\'s own verification with the spec\'s SQL.',
      regenerate: 'npx tsc -p tsconfig.json && node dist/scripts/make-db-fixtures.js',
      recipe: 'v1',
      seed: opts.seed,
      server,
      pgDump: version,
      conventions: {
        hashes: 'lowercase hex',
        seqRanges:
          'contentBreaks, linkBreaks, linksToLater, gaps, timeBackwards: sorted inclusive [from, to] ranges of seq',
        linkBreaks:
          'seqs (after the first present) with a row whose prev_hash is not the hash of a row at the previous PRESENT seq; genesis is checked separately',
        anchors:
          "(seq, hash) of the chain before the attack; expect: 'match' | 'mismatch' (hash differs) | 'missing' (seq absent) | 'beyond-head' (seq > fixture head)",
        tables: 'rows per user table, keyed schema.table',
        times: "occurred_at in UTC as the recipe formats it, or 'infinity' / '-infinity'",
      },
      files,
    };
    writeFileSync(join(opts.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(`${files.length} files and manifest.json written to ${opts.out}`);
  } finally {
    // Scratch databases go even when a step failed (unless kept for inspection).
    if (!opts.keep) for (const db of scratch) await dropDatabase(cfg, db);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
