// The audit table's COPY rows → chain records. This is the hot path of `verify` (millions of
// rows): lines and fields are found with Buffer.indexOf, fields are unescaped straight into one
// reusable message buffer, timestamps are converted by a byte parser (no regex, no Date), and
// each record costs one crypto.hash call. node:crypto is used rather than @noble/hashes: at
// ~100-byte messages the per-call cost dominates and node:crypto measured about twice as fast
// per record here (see bench/README.md).
import { hash as cryptoHash } from 'node:crypto';
import type { Findings } from '../findings/collector.js';
import type { Profile } from '../profile/profile.js';
import type { TableDataHandler, TableRef } from '../dump/types.js';
import { parseTimestamptz, writeRecipeTimestamp, newTsResult, tsEpochMicros } from '../dump/timestamp.js';
import { decodeBytea } from '../dump/copy.js';
import type { ChainReplay } from './replay.js';
import { hexInto } from './hex.js';

const TAB = 9;
const NL = 10;
const BACKSLASH = 92;
const NULL_FIELD = 0xffffffff;

type RecipeField = Profile['recipe']['fields'][number];

export interface AuditRowsOptions {
  profile: Profile;
  replay: ChainReplay;
  findings: Findings;
  /** "schema.table" for locations. */
  table: string;
  maxLineBytes: number;
}

/** Column indexes of the recipe's fields in the COPY order, or the names that are missing. */
export function mapAuditColumns(
  ref: TableRef,
  profile: Profile,
): { index: Record<string, number> } | { missing: string[] } {
  const cols = profile.auditColumns;
  const index: Record<string, number> = {};
  const missing: string[] = [];
  for (const [role, name] of Object.entries(cols)) {
    const i = ref.columns.indexOf(name);
    if (i < 0) missing.push(name);
    else index[role] = i;
  }
  return missing.length ? { missing } : { index };
}

export class AuditRowsHandler implements TableDataHandler {
  private carry: Buffer | undefined;
  private row = 0;
  private readonly ncol: number;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private msg = Buffer.allocUnsafe(64 * 1024);
  private readonly ts = newTsResult();
  private readonly order: Array<{ field: RecipeField; col: number }>;
  private readonly seqCol: number;
  private readonly tsCol: number;
  private readonly prevCol: number;
  private readonly hashCol: number;
  private lastSeq: number | undefined;
  private oversize = false;

  constructor(
    ref: TableRef,
    index: Record<string, number>,
    private readonly opts: AuditRowsOptions,
  ) {
    this.ncol = ref.columns.length;
    this.starts = new Int32Array(this.ncol);
    this.ends = new Int32Array(this.ncol);
    const col = (k: string): number => index[k] ?? -1;
    this.order = opts.profile.recipe.fields.map((field) => ({ field, col: col(field) }));
    this.seqCol = col('seq');
    this.tsCol = col('occurredAt');
    this.prevCol = col('prevHash');
    this.hashCol = col('hash');
  }

