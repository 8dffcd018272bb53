// Bounded-memory storage for chain records: an append-only list and an external merge sort,
// both of which keep at most `memRecords` in memory and spill fixed-size records to the run's
// temporary folder beyond that. Used only when rows arrive far out of seq order.
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { runTempDir } from '../files/tempdir.js';
import { MinHeap } from './heap.js';
import { compareRecords, decodeRecord, encodeRecord, RECORD_BYTES, type ChainRecord } from './record.js';

let fileCounter = 0;

export class SpillLimitError extends Error {}

/** Temp-disk accounting shared by every spill of a run. */
export class DiskBudget {
  used = 0;
  constructor(readonly maxBytes: number) {}
  take(n: number): void {
    if (this.used + n > this.maxBytes)
      throw new SpillLimitError(`temporary disk bound of ${this.maxBytes} bytes`);
    this.used += n;
  }
}

class RunFile {
  readonly path: string;
  private fd: number;
  count = 0;
  constructor(prefix: string) {
    this.path = join(runTempDir(), `${prefix}-${process.pid}-${++fileCounter}.bin`);
    this.fd = openSync(this.path, 'w+', 0o600);
  }
  append(records: readonly ChainRecord[], budget: DiskBudget): void {
    const buf = Buffer.allocUnsafe(records.length * RECORD_BYTES);
    for (let i = 0; i < records.length; i++) encodeRecord(records[i] as ChainRecord, buf, i * RECORD_BYTES);
    budget.take(buf.length);
    let off = 0;
    while (off < buf.length)
      off += writeSync(this.fd, buf, off, buf.length - off, this.count * RECORD_BYTES + off);
    this.count += records.length;
  }
  *read(batch = 4096): Generator<ChainRecord> {
    const buf = Buffer.allocUnsafe(batch * RECORD_BYTES);
    for (let i = 0; i < this.count; i += batch) {
      const n = Math.min(batch, this.count - i);
      const want = n * RECORD_BYTES;
      let got = 0;
      while (got < want) {
        const r = readSync(this.fd, buf, got, want - got, i * RECORD_BYTES + got);
        if (r === 0) throw new Error(`spill file ${this.path} shorter than written`);
        got += r;
      }
      for (let j = 0; j < n; j++) yield decodeRecord(buf, j * RECORD_BYTES);
    }
  }
  dispose(): void {
    try {
      closeSync(this.fd);
      unlinkSync(this.path);
    } catch {
      // Already gone: the run's temp folder is removed at exit anyway.
    }
  }
}

/** Append-only list of records in a fixed order (e.g. hole boundaries, produced in seq order). */
export class SpillList {
  private mem: ChainRecord[] = [];
  private file: RunFile | undefined;
  constructor(
    private readonly memRecords: number,
    private readonly budget: DiskBudget,
  ) {}
  get length(): number {
    return (this.file?.count ?? 0) + this.mem.length;
  }
  push(r: ChainRecord): void {
    this.mem.push(r);
    if (this.mem.length >= this.memRecords) {
      this.file ??= new RunFile('list');
      this.file.append(this.mem, this.budget);
      this.mem = [];
    }
  }
  *items(): Generator<ChainRecord> {
    if (this.file) yield* this.file.read();
    yield* this.mem;
  }
  dispose(): void {
    this.file?.dispose();
    this.mem = [];
  }
}

/** External merge sort by (seq, row). */
export class SortedSpill {
  private mem: ChainRecord[] = [];
  private runs: RunFile[] = [];
  count = 0;
  constructor(
    private readonly memRecords: number,
    private readonly budget: DiskBudget,
  ) {}
  push(r: ChainRecord): void {
    this.mem.push(r);
    this.count++;
    if (this.mem.length >= this.memRecords) this.flush();
  }
  private flush(): void {
    if (this.mem.length === 0) return;
    this.mem.sort(compareRecords);
    const run = new RunFile('run');
    run.append(this.mem, this.budget);
    this.runs.push(run);
    this.mem = [];
  }
  *sorted(): Generator<ChainRecord> {
    this.mem.sort(compareRecords);
    if (this.runs.length === 0) {
      yield* this.mem;
      return;
    }
    const sources: Array<Iterator<ChainRecord>> = this.runs.map((r) => r.read(1024));
    sources.push(this.mem[Symbol.iterator]());
    const heap = new MinHeap<{ rec: ChainRecord; src: number }>((a, b) => compareRecords(a.rec, b.rec));
    sources.forEach((it, i) => {
      const n = it.next();
      if (!n.done) heap.push({ rec: n.value, src: i });
    });
    for (;;) {
      const top = heap.pop();
      if (!top) break;
      yield top.rec;
      const n = (sources[top.src] as Iterator<ChainRecord>).next();
      if (!n.done) heap.push({ rec: n.value, src: top.src });
    }
  }
  dispose(): void {
    for (const r of this.runs) r.dispose();
    this.runs = [];
    this.mem = [];
  }
}
