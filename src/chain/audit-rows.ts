// The audit table's COPY data → the chain replay. Data arrives in arbitrary chunks; it is cut
// into line-aligned blocks of about a MiB, each hashed by a RowHasher (in this thread, or in a
// pool of worker threads with --jobs > 1) and fed to the replay in dump order.
import { availableParallelism } from 'node:os';
import type { Findings } from '../findings/collector.js';
import type { Profile } from '../profile/profile.js';
import type { TableDataHandler, TableRef } from '../dump/types.js';
import type { ChainReplay } from './replay.js';
import { HashPool } from './hash-pool.js';
import { RECORD_BYTES } from './record.js';
import { lastRowEnd, RowHasher, type HashedBlock, type RowLayout } from './row-hasher.js';

export { unescapeInto } from './copy-unescape.js';

/** Target size of a block handed to a hasher. */
const BLOCK_BYTES = 1024 * 1024;

export interface AuditRowsOptions {
  profile: Profile;
  replay: ChainReplay;
  findings: Findings;
  /** "schema.table" for locations. */
  table: string;
  maxLineBytes: number;
  /** Hashing threads: 1 hashes in this thread; more starts a worker pool. */
  jobs: number;
  /** Target size of a block handed to a hasher (default 1 MiB; tests use small blocks). */
  blockBytes?: number;
}

/** Default --jobs cap: this thread inflates and replays for every worker, and measured on 2
 *  cores it does ~0.65 µs a record against a worker's ~1.2 µs, so past 2–3 workers it cannot feed
 *  more, while each worker costs ~15–20 MB of RSS (a 64-core host would otherwise start 63). */
const MAX_DEFAULT_JOBS = 4;

export function defaultJobs(): number {
  return Math.max(1, Math.min(MAX_DEFAULT_JOBS, availableParallelism()));
}

/** Column indexes of the recipe's fields in the COPY order, or the names that are missing. */
export function mapAuditColumns(
  ref: TableRef,
  profile: Profile,
): { layout: RowLayout } | { missing: string[] } {
  const index: Record<string, number> = {};
  const missing: string[] = [];
  for (const [role, name] of Object.entries(profile.auditColumns)) {
    const i = ref.columns.indexOf(name);
    if (i < 0) missing.push(name);
    else index[role] = i;
  }
  if (missing.length) return { missing };
  const col = (k: string): number => index[k] ?? -1;
  return {
    layout: {
      ncol: ref.columns.length,
      seqCol: col('seq'),
      prevCol: col('prevHash'),
      hashCol: col('hash'),
      order: profile.recipe.fields.map((field) => ({ field, col: col(field) })),
    },
  };
}

/** A block being hashed (by a worker) or already hashed (here), or a note about a row between
 *  blocks (an over-long row): consumed in dump order. */
interface Slot {
  done: HashedBlock | undefined;
  wait: Promise<void> | undefined;
  note?: () => void;
}

export class AuditRowsHandler implements TableDataHandler {
  private parts: Buffer[] = [];
  private partsLen = 0;
  /** Rows already handed to the replay (records and malformed lines). */
  private row = 0;
  private lastSeq: number | undefined;
  private skipping = false;
  /** Bytes since the last newline held (the line being gathered). */
  private tail = 0;
  private hasher: RowHasher | undefined;
  private readonly pool: HashPool | undefined;
  private readonly inflight: Slot[] = [];
  private readonly maxInflight: number;
  /** This thread's block buffer when there is no pool (hashing here is synchronous). */
  private scratch: Buffer | undefined;
  private readonly blockBytes: number;
  /** Blocks hashed in this thread and by workers (how the work was shared). */
  readonly split = { here: 0, workers: 0 };

  constructor(
    private readonly layout: RowLayout,
    private readonly opts: AuditRowsOptions,
  ) {
    // --jobs counts this thread, which inflates, parses the dump and replays the chain, and
    // hashes a block itself whenever every worker already has enough queued: on 2 cores, one
    // worker plus this thread (work shared) measured faster than two workers.
    this.blockBytes = Math.max(1, opts.blockBytes ?? BLOCK_BYTES);
    if (opts.jobs > 1) this.pool = new HashPool(layout, opts.jobs - 1, this.blockBytes + 64 * 1024);
    this.maxInflight = 4 * Math.max(1, opts.jobs);
  }

  async data(chunk: Buffer): Promise<void> {
    if (this.skipping) {
      // Inside an over-long row: drop bytes up to its end.
      const nl = chunk.indexOf(10);
      if (nl < 0) return;
      this.skipping = false;
      chunk = chunk.subarray(nl + 1);
    }
    if (chunk.length === 0) return;
    this.parts.push(chunk);
    this.partsLen += chunk.length;
    const lf = chunk.lastIndexOf(10);
    this.tail = lf < 0 ? this.tail + chunk.length : chunk.length - lf - 1;
    if (this.tail > this.opts.maxLineBytes) {
      await this.beforeOverlong();
      this.overlong();
      return;
    }
    // No row ends in a chunk without a newline: hold it (no copy) until one comes, so a long
    // line costs its bytes once, not a concatenation per chunk.
    if (this.partsLen < this.blockBytes || lf < 0) return;
    const len = this.partsLen;
    const buf = this.assemble(len);
    const cut = lastRowEnd(buf, len);
    if (cut < 0) {
      this.parts = [Buffer.from(buf.subarray(0, len))];
      this.releaseBuffer(buf);
      if (this.partsLen > this.opts.maxLineBytes) this.overlong();
      return;
    }
    const rest = buf.subarray(cut + 1, len);
    this.parts = rest.length ? [Buffer.from(rest)] : [];
    this.partsLen = rest.length;
    await this.dispatch(buf, cut + 1);
  }

