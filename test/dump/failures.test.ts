// Damaged and hostile dumps: one defect per test, each a finding with its code and location
// (table, row), never an exception, and the whole input always consumed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { BuildOptions } from './helpers/archive-builder.js';
import {
  Writer,
  buildArchive,
  headBytes,
  rawChunks,
  tableEntries,
  zlibChunks,
} from './helpers/archive-builder.js';
import { codes, fixture, readBuf, withCode } from './helpers/read.js';
import { INFLATE_PIECE } from '../../src/dump/inflate.js';
import type { ReadResult } from './helpers/read.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
/** A row of the fixtures' public.bulk table, as COPY text without its newline. */
const bulkRow = (i: number): string => `${i}\t${md5(String(i))}${md5(String(i * 7))}`;

function only(r: ReadResult, code: string): void {
  assert.deepEqual(codes(r), [code], JSON.stringify(r.findings, null, 1));
}

function one(r: ReadResult, code: string): NonNullable<ReadResult['findings'][number]> {
  const f = withCode(r, code);
  assert.equal(f.length, 1, JSON.stringify(r.findings, null, 1));
  const first = f[0];
  assert.ok(first);
  return first;
}

const ROWS = Array.from({ length: 40 }, (_, i) => `${i + 1}\trow ${i + 1}`);

function archive(over: Partial<BuildOptions> = {}): BuildOptions {
  return {
    version: [1, 14, 0],
    compression: 0,
    entries: [
      ...tableEntries(10, 'public', 'first', ['id', 'v']),
      ...tableEntries(20, 'public', 'second', ['id', 'v']),
    ],
    blocks: [
      { dumpId: 11, chunks: rawChunks(ROWS) },
      { dumpId: 21, chunks: rawChunks(ROWS.slice(0, 5)) },
    ],
    setOffsets: true,
    ...over,
  };
}

