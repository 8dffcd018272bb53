// Damaged streams: truncated or corrupt gzip and tar, bad header checksums, data after the end.
// Each names the byte offset and the entry (or the last good entry) and leaves complete=false.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { TOP, fixture, only, problemCodes, read, tempDir } from './helpers.js';

const MISSING_LAYOUT = 'ARCHIVE_LAYOUT_MISSING';

test('truncated tar: ARCHIVE_TRUNCATED at the end of the data, in the dump; the dump consumer sees the cut', async () => {
  const file = fixture('truncated.tar');
  const size = readFileSync(file).length;
  const r = await read(file);
  const f = only(r, 'ARCHIVE_TRUNCATED');
  assert.equal(f.location.path, 'db/meshanics.dump');
  assert.equal(f.location.offset, size);
  assert.equal(f.location.offsetOf, 'archive');
  assert.equal(f.detail?.['cutIn'], 'body');
  assert.equal(f.detail?.['lastGoodEntry'], 'db');
  assert.equal(r.result.facts.complete, false);
  assert.deepEqual(problemCodes(r), ['ARCHIVE_TRUNCATED', MISSING_LAYOUT].sort());
  // 10000 bytes of the dump were in the file; the consumer got exactly those, flagged as cut
  assert.deepEqual(
    r.dumps.map((d) => [d.path, d.bytes, d.truncated]),
    [['db/meshanics.dump', 10000, true]],
  );
  // entries before the cut were kept
  assert.ok(r.result.files.get('certs/ca.crt')?.data);
});

test('truncated gzip: ARCHIVE_GZIP_TRUNCATED at the compressed end, naming the entry', async () => {
  const file = fixture('truncated.tar.gz');
  const size = readFileSync(file).length;
  const r = await read(file);
  const f = only(r, 'ARCHIVE_GZIP_TRUNCATED');
  assert.equal(f.location.path, 'db/meshanics.dump');
  assert.equal(f.location.offset, size);
  assert.equal(f.location.offsetOf, 'archive');
  assert.equal(f.detail?.['lastGoodEntry'], 'db');
  assert.equal(typeof f.detail?.['tarOffset'], 'number');
  assert.equal(r.result.facts.complete, false);
  assert.deepEqual(problemCodes(r), ['ARCHIVE_GZIP_TRUNCATED', MISSING_LAYOUT].sort());
  assert.equal(r.dumps[0]?.truncated, true);
});

test('corrupt gzip: ARCHIVE_GZIP_CORRUPT with a compressed offset at or before the damage', async () => {
  const file = fixture('gzip-corrupt.tar.gz');
  const size = readFileSync(file).length;
  const r = await read(file);
  const f = only(r, 'ARCHIVE_GZIP_CORRUPT');
  assert.equal(f.location.offsetOf, 'archive');
  const at = f.location.offset ?? -1;
  assert.ok(at >= 0 && at <= size, `offset ${at}`);
  assert.equal(f.detail?.['zlib'], 'Z_DATA_ERROR');
  assert.equal(r.result.facts.complete, false);
  assert.ok(problemCodes(r).includes('ARCHIVE_GZIP_CORRUPT'));
  assert.ok(!problemCodes(r).includes('ARCHIVE_TRUNCATED'), 'the gzip finding explains the cut');
});

test('corrupt header checksum: ARCHIVE_HEADER_INVALID at that header; the reader resyncs after it', async () => {
  const file = fixture('bad-checksum.tar');
  const tar = readFileSync(file);
  const at = tar.indexOf(Buffer.from(`${TOP}/tuf/metadata/root.json\0`));
  const r = await read(file);
  const f = only(r, 'ARCHIVE_HEADER_INVALID');
  assert.equal(f.location.offset, at);
  assert.equal(f.location.offsetOf, 'archive');
  assert.equal(f.detail?.['lastGoodEntry'], 'tuf/metadata/1.root.json');
  assert.deepEqual(problemCodes(r), ['ARCHIVE_HEADER_INVALID']);
  assert.equal(r.result.facts.complete, false);
  // the spoiled entry is lost, the ones after it are read
  assert.equal(r.result.files.get('tuf/metadata/root.json'), undefined);
  assert.ok(r.result.files.get('tuf/metadata/timestamp.json')?.data);
});

