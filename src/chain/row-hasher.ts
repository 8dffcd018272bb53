// Audit rows (COPY text lines) → compact chain records, hashed with recipe v1. Pure and
// self-contained so it runs in the main thread or in a hashing worker (hash-worker.ts).
// Lines and fields are found with Buffer.indexOf, fields are unescaped straight into one
// reusable message buffer, timestamps converted by a byte parser (no regex, no Date), one
// crypto.hash call per record. node:crypto rather than @noble/hashes: at ~100-byte messages the
// per-call cost dominates and node:crypto measured about twice as fast per record here
// (bench/README.md).
import { hash as cryptoHash } from 'node:crypto';
import { decodeBytea } from '../dump/copy.js';
import { newTsResult, parseTimestamptz, tsEpochMicros, writeRecipeTimestamp } from '../dump/timestamp.js';
import { copySmall, isEscaped, unescapeInto } from './copy-unescape.js';
import { digestEquals, hex32Into, hexInto } from './hex.js';
import { REC_FLAG, REC_HASH, REC_PREV, RECORD_BYTES } from './record.js';

const TAB = 9;
const NL = 10;
const BACKSLASH = 92;
const NULL_FIELD = 0xffffffff;
/** Message lengths below this get a cached view of the message buffer. */
const VIEW_CACHE = 4096;

export type RecipeField = 'seq' | 'occurredAt' | 'actor' | 'action' | 'subject' | 'payload';

/** Where the recipe's inputs are in a COPY line: structured-clone safe (sent to workers). */
export interface RowLayout {
  ncol: number;
  seqCol: number;
  prevCol: number;
  hashCol: number;
  order: Array<{ field: RecipeField; col: number }>;
}

export interface Malformed {
  /** 1-based row within the block. */
  row: number;
  seq: number | null;
  reason: string;
  /** Consecutive rows merged into this entry (seq unknown): junk data (a corrupt stretch of a
   *  dump) is one entry per block, not one object per line. */
  rows?: number;
  /** The merged rows did not all fail for `reason` (it is the first row's). */
  mixed?: boolean;
}

export interface HashedBlock {
  /** `count` records in record.ts's fixed layout; rows are 1-based within the block. */
  records: Buffer;
  count: number;
  /** Lines in the block (records + malformed). */
  lines: number;
  malformed: Malformed[];
}

/** The last unescaped newline in buf[0, end), or -1 (backslash-newline is data, not a row end). */
export function lastRowEnd(buf: Buffer, end: number): number {
  let nl = buf.lastIndexOf(NL, end - 1);
  while (nl > 0 && buf[nl - 1] === BACKSLASH && isEscaped(buf, nl, 0)) nl = buf.lastIndexOf(NL, nl - 1);
  return nl;
}

export class RowHasher {
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private msg = Buffer.allocUnsafe(64 * 1024);
  /** views[n] = msg.subarray(0, n), made on first use. */
  private views: Array<Buffer | undefined> = [];
  /** The block being hashed, as a DataView (hex digits read four at a time). */
  private view: DataView = new DataView(new ArrayBuffer(0));
  /** Records of the block being hashed (reused). Zeroed (Buffer.alloc, unpooled): a record's
   *  padding bytes are never written, so they reach spill files as zeros, not old memory. */
  private out = Buffer.alloc(4096 * RECORD_BYTES);
  private outF64 = new Float64Array(this.out.buffer, 0, this.out.length / 8);
  /** The recipe's fields after prev_hash: their columns, and which one is the timestamp. */
  private readonly cols: Int32Array;
  private readonly isTs: Uint8Array;
  /** Next tab at or after tabFrom in the current block (-1: none): lines without tabs must not
   *  each search the rest of the block (a block of empty lines would be quadratic). */
  private tabAt = -1;
  private tabFrom = Infinity;
  /** The same for backslashes: a line without one is copied as is (no unescape searches). */
  private bsAt = -1;
  private bsFrom = Infinity;
  private readonly ts = newTsResult();

  constructor(private readonly layout: RowLayout) {
    this.starts = new Int32Array(layout.ncol);
    this.ends = new Int32Array(layout.ncol);
    this.cols = Int32Array.from(layout.order, (f) => f.col);
    this.isTs = Uint8Array.from(layout.order, (f) => (f.field === 'occurredAt' ? 1 : 0));
  }

