// Each real pg_dump output (fixtures/dump, made by scripts/make-dump-fixtures.ts) is read with
// the right facts, and every value decodes to exactly what PostgreSQL says it is.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CopyRowSplitter, decodeByteaField, splitFields, unescapeField } from '../../src/dump/copy.js';
import { TsResult, formatRecipeTimestamp, parseTimestamptz } from '../../src/dump/timestamp.js';
import { fixture, readBuf } from './helpers/read.js';
import type { ReadResult } from './helpers/read.js';

interface Expected {
  serverVersion: string;
  pgDump: string;
  database: string;
  tables: Record<string, { columns: string[]; rows: unknown[][] }>;
}
const expected = JSON.parse(fixture('expected.json').toString('utf8')) as Expected;
const pgDumpVersion = expected.pgDump.replace(/^pg_dump \(PostgreSQL\) /, '');

type Kind = 'text' | 'bytea' | 'timestamptz';
const KINDS: Record<string, Kind> = {
  prev_hash: 'bytea',
  hash: 'bytea',
  data: 'bytea',
  occurred_at: 'timestamptz',
  at: 'timestamptz',
};

/** "12.5" / "-3.000001" / "Infinity" → [seconds, micros] exactly (no float). */
function epochParts(s: string): [number, number] | 'inf' | '-inf' {
  if (s === 'Infinity') return 'inf';
  if (s === '-Infinity') return '-inf';
  const neg = s.startsWith('-');
  const [whole = '0', frac = ''] = (neg ? s.slice(1) : s).split('.');
  const us = Number((frac + '000000').slice(0, 6));
  const sec = Number(whole);
  if (!neg) return [sec, us];
  return us === 0 ? [-sec, 0] : [-sec - 1, 1_000_000 - us];
}

/** Decodes every field of a table's COPY text and compares it with PostgreSQL's own rendering. */
function checkTable(key: string, data: Buffer): void {
  const want = expected.tables[key];
  assert.ok(want, key);
  const rows: unknown[][] = [];
  const pos: number[] = [];
  const ts = new TsResult();
  const splitter = new CopyRowSplitter((buf, start, end) => {
    const n = splitFields(buf, start, end, pos);
    assert.equal(n, want.columns.length, `${key}: field count`);
    const row: unknown[] = [];
    for (let i = 0; i < n; i++) {
      const s = pos[2 * i] ?? 0;
      const e = pos[2 * i + 1] ?? 0;
      const kind = KINDS[want.columns[i] ?? ''] ?? 'text';
      if (kind === 'bytea') {
        const b = decodeByteaField(buf, s, e);
        assert.notEqual(b, undefined, `${key}: bytea field decodes`);
        row.push(b === null || b === undefined ? null : b.toString('hex'));
      } else if (kind === 'timestamptz') {
        const raw = unescapeField(buf, s, e);
        if (raw === null) {
          row.push(null);
          continue;
        }
        assert.ok(parseTimestamptz(raw, 0, raw.length, ts), `${key}: parses ${raw.toString()}`);
        const ep =
          ts.infinite === 1
            ? 'Infinity'
            : ts.infinite === -1
              ? '-Infinity'
              : `${ts.epochSec}.${String(ts.micros).padStart(6, '0')}`;
        row.push({ recipe: formatRecipeTimestamp(ts), epoch: ep });
      } else {
        const v = unescapeField(buf, s, e);
        row.push(v === null ? null : v.toString('utf8'));
      }
    }
    rows.push(row);
  });
  splitter.push(data);
  assert.ok(splitter.end(), `${key}: no unfinished row`);
  // Epochs come from extract(epoch) text: compare as exact (seconds, micros) pairs.
  const norm = (r: unknown[][]): unknown[][] =>
    r.map((row) =>
      row.map((v) =>
        v !== null && typeof v === 'object' && 'epoch' in v
          ? { ...v, epoch: epochParts(String((v as { epoch: string }).epoch)) }
          : v,
      ),
    );
  assert.deepEqual(norm(rows), norm(want.rows), `${key}: decoded values`);
}

function checkAll(r: ReadResult): void {
  assert.deepEqual(r.findings, []);
  assert.equal(r.facts.complete, true);
  assert.equal(r.factsCalls, 1);
  assert.deepEqual(r.facts.rowCounts, {
    'public.Weird "Name"': 4,
    'public.audit_log': 7,
    'public.bulk': 120,
    'public.empty_t': 0,
  });
  for (const [key, seen] of r.tables) {
    assert.equal(seen.complete, true, key);
    assert.equal(seen.endCalls, 1, key);
    checkTable(key, seen.data);
  }
  assert.deepEqual([...r.tables.keys()].sort(), Object.keys(expected.tables).sort());
  assert.deepEqual(r.tables.get('public.Weird "Name"')?.ref, {
    schema: 'public',
    name: 'Weird "Name"',
    columns: ['Col A', 'b\\c', 'data', 'at'],
  });
}

