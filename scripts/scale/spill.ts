// Rows written "far out of seq order": each displaced row goes to one of a few bucket files and
// the buckets are appended after the in-order rows (last bucket first), as rows moved by updates
// or CLUSTER end up at the table's end. Disk, not memory, holds them.
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const FLUSH_CHARS = 1 << 20;

interface Bucket {
  path: string;
  fd: number;
  lines: string[];
  chars: number;
}

export class Spill {
  private readonly buckets: Bucket[];
  count = 0;

  constructor(dir: string, n: number) {
    this.buckets = Array.from({ length: n }, (_, i) => {
      const path = join(dir, `displaced-${i}.copy`);
      return { path, fd: openSync(path, 'w', 0o600), lines: [], chars: 0 };
    });
  }

  add(bucket: number, line: string): void {
    const b = this.buckets[bucket % this.buckets.length];
    if (b === undefined) return;
    b.lines.push(line);
    b.chars += line.length;
    this.count += 1;
    if (b.chars >= FLUSH_CHARS) this.flush(b);
  }

  private flush(b: Bucket): void {
    if (b.lines.length === 0) return;
    writeSync(b.fd, b.lines.join(''));
    b.lines = [];
    b.chars = 0;
  }

  /** Closes the buckets and streams their content (last bucket first) to `out`. */
  async drainTo(out: (b: Buffer) => Promise<void>): Promise<void> {
    for (const b of this.buckets) {
      this.flush(b);
      closeSync(b.fd);
    }
    for (const b of [...this.buckets].reverse()) {
      for await (const chunk of createReadStream(b.path, { highWaterMark: 1 << 20 })) {
        if (Buffer.isBuffer(chunk)) await out(chunk);
      }
    }
  }
}
