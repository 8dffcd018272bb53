// Chain replay (spec 3.3): takes records in any order and checks, in seq order, links, gaps,
// duplicates, genesis, time order and anchors. Memory is bounded however disordered the rows:
// a reorder window (min-heap) restores local disorder; records displaced further than the
// window ("late") go to an external sort on temporary disk and are merged back into the holes
// they left when the replay ends.
import type { Findings } from '../findings/collector.js';
import type { JsonValue } from '../findings/types.js';
import { ReorderWindow } from './window.js';
import {
  decodeRecord,
  encodeRecord,
  REC_FLAG,
  REC_HASH,
  REC_PREV,
  RECORD_BYTES,
  RECORD_F64,
  type ChainRecord,
} from './record.js';
import { ChainCoalescer, type ChainEvent } from './coalesce.js';
import { DiskBudget, SortedSpill, SpillList, SpillLimitError } from './spill.js';
import { formatMicros } from './time.js';

/** A retained copy outside Node's buffer pool (a pooled slice would pin its whole slab). */
function copyOut(b: Buffer): Buffer {
  const c = Buffer.allocUnsafeSlow(b.length);
  b.copy(c);
  return c;
}

export interface Anchor {
  seq: number;
  hash: Buffer;
}

export interface AnchorResult {
  seq: number;
  expected: string;
  status: 'matched' | 'mismatched' | 'missing' | 'beyond-head';
  found?: string;
}

export interface ReplayOptions {
  findings: Findings;
  /** Table name used in finding locations. */
  table: string;
  genesisPrevHash: Buffer;
  firstSeq: number;
  anchors: Anchor[];
  /** Records held in the reorder window. */
  window: number;
  /** Records held in memory per spill before writing to temporary disk. */
  spillMemRecords: number;
  /** Temporary disk allowed for spills (bytes). */
  maxSpillBytes: number;
  /** Sees every record as it arrives (in dump order), e.g. to compare with a restored database. */
  tap?: RecordTap;
}

/** Sees a record in record.ts layout at buf[o] whose row number is `row` (the bytes may hold a
 *  block-relative row); the bytes are valid only during the call: copy what is kept. */
export type RecordTap = (buf: Buffer, o: number, row: number) => void;

export const DEFAULT_REPLAY_TUNING = {
  window: 16_384,
  spillMemRecords: 32_768,
  maxSpillBytes: 8 * 1024 ** 3,
};

export interface ChainFacts {
  table: string;
  /** Records read (including duplicates and malformed ones counted separately). */
  count: number;
  first: number | null;
  last: number | null;
  headHash: string | null;
  /** occurred_at of the head record (UTC), when known. */
  headOccurredAt: string | null;
  /** The newest finite occurred_at of any record (UTC), for the dump-age cross-check. */
  newestOccurredAt: string | null;
  /** The same, as epoch microseconds (null when no finite time was seen). */
  newestMicros: number | null;
  /** True when no chain finding of error severity or worse was raised. */
  intact: boolean;
  /** Records displaced beyond the reorder window and merged back from temporary disk. */
  lateRecords: number;
  anchors: AnchorResult[];
  breaks: Partial<Record<string, number>>;
}

/** Ring of the most recent records' hashes, to name where a broken link points back to. */
const RECENT = 1024;
/** Stop classifying link targets after this many breaks (hostile input: keep it linear). */
const MAX_CLASSIFIED_BREAKS = 10_000;
/** Broken links waiting to learn whether they point forward (to a later record's hash). */
const MAX_PENDING = 10_000;

/** Broken links waiting to learn whether they point forward, shared by the main stream and every
 *  hole's replay so a reference resolves whatever path its records took. */
class PendingLinks {
  readonly byKey = new Map<number, PendingBreak[]>();
  count = 0;
  reorderUntil = -Infinity;
}

interface PendingBreak {
  rec: ChainRecord;
  detail: ChainEvent['detail'];
}

