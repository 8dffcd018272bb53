// Drives node-tar's Parser over the (decompressed) tar stream so that every header's offset is
// known exactly. The Parser itself tracks no absolute positions and buffers partial blocks, so
// the driver hands it one 512-byte block at a time while a header is due, and body data in
// whole blocks (a body's block-padded length is whole blocks) so nothing is ever left buffered
// inside it, wherever the decompressed chunks happen to end. What is due next (header, body,
// extended-header body) is read from the Parser's own state after each header block, so the two
// can never disagree about the layout.
// Entries are made to flow synchronously by the sink; the sink's `settle()` gives backpressure.
import { Header, Parser, ReadEntry } from 'tar';
import { rawHeaderName, rawLongName, rawPaxPath } from './paths.js';

const BLOCK = 512;
/** Extended (pax / GNU long name) headers larger than this are ignored by the Parser. */
export const MAX_META_ENTRY = 1024 * 1024;

export interface HeaderAt {
  /** Offset of the entry's own header block in the tar stream. */
  offset: number;
  /** Offset of the first extended header belonging to the entry, if any. */
  extendedOffset: number | undefined;
  /** Raw bytes of the name the entry's path came from (for non-UTF-8 reporting). */
  rawName: Buffer | undefined;
}

export type FirstBlock =
  { kind: 'tar' } | { kind: 'tar-nomagic' } | { kind: 'empty' } | { kind: 'not-tar'; reason: string };

export interface TarSink {
  /** A first tar block was seen (or the stream ended before one). */
  onFirstBlock(fb: FirstBlock): void;
  /** A file-system entry (called synchronously from inside the Parser): make it flow now. */
  onEntry(entry: ReadEntry, at: HeaderAt): void;
  /** An entry the Parser skips (unsupported type, or an oversized extended header). */
  onIgnored(entry: ReadEntry, at: HeaderAt): void;
  onInvalidHeaders(offset: number, blocks: number, reasons: string[]): void;
  onLoneZeroBlock(offset: number): void;
  onTrailingData(offset: number): void;
  onParserWarning(code: string, message: string, offset: number): void;
  /** The input ends (or the pass stops) inside this entry: called before its content ends. */
  onCut(entry: ReadEntry): void;
  /** Something to wait for before writing more (a dump consumer's backpressure), or undefined. */
  settle(): Promise<void> | undefined;
  /** A limit was reached: the pass must stop. */
  readonly stopRequested: boolean;
}

export interface TarEnd {
  /** The end-of-archive marker (two zero blocks) was seen. */
  eof: boolean;
  /** The stream ended inside a header or an entry, or without an end-of-archive marker. */
  truncated: boolean;
  /** Where in the tar stream the data ended. */
  endOffset: number;
  /** Bytes still missing from the entry being read when the stream ended. */
  missing: number;
  /** What was being read when the data ended. */
  cutIn: 'body' | 'extended-header' | 'header' | 'end-marker' | undefined;
  cutEntry: ReadEntry | undefined;
}

const GZIP = Buffer.from([0x1f, 0x8b]);
const ZSTD = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const XZ = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const BZIP2 = Buffer.from('BZh');
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
export const AGE_MAGIC = Buffer.from('age-encryption.org/v1');
export const AGE_ARMOR = Buffer.from('-----BEGIN AGE ENCRYPTED FILE-----');

/** Names a compressed or encrypted format by its magic bytes, if it is one we recognise. */
export function wrapperFormat(head: Buffer): string | undefined {
  const starts = (m: Buffer): boolean => head.length >= m.length && head.subarray(0, m.length).equals(m);
  if (starts(GZIP)) return 'gzip';
  if (starts(AGE_MAGIC) || starts(AGE_ARMOR)) return 'age';
  if (starts(ZSTD)) return 'zstd';
  if (starts(XZ)) return 'xz';
  if (starts(BZIP2)) return 'bzip2';
  if (starts(ZIP)) return 'zip';
  return undefined;
}