  /** The held parts copied into one block buffer (pool buffers travel to a worker and back). */
  private assemble(len: number): Buffer {
    let buf: Buffer;
    if (this.pool) buf = this.pool.buffer(len);
    else {
      if (!this.scratch || this.scratch.length < len)
        this.scratch = Buffer.allocUnsafeSlow(Math.max(len, this.blockBytes + 64 * 1024));
      buf = this.scratch;
    }
    let o = 0;
    for (const p of this.parts) o += p.copy(buf, o);
    return buf;
  }

  private releaseBuffer(buf: Buffer): void {
    if (this.pool) this.pool.release(buf);
  }

  /** The complete rows held before an over-long line are still hashed. */
  private async beforeOverlong(): Promise<void> {
    let k = this.parts.length - 1;
    while (k >= 0 && (this.parts[k] as Buffer).indexOf(10) < 0) k--;
    if (k < 0) return;
    this.parts = this.parts.slice(0, k + 1);
    const len = this.parts.reduce((n, p) => n + p.length, 0);
    const head = this.assemble(len);
    const cut = lastRowEnd(head, len);
    this.parts = [];
    this.partsLen = 0;
    if (cut >= 0) await this.dispatch(head, cut + 1);
    else this.releaseBuffer(head);
  }

  private overlong(): void {
    this.parts = [];
    this.partsLen = 0;
    this.tail = 0;
    this.skipping = true;
    // The long row is one row: it is counted after the rows still in flight, before later ones.
    const note = (): void => {
      this.row++;
      this.opts.findings.add(
        'LIMIT_EXCEEDED',
        { table: this.opts.table, row: this.row, limit: 'maxLineBytes' },
        `row ${this.row} of ${this.opts.table} is longer than maxLineBytes (${this.opts.maxLineBytes} bytes); it was not checked`,
      );
    };
    if (this.inflight.length === 0) note();
    else this.inflight.push({ done: undefined, wait: undefined, note });
  }

  /** Hash buf[0, len): in a worker while one has room, else here; consume what is ready. */
  private async dispatch(buf: Buffer, len: number): Promise<void> {
    if (this.pool && !this.pool.saturated) {
      const slot: Slot = { done: undefined, wait: undefined };
      slot.wait = this.pool.submit(buf, len).then((b) => {
        slot.done = b;
      });
      this.inflight.push(slot);
      this.split.workers++;
    } else {
      this.split.here++;
      this.hasher ??= new RowHasher(this.layout);
      const done = this.hasher.hashBlock(buf, len);
      this.releaseBuffer(buf);
      if (this.inflight.length === 0) {
        this.consume(done);
        return;
      }
      this.inflight.push({ done, wait: undefined });
    }
    this.consumeReady();
    while (this.inflight.length >= this.maxInflight) await this.drainOne();
  }

  /** Consume the finished blocks at the head of the queue (order is dump order). */
  private consumeReady(): void {
    for (;;) {
      const head = this.inflight[0];
      if (head?.note) {
        this.inflight.shift();
        head.note();
        continue;
      }
      if (!head?.done) return;
      this.inflight.shift();
      this.consume(head.done);
    }
  }

  private async drainOne(): Promise<void> {
    const head = this.inflight[0];
    if (!head) return;
    if (!head.done && !head.note) await head.wait;
    this.consumeReady();
  }

  /** Hand a hashed block's records to the replay, in dump order. */
  private consume(b: HashedBlock): void {
    const base = this.row;
    const replay = this.opts.replay;
    for (const m of b.malformed)
      replay.malformed(m.seq ?? undefined, base + m.row, m.reason, m.rows ?? 1, m.mixed === true);
    replay.pushBlock(b.records, b.count, base);
    if (b.count > 0) this.lastSeq = b.records.readDoubleLE((b.count - 1) * RECORD_BYTES);
    this.row += b.lines;
  }

  async end(complete: boolean): Promise<void> {
    if (this.partsLen > 0 && !this.skipping) {
      const len = this.partsLen;
      const buf = this.assemble(len);
      const cut = lastRowEnd(buf, len);
      if (cut >= 0) await this.dispatch(buf, cut + 1);
      else this.releaseBuffer(buf);
      // Bytes after the last newline: the data was cut inside a row.
      if (cut + 1 < len) complete = false;
    }
    if (this.skipping) complete = false;
    this.parts = [];
    this.partsLen = 0;
    while (this.inflight.length) await this.drainOne();
    await this.pool?.close();
    if (!complete) {
      this.opts.findings.add(
        'CHAIN_INCOMPLETE',
        {
          table: this.opts.table,
          row: this.row,
          ...(this.lastSeq !== undefined ? { seq: this.lastSeq } : {}),
        },
        `the data of ${this.opts.table} ends early: the last complete row is ${this.row}${this.lastSeq !== undefined ? ` (seq ${this.lastSeq})` : ''}; anything after it is unverified`,
        { lastCompleteRow: this.row, lastSeq: this.lastSeq ?? null },
      );
    }
  }

  get rows(): number {
    return this.row;
  }
}