/** Checks records that arrive in seq order (ties by row). Used for the main stream and for each hole. */
class Sequencer {
  last: ChainRecord;
  lastIsGenesis = true;
  private lastAltHashes: Buffer[] = [];
  /** The last record processed, copied here (no object per record on the fast path). */
  private readonly box: ChainRecord = {
    seq: 0,
    ts: 0,
    prev: Buffer.alloc(32),
    hash: Buffer.alloc(32),
    contentOk: true,
    row: 0,
  };
  /** Ring of recent hashes and their seqs. */
  private readonly ringHash = Buffer.alloc(RECENT * 32);
  /** The same bytes as 32-bit words (Buffer.alloc is unpooled: offset 0, aligned). */
  private readonly ringWords = new Int32Array(this.ringHash.buffer, this.ringHash.byteOffset, RECENT * 8);
  private readonly hashWords = new Int32Array(this.box.hash.buffer, this.box.hash.byteOffset, 8);
  private readonly ringSeq = new Float64Array(RECENT).fill(Number.NaN);
  private ringPos = 0;
  /** Ring entries written since the last reset (only those need clearing). */
  private ringUsed = 0;
  breaks = 0;
  constructor(
    private readonly out: ChainCoalescer,
    private readonly anchors: Map<number, AnchorResult & { hash: Buffer }>,
    genesis: ChainRecord,
    private readonly onHole: ((left: ChainRecord, right: ChainRecord) => void) | undefined,
    /** Keyed by the first 4 bytes of the prev_hash: one Map lookup per record. */
    private readonly pending: PendingLinks,
  ) {
    this.last = genesis;
  }

  /** Starts over after `genesis` as a fresh Sequencer would (one is reused for every hole: a
   *  new one per hole cost 40 KiB of ring each, 8 GB of garbage for 100k holes). */
  reset(genesis: ChainRecord, isGenesis: boolean): void {
    this.last = genesis;
    this.lastIsGenesis = isGenesis;
    this.lastAltHashes = [];
    this.breaks = 0;
    this.ringSeq.fill(Number.NaN, 0, Math.min(this.ringUsed, RECENT));
    this.ringUsed = 0;
    this.ringPos = 0;
  }

  process(r: ChainRecord): void {
    if (!r.contentOk)
      this.out.emit({ code: 'CHAIN_RECORD_ALTERED', seq: r.seq, row: r.row, detail: this.when(r) });
    this.checkAnchor(r);
    this.resolveForward(r);
    const last = this.last;
    if (!this.lastIsGenesis && r.seq === last.seq) {
      this.out.emit({
        code: 'CHAIN_DUPLICATE_SEQ',
        seq: r.seq,
        row: r.row,
        detail: { rows: [last.row, r.row], sameHash: r.hash.equals(last.hash) },
      });
      this.lastAltHashes.push(r.hash);
      return;
    }
    if (r.seq > last.seq + 1) {
      if (this.onHole) this.onHole(last, r);
      else this.gap(last, r);
    } else {
      this.link(r, last, false);
      this.time(r, last);
    }
    this.advance(r);
  }

  private time(r: ChainRecord, prev: ChainRecord): void {
    if (this.lastIsGenesis || !(r.ts < prev.ts)) return;
    this.out.emit({
      code: 'CHAIN_TIME_BACKWARDS',
      seq: r.seq,
      row: r.row,
      detail: {
        occurredAt: formatMicros(r.ts),
        previousOccurredAt: formatMicros(prev.ts),
        previousSeq: prev.seq,
      },
    });
  }

  /** A definitive gap between two present records (in a hole's replay, or with no late records). */
  gap(left: ChainRecord, right: ChainRecord, leftIsGenesis = this.lastIsGenesis): void {
    if (leftIsGenesis) {
      this.out.emit({
        code: 'CHAIN_GAP',
        seq: left.seq + 1,
        seqTo: right.seq - 1,
        detail: { before: right.seq },
      });
      this.out.emit({
        code: 'CHAIN_BAD_GENESIS',
        seq: right.seq,
        row: right.row,
        detail: {
          reason: `records ${left.seq + 1}..${right.seq - 1} are missing before it`,
          missingFrom: left.seq + 1,
          missingTo: right.seq - 1,
        },
      });
      return;
    }
    this.out.emit({
      code: 'CHAIN_GAP',
      seq: left.seq + 1,
      seqTo: right.seq - 1,
      detail: { before: right.seq },
    });
    this.link(right, left, true);
    this.time(right, left);
  }