  data(chunk: Buffer): void {
    let start = 0;
    if (this.carry) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        this.appendCarry(chunk);
        return;
      }
      const line = Buffer.concat([this.carry, chunk.subarray(0, nl)]);
      this.carry = undefined;
      if (!this.oversize) this.line(line, 0, line.length);
      else this.oversize = false;
      start = nl + 1;
    }
    let from = start;
    for (;;) {
      const nl = chunk.indexOf(NL, from);
      if (nl < 0) break;
      // Backslash-newline is data, not a row end (CopyReadLineText); pg_dump never writes it.
      if (nl > start && chunk[nl - 1] === BACKSLASH && isEscaped(chunk, nl, start)) {
        from = nl + 1;
        continue;
      }
      this.line(chunk, start, nl);
      start = nl + 1;
      from = start;
    }
    if (start < chunk.length) this.appendCarry(chunk.subarray(start));
  }

  private appendCarry(part: Buffer): void {
    if (this.oversize) return;
    const len = (this.carry?.length ?? 0) + part.length;
    if (len > this.opts.maxLineBytes) {
      this.oversize = true;
      this.row++;
      this.carry = Buffer.alloc(0);
      this.opts.findings.add(
        'LIMIT_EXCEEDED',
        { table: this.opts.table, row: this.row, limit: 'maxLineBytes' },
        `row ${this.row} of ${this.opts.table} is longer than the ${this.opts.maxLineBytes}-byte line bound; it was not checked`,
      );
      return;
    }
    this.carry = this.carry ? Buffer.concat([this.carry, part]) : Buffer.from(part);
  }

  end(complete: boolean): void {
    if (this.carry && this.carry.length > 0 && !this.oversize) {
      // A last line without its newline: the data was cut inside a row.
      complete = false;
    }
    this.carry = undefined;
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

  private malformed(seq: number | undefined, reason: string): void {
    this.opts.replay.malformed(seq, this.row, reason);
  }

  private line(buf: Buffer, s: number, e: number): void {
    this.row++;
    // Split fields on tabs (COPY escapes tabs inside values, so a raw tab is always a separator).
    let p = s;
    let n = 0;
    let q = p;
    for (;;) {
      const t = buf.indexOf(TAB, q);
      if (t >= 0 && t < e && t > p && buf[t - 1] === BACKSLASH && isEscaped(buf, t, p)) {
        // Backslash-tab is a literal tab inside the field (CopyReadAttributesText).
        q = t + 1;
        continue;
      }
      const fe = t < 0 || t >= e ? e : t;
      if (n < this.ncol) {
        this.starts[n] = p;
        this.ends[n] = fe;
      }
      n++;
      if (fe === e) break;
      p = fe + 1;
      q = p;
    }
    if (n !== this.ncol) {
      this.malformed(undefined, `row has ${n} fields, the COPY statement names ${this.ncol} columns`);
      return;
    }
    const st = this.starts;
    const en = this.ends;
    const seqS = st[this.seqCol] as number;
    const seqE = en[this.seqCol] as number;
    const seq = parseSeq(buf, seqS, seqE);
    if (seq === undefined) {
      this.malformed(
        undefined,
        `seq "${buf.toString('latin1', seqS, Math.min(seqE, seqS + 40))}" is not an integer`,
      );
      return;
    }
    // prev_hash straight into the message's first bytes.
    const need = e - s + 64 + 64;
    if (this.msg.length < need) this.msg = Buffer.allocUnsafe(Math.max(need, this.msg.length * 2));
    const msg = this.msg;
    const prevLen = this.bytea(buf, st[this.prevCol] as number, en[this.prevCol] as number, msg, 0);
    if (prevLen !== 32) {
      this.malformed(
        seq,
        prevLen < 0 ? 'prev_hash is not valid bytea' : `prev_hash is ${prevLen} bytes, not 32`,
      );
      return;
    }
    const prev = Buffer.from(msg.subarray(0, 32));
    const hash = Buffer.allocUnsafe(32);
    const hashLen = this.bytea(buf, st[this.hashCol] as number, en[this.hashCol] as number, hash, 0, 32);
    if (hashLen !== 32) {
      this.malformed(seq, hashLen < 0 ? 'hash is not valid bytea' : `hash is ${hashLen} bytes, not 32`);
      return;
    }
    let off = 32;
    let tsMicros = Number.NaN;
    for (const { field, col } of this.order) {
      const fs = st[col] as number;
      const fe = en[col] as number;
      if (isNullField(buf, fs, fe)) {
        msg.writeUInt32BE(NULL_FIELD, off);
        off += 4;
        continue;
      }
      if (field === 'occurredAt') {
        if (!parseTimestamptz(buf, fs, fe, this.ts)) {
          this.malformed(
            seq,
            `occurred_at "${buf.toString('utf8', fs, Math.min(fe, fs + 60))}" is not a timestamptz`,
          );
          return;
        }
        tsMicros = tsEpochMicros(this.ts);
        const w = writeRecipeTimestamp(this.ts, msg, off + 4);
        if (w < 0) {
          msg.writeUInt32BE(NULL_FIELD, off);
          off += 4;
        } else {
          msg.writeUInt32BE(w, off);
          off += 4 + w;
        }
        continue;
      }
      const w = unescapeInto(buf, fs, fe, msg, off + 4);
      msg.writeUInt32BE(w, off);
      off += 4 + w;
    }
    const computed = cryptoHash('sha256', msg.subarray(0, off), 'buffer');
    this.lastSeq = seq;
    this.opts.replay.push({ seq, ts: tsMicros, prev, hash, contentOk: computed.equals(hash), row: this.row });
  }

  /** Decode a bytea COPY field into dst; hex fast path, escape form via the dump reader. */
  private bytea(buf: Buffer, s: number, e: number, dst: Buffer, off: number, max = 1 << 30): number {
    // Raw COPY text of hex bytea is \\x followed by hex digits.
    if (e - s >= 3 && buf[s] === BACKSLASH && buf[s + 1] === BACKSLASH && buf[s + 2] === 120) {
      if ((e - s - 3) / 2 > max) return (e - s - 3) >> 1;
      return hexInto(buf, s + 3, e, dst, off);
    }
    const tmp = Buffer.allocUnsafe(e - s);
    const n = unescapeInto(buf, s, e, tmp, 0);
    const dec = decodeBytea(tmp.subarray(0, n));
    if (!dec) return -1;
    if (dec.length > max) return dec.length;
    dec.copy(dst, off);
    return dec.length;
  }
}

