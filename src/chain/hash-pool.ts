// A pool of hashing workers (worker_threads). Each record's hash depends only on its own row, so
// blocks are hashed in parallel; the caller consumes results in submission order, so links are
// still checked in seq order by the single replay on the main thread. Block buffers travel to a
// worker and back by transfer (no copy) and are reused, so steady state allocates nothing big.
import { Worker } from 'node:worker_threads';
import type { HashedBlock, RowLayout } from './row-hasher.js';

interface Pending {
  resolve: (b: HashedBlock) => void;
  reject: (e: Error) => void;
}

interface Reply {
  id: number;
  /** The block's buffer, handed back for reuse. */
  buf: ArrayBuffer;
  records: ArrayBuffer;
  count: number;
  lines: number;
  malformed: HashedBlock['malformed'];
}

/** Blocks queued per worker before the pool counts as saturated (one hashing, two waiting:
 *  measured ~0.06 s faster per 1M records than one waiting, on 2 cores). */
const PER_WORKER = 3;

export class HashPool {
  private readonly workers: Worker[] = [];
  /** Blocks submitted per worker, and (shared) blocks each worker has finished hashing: the
   *  worker counts as soon as it is done, before this thread has read its reply (this thread
   *  is busy inflating and only reads replies between reads of the file). */
  private readonly sent: number[] = [];
  private readonly finished: Int32Array;
  private readonly pending = new Map<number, Pending>();
  private readonly free: ArrayBuffer[] = [];
  private next = 0;
  private failed: Error | undefined;

  constructor(
    layout: RowLayout,
    jobs: number,
    /** Size of the reusable block buffers. */
    private readonly bufBytes: number,
  ) {
    this.finished = new Int32Array(new SharedArrayBuffer(4 * jobs));
    for (let i = 0; i < jobs; i++) {
      const w = new Worker(new URL('./hash-worker.js', import.meta.url), {
        workerData: { layout, finished: this.finished, index: i },
      });
      w.on('message', (m: Reply) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.buf.byteLength === this.bufBytes && this.free.length < 4 * this.workers.length)
          this.free.push(m.buf);
        p?.resolve({
          records: Buffer.from(m.records),
          count: m.count,
          lines: m.lines,
          malformed: m.malformed,
        });
        if (this.pending.size === 0) this.setRef(false);
      });
      w.on('error', (e) => this.fail(e));
      // A worker gone without an error (killed, out of memory) must not leave its blocks
      // waiting forever: the run fails instead of hanging.
      w.on('exit', (code) => {
        if (this.pending.size > 0)
          this.fail(new Error(`a hashing worker exited (code ${code}) with blocks in flight`));
      });
      w.unref();
      this.workers.push(w);
      this.sent.push(0);
    }
  }

  /** A block buffer of bufBytes (or larger when `min` needs it), reused when one is free. */
  buffer(min: number): Buffer {
    if (min <= this.bufBytes) {
      const ab = this.free.pop();
      if (ab) return Buffer.from(ab);
    }
    // allocUnsafeSlow: a whole ArrayBuffer of its own, transferable (a pooled one is not).
    return Buffer.allocUnsafeSlow(Math.max(min, this.bufBytes));
  }

  /** Gives back a buffer from buffer() that was not submitted. */
  release(b: Buffer): void {
    if (
      b.byteOffset === 0 &&
      b.buffer.byteLength === this.bufBytes &&
      this.free.length < 4 * this.workers.length
    )
      this.free.push(b.buffer as ArrayBuffer);
  }

  /** True when every worker already has PER_WORKER blocks: the caller should hash this one itself. */
  get saturated(): boolean {
    return this.leastBusy() < 0;
  }

  /** The worker with the fewest blocks queued, or -1 when all have PER_WORKER. */
  private leastBusy(): number {
    let k = -1;
    let least = PER_WORKER;
    for (let i = 0; i < this.sent.length; i++) {
      const q = (this.sent[i] ?? 0) - Atomics.load(this.finished, i);
      if (q < least) {
        least = q;
        k = i;
      }
    }
    return k;
  }

  /** Idle workers must not keep the process alive; busy ones must (we await their answers). */
  private setRef(on: boolean): void {
    for (const w of this.workers) {
      if (on) w.ref();
      else w.unref();
    }
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /** Hash buf[0, length) (buf from buffer(): it is transferred, the caller must not touch it). */
  submit(buf: Buffer, length: number): Promise<HashedBlock> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.next++;
    const k = Math.max(0, this.leastBusy());
    const w = this.workers[k] as Worker;
    this.sent[k] = (this.sent[k] ?? 0) + 1;
    const ab = buf.buffer as ArrayBuffer;
    return new Promise<HashedBlock>((resolve, reject) => {
      if (this.pending.size === 0) this.setRef(true);
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, buf: ab, offset: buf.byteOffset, length }, [ab]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