  private link(r: ChainRecord, prev: ChainRecord, acrossGap: boolean): void {
    if (r.prev.equals(prev.hash)) return;
    for (const h of this.lastAltHashes) if (r.prev.equals(h)) return;
    if (this.lastIsGenesis && !acrossGap) {
      this.out.emit({
        code: 'CHAIN_BAD_GENESIS',
        seq: r.seq,
        row: r.row,
        detail: { reason: 'its prev_hash is not the genesis value', found: r.prev.toString('hex') },
      });
      return;
    }
    this.breaks++;
    const detail: ChainEvent['detail'] = {
      expected: prev.hash.toString('hex'),
      found: r.prev.toString('hex'),
      ...this.when(r),
    };
    if (acrossGap) detail['acrossGap'] = true;
    if (r.seq <= this.pending.reorderUntil) {
      this.out.emit({ code: 'CHAIN_REORDERED', seq: r.seq, row: r.row, detail });
      return;
    }
    if (this.breaks <= MAX_CLASSIFIED_BREAKS) {
      for (let i = 0; i < RECENT; i++) {
        const seq = this.ringSeq[i] as number;
        if (Number.isNaN(seq) || seq === prev.seq) continue;
        if (r.prev.compare(this.ringHash, i * 32, i * 32 + 32) === 0) {
          detail['pointsToSeq'] = seq;
          break;
        }
      }
      if (detail['pointsToSeq'] === undefined && this.pending.count < MAX_PENDING) {
        // Maybe it points forward (a later record's hash): decided when that record comes.
        const key = r.prev.readUInt32LE(0);
        const list = this.pending.byKey.get(key);
        if (list) list.push({ rec: r, detail });
        else this.pending.byKey.set(key, [{ rec: r, detail }]);
        this.pending.count++;
        return;
      }
    }
    this.out.emit({ code: 'CHAIN_LINK_BROKEN', seq: r.seq, row: r.row, detail });
  }

  /** A later record whose hash a pending broken link points to: the records were reordered. */
  private resolveForward(r: ChainRecord): void {
    if (this.pending.count === 0) return;
    const key = r.hash.readUInt32LE(0);
    const list = this.pending.byKey.get(key);
    if (!list) return;
    const keep = list.filter((p) => {
      if (!p.rec.prev.equals(r.hash)) return true;
      p.detail['pointsToSeq'] = r.seq;
      this.pending.reorderUntil = Math.max(this.pending.reorderUntil, r.seq + 1);
      this.out.emit({ code: 'CHAIN_REORDERED', seq: p.rec.seq, row: p.rec.row, detail: p.detail });
      this.pending.count--;
      return false;
    });
    if (keep.length) this.pending.byKey.set(key, keep);
    else this.pending.byKey.delete(key);
  }

  /** Write out the broken links still waiting (at the end: they point nowhere later). */
  flushPending(): void {
    const all = [...this.pending.byKey.values()].flat().sort((a, b) => a.rec.seq - b.rec.seq);
    for (const p of all) {
      const code = p.rec.seq <= this.pending.reorderUntil ? 'CHAIN_REORDERED' : 'CHAIN_LINK_BROKEN';
      this.out.emit({ code, seq: p.rec.seq, row: p.rec.row, detail: p.detail });
    }
    this.pending.byKey.clear();
    this.pending.count = 0;
  }

  private advance(r: ChainRecord): void {
    const b = this.box;
    b.seq = r.seq;
    b.ts = r.ts;
    b.row = r.row;
    b.contentOk = r.contentOk;
    r.prev.copy(b.prev, 0, 0, 32);
    r.hash.copy(b.hash, 0, 0, 32);
    this.last = b;
    this.lastIsGenesis = false;
    if (this.lastAltHashes.length) this.lastAltHashes = [];
    r.hash.copy(this.ringHash, this.ringPos * 32, 0, 32);
    this.ringSeq[this.ringPos] = r.seq;
    this.ringPos = (this.ringPos + 1) % RECENT;
    this.ringUsed++;
  }