/** Is the byte at pos preceded by an odd run of backslashes (i.e. escaped)? */
function isEscaped(buf: Buffer, pos: number, floor: number): boolean {
  let k = 0;
  for (let i = pos - 1; i >= floor && buf[i] === BACKSLASH; i--) k++;
  return (k & 1) === 1;
}

function isNullField(buf: Buffer, s: number, e: number): boolean {
  return e - s === 2 && buf[s] === BACKSLASH && buf[s + 1] === 78;
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

/**
 * COPY text unescape (PostgreSQL CopyReadAttributesText) of src[s,e) into dst at off; returns
 * bytes written. The common case (no backslash) is one native copy.
 */
export function unescapeInto(src: Buffer, s: number, e: number, dst: Buffer, off: number): number {
  let bs = src.indexOf(BACKSLASH, s);
  if (bs < 0 || bs >= e) return src.copy(dst, off, s, e);
  let o = off;
  let i = s;
  while (bs >= 0 && bs < e) {
    o += src.copy(dst, o, i, bs);
    i = bs + 1;
    if (i >= e) break; // PostgreSQL drops a lone trailing backslash
    const c = src[i] as number;
    i++;
    switch (c) {
      case 98:
        dst[o++] = 8;
        break; // \b
      case 102:
        dst[o++] = 12;
        break; // \f
      case 110:
        dst[o++] = 10;
        break; // \n
      case 114:
        dst[o++] = 13;
        break; // \r
      case 116:
        dst[o++] = 9;
        break; // \t
      case 118:
        dst[o++] = 11;
        break; // \v
      case 120: {
        // \xH or \xHH
        let v = 0;
        let k = 0;
        while (k < 2 && i < e && isHex(src[i] as number)) {
          v = v * 16 + hexVal(src[i] as number);
          i++;
          k++;
        }
        dst[o++] = k === 0 ? 120 : v & 0xff;
        break;
      }
      default:
        if (c >= 48 && c <= 55) {
          let v = c - 48;
          let k = 1;
          while (k < 3 && i < e && (src[i] as number) >= 48 && (src[i] as number) <= 55) {
            v = v * 8 + ((src[i] as number) - 48);
            i++;
            k++;
          }
          dst[o++] = v & 0xff;
        } else dst[o++] = c;
    }
    bs = src.indexOf(BACKSLASH, i);
  }
  if (i < e) o += src.copy(dst, o, i, e);
  return o - off;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
function hexVal(c: number): number {
  return c <= 57 ? c - 48 : (c | 32) - 87;
}