/** Is this the start of a tar stream? (ustar, pax and GNU headers; old v7 headers noted.) */
export function classifyFirstBlock(head: Buffer): FirstBlock {
  const wrapped = wrapperFormat(head);
  if (wrapped) return { kind: 'not-tar', reason: `${wrapped} data, not a tar header` };
  if (head.length === 0) return { kind: 'not-tar', reason: 'no data' };
  if (head.length < BLOCK)
    return { kind: 'not-tar', reason: `only ${head.length} bytes: shorter than one tar block` };
  const block = head.subarray(0, BLOCK);
  const magic = block.subarray(257, 263).toString('latin1');
  if (magic === 'ustar\u0000' || magic === 'ustar ') return { kind: 'tar' };
  if (block.every((b) => b === 0)) return { kind: 'empty' };
  try {
    if (new Header(block).cksumValid) return { kind: 'tar-nomagic' };
  } catch {
    // unparseable numbers: not a tar header
  }
  return { kind: 'not-tar', reason: 'the first block is not a tar header' };
}

const ZEROS = Buffer.alloc(64 * 1024);

/** Index of the first non-zero byte, or -1 (memcmp-speed: trailing zero padding can be long). */
function firstNonZero(b: Buffer): number {
  for (let off = 0; off < b.length; off += ZEROS.length) {
    const s = b.subarray(off, off + ZEROS.length);
    if (!s.equals(ZEROS.subarray(0, s.length))) return off + s.findIndex((x) => x !== 0);
  }
  return -1;
}

interface Internals {
  state: symbol;
  writeEntry: symbol;
}

// The Parser keeps its state under symbol keys; reading them (never writing) is what lets the
// driver know exactly which bytes are headers. Checked at start-up so a tar upgrade that renames
// them fails loudly instead of silently misplacing offsets.
function internalsOf(p: Parser): Internals {
  const syms = Object.getOwnPropertySymbols(p);
  const state = syms.find((s) => s.description === 'state');
  const writeEntry = syms.find((s) => s.description === 'writeEntry');
  if (!state || !writeEntry || Reflect.get(p, state) !== 'begin')
    throw new Error('the installed tar package does not expose the parser state this reader relies on');
  return { state, writeEntry };
}

type Mode = 'header' | 'body' | 'meta' | 'eof' | 'dead';

export class TarDriver {
  private readonly parser: Parser;
  private readonly sym: Internals;
  private carry: Buffer[] = [];
  private carryLen = 0;
  /** Offset of the next byte handed to the parser. */
  private pos = 0;
  /** Tar-stream bytes received so far. */
  received = 0;
  private mode: Mode = 'header';
  /** Block-padded bytes left in the current body / extended-header body. */
  private remain = 0;
  private cur: ReadEntry | undefined;
  private lastWriteEntry: ReadEntry | undefined;
  private extStart: number | undefined;
  private pendingRawName: Buffer | undefined;
  private at: HeaderAt = { offset: 0, extendedOffset: undefined, rawName: undefined };
  private invalidNow: string | undefined;
  private nullNow = false;
  private eofNow = false;
  private invalidRun: { offset: number; blocks: number; reasons: string[] } | undefined;
  private nullAt: number | undefined;
  private trailingSeen = false;
  private ending = false;
  private eofSeen = false;
  private firstSeen = false;
  /** The pass must not go on (a limit, or the stream is not tar). */
  stopped = false;

  constructor(private readonly sink: TarSink) {
    this.parser = new Parser({ strict: false, brotli: false, zstd: false, maxMetaEntrySize: MAX_META_ENTRY });
    this.sym = internalsOf(this.parser);
    this.parser.on('entry', (e: ReadEntry) => this.sink.onEntry(e, this.at));
    this.parser.on('ignoredEntry', (e: ReadEntry) => this.sink.onIgnored(e, this.at));
    this.parser.on('nullBlock', () => {
      this.nullNow = true;
    });
    this.parser.on('eof', () => {
      this.eofNow = true;
    });
    this.parser.on('warn', (code: string, message: unknown) => this.onWarn(code, message));
    // Never thrown in non-strict mode except on abort, which the driver never calls; kept so an
    // unexpected one becomes a finding, not a crash.
    this.parser.on('error', (e: unknown) =>
      this.sink.onParserWarning('TAR_ERROR', e instanceof Error ? e.message : String(e), this.pos),
    );
  }

  /** Where the driver stands in the tar stream (bytes handed to the parser). */
  get offset(): number {
    return this.pos;
  }

  get sawEof(): boolean {
    return this.eofSeen;
  }