  /**
   * The common case without building a record: the next seq, content intact, linked to the
   * last record, time not backwards, nothing pending. `buf[o]` is a record in record.ts layout.
   * Returns false (and changes nothing) when the record needs the full path.
   */
  tryFast(buf: Buffer, w: Int32Array, o: number, seq: number, ts: number, row: number): boolean {
    if (this.lastIsGenesis || this.pending.count !== 0 || this.lastAltHashes.length !== 0) return false;
    const b = this.box;
    if (seq !== b.seq + 1 || buf[o + REC_FLAG] !== 1) return false;
    if (this.anchors.size !== 0 && this.anchors.has(seq)) return false;
    // Hashes compared and copied as eight 32-bit words (`w` views buf's records, 4-aligned):
    // measured ~70 ns a record less than byte loops, and buf.compare costs more than either.
    const h = this.hashWords;
    const p = (o + REC_PREV) >> 2;
    for (let i = 0; i < 8; i++) if (w[p + i] !== h[i]) return false;
    if (ts < b.ts) return false;
    b.seq = seq;
    b.ts = ts;
    b.row = row;
    // (box.prev is not read after a record is processed: no need to keep it current.)
    const ring = this.ringWords;
    const r0 = this.ringPos * 8;
    const q = (o + REC_HASH) >> 2;
    for (let i = 0; i < 8; i++) {
      const v = w[q + i] as number;
      h[i] = v;
      ring[r0 + i] = v;
    }
    this.ringSeq[this.ringPos] = seq;
    this.ringPos = (this.ringPos + 1) % RECENT;
    this.ringUsed++;
    return true;
  }

  private checkAnchor(r: ChainRecord): void {
    const a = this.anchors.get(r.seq);
    if (!a) return;
    if (r.hash.equals(a.hash)) {
      if (a.status !== 'matched') {
        a.status = 'matched';
        delete a.found;
      }
    } else if (a.status !== 'matched') {
      a.status = 'mismatched';
      a.found = r.hash.toString('hex');
    }
  }

  private when(r: ChainRecord): { [k: string]: string } {
    return Number.isNaN(r.ts) ? {} : { occurredAt: formatMicros(r.ts) };
  }
}

export class ChainReplay {
  private readonly out: ChainCoalescer;
  private readonly window: ReorderWindow;
  /** One record's bytes, for records that arrive as objects (the live-database route). */
  private readonly one = Buffer.alloc(RECORD_BYTES);
  private readonly late: SortedSpill;
  private readonly holes: SpillList;
  private readonly main: Sequencer;
  private readonly anchors = new Map<number, AnchorResult & { hash: Buffer }>();
  private readonly genesis: ChainRecord;
  private readonly budget: DiskBudget;
  private count = 0;
  private first = Infinity;
  private maxSeq = -Infinity;
  private head: ChainRecord | undefined;
  private spillFailed = false;
  private lateCount = 0;
  private readonly pending = new PendingLinks();
  private newest = -Infinity;
  /** Reused for every hole's replay, and for the link into the record after a filled hole. */
  private holeSeq: Sequencer | undefined;
  private linkSeq: Sequencer | undefined;

  constructor(private readonly opts: ReplayOptions) {
    this.out = new ChainCoalescer(opts.findings, opts.table);
    this.budget = new DiskBudget(opts.maxSpillBytes);
    this.late = new SortedSpill(opts.spillMemRecords, this.budget);
    this.holes = new SpillList(opts.spillMemRecords, this.budget);
    this.window = new ReorderWindow(Math.max(1, opts.window) + 1);
    this.genesis = {
      seq: opts.firstSeq - 1,
      ts: -Infinity,
      prev: Buffer.alloc(32),
      hash: opts.genesisPrevHash,
      contentOk: true,
      row: 0,
    };
    for (const a of opts.anchors)
      this.anchors.set(a.seq, {
        seq: a.seq,
        expected: a.hash.toString('hex'),
        hash: a.hash,
        status: 'missing',
      });
    this.main = new Sequencer(
      this.out,
      this.anchors,
      this.genesis,
      (left, right) => {
        // Record both boundaries; late records may still fill the hole. `left` is the
        // sequencer's reused box: keep a copy.
        this.pushSpill(this.holes, { ...left, prev: copyOut(left.prev), hash: copyOut(left.hash) });
        this.pushSpill(this.holes, right);
      },
      this.pending,
    );
  }

  /** Emit a malformed-row finding (row parser); `rows` consecutive rows when the seq is unknown. */
  malformed(seq: number | undefined, row: number, reason: string, rows = 1, mixed = false): void {
    const detail: { [k: string]: JsonValue } =
      rows > 1 ? { reason, rows, lastRow: row + rows - 1 } : { reason };
    if (mixed) detail['mixedReasons'] = true;
    // no seq could be read: the location names the row(s) only
    if (seq === undefined) detail['seqUnknown'] = true;
    this.out.emit({ code: 'CHAIN_ROW_MALFORMED', seq: seq ?? -row, row, detail });
  }

