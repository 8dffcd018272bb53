// Output plumbing with backpressure, so memory stays flat however many records are written.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** Awaits 'drain' when the stream's buffer is full. */
export async function writeTo(w: Writable, b: Buffer): Promise<void> {
  if (!w.write(b)) await once(w, 'drain');
}

/** A file written sequentially, counting its bytes. */
export class FileOut {
  readonly stream: WriteStream;
  bytes = 0;
  private failure: unknown;

  constructor(path: string, mode = 0o644) {
    this.stream = createWriteStream(path, { mode, highWaterMark: 1 << 20 });
    this.stream.on('error', (e) => {
      this.failure = e;
    });
  }

  async write(b: Buffer): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    this.bytes += b.length;
    await writeTo(this.stream, b);
  }

  async end(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    this.stream.end();
    await once(this.stream, 'close');
    if (this.failure !== undefined) throw this.failure;
  }
}

/** Collects text into ~1 MiB buffers for a consumer, encoding as UTF-8 on the way. */
const BATCH_BYTES = 1 << 20;

export class Batcher {
  private buf = Buffer.allocUnsafe(BATCH_BYTES);
  private pos = 0;

  constructor(private readonly flushTo: (b: Buffer) => Promise<void>) {}

  /** Appends a line; resolves at once unless a full buffer had to be handed on. */
  add(s: string): Promise<void> | undefined {
    let p: Promise<void> | undefined;
    if (this.pos + s.length * 3 > BATCH_BYTES) p = this.flush();
    if (s.length * 3 > BATCH_BYTES) {
      const big = Buffer.from(s, 'utf8');
      return p === undefined ? this.flushTo(big) : p.then(() => this.flushTo(big));
    }
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return p;
  }

  flush(): Promise<void> {
    if (this.pos === 0) return Promise.resolve();
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(BATCH_BYTES);
    this.pos = 0;
    return this.flushTo(out);
  }
}