describe('plain format failures', () => {
  it('missing trailer: the dump was cut between statements', async () => {
    const text = fixture('plain.sql').toString('utf8');
    const cut = text.lastIndexOf('--\n-- PostgreSQL database dump complete');
    const r = await readBuf(Buffer.from(text.slice(0, cut)));
    only(r, 'DUMP_TRUNCATED');
    assert.equal(one(r, 'DUMP_TRUNCATED').location.table, undefined);
    assert.equal(r.facts.complete, false);
    assert.deepEqual(r.facts.rowCounts, {
      'public.Weird "Name"': 4,
      'public.audit_log': 7,
      'public.bulk': 120,
      'public.empty_t': 0,
    });
  });

  it('a COPY block cut short: table and last complete row', async () => {
    const text = fixture('plain.sql');
    const at = text.indexOf(`\n${bulkRow(51)}\n`);
    assert.ok(at > 0);
    const r = await readBuf(text.subarray(0, at + 1 + 10), { chunk: 100 });
    only(r, 'DUMP_COPY_TRUNCATED');
    const f = one(r, 'DUMP_COPY_TRUNCATED');
    assert.equal(f.location.table, 'public.bulk');
    assert.equal(f.location.row, 50);
    assert.equal(f.detail?.lastCompleteRow, 50);
    assert.equal(r.tables.get('public.bulk')?.complete, false);
    assert.equal(r.facts.rowCounts['public.bulk'], 50);
  });

  it('a COPY block cut right after a row: still cut short (no "\\." line)', async () => {
    const text = fixture('plain.sql');
    const at = text.indexOf(`\n${bulkRow(51)}\n`);
    const r = await readBuf(text.subarray(0, at + 1));
    const f = one(r, 'DUMP_COPY_TRUNCATED');
    assert.equal(f.location.table, 'public.bulk');
    assert.equal(f.location.row, 50);
  });

  it('a gzip stream corrupted in the middle', async () => {
    const gz = Buffer.from(fixture('plain.sql.gz'));
    const mid = Math.floor(gz.length / 2);
    for (let i = 0; i < 64; i++) gz[mid + i] = (gz[mid + i] ?? 0) ^ 0x5a;
    const r = await readBuf(gz, { chunk: 1000 });
    one(r, 'DUMP_GZIP_CORRUPT');
    assert.equal(r.facts.complete, false);
    assert.equal(r.consumed, gz.length);
  });

  it('a truncated .sql.gz', async () => {
    const gz = fixture('plain.sql.gz');
    const r = await readBuf(gz.subarray(0, gz.length - 100));
    one(r, 'DUMP_GZIP_CORRUPT');
    assert.equal(r.facts.complete, false);
  });

  it('a COPY statement that cannot be parsed: its data is skipped, the dump goes on', async () => {
    const sql =
      '--\n-- PostgreSQL database dump\n--\n\nCOPY public.t (a, FROM stdin;\n1\n\\.\n\nCOPY public.u (a) FROM stdin;\n2\n\\.\n\n--\n-- PostgreSQL database dump complete\n--\n';
    const r = await readBuf(Buffer.from(sql));
    only(r, 'DUMP_COPY_STATEMENT_INVALID');
    assert.deepEqual(r.facts.rowCounts, { 'public.u': 1 });
  });

  it('table data as INSERT statements (pg_dump --inserts)', async () => {
    const sql =
      "--\n-- PostgreSQL database dump\n--\n\nINSERT INTO public.audit_log VALUES (1, 'a;b');\nINSERT INTO public.audit_log VALUES (2, 'c');\n\n--\n-- PostgreSQL database dump complete\n--\n";
    const r = await readBuf(Buffer.from(sql));
    only(r, 'DUMP_TABLE_NOT_COPY');
    assert.equal(one(r, 'DUMP_TABLE_NOT_COPY').location.table, 'public.audit_log');
  });

  it('the same table twice: counts added, a warning', async () => {
    const sql =
      '--\n-- PostgreSQL database dump\n--\n\nCOPY public.t (a) FROM stdin;\n1\n\\.\nCOPY public.t (a) FROM stdin;\n2\n3\n\\.\n\n--\n-- PostgreSQL database dump complete\n--\n';
    const r = await readBuf(Buffer.from(sql));
    only(r, 'DUMP_TABLE_DUPLICATE');
    assert.equal(one(r, 'DUMP_TABLE_DUPLICATE').location.table, 'public.t');
    assert.deepEqual(r.facts.rowCounts, { 'public.t': 3 });
  });

  it('a SQL script without pg_dump’s header: read, with a warning', async () => {
    const sql = 'SET x = 1;\nCOPY public.t (a) FROM stdin;\n1\n\\.\n-- PostgreSQL database dump complete\n';
    const r = await readBuf(Buffer.from(sql));
    only(r, 'DUMP_PLAIN_HEADER_MISSING');
    assert.deepEqual(r.facts.rowCounts, { 'public.t': 1 });
  });
});

