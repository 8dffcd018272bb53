// Chunk boundaries must not matter: the decompressed tar stream reaches the tar driver in pieces
// cut wherever the gzip layer's 16 KiB input slices happen to end, so a piece can end a few
// bytes before an entry's block-padded end. Regression for gen-scale archives read as
// ARCHIVE_TRUNCATED ("ends ... inside a header block") because such a short last body piece was
// buffered by node-tar's Parser instead of consumed, and every later header offset was shifted.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { constants } from 'node:zlib';
import { test } from 'node:test';
import fc from 'fast-check';
import { Gzip } from 'minizlib';
import { TOP, header, padding, problemCodes, readStream, sha256, type Run } from './helpers.js';
import { GzipReader } from '../../src/archive/gzip.js';

const BLOCK = 512;

/** Deterministic incompressible bytes (SHA-256 in counter mode). */
function noise(seed: string, n: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0, got = 0; got < n; i++, got += 32)
    parts.push(createHash('sha256').update(`${seed}:${i}`).digest());
  return Buffer.concat(parts).subarray(0, n);
}

interface Sample {
  /** The tar as node-tar's Pack writes it: each header, then each body with its padding. */
  pieces: Buffer[];
  tar: Buffer;
  /** Tar offset of each entry's header. */
  headers: number[];
  /** Tar offsets where a file's block-padded body ends. */
  bodyEnds: number[];
  /** SHA-256 of each file's content, by path below the top folder. */
  files: Map<string, string>;
}

/** A backup-shaped tar (directories carry modes, so nothing but chunking can give a finding);
 *  `fill` sizes the first file, which moves every later body against the gzip slices. */
function backupTar(fill: number): Sample {
  const items: Array<{ path: string; size: number | undefined }> = [
    { path: `${TOP}/`, size: undefined },
    { path: `${TOP}/certs/`, size: undefined },
    { path: `${TOP}/certs/ca.crt`, size: fill },
    { path: `${TOP}/certs/server.crt`, size: 839 },
    { path: `${TOP}/db/`, size: undefined },
    { path: `${TOP}/db/meshanics.dump`, size: 70_001 },
    { path: `${TOP}/tuf/`, size: undefined },
    { path: `${TOP}/tuf/keys/`, size: undefined },
    { path: `${TOP}/tuf/keys/timestamp.pub`, size: 2484 },
    { path: `${TOP}/tuf/metadata/`, size: undefined },
    { path: `${TOP}/tuf/metadata/1.root.json`, size: 3876 },
    { path: `${TOP}/tuf/metadata/root.json`, size: 4516 },
    { path: `${TOP}/tuf/metadata/timestamp.json`, size: 1199 },
  ];
  const pieces: Buffer[] = [];
  const headers: number[] = [];
  const bodyEnds: number[] = [];
  const files = new Map<string, string>();
  let at = 0;
  for (const it of items) {
    headers.push(at);
    if (it.size === undefined) {
      pieces.push(header(it.path, 0, { type: 'Directory', mode: 0o755 }));
      at += BLOCK;
      continue;
    }
    const data = noise(it.path, it.size);
    const body = Buffer.concat([data, padding(data.length)]);
    pieces.push(header(it.path, data.length), body);
    at += BLOCK + body.length;
    bodyEnds.push(at);
    files.set(it.path.slice(TOP.length + 1), sha256(data));
  }
  pieces.push(Buffer.alloc(2 * BLOCK));
  return { pieces, tar: Buffer.concat(pieces), headers, bodyEnds, files };
}

/** gzip through minizlib with its defaults, as node-tar's create({ gzip }) does for gen-scale:
 *  one write per header and per padded body, no flushes unless asked. */
function gzipPieces(pieces: Buffer[], level: number, flush?: { every: number; kind: number }): Buffer {
  const gz = new Gzip({ level });
  const out: Buffer[] = [];
  gz.on('data', (b: Buffer) => out.push(b));
  let sinceFlush = 0;
  for (const p of pieces) {
    gz.write(p);
    sinceFlush += p.length;
    if (flush && sinceFlush >= flush.every) {
      gz.flush(flush.kind);
      sinceFlush = 0;
    }
  }
  gz.end();
  return Buffer.concat(out);
}

/** Tar offsets where the gzip reader's output pieces end. */
async function pieceEnds(gz: Buffer): Promise<number[]> {
  const ends: number[] = [];
  let at = 0;
  for await (const b of new GzipReader().decode(chunksOf(gz, 1024 * 1024))) ends.push((at += b.length));
  return ends;
}

/** A decompressed piece ends less than a block before a body's end: the shape that broke. */
function shortTail(s: Sample, ends: number[]): number | undefined {
  return s.bodyEnds.find((e) => ends.some((p) => p < e && e - p < BLOCK));
}

/** The first `fill` whose level-6 gzip (like gen-scale's) has the breaking shape. */
async function findBreakingSample(): Promise<{ sample: Sample; gz: Buffer; at: number }> {
  for (let fill = 700; fill < 700 + 64 * 97; fill += 97) {
    const sample = backupTar(fill);
    const gz = gzipPieces(sample.pieces, 6);
    const at = shortTail(sample, await pieceEnds(gz));
    if (at !== undefined) return { sample, gz, at };
  }
  throw new Error('no sample layout puts a gzip piece end just short of a body end');
}

