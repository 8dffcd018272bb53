// A minimal DER encoder: enough to build X.509 certificates byte by byte, including the malformed
// or unusual ones the defect fixtures need (which certificate generators refuse to make).
export function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, content]);
}

export const seq = (...xs: Buffer[]): Buffer => tlv(0x30, Buffer.concat(xs));
export const set = (...xs: Buffer[]): Buffer => tlv(0x31, Buffer.concat(xs));
export const nul = (): Buffer => Buffer.from([0x05, 0x00]);
export const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
export const octets = (b: Buffer): Buffer => tlv(0x04, b);
export const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
export const ia5 = (s: string): Buffer => tlv(0x16, Buffer.from(s, 'ascii'));
/** [n] EXPLICIT / constructed context tag. */
export const ctx = (n: number, content: Buffer): Buffer => tlv(0xa0 | n, content);
/** [n] IMPLICIT primitive context tag. */
export const ctxPrim = (n: number, content: Buffer): Buffer => tlv(0x80 | n, content);

/** INTEGER from a non-negative bigint (minimal, with a sign byte when needed) or raw content octets. */
export function int(v: bigint | Buffer): Buffer {
  if (Buffer.isBuffer(v)) return tlv(0x02, v);
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let b = Buffer.from(hex, 'hex');
  if ((b[0] ?? 0) & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map((p) => BigInt(p));
  const [a = 0n, b = 0n, ...rest] = parts;
  const out: number[] = [];
  for (const v of [a * 40n + b, ...rest]) {
    const bytes: number[] = [Number(v & 0x7fn)];
    for (let x = v >> 7n; x > 0n; x >>= 7n) bytes.unshift(Number((x & 0x7fn) | 0x80n));
    out.push(...bytes);
  }
  return tlv(0x06, Buffer.from(out));
}

export function bitString(content: Buffer, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), content]));
}

/** A named-bit BIT STRING (DER: trailing zero bits dropped). */
export function namedBits(bits: number[]): Buffer {
  if (bits.length === 0) return bitString(Buffer.alloc(0));
  const high = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(high / 8) + 1);
  for (const bit of bits)
    bytes[Math.floor(bit / 8)] = (bytes[Math.floor(bit / 8)] ?? 0) | (0x80 >> (bit % 8));
  return bitString(bytes, 7 - (high % 8));
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function utcTime(d: Date): Buffer {
  const s = `${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

export function generalizedTime(d: Date): Buffer {
  const s = `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  return tlv(0x18, Buffer.from(s, 'ascii'));
}
