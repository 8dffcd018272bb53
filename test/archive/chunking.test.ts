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

const BLOCK = 512;
/** The gzip reader's input slice: with incompressible data its output pieces end just short of this. */
const SLICE = 16 * 1024;

/** Deterministic incompressible bytes (SHA-256 in counter mode). */
function noise(seed: string, n: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0, got = 0; got < n; i++, got += 32)
    parts.push(createHash('sha256').update(`${seed}:${i}`).digest());
  return Buffer.concat(parts).subarray(0, n);
}

interface Item {
  path: string;
  data: Buffer | undefined;
}

/** A data size whose padded body, after a header at `at`, ends exactly on the next slice boundary. */
function fillTo(at: number, slack: number): number {
  const bodyStart = at + BLOCK;
  const end = Math.ceil((bodyStart + BLOCK) / SLICE) * SLICE;
  return end - bodyStart - slack;
}

/** A backup-shaped tar whose file bodies end on 16 KiB boundaries (directories carry modes so
 *  nothing but chunking could produce a finding). Returns the tar's pieces as node-tar's Pack
 *  writes them (each header, then each body with its padding) and the files' hashes. */
function backupTar(): { pieces: Buffer[]; tar: Buffer; files: Map<string, string> } {
  const items: Item[] = [];
  let at = 0;
  const dir = (p: string): void => {
    items.push({ path: p, data: undefined });
    at += BLOCK;
  };
  const file = (p: string, size: number): void => {
    const data = noise(p, size);
    items.push({ path: p, data });
    at += BLOCK + data.length + padding(data.length).length;
  };
  dir(`${TOP}/`);
  dir(`${TOP}/certs/`);
  file(`${TOP}/certs/ca.crt`, fillTo(at, 100));
  file(`${TOP}/certs/server.crt`, fillTo(at, 7));
  dir(`${TOP}/db/`);
  file(`${TOP}/db/meshanics.dump`, fillTo(at, 300) + 2 * SLICE);
  dir(`${TOP}/tuf/`);
  dir(`${TOP}/tuf/keys/`);
  file(`${TOP}/tuf/keys/timestamp.pub`, fillTo(at, 0));
  dir(`${TOP}/tuf/metadata/`);
  file(`${TOP}/tuf/metadata/root.json`, fillTo(at, 511));
  file(`${TOP}/tuf/metadata/timestamp.json`, 1199);

  const pieces: Buffer[] = [];
  const files = new Map<string, string>();
  for (const it of items) {
    if (it.data === undefined) pieces.push(header(it.path, 0, { type: 'Directory', mode: 0o755 }));
    else {
      pieces.push(header(it.path, it.data.length), Buffer.concat([it.data, padding(it.data.length)]));
      files.set(it.path.slice(TOP.length + 1), sha256(it.data));
    }
  }
  pieces.push(Buffer.alloc(2 * BLOCK));
  return { pieces, tar: Buffer.concat(pieces), files };
}

const SAMPLE = backupTar();

/** gzip through minizlib, as node-tar's create({ gzip }) does for gen-scale. */
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
    r.result.entries.map((e) => e.offset % BLOCK),
    r.result.entries.map(() => 0),
    `${what}: every header offset is block-aligned`,
  );
}

test('the sample tar really puts file bodies against 16 KiB boundaries', () => {
  // guards the regression test below: without this layout it would prove nothing
  let at = 0;
  let ends = 0;
  for (const p of SAMPLE.pieces) {
    at += p.length;
    if (p.length > BLOCK && at % SLICE === 0) ends++;
  }
  assert.ok(ends >= 4, `${ends} bodies end on a slice boundary`);
});

test('tar.gz gzipped like gen-scale (minizlib level 6, Pack-sized writes) reads complete', async () => {
  const gz = gzipPieces(SAMPLE.pieces, 6);
  const r = await readStream(chunksOf(gz, 1024 * 1024), 'gen-scale-like.tar.gz');
  assert.equal(r.result.facts.container, 'tar.gz');
  assert.deepEqual(
    r.findings.list.filter((f) => f.code.startsWith('ARCHIVE_')).map((f) => f.code),
    [],
  );
  assertClean(r, 'level 6');
  assert.equal(r.result.facts.tarBytes, SAMPLE.tar.length);
  assert.equal(r.result.facts.entryCount, 12);
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
      fc.constantFrom(1, 511, 4096, 16 * 1024 + 3, 1024 * 1024),
      async (level, kind, every, members, readSize) => {
        // split the tar into `members` parts, each its own gzip member, concatenated (gzip -c a b)
        const part = Math.ceil(SAMPLE.tar.length / members);
        const gz = Buffer.concat(
          recut(SAMPLE.tar, part).map((m) =>
            gzipPieces(recut(m, Math.min(every, 8192)), level, kind === undefined ? undefined : { every, kind }),
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

test('plain tar: a piece ending 1..511 bytes before each body end is still read whole', async () => {
  // the exact shape of the bug, deterministic: cut just short of the end of every body
  const ends: number[] = [];
  let at = 0;
  for (const p of SAMPLE.pieces) {
    at += p.length;
    if (p.length > BLOCK) ends.push(at);
  }
  for (const short of [1, 15, 300, 511]) {
    const r = await readStream(
      cutAt(
        SAMPLE.tar,
        ends.map((e) => e - short),
      ),
      'short.tar',
    );
    assertClean(r, `${short} bytes short`);
  }
});
