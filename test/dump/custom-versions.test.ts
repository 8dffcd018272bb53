// Custom-format layouts the local pg_dump 15 cannot write (archive 1.15, 1.16, lz4 / zstd
// headers), built byte by byte after pg_backup_archiver.c / pg_backup_custom.c.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BuildOptions } from './helpers/archive-builder.js';
import { buildArchive, rawChunks, tableEntries, zlibChunks } from './helpers/archive-builder.js';
import { codes, readBuf, withCode } from './helpers/read.js';

const ROWS_A = ['1\talpha\t\\N', '2\tbe\\ttab\t\\\\x41', '3\tZoë\t'];
const ROWS_B = Array.from({ length: 500 }, (_, i) => `${i + 1}\t${'x'.repeat(i % 37)}`);

function twoTables(
  version: [number, number, number],
  compression: number,
  kind: 'zlib' | 'raw' | 'opaque',
): BuildOptions {
  const chunks = (rows: string[]): Buffer[] =>
    kind === 'zlib'
      ? zlibChunks(rows, 512)
      : kind === 'raw'
        ? rawChunks(rows)
        : [Buffer.from('not really lz4 data')];
  return {
    version,
    compression,
    entries: [
      ...tableEntries(10, 'public', 'a', ['id', 'name', 'note']),
      ...tableEntries(20, 'Audit Schema', 'Big Table', ['id', 'v']),
    ],
    blocks: [
      { dumpId: 11, chunks: chunks(ROWS_A) },
      { dumpId: 21, chunks: chunks(ROWS_B) },
    ],
    setOffsets: true,
  };
}

const text = (rows: string[]): string => rows.map((r) => `${r}\n`).join('');

describe('custom format archive versions', () => {
  for (const [version, compression, kind, name] of [
    [[1, 12, 0], 0, 'raw', 'none'],
    [[1, 13, 0], 6, 'zlib', 'zlib:6'],
    [[1, 14, 0], -1, 'zlib', 'zlib'],
    [[1, 15, 0], 0, 'raw', 'none'],
    [[1, 15, 0], 1, 'zlib', 'zlib'],
    [[1, 16, 0], 0, 'raw', 'none'],
    [[1, 16, 0], 1, 'zlib', 'zlib'],
    [[1, 16, 2], 1, 'zlib', 'zlib'],
  ] as const) {
    it(`${version.join('.')} with ${name} blocks`, async () => {
      const r = await readBuf(buildArchive(twoTables([...version], compression, kind)), { chunk: 97 });
      assert.deepEqual(r.findings, []);
      assert.equal(
        r.facts.archiveVersion,
        version[2] === 0 ? `${version[0]}.${version[1]}` : version.join('.'),
      );
      assert.equal(r.facts.compression, name);
      assert.equal(r.facts.database, 'meshanics');
      assert.equal(r.facts.createdLocal, '2026-11-26 03:15:30');
      assert.equal(r.facts.tocEntries, 4);
      assert.equal(r.facts.complete, true);
      assert.deepEqual(r.facts.rowCounts, { 'public.a': 3, 'Audit Schema.Big Table': 500 });
      assert.equal(r.tables.get('public.a')?.data.toString('utf8'), text(ROWS_A));
      assert.equal(r.tables.get('Audit Schema.Big Table')?.data.toString('utf8'), text(ROWS_B));
      assert.deepEqual(r.tables.get('Audit Schema.Big Table')?.ref, {
        schema: 'Audit Schema',
        name: 'Big Table',
        columns: ['id', 'v'],
      });
    });
  }

  it('a dump written to a pipe (no data offsets) reads the same', async () => {
    const o = { ...twoTables([1, 16, 0], 1, 'zlib'), setOffsets: false };
    const r = await readBuf(buildArchive(o));
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.facts.rowCounts, { 'public.a': 3, 'Audit Schema.Big Table': 500 });
  });

  it('8-byte integers (intSize 8) are read too', async () => {
    const r = await readBuf(buildArchive({ ...twoTables([1, 14, 0], -1, 'zlib'), intSize: 8 }));
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.facts.rowCounts, { 'public.a': 3, 'Audit Schema.Big Table': 500 });
  });

  it('large-object blocks (BLK_BLOBS) between table blocks are skipped', async () => {
    const o = twoTables([1, 16, 0], 0, 'raw');
    o.entries.splice(2, 0, {
      dumpId: 15,
      hadDumper: true,
      tag: 'BLOBS',
      desc: 'BLOBS',
      section: 3,
      namespace: null,
    });
    o.blocks.splice(1, 0, {
      dumpId: 15,
      type: 3,
      chunks: [],
      blobs: [
        { oid: 16500, chunks: [Buffer.from('large object one')] },
        { oid: 16501, chunks: [Buffer.from('two'), Buffer.from('parts')] },
      ],
    });
    const r = await readBuf(buildArchive(o));
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.facts.rowCounts, { 'public.a': 3, 'Audit Schema.Big Table': 500 });
  });

  it('a data block that lacks the end-of-COPY line is read whole', async () => {
    const o = twoTables([1, 16, 0], 0, 'raw');
    o.blocks[0] = { dumpId: 11, chunks: ROWS_A.map((r) => Buffer.from(`${r}\n`)) };
    const r = await readBuf(buildArchive(o));
    assert.deepEqual(r.findings, []);
    assert.equal(r.tables.get('public.a')?.complete, true);
    assert.equal(r.facts.rowCounts['public.a'], 3);
  });
});

describe('compression this reader cannot decompress', () => {
  for (const [algo, name] of [
    [2, 'lz4'],
    [3, 'zstd'],
  ] as const) {
    it(`${name} (1.15 algorithm byte ${algo}): one finding per table, handlers told the data is incomplete`, async () => {
      const buf = buildArchive(twoTables([1, 15, 0], algo, 'opaque'));
      const r = await readBuf(buf);
      assert.equal(r.facts.compression, name);
      assert.deepEqual(codes(r), ['DUMP_UNSUPPORTED_COMPRESSION', 'DUMP_UNSUPPORTED_COMPRESSION']);
      assert.deepEqual(
        withCode(r, 'DUMP_UNSUPPORTED_COMPRESSION').map((f) => f.location.table),
        ['public.a', 'Audit Schema.Big Table'],
      );
      assert.equal(r.tables.get('public.a')?.complete, false);
      assert.equal(r.tables.get('Audit Schema.Big Table')?.complete, false);
      assert.deepEqual(r.facts.rowCounts, {});
      assert.equal(r.facts.complete, false);
      assert.equal(r.consumed, buf.length);
    });
  }

  it('an unknown algorithm byte (1.16, 9)', async () => {
    const r = await readBuf(buildArchive(twoTables([1, 16, 0], 9, 'opaque')));
    assert.equal(r.facts.compression, 'unknown(9)');
    assert.deepEqual(
      withCode(r, 'DUMP_UNSUPPORTED_COMPRESSION').map((f) => f.location.table),
      ['public.a', 'Audit Schema.Big Table'],
    );
  });
});
