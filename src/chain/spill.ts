// Bounded-memory storage for chain records: an append-only list and an external merge sort,
// both of which keep at most `memRecords` in memory and spill fixed-size records to the run's
// temporary folder beyond that. Used only when rows arrive far out of seq order.
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { runTempDir } from '../files/tempdir.js';
import { MinHeap } from './heap.js';
import {
  compareRecords,
  decodeRecord,
  encodeRecord,
  RECORD_BYTES,
  RECORD_F64,
  type ChainRecord,
} from './record.js';

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
  /** Appends `n` records already in record.ts layout. */
  append(buf: Buffer, n: number, budget: DiskBudget): void {
    const len = n * RECORD_BYTES;
    budget.take(len);
    let off = 0;
    while (off < len) off += writeSync(this.fd, buf, off, len - off, this.count * RECORD_BYTES + off);
    this.count += n;
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

/** Records held in memory as bytes (record.ts layout) in one buffer grown up to its cap: an
 *  object and a 64-byte buffer per record cost several times the bytes and churned the GC. */
class RecordBytes {
  buf: Buffer = Buffer.alloc(0);
  f64 = new Float64Array(0);
  n = 0;
  constructor(private readonly cap: number) {}
  private room(): void {
    if ((this.n + 1) * RECORD_BYTES <= this.buf.length) return;
    const size = Math.min(this.cap, Math.max(256, this.n * 2)) * RECORD_BYTES;
    const bigger = Buffer.alloc(Math.max(size, (this.n + 1) * RECORD_BYTES));
    this.buf.copy(bigger, 0, 0, this.n * RECORD_BYTES);
    this.buf = bigger;
    this.f64 = new Float64Array(bigger.buffer, bigger.byteOffset, bigger.length / 8);
  }
  push(r: ChainRecord): void {
    this.room();
    encodeRecord(r, this.buf, this.n++ * RECORD_BYTES);
  }
  /** Copies the record at src[o] in, with its row number set to `row`. */
  pushBytes(src: Buffer, o: number, row: number): void {
    this.room();
    src.copy(this.buf, this.n * RECORD_BYTES, o, o + RECORD_BYTES);
    this.f64[this.n * RECORD_F64 + 2] = row;
    this.n++;
  }
  /** The records sorted by (seq, row), in a new buffer. */
  sortedBytes(): Buffer {
    const f = this.f64;
    const idx = Array.from({ length: this.n }, (_, i) => i);
    idx.sort(
      (a, b) =>
        (f[a * RECORD_F64] as number) - (f[b * RECORD_F64] as number) ||
        (f[a * RECORD_F64 + 2] as number) - (f[b * RECORD_F64 + 2] as number),
    );
    const out = Buffer.allocUnsafe(this.n * RECORD_BYTES);
    for (let i = 0; i < idx.length; i++) {
      const k = idx[i] as number;
      this.buf.copy(out, i * RECORD_BYTES, k * RECORD_BYTES, (k + 1) * RECORD_BYTES);
    }
    return out;
  }
  *items(buf: Buffer = this.buf): Generator<ChainRecord> {
    for (let i = 0; i < this.n; i++) yield decodeRecord(buf, i * RECORD_BYTES);
  }
  clear(): void {
    this.n = 0;
  }
  release(): void {
    this.n = 0;
    this.buf = Buffer.alloc(0);
    this.f64 = new Float64Array(0);
  }
}

/** Append-only list of records in a fixed order (e.g. hole boundaries, produced in seq order). */
export class SpillList {
  private readonly mem: RecordBytes;
  private file: RunFile | undefined;
  constructor(
    private readonly memRecords: number,
    private readonly budget: DiskBudget,
  ) {
    this.mem = new RecordBytes(memRecords);
  }
  get length(): number {
    return (this.file?.count ?? 0) + this.mem.n;
  }
  push(r: ChainRecord): void {
    this.mem.push(r);
    if (this.mem.n >= this.memRecords) {
      this.file ??= new RunFile('list');
      this.file.append(this.mem.buf, this.mem.n, this.budget);
      this.mem.clear();
    }
  }
  *items(): Generator<ChainRecord> {
    if (this.file) yield* this.file.read();
    yield* this.mem.items();
  }
  dispose(): void {
    this.file?.dispose();
    this.mem.release();
  }
}

/** External merge sort by (seq, row). */
export class SortedSpill {
  private readonly mem: RecordBytes;
  private runs: RunFile[] = [];
  count = 0;
  constructor(
    private readonly memRecords: number,
    private readonly budget: DiskBudget,
  ) {
    this.mem = new RecordBytes(memRecords);
  }
  push(r: ChainRecord): void {
    this.mem.push(r);
    this.pushed();
  }
  /** The record at src[o] (record.ts layout), its row number set to `row`: no object made. */
  pushBytes(src: Buffer, o: number, row: number): void {
    this.mem.pushBytes(src, o, row);
    this.pushed();
  }
  private pushed(): void {
    this.count++;
    if (this.mem.n >= this.memRecords) this.flush();
  }
  private flush(): void {
    if (this.mem.n === 0) return;
    const run = new RunFile('run');
    run.append(this.mem.sortedBytes(), this.mem.n, this.budget);
    this.runs.push(run);
    this.mem.clear();
  }
  *sorted(): Generator<ChainRecord> {
    const memSorted = this.mem.sortedBytes();
    const inMem = this.mem.items(memSorted);
    if (this.runs.length === 0) {
      yield* inMem;
      return;
    }
    const sources: Array<Iterator<ChainRecord>> = this.runs.map((r) => r.read(1024));
    sources.push(inMem);
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
    this.mem.release();
  }
}