describe('custom format failures', () => {
  it('a real dump truncated inside a data block: table and last complete row', async () => {
    const buf = fixture('custom-z0.dump');
    const at = buf.indexOf(Buffer.from(`${bulkRow(61)}\n`));
    assert.ok(at > 0);
    const r = await readBuf(buf.subarray(0, at + 10), { chunk: 256 });
    const f = one(r, 'DUMP_COPY_TRUNCATED');
    assert.equal(f.location.table, 'public.bulk');
    assert.equal(f.location.row, 60);
    assert.equal(r.tables.get('public.bulk')?.complete, false);
    assert.equal(r.facts.rowCounts['public.bulk'], 60);
    // The tables whose blocks never came are named too.
    assert.deepEqual(
      withCode(r, 'DUMP_TABLE_DATA_MISSING').map((x) => x.location.table),
      ['public.empty_t'],
    );
    assert.equal(r.facts.complete, false);
  });

  it('a real zlib dump truncated inside a data block: rows read whole up to the cut', async () => {
    const buf = fixture('custom.dump');
    const r0 = await readBuf(buf);
    assert.deepEqual(r0.findings, []);
    // Cut 1000 bytes before the end: inside the last table blocks.
    const r = await readBuf(buf.subarray(0, buf.length - 1000));
    const f = one(r, 'DUMP_COPY_TRUNCATED');
    assert.ok(f.location.table);
    const seen = r.tables.get(f.location.table);
    assert.ok(seen);
    assert.equal(seen.complete, false);
    const rows = seen.data.toString('latin1').split('\n').length - 1;
    assert.equal(f.detail?.lastCompleteRow, rows);
  });

  it('a broken zlib stream (bad checksum at its end): the table marked incomplete, the next one read', async () => {
    const chunks = zlibChunks(ROWS, 64);
    const last = chunks[chunks.length - 1];
    assert.ok(last);
    const bad = Buffer.from(last);
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0xff;
    chunks[chunks.length - 1] = bad;
    const r = await readBuf(
      buildArchive(
        archive({
          compression: -1,
          blocks: [
            { dumpId: 11, chunks },
            { dumpId: 21, chunks: zlibChunks(['1\tx']) },
          ],
        }),
      ),
    );
    only(r, 'DUMP_ZLIB_CORRUPT');
    const f = one(r, 'DUMP_ZLIB_CORRUPT');
    assert.equal(f.location.table, 'public.first');
    // zlib gives no output from the piece that fails: the row named is the last one handed on whole.
    const got = r.tables.get('public.first');
    assert.ok(got);
    assert.equal(got.complete, false);
    assert.equal(f.detail?.lastCompleteRow, got.data.toString('latin1').split('\n').length - 1);
    assert.equal(r.tables.get('public.second')?.complete, true);
    assert.equal(r.facts.rowCounts['public.second'], 1);
  });

  it('a broken zlib stream (garbage in the middle): the rows before it, the next table still read', async () => {
    // Enough compressed data for several inflate pieces, so rows before the damage get through.
    const n = Math.ceil((8 * INFLATE_PIECE) / 20);
    const rows = Array.from({ length: n }, (_, i) => `${i + 1}\t${md5(String(i))}`);
    const chunks = zlibChunks(rows, 1024);
    const k = Math.floor((chunks.length * 3) / 4);
    chunks[k] = Buffer.alloc(chunks[k]?.length ?? 1024, 0xa5);
    const r = await readBuf(
      buildArchive(
        archive({
          compression: -1,
          blocks: [
            { dumpId: 11, chunks },
            { dumpId: 21, chunks: zlibChunks(['1\tx']) },
          ],
        }),
      ),
    );
    only(r, 'DUMP_ZLIB_CORRUPT');
    const f = one(r, 'DUMP_ZLIB_CORRUPT');
    assert.equal(f.location.table, 'public.first');
    const got = r.tables.get('public.first');
    assert.ok(got);
    const whole = got.data.toString('latin1').split('\n').length - 1;
    assert.equal(f.detail?.lastCompleteRow, whole);
    assert.equal(f.location.row, whole);
    assert.ok(whole > 0 && whole < n, `${whole} of ${n}`);
    assert.equal(r.facts.rowCounts['public.second'], 1);
  });

  it('a data offset past the end of the dump', async () => {
    const o = archive();
    const e = o.entries[1];
    assert.ok(e);
    e.dataPos = 10_000_000;
    e.dataState = 2;
    const r = await readBuf(buildArchive(o));
    only(r, 'DUMP_DATA_OFFSET_INVALID');
    const f = one(r, 'DUMP_DATA_OFFSET_INVALID');
    assert.equal(f.location.table, 'public.first');
    assert.equal(f.detail?.reason, 'past-end');
    assert.deepEqual(r.facts.rowCounts, { 'public.first': 40, 'public.second': 5 });
  });

  it('a data offset pointing back into the header', async () => {
    const o = archive();
    const e = o.entries[3];
    assert.ok(e);
    e.dataPos = 7;
    e.dataState = 2;
    const r = await readBuf(buildArchive(o));
    only(r, 'DUMP_DATA_OFFSET_INVALID');
    const f = one(r, 'DUMP_DATA_OFFSET_INVALID');
    assert.equal(f.location.table, 'public.second');
    assert.equal(f.detail?.reason, 'before-data');
  });

  it('a data offset pointing at another block', async () => {
    const good = buildArchive(archive());
    const o = archive();
    // Entry "second" claims the block of "first" (the first block starts right after the TOC).
    const r0 = await readBuf(good);
    assert.deepEqual(r0.findings, []);
    const firstAt = good.indexOf(Buffer.from([1, 0, 11, 0, 0, 0]));
    const e = o.entries[3];
    assert.ok(e && firstAt > 0);
    e.dataPos = firstAt;
    e.dataState = 2;
    const r = await readBuf(buildArchive(o));
    only(r, 'DUMP_DATA_OFFSET_INVALID');
    assert.equal(one(r, 'DUMP_DATA_OFFSET_INVALID').detail?.reason, 'mismatch');
  });

  it('a TOC claiming 2^31 entries: a finding, never an allocation', async () => {
    const o = archive();
    const buf = Buffer.concat([headBytes(o), new Writer(4).int(2 ** 31).done(), Buffer.alloc(1000)]);
    const r = await readBuf(buf);
    only(r, 'DUMP_TOC_INVALID');
    assert.equal(one(r, 'DUMP_TOC_INVALID').detail?.entries, 2 ** 31);
    assert.equal(r.consumed, buf.length);
  });

  it('a TOC claiming a negative number of entries', async () => {
    const o = archive();
    const r = await readBuf(Buffer.concat([headBytes(o), new Writer(4).int(-3).done()]));
    only(r, 'DUMP_TOC_INVALID');
  });

  it('a TOC larger than maxTocEntries: the bound, reported', async () => {
    const o = archive();
    const r = await readBuf(Buffer.concat([headBytes(o), new Writer(4).int(5000).done()]), {
      options: { maxTocEntries: 1000 },
    });
    only(r, 'LIMIT_EXCEEDED');
    assert.equal(one(r, 'LIMIT_EXCEEDED').location.limit, 'maxTocEntries');
  });

  it('a negative string length in a TOC entry: a finding, read as NULL like pg_restore does', async () => {
    const o = archive();
    const w = new Writer(4);
    w.int(1); // one entry
    w.int(1)
      .int(0)
      .str('0')
      .str('1')
      .int(-5) /* tag */
      .str('ENCODING')
      .int(2)
      .str("SET client_encoding = 'UTF8';\n");
    w.str('').str(null).str(null).str('').str('').str('').str('false').str(null).offset(0, 3, 8);
    const r = await readBuf(Buffer.concat([headBytes(o), w.done()]));
    only(r, 'DUMP_TOC_INVALID');
    const f = one(r, 'DUMP_TOC_INVALID');
    assert.equal(f.location.field, 'tag');
    assert.equal(f.detail?.length, -5);
    assert.equal(r.facts.tocEntries, 1);
  });

  it('a string longer than maxTocStringBytes: the bound, reported, its bytes skipped', async () => {
    const o = archive();
    const e = o.entries[1];
    assert.ok(e);
    e.copyStmt = `COPY public.first (id, v${', x'.repeat(200)}) FROM stdin;\n`;
    const r = await readBuf(buildArchive(o), { options: { maxTocStringBytes: 100 } });
    only(r, 'LIMIT_EXCEEDED');
    const f = one(r, 'LIMIT_EXCEEDED');
    assert.equal(f.location.limit, 'maxTocStringBytes');
    assert.equal(f.location.field, 'copyStmt');
    assert.deepEqual(r.facts.rowCounts, { 'public.second': 5 });
  });

  it('an entry id of 0 (pg_restore: "entry ID out of range")', async () => {
    const o = archive();
    const r = await readBuf(Buffer.concat([headBytes(o), new Writer(4).int(1).int(0).done()]));
    only(r, 'DUMP_TOC_INVALID');
  });

  it('a dump cut inside its TOC', async () => {
    const buf = buildArchive(archive());
    const r = await readBuf(buf.subarray(0, 150));
    only(r, 'DUMP_TRUNCATED');
    assert.equal(one(r, 'DUMP_TRUNCATED').detail?.where, 'table of contents');
  });

  it('a dump cut inside its header', async () => {
    const r = await readBuf(buildArchive(archive()).subarray(0, 20));
    only(r, 'DUMP_TRUNCATED');
  });

  for (const version of [
    [1, 11, 0],
    [1, 17, 0],
    [2, 0, 0],
  ] as Array<[number, number, number]>) {
    it(`archive version ${version.join('.')} (outside 1.12–1.16)`, async () => {
      const buf = buildArchive(archive({ version }));
      const r = await readBuf(buf);
      only(r, 'DUMP_VERSION_UNSUPPORTED');
      assert.equal(one(r, 'DUMP_VERSION_UNSUPPORTED').location.offset, 5);
      assert.equal(r.consumed, buf.length);
    });
  }

  it('a header with integer size 0', async () => {
    const r = await readBuf(buildArchive(archive({ intSize: 0 })).subarray(0, 40));
    only(r, 'DUMP_HEADER_INVALID');
  });

  it('a header with format byte 2 (not custom)', async () => {
    const r = await readBuf(buildArchive(archive({ format: 2 })));
    only(r, 'DUMP_HEADER_INVALID');
  });

  it('a directory-format toc.dat (format 5): not read here', async () => {
    const r = await readBuf(buildArchive(archive({ format: 5 })));
    only(r, 'DUMP_UNSUPPORTED_FORMAT');
    assert.equal(r.facts.format, 'directory');
  });

  it('an unknown data block type', async () => {
    const buf = buildArchive(archive());
    const secondAt = buf.indexOf(Buffer.from([1, 0, 21, 0, 0, 0]));
    const bad = Buffer.from(buf);
    bad[secondAt] = 7;
    const r = await readBuf(bad);
    assert.deepEqual(codes(r), ['DUMP_BLOCK_INVALID', 'DUMP_TABLE_DATA_MISSING']);
    assert.equal(one(r, 'DUMP_BLOCK_INVALID').detail?.reason, 'unknown-type');
    assert.equal(one(r, 'DUMP_TABLE_DATA_MISSING').location.table, 'public.second');
    assert.equal(r.consumed, bad.length);
  });

  it('a data block naming an entry the TOC does not have', async () => {
    const o = archive({ setOffsets: false });
    o.blocks[1] = { dumpId: 99, chunks: rawChunks(['1\tx']) };
    const r = await readBuf(buildArchive(o));
    assert.deepEqual(codes(r), ['DUMP_BLOCK_INVALID', 'DUMP_TABLE_DATA_MISSING']);
    assert.equal(one(r, 'DUMP_BLOCK_INVALID').detail?.reason, 'unknown-entry');
    assert.equal(one(r, 'DUMP_TABLE_DATA_MISSING').location.table, 'public.second');
  });

  it('a second data block for one table', async () => {
    const o = archive({ setOffsets: false });
    o.blocks.push({ dumpId: 11, chunks: rawChunks(['99\tagain']) });
    const r = await readBuf(buildArchive(o));
    only(r, 'DUMP_BLOCK_INVALID');
    const f = one(r, 'DUMP_BLOCK_INVALID');
    assert.equal(f.detail?.reason, 'duplicate');
    assert.equal(f.location.table, 'public.first');
    assert.equal(r.facts.rowCounts['public.first'], 40);
  });

  it('a negative chunk length', async () => {
    const o = archive();
    o.blocks[0] = { dumpId: 11, chunks: [] };
    const buf = buildArchive(o);
    const at = buf.indexOf(Buffer.from([1, 0, 11, 0, 0, 0]));
    // The first block is just its header and the end marker: make the end marker negative.
    const bad = Buffer.from(buf);
    bad[at + 6] = 1;
    bad[at + 7] = 9;
    const r = await readBuf(bad);
    assert.equal(one(r, 'DUMP_BLOCK_INVALID').detail?.reason, 'bad-chunk-length');
    assert.equal(one(r, 'DUMP_BLOCK_INVALID').location.table, 'public.first');
  });

  it('table data with no COPY statement (pg_dump --inserts)', async () => {
    const o = archive();
    const e = o.entries[1];
    assert.ok(e);
    e.copyStmt = null;
    o.blocks[0] = { dumpId: 11, chunks: [Buffer.from("INSERT INTO public.first VALUES (1, 'x');\n")] };
    const r = await readBuf(buildArchive(o));
    only(r, 'DUMP_TABLE_NOT_COPY');
    assert.equal(one(r, 'DUMP_TABLE_NOT_COPY').location.table, 'public.first');
    assert.deepEqual(r.facts.rowCounts, { 'public.second': 5 });
  });

  it('an unparseable COPY statement in the TOC', async () => {
    const o = archive();
    const e = o.entries[1];
    assert.ok(e);
    e.copyStmt = 'COPY public.first (id, v) FROM STDOUT;\n';
    const r = await readBuf(buildArchive(o));
    only(r, 'DUMP_COPY_STATEMENT_INVALID');
    assert.equal(one(r, 'DUMP_COPY_STATEMENT_INVALID').location.table, 'public.first');
  });

  it('a last row without a line end', async () => {
    const o = archive();
    o.blocks[0] = { dumpId: 11, chunks: [Buffer.from('1\tok\n2\tcut')] };
    const r = await readBuf(buildArchive(o));
    only(r, 'DUMP_COPY_ROW_UNTERMINATED');
    const f = one(r, 'DUMP_COPY_ROW_UNTERMINATED');
    assert.equal(f.location.table, 'public.first');
    assert.equal(f.location.row, 2);
    assert.equal(r.tables.get('public.first')?.complete, false);
    assert.equal(r.facts.rowCounts['public.first'], 1);
  });

  it('data after the end-of-COPY line of a block', async () => {
    const o = archive();
    o.blocks[0] = { dumpId: 11, chunks: [Buffer.from('1\tok\n\\.\n\nsmuggled\trow\n')] };
    const r = await readBuf(buildArchive(o));
    only(r, 'DUMP_BLOCK_INVALID');
    const f = one(r, 'DUMP_BLOCK_INVALID');
    assert.equal(f.detail?.reason, 'data-after-end');
    assert.equal(f.location.table, 'public.first');
    assert.equal(r.facts.rowCounts['public.first'], 1);
  });

  it('a TOC entry with data but no block at all', async () => {
    const o = archive({ setOffsets: false });
    o.blocks.pop();
    const r = await readBuf(buildArchive(o));
    only(r, 'DUMP_TABLE_DATA_MISSING');
    assert.equal(one(r, 'DUMP_TABLE_DATA_MISSING').location.table, 'public.second');
  });
});

describe('not a dump', () => {
  for (const [name, bytes] of [
    ['empty input', Buffer.alloc(0)],
    [
      'a PNG image',
      Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(3000, 7)]),
    ],
    ['random bytes', Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251))],
    ['an English text file', Buffer.from('hello world, this is not SQL\n'.repeat(50))],
    ['gzip around gzip', gzipSync(gzipSync(Buffer.from('--\n-- PostgreSQL database dump\n--\n')))],
  ] as const) {
    it(name, async () => {
      const r = await readBuf(bytes, { chunk: 100 });
      only(r, 'DUMP_UNRECOGNIZED');
      assert.equal(r.facts.format, 'unknown');
      assert.equal(r.facts.complete, false);
      assert.equal(r.consumed, bytes.length);
      assert.equal(r.factsCalls, 1);
    });
  }

  it('a pg_dump tar-format archive', async () => {
    const hdr = Buffer.alloc(1024);
    hdr.write('toc.dat', 0, 'latin1');
    hdr.write('ustar\x0000', 257, 'latin1');
    const r = await readBuf(hdr);
    only(r, 'DUMP_UNSUPPORTED_FORMAT');
    assert.equal(r.facts.format, 'tar');
  });
});