  private onWarn(code: string, message: unknown): void {
    const text = message instanceof Error ? message.message : String(message);
    if (code === 'TAR_ENTRY_INVALID') {
      this.invalidNow = text;
      return;
    }
    // The Parser's own truncation notice at the end: the driver reports truncation itself.
    if (this.ending && code === 'TAR_BAD_ARCHIVE' && text.startsWith('Truncated input')) return;
    this.sink.onParserWarning(code, text, this.pos);
  }

  private state(): string {
    const v: unknown = Reflect.get(this.parser, this.sym.state);
    return typeof v === 'string' ? v : 'header';
  }

  private writeEntry(): ReadEntry | undefined {
    const v: unknown = Reflect.get(this.parser, this.sym.writeEntry);
    return v instanceof ReadEntry ? v : undefined;
  }

  async write(chunk: Buffer): Promise<void> {
    this.received += chunk.length;
    if (this.stopped || this.mode === 'dead') return;
    this.carry.push(chunk);
    this.carryLen += chunk.length;
    while (this.step()) {
      const w = this.sink.settle();
      if (w) await w;
      if (this.sink.stopRequested) {
        this.stopped = true;
        break;
      }
    }
  }

  /** One unit of work: a header block, a body piece, an extended-header body or trailing data. */
  private step(): boolean {
    switch (this.mode) {
      case 'header': {
        if (this.carryLen < BLOCK) return false;
        this.header(this.take(BLOCK));
        return true;
      }
      case 'body': {
        const piece = this.takeBody(this.remain);
        if (!piece) return false;
        this.feed(piece);
        this.afterBody();
        return true;
      }
      case 'meta': {
        if (this.carryLen < this.remain) return false;
        const piece = this.take(this.remain);
        this.captureMeta(piece);
        this.feed(piece);
        this.afterBody();
        return true;
      }
      case 'eof': {
        for (const b of this.carry) {
          if (!this.trailingSeen) {
            const i = firstNonZero(b);
            if (i >= 0) {
              this.trailingSeen = true;
              this.sink.onTrailingData(this.pos + i);
            }
          }
          this.pos += b.length;
        }
        this.carry = [];
        this.carryLen = 0;
        return false;
      }
      case 'dead':
        return false;
    }
  }

  private feed(piece: Buffer): void {
    try {
      this.parser.write(piece);
    } catch (e) {
      // Only a broken invariant gets here; stop rather than misread the rest.
      this.sink.onParserWarning('TAR_INTERNAL', e instanceof Error ? e.message : String(e), this.pos);
      this.mode = 'dead';
      this.stopped = true;
    }
    this.pos += piece.length;
  }

  private header(block: Buffer): void {
    const offset = this.pos;
    if (!this.firstSeen) {
      this.firstSeen = true;
      const fb = classifyFirstBlock(block);
      this.sink.onFirstBlock(fb);
      if (fb.kind === 'not-tar') {
        this.mode = 'dead';
        this.stopped = true;
        return;
      }
    }
    this.at = {
      offset,
      extendedOffset: this.extStart,
      rawName: this.pendingRawName ?? rawHeaderName(block),
    };
    this.invalidNow = undefined;
    this.nullNow = false;
    this.eofNow = false;
    this.feed(block);
    if (this.mode === 'dead') return;

    if (this.invalidNow !== undefined) {
      if (this.invalidRun) {
        this.invalidRun.blocks++;
        if (this.invalidRun.reasons.length < 5 && !this.invalidRun.reasons.includes(this.invalidNow))
          this.invalidRun.reasons.push(this.invalidNow);
      } else this.invalidRun = { offset, blocks: 1, reasons: [this.invalidNow] };
    } else this.flushInvalid();

    if (this.nullNow) this.nullAt = offset;
    else if (!this.eofNow) {
      if (this.nullAt !== undefined) this.sink.onLoneZeroBlock(this.nullAt);
      this.nullAt = undefined;
    }
    if (this.eofNow) {
      this.eofSeen = true;
      this.mode = 'eof';
      // anything already buffered is trailing data
      return;
    }

    const we = this.writeEntry();
    const fresh = we !== undefined && we !== this.lastWriteEntry;
    this.lastWriteEntry = we;
    if (fresh) {
      if (we.meta) {
        if (this.extStart === undefined) this.extStart = offset;
      } else {
        this.extStart = undefined;
        this.pendingRawName = undefined;
      }
    }
    const st = this.state();
    if (fresh && (st === 'body' || st === 'ignore' || st === 'meta')) {
      this.cur = we;
      this.remain = we.blockRemain;
      this.mode = st === 'meta' ? 'meta' : 'body';
    } else this.mode = 'header';
  }