  /** Hash every complete line of buf[0, end) (end just past a row's newline). */
  hashBlock(buf: Buffer, end: number): HashedBlock {
    this.view = new DataView(buf.buffer, buf.byteOffset, end);
    // Records are written into a buffer reused across blocks (grown when a block has more rows)
    // and copied out at their exact size: a fresh worst-case buffer per block was 1.5 MiB of
    // garbage per MiB of rows, which RSS showed.
    let out = this.out;
    let count = 0;
    let lines = 0;
    const malformed: Malformed[] = [];
    let start = 0;
    let from = 0;
    this.tabFrom = Infinity;
    this.bsFrom = Infinity;
    while (start < end) {
      let nl = buf.indexOf(NL, from);
      if (nl < 0 || nl >= end) nl = end;
      else if (nl > start && buf[nl - 1] === BACKSLASH && isEscaped(buf, nl, start)) {
        from = nl + 1;
        continue;
      }
      lines++;
      if ((count + 1) * RECORD_BYTES > out.length) {
        const bigger = Buffer.alloc(out.length * 2);
        out.copy(bigger, 0, 0, count * RECORD_BYTES);
        out = bigger;
        this.out = bigger;
        this.outF64 = new Float64Array(bigger.buffer, 0, bigger.length / 8);
      }
      const err = this.line(buf, start, nl, out, count * RECORD_BYTES, lines);
      if (err === null) count++;
      else {
        const last = malformed[malformed.length - 1];
        if (
          last !== undefined &&
          err.seq === null &&
          last.seq === null &&
          last.row + (last.rows ?? 1) === err.row
        ) {
          last.rows = (last.rows ?? 1) + 1;
          if (last.reason !== err.reason) last.mixed = true;
        } else malformed.push(err);
      }
      start = nl + 1;
      from = start;
    }
    // Unpooled, offset 0: numbers readable through a Float64Array, buffer transferable as is.
    const records = Buffer.allocUnsafeSlow(count * RECORD_BYTES);
    out.copy(records, 0, 0, count * RECORD_BYTES);
    return { records, count, lines, malformed };
  }

  /** One line → one record written at out[o]; or why it is malformed. */
  private line(buf: Buffer, s: number, e: number, out: Buffer, o: number, row: number): Malformed | null {
    const L = this.layout;
    const st = this.starts;
    const en = this.ends;
    // Split on tabs; backslash-tab is a literal tab inside a field (CopyReadAttributesText).
    let p = s;
    let n = 0;
    let q = p;
    for (;;) {
      const t = this.nextTab(buf, q);
      if (t >= 0 && t < e && t > p && buf[t - 1] === BACKSLASH && isEscaped(buf, t, p)) {
        q = t + 1;
        continue;
      }
      const fe = t < 0 || t >= e ? e : t;
      if (n < L.ncol) {
        st[n] = p;
        en[n] = fe;
      }
      n++;
      if (fe === e) break;
      p = fe + 1;
      q = p;
    }
    if (n !== L.ncol)
      return { row, seq: null, reason: `row has ${n} fields, the COPY statement names ${L.ncol} columns` };
    const seqS = st[L.seqCol] as number;
    const seqE = en[L.seqCol] as number;
    const seq = parseSeq(buf, seqS, seqE);
    if (seq === undefined)
      return {
        row,
        seq: null,
        reason: `seq "${buf.toString('latin1', seqS, Math.min(seqE, seqS + 40))}" is not an integer`,
      };
    // Lines are met in order, so this costs one pass over the block in all.
    const bs = this.nextBackslash(buf, s);
    const plain = bs < 0 || bs >= e;
    const need = e - s + 128;
    if (this.msg.length < need) {
      this.msg = Buffer.allocUnsafe(Math.max(need, this.msg.length * 2));
      this.views = [];
    }
    const msg = this.msg;
    // prev_hash straight into the message's first bytes, and into the record.
    const prevLen = this.bytea(buf, st[L.prevCol] as number, en[L.prevCol] as number, msg, 0, 32, plain);
    if (prevLen !== 32)
      return {
        row,
        seq,
        reason: prevLen < 0 ? 'prev_hash is not valid bytea' : `prev_hash is ${prevLen} bytes, not 32`,
      };
    const hashAt = o + REC_HASH;
    const hashLen = this.bytea(buf, st[L.hashCol] as number, en[L.hashCol] as number, out, hashAt, 32, plain);
    if (hashLen !== 32)
      return {
        row,
        seq,
        reason: hashLen < 0 ? 'hash is not valid bytea' : `hash is ${hashLen} bytes, not 32`,
      };
    for (let i = 0; i < 32; i++) out[o + REC_PREV + i] = msg[i] as number;
    let off = 32;
    let tsMicros = Number.NaN;
    const cols = this.cols;
    const isTs = this.isTs;
    for (let f = 0; f < cols.length; f++) {
      const col = cols[f] as number;
      const fs = st[col] as number;
      const fe = en[col] as number;
      if (fe - fs === 2 && buf[fs] === BACKSLASH && buf[fs + 1] === 78) {
        putU32(msg, off, NULL_FIELD); // \N: NULL
        off += 4;
        continue;
      }
      if (isTs[f] === 1) {
        if (!parseTimestamptz(buf, fs, fe, this.ts))
          return {
            row,
            seq,
            reason: `occurred_at "${buf.toString('utf8', fs, Math.min(fe, fs + 60))}" is not a timestamptz`,
          };
        tsMicros = tsEpochMicros(this.ts);
        const w = writeRecipeTimestamp(this.ts, msg, off + 4);
        if (w < 0) {
          putU32(msg, off, NULL_FIELD); // to_char gives NULL for ±infinity
          off += 4;
        } else {
          putU32(msg, off, w);
          off += 4 + w;
        }
        continue;
      }
      // Plain per field: every row holds backslashes (bytea's \\x), its text fields rarely.
      const b = this.nextBackslash(buf, fs);
      const w =
        b < 0 || b >= fe ? copySmall(buf, fs, fe, msg, off + 4) : unescapeInto(buf, fs, fe, msg, off + 4);
      putU32(msg, off, w);
      off += 4 + w;
    }
    // 'binary' (latin1) output: a 32-char string costs a third of a 32-byte Buffer (measured 0.36 vs
    // 1.2 µs per call: the Buffer's backing store is the expensive part, not SHA-256).
    // A view per message length, kept: a fresh subarray per record measured ~60 ns.
    let view = off < VIEW_CACHE ? this.views[off] : undefined;
    if (view === undefined) {
      view = msg.subarray(0, off);
      if (off < VIEW_CACHE) this.views[off] = view;
    }
    const computed = cryptoHash('sha256', view, 'binary');
    // `out` is this.out (offset 0, records 8-aligned): the numbers go through its Float64Array.
    const k = o >> 3;
    const f64 = this.outF64;
    f64[k] = seq;
    f64[k + 1] = tsMicros;
    f64[k + 2] = row;
    out[o + REC_FLAG] = digestEquals(computed, out, hashAt) ? 1 : 0;
    return null;
  }

