// The little DER the drill needs to issue one device certificate as enrollment does, and to lift
// the CA's subject name out of its certificate byte for byte. The fixture scripts build their
// certificates on this same encoder (scripts/certs/der.ts).
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
/** [n] EXPLICIT (constructed context tag). */
export const explicit = (n: number, content: Buffer): Buffer => tlv(0xa0 | n, content);
/** [n] IMPLICIT primitive context tag. */
export const implicit = (n: number, content: Buffer): Buffer => tlv(0x80 | n, content);

/** A positive INTEGER from its magnitude bytes (a sign byte is added when needed). */
export function uint(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const m = b.subarray(i);
  return tlv(0x02, (m[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), m]) : m);
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

/** A named-bit BIT STRING (DER: trailing zero bits dropped); bit 0 is the most significant. */
export function namedBits(bits: number[]): Buffer {
  if (bits.length === 0) return bitString(Buffer.alloc(0));
  const high = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(high / 8) + 1);
  for (const bit of bits)
    bytes[Math.floor(bit / 8)] = (bytes[Math.floor(bit / 8)] ?? 0) | (0x80 >> (bit % 8));
  return bitString(bytes, 7 - (high % 8));
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function time(d: Date): Buffer {
  const hms = `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  const y = d.getUTCFullYear();
  return y < 2050
    ? tlv(0x17, Buffer.from(`${pad(y % 100)}${hms}`, 'ascii'))
    : tlv(0x18, Buffer.from(`${pad(y, 4)}${hms}`, 'ascii'));
}

interface Tlv {
  tag: number;
  /** Offset of the first content byte. */
  start: number;
  /** Offset just past the element. */
  end: number;
  /** Offset of the element's first (tag) byte. */
  at: number;
}

/** One DER element at `off` within `buf[.. limit]`, or undefined when malformed. */
export function readTlv(buf: Buffer, off: number, limit = buf.length): Tlv | undefined {
  const tag = buf[off];
  const first = buf[off + 1];
  if (tag === undefined || first === undefined || off + 2 > limit) return undefined;
  let len = first;
  let start = off + 2;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[start + i] ?? 0);
    start += n;
  }
  const end = start + len;
  if (end > limit) return undefined;
  return { tag, start, end, at: off };
}

/** The subject Name of a DER certificate, exactly as encoded (the issuer of what it signs). */
export function certificateSubject(der: Buffer): Buffer | undefined {
  const cert = readTlv(der, 0);
  const tbs = cert ? readTlv(der, cert.start, cert.end) : undefined;
  if (!tbs) return undefined;
  let p = tbs.start;
  const fields: Tlv[] = [];
  while (p < tbs.end && fields.length < 7) {
    const e = readTlv(der, p, tbs.end);
    if (!e) return undefined;
    fields.push(e);
    p = e.end;
  }
  // version [0] is optional; then serial, signature, issuer, validity, subject.
  const skip = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[skip + 4];
  return subject && subject.tag === 0x30 ? der.subarray(subject.at, subject.end) : undefined;
}