  /** `count` records in record.ts layout (row numbers offset by rowBase): the hot path. */
  pushBlock(buf: Buffer, count: number, rowBase: number): void {
    // The numbers are read as float64s and hashes as int32 words: an unaligned buffer (a
    // caller's own) is copied to an aligned one first.
    if (buf.byteOffset % 8 !== 0) {
      const c = Buffer.alloc(count * RECORD_BYTES);
      buf.copy(c, 0, 0, count * RECORD_BYTES);
      buf = c;
    }
    const f = new Float64Array(buf.buffer, buf.byteOffset, count * RECORD_F64);
    const words = new Int32Array(buf.buffer, buf.byteOffset, (count * RECORD_BYTES) >> 2);
    for (let i = 0; i < count; i++) {
      const k = i * RECORD_F64;
      const o = i * RECORD_BYTES;
      const seq = f[k] as number;
      const ts = f[k + 1] as number;
      const row = (f[k + 2] as number) + rowBase;
      this.opts.tap?.(buf, o, row);
      if (this.window.size === 0 && this.main.tryFast(buf, words, o, seq, ts, row)) {
        this.count++;
        if (seq < this.first) this.first = seq;
        if (seq > this.maxSeq) this.maxSeq = seq;
        if (ts > this.newest && ts !== Infinity) this.newest = ts;
        continue;
      }
      this.accept(buf, o, seq, ts, row);
    }
  }

  /** A record as an object (the live-database route; a tap sees it first). */
  push(r: ChainRecord): void {
    encodeRecord(r, this.one, 0);
    this.opts.tap?.(this.one, 0, r.row);
    this.accept(this.one, 0, r.seq, r.ts, r.row);
  }

  /** A record at buf[o] (its row number is `row`) that may need the window or the late spill. */
  private accept(buf: Buffer, o: number, seq: number, ts: number, row: number): void {
    this.count++;
    if (ts > this.newest && ts !== Infinity) this.newest = ts;
    if (seq < this.first) this.first = seq;
    if (seq > this.maxSeq) this.maxSeq = seq;
    if ((seq <= this.main.last.seq && !this.main.lastIsGenesis) || seq < this.opts.firstSeq) {
      // Behind the replay (or below the genesis seq): merged into the holes at the end.
      // Copied, not viewed: it must not keep its whole block of records alive.
      this.lateCount++;
      if (this.spillFailed) return;
      try {
        this.late.pushBytes(buf, o, row);
      } catch (e) {
        this.spillLimit(e, seq);
      }
      return;
    }
    const w = this.window;
    // Never full here: it holds at most `window` records between calls, and has one slot more.
    if (!w.push(buf, o, row)) throw new Error('reorder window overflow');
    // In-order rows go straight through; a missing one holds the window until it is full.
    for (;;) {
      const top = w.peek();
      if (top < 0) break;
      if (w.seqOf(top) <= this.main.last.seq + 1 || w.size > this.opts.window) {
        w.pop();
        this.processSlot(top);
        w.release(top);
      } else break;
    }
  }

  /** Replays the window's record in `slot`: the byte fast path, else as an object. */
  private processSlot(slot: number): void {
    const w = this.window;
    const off = slot * RECORD_BYTES;
    if (this.main.tryFast(w.bytes, w.words, off, w.seqOf(slot), w.tsOf(slot), w.rowOf(slot))) return;
    this.main.process(decodeRecord(w.bytes, off, false));
  }

  private pushSpill(s: SortedSpill | SpillList, r: ChainRecord): void {
    if (this.spillFailed) return;
    try {
      s.push(r);
    } catch (e) {
      this.spillLimit(e, r.seq);
    }
  }

  private spillLimit(e: unknown, seq: number): void {
    if (!(e instanceof SpillLimitError)) throw e;
    this.spillFailed = true;
    this.opts.findings.add(
      'LIMIT_EXCEEDED',
      { table: this.opts.table, seq, limit: 'maxSpillBytes' },
      `the rows are so far out of seq order that the reorder spill reached its ${this.opts.maxSpillBytes}-byte bound at seq ${seq}; records displaced after this point were not checked`,
    );
  }

