// Incremental zlib / gzip decompression driven by the reader (pull), never by the stream: we
// write one capped piece, wait until zlib has processed it, and take its output. The cap bounds
// what a decompression bomb can inflate in one step.
import zlib from 'node:zlib';

/** Largest compressed piece handed to zlib at once (its output is at most ~1032× this). */
export const INFLATE_PIECE = 16 * 1024;
const OUT_CHUNK = 64 * 1024;

export class StreamInflater {
  private readonly z: zlib.Inflate | zlib.Gunzip;
  private outs: Buffer[] = [];
  private wake: (() => void) | null = null;
  /** The first zlib error, if any; once set, nothing more is written. */
  error: Error | null = null;
  /** True once zlib reported the end of the compressed stream. */
  ended = false;

  constructor(kind: 'zlib' | 'gzip') {
    this.z =
      kind === 'gzip'
        ? zlib.createGunzip({ chunkSize: OUT_CHUNK })
        : zlib.createInflate({ chunkSize: OUT_CHUNK });
    this.z.on('data', (b: Buffer) => {
      this.outs.push(b);
    });
    this.z.on('error', (e: Error) => {
      this.error ??= e;
      this.poke();
    });
    this.z.on('end', () => {
      this.ended = true;
      this.poke();
    });
    this.z.on('close', () => this.poke());
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    if (w) w();
  }

  private take(): Buffer[] {
    const o = this.outs;
    this.outs = [];
    return o;
  }

  /** True while more input can be written. */
  get open(): boolean {
    return this.error === null && !this.ended;
  }

  /** Decompresses one piece (at most INFLATE_PIECE bytes) and returns the output it produced. */
  async writePiece(piece: Buffer): Promise<Buffer[]> {
    if (!this.open) return this.take();
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      this.z.write(piece, () => this.poke());
    });
    return this.take();
  }

  /** Ends the input; resolves when zlib has finished (or failed) and returns the last output. */
  async finish(): Promise<Buffer[]> {
    if (this.open) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.z.end();
      });
    }
    return this.take();
  }

  destroy(): void {
    this.z.removeAllListeners('data');
    this.z.removeAllListeners('close');
    this.z.on('error', () => undefined);
    this.z.destroy();
  }
}

/** Splits `buf` into pieces of at most INFLATE_PIECE bytes. */
export function* pieces(buf: Buffer): Generator<Buffer> {
  for (let at = 0; at < buf.length; at += INFLATE_PIECE) {
    yield buf.subarray(at, Math.min(buf.length, at + INFLATE_PIECE));
  }
}
