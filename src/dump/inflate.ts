// Incremental zlib / gzip decompression driven by the reader (pull): one capped piece at a
// time, its output taken before the next. minizlib inflates synchronously in this thread;
// node:zlib's streams hop to the thread pool and back for every piece, which measured 6-8 s of
// idle waiting per million audit records (bench/README.md). The piece cap bounds what a
// decompression bomb can inflate in one step.
import { Gunzip, Inflate, type ZlibOptions } from 'minizlib';

/** zlib's output buffer size. */
const OUTPUT_CHUNK = 1024 * 1024;

/** Largest compressed piece handed to zlib at once: its output is at most ~1032× this (16 MiB),
 *  and a decompression bomb is judged (maxRatio) after a few pieces, before much is inflated. */
export const INFLATE_PIECE = 16 * 1024;

export class StreamInflater {
  private readonly z: Inflate | Gunzip;
  private outs: Buffer[] = [];
  /** The first zlib error, if any; once set, nothing more is written. */
  error: Error | null = null;
  /** True once zlib reported the end of the compressed stream. */
  ended = false;

  constructor(kind: 'zlib' | 'gzip') {
    // minizlib hands its options to node:zlib, whose default 16 KiB output chunk made every
    // piece's output several buffers joined by a copy (measured ~50 ms per million records).
    const opts: ZlibOptions & { chunkSize: number } = { chunkSize: OUTPUT_CHUNK };
    this.z = kind === 'gzip' ? new Gunzip(opts) : new Inflate(opts);
    this.z.on('data', (b: Buffer) => {
      this.outs.push(b);
    });
    this.z.on('error', (e: unknown) => {
      this.error ??= e instanceof Error ? e : new Error(String(e));
    });
    this.z.on('end', () => {
      this.ended = true;
    });
  }

  /** The output produced so far (in order), handed over once. */
  take(): Buffer[] {
    const o = this.outs;
    this.outs = [];
    return o;
  }

  /** True while more input can be written. */
  get open(): boolean {
    return this.error === null && !this.ended;
  }

  /** Decompresses one piece now; its output is ready for take() when this returns. */
  startWrite(piece: Buffer): Promise<void> {
    if (this.open) {
      try {
        this.z.write(piece);
      } catch (e) {
        this.error ??= e instanceof Error ? e : new Error(String(e));
      }
    }
    return Promise.resolve();
  }

  /** Decompresses one piece and returns the output it produced. */
  async writePiece(piece: Buffer): Promise<Buffer[]> {
    await this.startWrite(piece);
    return this.take();
  }

  /** Ends the input and returns the last output (a cut stream is reported as an error). */
  finish(): Promise<Buffer[]> {
    if (this.open) {
      try {
        this.z.end();
      } catch (e) {
        this.error ??= e instanceof Error ? e : new Error(String(e));
      }
      // zlib only notices a missing end when the input ends: say so as the error it is.
      if (!this.ended && this.error === null) this.error = new Error('unexpected end of file');
    }
    return Promise.resolve(this.take());
  }

  destroy(): void {
    this.z.removeAllListeners('data');
    this.z.on('error', () => undefined);
    try {
      this.z.close();
    } catch {
      // already closed
    }
  }
}

/** The ratio of a stream is judged only once it inflated this much (small streams compress oddly). */
export const RATIO_AFTER = 1024 * 1024;

export type BombBound = 'maxDecompressedBytes' | 'maxRatio';

/**
 * The decompression bound a stream has crossed, if any: `totalOut` bytes inflated by the whole
 * dump so far, `streamIn` → `streamOut` for this stream.
 */
export function bombBound(
  o: { maxDecompressedBytes?: number; maxRatio?: number },
  totalOut: number,
  streamIn: number,
  streamOut: number,
): BombBound | undefined {
  if (o.maxDecompressedBytes !== undefined && totalOut > o.maxDecompressedBytes)
    return 'maxDecompressedBytes';
  if (o.maxRatio !== undefined && streamOut > RATIO_AFTER && streamOut / Math.max(1, streamIn) > o.maxRatio)
    return 'maxRatio';
  return undefined;
}

/** Splits `buf` into pieces of at most INFLATE_PIECE bytes. */
export function* pieces(buf: Buffer): Generator<Buffer> {
  for (let at = 0; at < buf.length; at += INFLATE_PIECE) {
    yield buf.subarray(at, Math.min(buf.length, at + INFLATE_PIECE));
  }
}