  /** The first backslash at or after `q` (searches again only past the last one found). */
  private nextBackslash(buf: Buffer, q: number): number {
    if (q >= this.bsFrom && (this.bsAt < 0 || this.bsAt >= q)) return this.bsAt;
    this.bsFrom = q;
    this.bsAt = buf.indexOf(BACKSLASH, q);
    return this.bsAt;
  }

  /** The first tab at or after `q` (searches again only past the last one found). */
  private nextTab(buf: Buffer, q: number): number {
    if (q >= this.tabFrom && (this.tabAt < 0 || this.tabAt >= q)) return this.tabAt;
    this.tabFrom = q;
    this.tabAt = buf.indexOf(TAB, q);
    return this.tabAt;
  }

  /** Decode a bytea COPY field into dst (at most max bytes); hex fast path. Returns its length or -1. */
  private bytea(
    buf: Buffer,
    s: number,
    e: number,
    dst: Buffer,
    off: number,
    max: number,
    plain: boolean,
  ): number {
    // Raw COPY text of hex bytea is \\x followed by hex digits.
    if (e - s >= 3 && buf[s] === BACKSLASH && buf[s + 1] === BACKSLASH && buf[s + 2] === 120) {
      if ((e - s - 3) >> 1 !== max) return (e - s - 3) >> 1;
      if (max === 32 && e - s === 67) return hex32Into(this.view, s + 3, dst, off) ? 32 : -1;
      return hexInto(buf, s + 3, e, dst, off);
    }
    let text: Buffer;
    if (plain) text = buf.subarray(s, e);
    else {
      const tmp = Buffer.allocUnsafe(e - s);
      text = tmp.subarray(0, unescapeInto(buf, s, e, tmp, 0));
    }
    const dec = decodeBytea(text);
    if (!dec) return -1;
    if (dec.length !== max) return dec.length;
    dec.copy(dst, off);
    return dec.length;
  }
}

/** Decimal seq; undefined unless it is an integer within ±2^53. */
function parseSeq(buf: Buffer, s: number, e: number): number | undefined {
  let i = s;
  let neg = false;
  if (buf[i] === 45) {
    neg = true;
    i++;
  }
  if (i >= e || e - i > 16) return undefined;
  let v = 0;
  for (; i < e; i++) {
    const c = (buf[i] as number) - 48;
    if (c < 0 || c > 9) return undefined;
    v = v * 10 + c;
  }
  if (!Number.isSafeInteger(v)) return undefined;
  return neg ? -v : v;
}

/** Big-endian uint32 at buf[o] (the recipe's length prefixes), without writeUInt32BE's checks. */
function putU32(buf: Buffer, o: number, v: number): void {
  buf[o] = v >>> 24;
  buf[o + 1] = (v >>> 16) & 0xff;
  buf[o + 2] = (v >>> 8) & 0xff;
  buf[o + 3] = v & 0xff;
}