const FOUND = await findBreakingSample();
const SAMPLE = FOUND.sample;

/** The same bytes re-cut at every `size` bytes (how a flush pattern sees its input). */
function recut(b: Buffer, size: number): Buffer[] {
  const r: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) r.push(b.subarray(i, i + size));
  return r;
}

async function* chunksOf(b: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function* cutAt(b: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let prev = 0;
  for (const c of [...new Set(cuts.map((x) => x % (b.length + 1)))].sort((x, y) => x - y)) {
    if (c > prev) yield b.subarray(prev, c);
    prev = Math.max(prev, c);
  }
  if (prev < b.length) yield b.subarray(prev);
}

/** Every file's content hash as the reader saw it (in-memory files and the streamed dump). */
function seenHashes(r: Run): Map<string, string> {
  const m = new Map<string, string>();
  for (const p of r.result.files.list()) {
    const data = r.result.files.get(p)?.data;
    if (data) m.set(p, sha256(data));
  }
  for (const d of r.dumps) m.set(d.path, d.sha256);
  return m;
}

function assertClean(r: Run, what: string): void {
  assert.deepEqual(problemCodes(r), [], what);
  assert.equal(r.result.facts.complete, true, what);
  assert.deepEqual(seenHashes(r), SAMPLE.files, what);
  assert.deepEqual(
    r.result.entries.map((e) => e.offset),
    SAMPLE.headers,
    `${what}: header offsets`,
  );
}

test('tar.gz gzipped like gen-scale (minizlib level 6, one write per header and body) reads complete', async () => {
  // FOUND.gz decompresses in pieces one of which ends less than a block before a body's end
  assert.ok(FOUND.at > 0);
  const r = await readStream(chunksOf(FOUND.gz, 1024 * 1024), 'gen-scale-like.tar.gz');
  assert.equal(r.result.facts.container, 'tar.gz');
  assert.deepEqual(
    r.findings.list.filter((f) => f.code.startsWith('ARCHIVE_')).map((f) => f.code),
    [],
  );
  assertClean(r, 'level 6');
  assert.equal(r.result.facts.tarBytes, SAMPLE.tar.length);
  assert.equal(r.result.facts.entryCount, SAMPLE.headers.length);
});

test('tar.gz: a gzip member that ends 1..511 bytes before a body end reads complete', async () => {
  // a member end always ends a decompressed piece, so this pins the shape without relying on
  // where the deflate data happens to cross a 16 KiB slice
  for (const end of SAMPLE.bodyEnds)
    for (const short of [1, 300, 511]) {
      const cut = end - short;
      const gz = Buffer.concat([
        gzipPieces([SAMPLE.tar.subarray(0, cut)], 6),
        gzipPieces([SAMPLE.tar.subarray(cut)], 6),
      ]);
      const r = await readStream(chunksOf(gz, 1024 * 1024), 'two-members.tar.gz');
      assertClean(r, `member cut ${short} bytes before ${end}`);
    }
});

test('any flush pattern, level, member split or read size gives the same entries (property)', async () => {
  const flushKind = fc.constantFrom(
    undefined,
    constants.Z_SYNC_FLUSH,
    constants.Z_FULL_FLUSH,
    constants.Z_PARTIAL_FLUSH,
    constants.Z_BLOCK,
  );
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(0, 1, 6, 9),
      flushKind,
      fc.integer({ min: 300, max: 40_000 }),
      fc.integer({ min: 1, max: 4 }),
      fc.constantFrom(61, 511, 4096, 16 * 1024 + 3, 1024 * 1024),
      async (level, kind, every, members, readSize) => {
        // `members` gzip members, concatenated (like `gzip -c a b`), each written in `every`-sized
        // pieces with a flush of `kind` after each
        const part = Math.ceil(SAMPLE.tar.length / members);
        const gz = Buffer.concat(
          recut(SAMPLE.tar, part).map((m) =>
            gzipPieces(recut(m, every), level, kind === undefined ? undefined : { every, kind }),
          ),
        );
        const r = await readStream(chunksOf(gz, readSize), 'flushes.tar.gz');
        assertClean(r, `level ${level} flush ${kind} every ${every} members ${members} read ${readSize}`);
      },
    ),
    { numRuns: 60, seed: 20261126 },
  );
});

test('plain tar: the same entries however the stream is cut into chunks (property)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.nat({ max: SAMPLE.tar.length }), { maxLength: 40 }), async (cuts) => {
      const r = await readStream(cutAt(SAMPLE.tar, cuts), 'cut.tar');
      assertClean(r, `cuts ${cuts.join(',')}`);
    }),
    { numRuns: 150, seed: 20261126 },
  );
});

test('plain tar: chunks ending 1..511 bytes before every body end are read whole', async () => {
  for (const short of [1, 15, 300, 511]) {
    const r = await readStream(
      cutAt(
        SAMPLE.tar,
        SAMPLE.bodyEnds.map((e) => e - short),
      ),
      'short.tar',
    );
    assertClean(r, `${short} bytes short`);
  }
});
