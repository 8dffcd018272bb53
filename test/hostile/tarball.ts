// Hand-made tar streams for hostile archives: raw ustar headers (any name bytes, base-256 sizes,
// sizes that lie), the sample backup's entries to build on, and streaming writers (plain or
// gzip) so that multi-gigabyte content never sits in memory or on disk uncompressed.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, createGzip, constants } from 'node:zlib';
import { FIXTURES } from '../support/paths.js';

export const BLOCK = 512;
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export type TypeFlag = '0' | '1' | '2' | '3' | '5' | '6' | 'x' | 'L';

export interface RawHeader {
  /** Name bytes (a string is UTF-8). Up to 100 bytes go in the name field. */
  name: string | Buffer;
  size: number;
  type?: TypeFlag;
  mode?: number;
  linkname?: string | Buffer;
  /** Write the size as GNU base-256 even when it fits in octal. */
  base256?: boolean;
}

function putOctal(b: Buffer, off: number, len: number, v: number): void {
  b.write(v.toString(8).padStart(len - 1, '0') + '\0', off, len, 'latin1');
}

/** GNU base-256 (high bit set, big-endian two's complement) for sizes octal cannot hold. */
function putBase256(b: Buffer, off: number, len: number, v: number): void {
  let x = BigInt(v);
  const neg = x < 0n;
  if (neg) x = (1n << BigInt(8 * len)) + x;
  for (let i = len - 1; i >= 0; i--) {
    b[off + i] = Number(x & 0xffn);
    x >>= 8n;
  }
  b[off] = (b[off] ?? 0) | 0x80;
  if (neg) b[off] = (b[off] ?? 0) | 0xc0;
}

/** One ustar header block, checksum computed over whatever the fields say. */
export function rawHeader(h: RawHeader): Buffer {
  const b = Buffer.alloc(BLOCK);
  const name = typeof h.name === 'string' ? Buffer.from(h.name, 'utf8') : h.name;
  name.copy(b, 0, 0, Math.min(100, name.length));
  putOctal(b, 100, 8, h.mode ?? 0o644);
  putOctal(b, 108, 8, 0);
  putOctal(b, 116, 8, 0);
  if (h.base256 === true || h.size < 0 || h.size > 0o77777777777) putBase256(b, 124, 12, h.size);
  else putOctal(b, 124, 12, h.size);
  putOctal(b, 136, 12, Math.floor(Date.UTC(2026, 10, 26, 3) / 1000));
  b.write(h.type ?? '0', 156, 1, 'latin1');
  if (h.linkname !== undefined) {
    const l = typeof h.linkname === 'string' ? Buffer.from(h.linkname, 'utf8') : h.linkname;
    l.copy(b, 157, 0, Math.min(100, l.length));
  }
  b.write('ustar\u000000', 257, 8, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return b;
}

export function pad(size: number): Buffer {
  const r = size % BLOCK;
  return Buffer.alloc(r === 0 ? 0 : BLOCK - r);
}

/** A pax extended header (typeflag x) carrying `records`, as its header plus padded body. */
export function paxHeader(records: Array<[string, string]>): Buffer {
  const body = Buffer.from(
    records
      .map(([k, v]) => {
        const rest = ` ${k}=${v}\n`;
        let n = Buffer.byteLength(rest) + 1;
        while (String(n).length + Buffer.byteLength(rest) !== n) n++;
        return `${n}${rest}`;
      })
      .join(''),
    'utf8',
  );
  return Buffer.concat([
    rawHeader({ name: 'PaxHeader', size: body.length, type: 'x' }),
    body,
    pad(body.length),
  ]);
}

export interface Entry {
  path: string;
  data: Buffer;
  type: TypeFlag;
  mode: number;
  linkname?: string;
}

/** A file entry: header, data, padding. */
export function fileEntry(path: string | Buffer, data: Buffer, mode = 0o644): Buffer {
  return Buffer.concat([rawHeader({ name: path, size: data.length, mode }), data, pad(data.length)]);
}

export function dirEntry(path: string, mode = 0o755): Buffer {
  return rawHeader({ name: path.endsWith('/') ? path : path + '/', size: 0, type: '5', mode });
}

export function linkEntry(path: string, target: string, type: '1' | '2' = '2'): Buffer {
  return rawHeader({ name: path, size: 0, type, mode: 0o777, linkname: target });
}

export const END = Buffer.alloc(2 * BLOCK);

/** The sample backup's entries (ustar, no long names), to build hostile archives on. */
export function sampleEntries(): Entry[] {
  const tar = gunzipSync(readFileSync(join(FIXTURES, 'sample-backup.tar.gz')));
  const out: Entry[] = [];
  for (let off = 0; off + BLOCK <= tar.length;) {
    const h = tar.subarray(off, off + BLOCK);
    if (h.every((x) => x === 0)) break;
    const str = (a: number, n: number): string => h.toString('utf8', a, a + n).replace(/\0.*$/s, '');
    const prefix = str(345, 155);
    const name = str(0, 100);
    const size = parseInt(str(124, 12).trim() || '0', 8);
    const mode = parseInt(str(100, 8).trim() || '0', 8);
    const type = (str(156, 1) || '0') as TypeFlag;
    const data = Buffer.from(tar.subarray(off + BLOCK, off + BLOCK + size));
    out.push({ path: prefix ? `${prefix}/${name}` : name, data, type, mode });
    off += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return out;
}

/** The sample backup's top folder ("meshanics-backup-…/"). */
export function sampleTop(entries: Entry[]): string {
  const first = entries[0]?.path ?? '';
  return first.slice(0, first.indexOf('/') + 1);
}

/** Tar blocks of entries (headers written here, so modes and types come through). */
export function entryBlocks(entries: Entry[]): Buffer[] {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.type === '5') parts.push(dirEntry(e.path, e.mode));
    else if (e.type === '1' || e.type === '2') parts.push(linkEntry(e.path, e.linkname ?? '', e.type));
    else parts.push(fileEntry(e.path, e.data, e.mode));
  }
  return parts;
}

