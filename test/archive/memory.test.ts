// Memory stays flat however large the archive: a 500 MB tar, generated on the fly (never on
// disk), streamed through the reader with a dump consumer that discards. Alone in its file so
// that no other test shares the process whose RSS is measured.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { createGzip } from 'node:zlib';
import { header, readStream } from './helpers.js';

const MiB = 1024 * 1024;

function* generatedTar(dumpBytes: number): Generator<Buffer> {
  yield header('db/meshanics.dump', dumpBytes);
  const first = Buffer.alloc(MiB);
  first.write('PGDMP', 0);
  yield first;
  // the same zero buffer over and over: the generator itself holds no memory
  const zeros = Buffer.alloc(MiB);
  for (let left = dumpBytes - MiB; left > 0; left -= MiB) yield left >= MiB ? zeros : zeros.subarray(0, left);
  yield Buffer.alloc(1024);
}

/** Runs the reader over `input` with a discarding dump consumer; returns the peak RSS growth (MB). */
async function peakGrowth(
  input: AsyncIterable<Uint8Array>,
  dumpBytes: number,
  maxRatio?: number,
): Promise<number> {
  globalThis.gc?.();
  const start = process.memoryUsage().rss;
  let peak = start;
  const sample = (): void => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 20);
  let seen = 0;
  let chunks = 0;
  try {
    const r = await readStream(input, 'generated', {
      limits: maxRatio === undefined ? {} : { maxRatio },
      onDump: async (entry, content) => {
        assert.equal(entry.size, dumpBytes);
        for await (const c of content) {
          seen += c.length;
          if (++chunks % 64 === 0) sample();
        }
      },
    });
    assert.equal(seen, dumpBytes);
    assert.equal(r.result.facts.complete, true);
  } finally {
    clearInterval(timer);
  }
  sample();
  return (peak - start) / MiB;
}

test('a 500 MB tar streams through with flat memory (RSS growth < 150 MB)', async () => {
  const size = 500 * MiB;
  const growth = await peakGrowth(Readable.from(generatedTar(size), { objectMode: false }), size);
  assert.ok(growth < 150, `RSS grew by ${growth.toFixed(0)} MB`);
});

test('a 256 MB tar.gz (gzip made on the fly) streams through with flat memory', async () => {
  const size = 256 * MiB;
  const gz = Readable.from(generatedTar(size), { objectMode: false }).pipe(createGzip({ level: 1 }));
  // zeros compress ~1000:1: lift the bomb bound, this test is about memory
  const growth = await peakGrowth(gz, size, 1e6);
  assert.ok(growth < 150, `RSS grew by ${growth.toFixed(0)} MB`);
});