test('data after the end-of-archive marker: ARCHIVE_TRAILING_DATA at its offset; still complete', async () => {
  const file = fixture('trailing-data.tar');
  const clean = readFileSync(fixture('clean.tar'));
  const r = await read(file);
  const f = only(r, 'ARCHIVE_TRAILING_DATA');
  assert.equal(f.location.offset, clean.length);
  assert.deepEqual(problemCodes(r), ['ARCHIVE_TRAILING_DATA']);
  assert.equal(r.result.facts.complete, true);
});

test('garbage after the gzip stream (tar complete): ARCHIVE_TRAILING_DATA, not corruption', async (t) => {
  const tmp = tempDir();
  t.after(tmp.cleanup);
  const file = join(tmp.dir, 'gz-trailing.tar.gz');
  writeFileSync(
    file,
    Buffer.concat([readFileSync(fixture('clean.tar.gz')), Buffer.from('GARBAGE AFTER GZIP')]),
  );
  const r = await read(file);
  only(r, 'ARCHIVE_TRAILING_DATA');
  assert.deepEqual(problemCodes(r), ['ARCHIVE_TRAILING_DATA']);
  assert.equal(r.result.facts.complete, true);
  assert.deepEqual(
    r.dumps.map((d) => d.path),
    ['db/meshanics.dump'],
  );
});

/** Offsets of the header blocks of a tar stream made only of small entries. */
function headerOffsets(tar: Buffer): number[] {
  const out: number[] = [];
  for (let off = 0; off + 512 <= tar.length;) {
    const h = new Header(tar.subarray(off, off + 512));
    if (h.nullBlock) break;
    out.push(off);
    off += 512 + Math.ceil((h.size ?? 0) / 512) * 512;
  }
  return out;
}

test('tar cut exactly between entries: ARCHIVE_TRUNCATED (no end-of-archive marker)', async (t) => {
  const tmp = tempDir();
  t.after(tmp.cleanup);
  const clean = readFileSync(fixture('clean.tar'));
  const offsets = headerOffsets(clean);
  const cut = offsets[10] ?? 0;
  const file = join(tmp.dir, 'cut.tar.gz');
  writeFileSync(file, gzipSync(clean.subarray(0, cut)));
  const r = await read(file);
  const f = only(r, 'ARCHIVE_TRUNCATED');
  assert.equal(f.detail?.['cutIn'], 'end-marker');
  assert.equal(f.location.offset, cut);
  assert.equal(f.location.offsetOf, 'decompressed');
  assert.equal(f.location.path, file, 'no entry was cut: the archive is named');
  assert.equal(f.detail?.['lastGoodIndex'], 9);
  assert.equal(r.result.facts.complete, false);
  assert.equal(r.result.entries.length, 10);
});

test('tar cut inside a header block: ARCHIVE_TRUNCATED (header)', async (t) => {
  const tmp = tempDir();
  t.after(tmp.cleanup);
  const clean = readFileSync(fixture('clean.tar'));
  const cut = (headerOffsets(clean)[5] ?? 0) + 100;
  const file = join(tmp.dir, 'cut-header.tar');
  writeFileSync(file, clean.subarray(0, cut));
  const r = await read(file);
  const f = only(r, 'ARCHIVE_TRUNCATED');
  assert.equal(f.detail?.['cutIn'], 'header');
  assert.equal(f.location.offset, cut);
  assert.equal(f.detail?.['lastGoodIndex'], 4);
});

test('a lone zero block between entries: ARCHIVE_LONE_ZERO_BLOCK at its offset; later entries still read', async () => {
  const r = await read(fixture('lone-zero.tar.gz'));
  const f = only(r, 'ARCHIVE_LONE_ZERO_BLOCK');
  const hidden = r.result.entries.find((e) => e.path === 'db/hidden.txt');
  assert.ok(hidden);
  assert.equal(f.location.offset, hidden.offset - 512);
  assert.deepEqual(problemCodes(r), ['ARCHIVE_LONE_ZERO_BLOCK']);
});

test('an empty archive (only the end marker): ARCHIVE_EMPTY', async (t) => {
  const tmp = tempDir();
  t.after(tmp.cleanup);
  const file = join(tmp.dir, 'empty.tar');
  writeFileSync(file, Buffer.alloc(10240));
  const r = await read(file);
  const f = only(r, 'ARCHIVE_EMPTY');
  assert.equal(f.location.path, file);
  assert.equal(r.result.facts.container, 'tar');
  assert.equal(r.result.facts.complete, true);
});
