// A pool of hashing workers (worker_threads). Each record's hash depends only on its own row, so
// blocks are hashed in parallel; results come back in submission order, so links are still
// checked in seq order by the single replay on the main thread.
import { Worker } from 'node:worker_threads';
import type { HashedBlock, RowLayout } from './row-hasher.js';

interface Pending {
  resolve: (b: HashedBlock) => void;
  reject: (e: Error) => void;
}

export class HashPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  private failed: Error | undefined;

  constructor(layout: RowLayout, jobs: number) {
    for (let i = 0; i < jobs; i++) {
      const w = new Worker(new URL('./hash-worker.js', import.meta.url), { workerData: layout });
      w.on(
        'message',
        (m: {
          id: number;
          records: ArrayBuffer;
          count: number;
          lines: number;
          malformed: HashedBlock['malformed'];
        }) => {
          const p = this.pending.get(m.id);
          this.pending.delete(m.id);
          p?.resolve({
            records: Buffer.from(m.records),
            count: m.count,
            lines: m.lines,
            malformed: m.malformed,
          });
          if (this.pending.size === 0) this.setRef(false);
        },
      );
      w.on('error', (e) => this.fail(e));
      w.unref();
      this.workers.push(w);
    }
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

  /** Hash one block (its bytes are transferred: the caller must not reuse `block`). */
  submit(block: Buffer): Promise<HashedBlock> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.next++;
    const w = this.workers[id % this.workers.length] as Worker;
    // A standalone ArrayBuffer holding exactly the block, transferable without copying again.
    const ab = new ArrayBuffer(block.length);
    block.copy(Buffer.from(ab));
    return new Promise<HashedBlock>((resolve, reject) => {
      if (this.pending.size === 0) this.setRef(true);
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, buf: ab, length: block.length }, [ab]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