describe('real pg_dump 15 outputs', () => {
  for (const [file, chunk] of [
    ['custom.dump', 65536],
    ['custom.dump', 7],
    ['custom-z0.dump', 65536],
    ['custom-z0.dump', 3],
    ['custom-pipe.dump', 1000],
  ] as const) {
    it(`${file} in ${chunk}-byte chunks: custom format facts and exact values`, async () => {
      const buf = fixture(file);
      const r = await readBuf(buf, { chunk });
      checkAll(r);
      assert.equal(r.consumed, buf.length);
      assert.equal(r.facts.format, 'custom');
      assert.equal(r.facts.outerCompression, 'none');
      assert.equal(r.facts.archiveVersion, '1.14');
      assert.equal(
        r.facts.compression,
        file === 'custom-z0.dump' ? 'none' : file === 'custom-pipe.dump' ? 'zlib:6' : 'zlib',
      );
      assert.equal(r.facts.database, expected.database);
      assert.equal(r.facts.dumpedFrom, expected.serverVersion);
      assert.equal(r.facts.dumpedBy, pgDumpVersion);
      assert.match(r.facts.createdLocal ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.ok((r.facts.tocEntries ?? 0) >= 8);
    });
  }

  for (const [file, chunk] of [
    ['plain.sql', 65536],
    ['plain.sql', 5],
    ['plain.sql.gz', 65536],
    ['plain.sql.gz', 11],
  ] as const) {
    it(`${file} in ${chunk}-byte chunks: plain format facts and exact values`, async () => {
      const buf = fixture(file);
      const r = await readBuf(buf, { chunk });
      checkAll(r);
      assert.equal(r.consumed, buf.length);
      assert.equal(r.facts.format, 'plain');
      assert.equal(r.facts.outerCompression, file.endsWith('.gz') ? 'gzip' : 'none');
      assert.equal(r.facts.dumpedFrom, expected.serverVersion);
      assert.equal(r.facts.dumpedBy, pgDumpVersion);
      assert.equal(r.facts.archiveVersion, undefined);
      assert.equal(r.facts.database, undefined);
    });
  }

  it('plain-create.sql: the database named by \\connect', async () => {
    const r = await readBuf(fixture('plain-create.sql'));
    assert.deepEqual(r.findings, []);
    assert.equal(r.facts.database, expected.database);
    assert.deepEqual(r.facts.rowCounts, { 'public.Weird "Name"': 4, 'public.empty_t': 0 });
    const weird = r.tables.get('public.Weird "Name"');
    assert.ok(weird);
    checkTable('public.Weird "Name"', weird.data);
  });

  it('a function body and a comment holding COPY and trailer lines are not taken for them', async () => {
    // plain.sql has "COPY public.fake ..." in a $-quoted body and "COPY public.nope ..." in a string.
    const text = fixture('plain.sql').toString('utf8');
    assert.ok(text.includes('\nCOPY public.fake (a) FROM stdin;\n'));
    assert.ok(text.includes('\nCOPY public.nope (x) FROM stdin;'));
    const r = await readBuf(fixture('plain.sql'));
    assert.equal(r.tables.has('public.fake'), false);
    assert.equal(r.tables.has('public.nope'), false);
  });

  it('tables the sink does not want are still counted', async () => {
    const r = await readBuf(fixture('custom.dump'), { skip: ['public.bulk'] });
    assert.equal(r.tables.has('public.bulk'), false);
    assert.equal(r.facts.rowCounts['public.bulk'], 120);
  });
});

describe('custom archives built byte by byte and checked with the real pg_restore', () => {
  for (const [file, version, compression] of [
    ['built-1.12.dump', '1.12', 'zlib'],
    ['built-1.13.dump', '1.13', 'none'],
    ['built-1.14.dump', '1.14', 'zlib'],
  ] as const) {
    it(`${file}: archive ${version}`, async () => {
      const r = await readBuf(fixture(file), { chunk: 333 });
      assert.deepEqual(r.findings, []);
      assert.equal(r.facts.archiveVersion, version);
      assert.equal(r.facts.compression, compression);
      assert.deepEqual(r.facts.rowCounts, { 'public.bulk': 120 });
      const bulk = r.tables.get('public.bulk');
      assert.ok(bulk);
      checkTable('public.bulk', bulk.data);
    });
  }
});