  private afterBody(): void {
    if (this.mode === 'dead') return;
    const st = this.state();
    const cur = this.cur;
    if (st === 'header' || st === 'begin' || !cur) {
      this.mode = 'header';
      this.remain = 0;
      this.cur = undefined;
    } else this.remain = cur.blockRemain;
  }

  private captureMeta(piece: Buffer): void {
    const cur = this.cur;
    if (!cur) return;
    const body = piece.subarray(0, cur.remain);
    if (cur.type === 'NextFileHasLongPath' || cur.type === 'OldGnuLongPath')
      this.pendingRawName = Buffer.from(rawLongName(body));
    else if (cur.type === 'ExtendedHeader' || cur.type === 'OldExtendedHeader') {
      const p = rawPaxPath(body);
      if (p) this.pendingRawName = Buffer.from(p);
    }
  }

  private flushInvalid(): void {
    const run = this.invalidRun;
    if (!run) return;
    this.invalidRun = undefined;
    this.sink.onInvalidHeaders(run.offset, run.blocks, run.reasons);
  }

  /** Exactly n bytes from the carry (copied only when they span chunks). */
  private take(n: number): Buffer {
    const first = this.carry[0];
    if (first && first.length >= n) return this.shift(n);
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const b = this.carry[0];
      if (!b) break;
      const k = Math.min(b.length, n - got);
      parts.push(this.shift(k));
      got += k;
    }
    return Buffer.concat(parts, got);
  }

  /** A body piece of whole blocks (at most `max`, itself whole blocks), without copying when
   *  possible. Whole blocks matter: the Parser only consumes input in runs of at least 512
   *  bytes, so a piece that left less than a block of the body would be buffered inside it,
   *  not consumed, and every later offset would be misread. */
  private takeBody(max: number): Buffer | undefined {
    if (max < BLOCK || this.carryLen < BLOCK) return undefined;
    const first = this.carry[0];
    if (!first) return undefined;
    if (first.length >= BLOCK) return this.shift(Math.min(first.length - (first.length % BLOCK), max));
    return this.take(BLOCK);
  }

  private shift(n: number): Buffer {
    const first = this.carry[0];
    if (!first) return Buffer.alloc(0);
    this.carryLen -= n;
    if (first.length === n) {
      this.carry.shift();
      return first;
    }
    this.carry[0] = first.subarray(n);
    return first.subarray(0, n);
  }

  /** The input is over (or the pass stops): finish the Parser and say how the stream ended. */
  async end(): Promise<TarEnd> {
    this.flushInvalid();
    const res: TarEnd = {
      eof: this.eofSeen,
      truncated: false,
      endOffset: this.received,
      missing: 0,
      cutIn: undefined,
      cutEntry: undefined,
    };
    if (!this.firstSeen && this.mode !== 'dead') {
      this.firstSeen = true;
      this.sink.onFirstBlock(classifyFirstBlock(this.take(this.carryLen)));
      this.mode = 'dead';
    }
    if (this.mode === 'body' || this.mode === 'meta') {
      res.truncated = true;
      res.cutIn = this.mode === 'body' ? 'body' : 'extended-header';
      res.cutEntry = this.cur;
      res.missing = this.remain - this.carryLen;
      const cur = this.cur;
      if (cur && this.mode === 'body') {
        this.sink.onCut(cur);
        // less than a block: the Parser hands it to the entry when it ends
        if (this.carryLen > 0) this.feed(this.take(this.carryLen));
      }
    } else if (this.mode === 'header') {
      res.truncated = true;
      res.cutIn = this.carryLen > 0 ? 'header' : 'end-marker';
    }
    this.carry = [];
    this.carryLen = 0;
    this.ending = true;
    this.mode = 'dead';
    try {
      this.parser.end();
    } catch (e) {
      this.sink.onParserWarning('TAR_INTERNAL', e instanceof Error ? e.message : String(e), this.pos);
    }
    for (let w = this.sink.settle(); w; w = this.sink.settle()) await w;
    return res;
  }
}