/** The sample's entries with `replace` applied (by path under the top folder; undefined drops). */
export function sampleWith(replace: Record<string, Buffer | undefined>, extra: Buffer[] = []): Buffer[] {
  const entries = sampleEntries();
  const top = sampleTop(entries);
  const kept: Entry[] = [];
  for (const e of entries) {
    const rel = e.path.slice(top.length);
    if (Object.hasOwn(replace, rel)) {
      const d = replace[rel];
      if (d !== undefined) kept.push({ ...e, data: d });
    } else kept.push(e);
  }
  return [...entryBlocks(kept), ...extra, END];
}

/** Writes parts (any iterable, lazily) to `file`, through gzip when asked. Streams: flat memory. */
export async function writeParts(
  file: string,
  parts: Iterable<Buffer> | AsyncIterable<Buffer>,
  gzip: false | number = false,
): Promise<void> {
  const out = createWriteStream(file);
  const gz = gzip === false ? undefined : createGzip({ level: gzip, chunkSize: 256 * 1024 });
  const sink = gz ?? out;
  if (gz) gz.pipe(out);
  for await (const p of parts) if (!sink.write(p)) await once(sink, 'drain');
  sink.end();
  await once(out, 'close');
}

/**
 * A raw deflate stream of `n` zero bytes cut so it can be repeated: the same full-flushed block
 * sequence concatenated k times is a valid deflate stream of k·n zeros (no back-reference crosses
 * a full flush), so gigabytes cost one compression of `n`.
 */
export function zeroDeflateUnit(n: number, deflateRaw: (b: Buffer, o: object) => Buffer): Buffer {
  return deflateRaw(Buffer.alloc(n), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
}

// CRC-32 of zero bytes appended to a running CRC, in O(log n) (zlib's crc32_combine method):
// an operator matrix over GF(2) for "one zero bit", squared up to the length.
function gf2Times(mat: Uint32Array, vec: number): number {
  let sum = 0;
  for (let i = 0; vec !== 0; i++, vec >>>= 1) if ((vec & 1) !== 0) sum ^= mat[i] ?? 0;
  return sum >>> 0;
}

function gf2Square(mat: Uint32Array): Uint32Array {
  const sq = new Uint32Array(32);
  for (let n = 0; n < 32; n++) sq[n] = gf2Times(mat, mat[n] ?? 0);
  return sq;
}

/** crc32(Buffer.alloc(len), crc) without touching `len` bytes. */
export function crc32Zeros(crc: number, len: number): number {
  // The CRC register is pre- and post-inverted; zeros act linearly on the raw register.
  let odd: Uint32Array = new Uint32Array(32);
  odd[0] = 0xedb88320;
  for (let n = 1, row = 1; n < 32; n++, row <<= 1) odd[n] = row >>> 0;
  let even = gf2Square(odd); // two zero bits
  odd = gf2Square(even); // four zero bits
  let c = ~crc >>> 0;
  let n = len;
  do {
    even = gf2Square(odd); // first pass: one zero byte
    if ((n & 1) !== 0) c = gf2Times(even, c);
    n = Math.floor(n / 2);
    if (n === 0) break;
    odd = gf2Square(even);
    if ((n & 1) !== 0) c = gf2Times(odd, c);
    n = Math.floor(n / 2);
  } while (n !== 0);
  return ~c >>> 0;
}
