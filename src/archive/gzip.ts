// A gzip reader that knows where each member ends. node:zlib's Gunzip discards the output of the
// write in which it meets bytes that are not a further member (so a small archive followed by
// junk would decode to nothing), and reports no position. Here each member's header is parsed
// here, its deflate data inflated synchronously in 16 KiB slices (minizlib's InflateRaw says
// exactly how much input a slice consumed, so the end of the data is exact), and its CRC-32 and
// length checked. Zero bytes after the last member are padding; anything else is trailing data,
// reported at its offset. Memory per slice is bounded by 16 KiB times the deflate ratio limit.
import { crc32 } from 'node:zlib';
import { InflateRaw } from 'minizlib';

const SLICE = 16 * 1024;
/** A gzip header with a file name or comment longer than this is treated as corrupt. */
const MAX_HEADER = 64 * 1024;

export class GzipError extends Error {
  constructor(
    readonly kind: 'truncated' | 'corrupt',
    /** Compressed offset: where the data ended, or the start of the slice that failed. */
    readonly offset: number,
    message: string,
    readonly zlibCode: string | undefined,
  ) {
    super(message);
  }
}

type HeaderParse = number | 'more' | string;

/** Length of the gzip member header at the start of `b`, 'more' if incomplete, or an error text. */
function parseHeader(b: Buffer): HeaderParse {
  if (b.length < 10)
    return b.length >= 2 && (b[0] !== 0x1f || b[1] !== 0x8b) ? 'not a gzip member header' : 'more';
  if (b[0] !== 0x1f || b[1] !== 0x8b) return 'not a gzip member header';
  if (b[2] !== 8) return 'unknown compression method';
  const flg = b[3] ?? 0;
  if ((flg & 0xe0) !== 0) return 'reserved header flags set';
  let p = 10;
  if ((flg & 4) !== 0) {
    if (b.length < p + 2) return 'more';
    p += 2 + b.readUInt16LE(p);
    if (b.length < p) return 'more';
  }
  for (const bit of [8, 16]) {
    if ((flg & bit) !== 0) {
      const z = b.indexOf(0, p);
      if (z < 0) return 'more';
      p = z + 1;
    }
  }
  if ((flg & 2) !== 0) {
    p += 2;
    if (b.length < p) return 'more';
  }
  return p;
}

export class GzipReader {
  /** Compressed bytes consumed so far (exact at slice boundaries). */
  consumed = 0;
  members = 0;
  /** Offset of the first non-zero byte after the last member, if any. */
  trailingAt: number | undefined;

  /** The decompressed bytes of every member, in order. Throws GzipError for bad or cut data. */
  async *decode(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer, void, undefined> {
    const it = src[Symbol.asyncIterator]();
    let carry: Buffer = Buffer.alloc(0);
    let state: 'header' | 'body' | 'trailer' | 'padding' = 'header';
    let inf: InflateRaw | undefined;
    let out: Buffer[] = [];
    let infErr: Error | undefined;
    let crc = 0;
    let isize = 0;
    const pull = async (): Promise<boolean> => {
      const r = await it.next();
      if (r.done === true) return false;
      carry = carry.length === 0 ? r.value : Buffer.concat([carry, r.value]);
      return true;
    };
    try {
      for (;;) {
        if (state === 'header') {
          if (carry.length === 0 && !(await pull())) {
            if (this.members === 0)
              throw new GzipError('truncated', this.consumed, 'no gzip data', undefined);
            return;
          }
          // after a member, bytes without the gzip magic are padding or trailing data, not a member
          if (this.members > 0 && (carry[0] !== 0x1f || (carry.length > 1 && carry[1] !== 0x8b))) {
            state = 'padding';
            continue;
          }
          const h = parseHeader(carry);
          if (h === 'more') {
            if (carry.length > MAX_HEADER)
              throw new GzipError('corrupt', this.consumed, 'gzip header too long', undefined);
            if (!(await pull())) {
              if (this.members > 0) {
                this.trailingAt = this.consumed;
                return;
              }
              throw new GzipError(
                'truncated',
                this.consumed + carry.length,
                'the gzip data ends inside a member header',
                'Z_BUF_ERROR',
              );
            }
            continue;
          }
          if (typeof h === 'string') throw new GzipError('corrupt', this.consumed, h, undefined);
          carry = carry.subarray(h);
          this.consumed += h;
          const fresh = new InflateRaw({});
          fresh.on('data', (b: Buffer) => out.push(b));
          fresh.on('error', (e: unknown) => {
            infErr = e instanceof Error ? e : new Error(String(e));
          });
          inf = fresh;
          crc = 0;
          isize = 0;
          state = 'body';
        } else if (state === 'body') {
          if (carry.length === 0 && !(await pull()))
            throw new GzipError(
              'truncated',
              this.consumed,
              'the gzip data ends inside a member',
              'Z_BUF_ERROR',
            );
          const slice = carry.subarray(0, SLICE);
          out = [];
          inf?.write(slice);
          if (infErr !== undefined) {
            const code: unknown = Reflect.get(infErr, 'code');
            throw new GzipError(
              'corrupt',
              this.consumed,
              infErr.message,
              typeof code === 'string' ? code : undefined,
            );
          }
          // node:zlib's sync path sets bytesWritten to the input this call consumed
          const used = inf?.handle?.bytesWritten ?? slice.length;
          carry = carry.subarray(used);
          this.consumed += used;
          const produced = out;
          out = [];
          for (const b of produced) {
            crc = crc32(b, crc);
            isize = (isize + b.length) % 0x100000000;
          }
          if (used < slice.length) {
            // the deflate data ended inside this slice
            inf?.close();
            inf = undefined;
            state = 'trailer';
          }
          for (const b of produced) yield b;
        } else if (state === 'trailer') {
          if (carry.length < 8) {
            if (!(await pull()))
              throw new GzipError(
                'truncated',
                this.consumed + carry.length,
                'the gzip data ends inside a member trailer',
                'Z_BUF_ERROR',
              );
            continue;
          }
          if (carry.readUInt32LE(0) !== crc >>> 0 || carry.readUInt32LE(4) !== isize)
            throw new GzipError(
              'corrupt',
              this.consumed,
              'incorrect data check (CRC-32 or length mismatch)',
              'Z_DATA_ERROR',
            );
          carry = carry.subarray(8);
          this.consumed += 8;
          this.members++;
          state = 'header';
        } else {
          // padding: zero bytes are allowed after the last member; anything else is trailing data
          const i = carry.findIndex((x) => x !== 0);
          if (i >= 0) {
            this.trailingAt = this.consumed + i;
            return;
          }
          this.consumed += carry.length;
          carry = Buffer.alloc(0);
          if (!(await pull())) return;
        }
      }
    } finally {
      inf?.close();
    }
  }
}