  finish(): ChainFacts {
    for (;;) {
      const slot = this.window.pop();
      if (slot < 0) break;
      this.processSlot(slot);
      this.window.release(slot);
    }
    this.out.flush();
    if (this.main.lastIsGenesis === false) this.head = this.main.last;
    this.resolveHoles();
    // Links still pending point to no later record: plain broken links.
    this.main.flushPending();
    this.out.flush();
    this.finishAnchors();
    this.late.dispose();
    this.holes.dispose();
    const head = this.head;
    return {
      table: this.opts.table,
      count: this.count,
      first: Number.isFinite(this.first) ? this.first : null,
      last: head ? head.seq : null,
      headHash: head ? head.hash.toString('hex') : null,
      headOccurredAt: head && !Number.isNaN(head.ts) ? formatMicros(head.ts) : null,
      newestOccurredAt: Number.isFinite(this.newest) ? formatMicros(this.newest) : null,
      newestMicros: Number.isFinite(this.newest) ? this.newest : null,
      intact: false, // decided by the caller from the findings' severities
      lateRecords: this.lateCount,
      anchors: [...this.anchors.values()].map(({ hash: _h, ...rest }) => rest),
      breaks: { ...this.out.counts },
    };
  }

  /** Merge the late records (sorted) into the holes left in the main stream. */
  private resolveHoles(): void {
    const lateIt = this.late.sorted()[Symbol.iterator]();
    let lateNext = lateIt.next();
    const holeIt = this.holes.items()[Symbol.iterator]();
    for (;;) {
      const l = holeIt.next();
      const r = holeIt.next();
      if (l.done || r.done) break;
      const left = l.value;
      const right = r.value;
      const leftIsGenesis = left.seq === this.genesis.seq && left.row === 0;
      // Late records before this hole are duplicates of records already replayed.
      while (!lateNext.done && lateNext.value.seq <= left.seq) {
        this.duplicateLate(lateNext.value);
        lateNext = lateIt.next();
      }
      const seqr = (this.holeSeq ??= new Sequencer(this.out, this.anchors, left, undefined, this.pending));
      seqr.reset(left, leftIsGenesis);
      while (!lateNext.done && lateNext.value.seq < right.seq) {
        seqr.process(lateNext.value);
        lateNext = lateIt.next();
      }
      if (seqr.last.seq + 1 < right.seq) {
        seqr.gap(seqr.last, right, seqr.lastIsGenesis);
      } else {
        // The hole was filled: check the link into the record after it.
        const fake = (this.linkSeq ??= new Sequencer(
          this.out,
          this.anchors,
          seqr.last,
          undefined,
          this.pending,
        ));
        fake.reset(seqr.last, seqr.lastIsGenesis);
        // contentOk: its content was already checked in the main stream.
        fake.process({ ...right, contentOk: true });
      }
      this.out.flush();
    }
    while (!lateNext.done) {
      this.duplicateLate(lateNext.value);
      lateNext = lateIt.next();
    }
  }

  private duplicateLate(r: ChainRecord): void {
    if (r.seq < this.opts.firstSeq) {
      this.out.emit({
        code: 'CHAIN_BAD_GENESIS',
        seq: r.seq,
        row: r.row,
        detail: { reason: `seq ${r.seq} is below the first seq ${this.opts.firstSeq}` },
      });
      return;
    }
    if (!r.contentOk) this.out.emit({ code: 'CHAIN_RECORD_ALTERED', seq: r.seq, row: r.row, detail: {} });
    this.out.emit({ code: 'CHAIN_DUPLICATE_SEQ', seq: r.seq, row: r.row, detail: { rows: [r.row] } });
    const a = this.anchors.get(r.seq);
    if (a && a.status !== 'matched' && r.hash.equals(a.hash)) a.status = 'matched';
  }

  private finishAnchors(): void {
    const headSeq = this.head?.seq ?? this.opts.firstSeq - 1;
    for (const a of this.anchors.values()) {
      if (a.status === 'matched') continue;
      if (a.status === 'mismatched') {
        this.out.emit({
          code: 'CHAIN_ANCHOR_MISMATCH',
          seq: a.seq,
          detail: { expected: a.expected, found: a.found ?? null },
        });
      } else if (a.seq > headSeq) {
        a.status = 'beyond-head';
        this.out.emit({
          code: 'CHAIN_ANCHOR_BEYOND_HEAD',
          seq: a.seq,
          detail: { expected: a.expected, head: headSeq, missingRecords: a.seq - headSeq },
        });
      } else {
        this.out.emit({ code: 'CHAIN_ANCHOR_MISSING', seq: a.seq, detail: { expected: a.expected } });
      }
    }
    this.out.flush();
  }
}
