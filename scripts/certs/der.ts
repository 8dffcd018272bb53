// A minimal DER encoder: enough to build X.509 certificates byte by byte, including the malformed
// or unusual ones the defect fixtures need (which certificate generators refuse to make). The
// core encoder is the product's own (src/drill/der.ts); what only the fixtures need is here.
import { explicit, implicit, tlv } from '../../src/drill/der.js';

export { bitString, bool, namedBits, nul, octets, oid, seq, set, tlv, utf8 } from '../../src/drill/der.js';

export const ia5 = (s: string): Buffer => tlv(0x16, Buffer.from(s, 'ascii'));
/** [n] EXPLICIT / constructed context tag. */
export const ctx = explicit;
/** [n] IMPLICIT primitive context tag. */
export const ctxPrim = implicit;

/** INTEGER from a non-negative bigint (minimal, with a sign byte when needed) or raw content octets. */
export function int(v: bigint | Buffer): Buffer {
  if (Buffer.isBuffer(v)) return tlv(0x02, v);
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let b = Buffer.from(hex, 'hex');
  if ((b[0] ?? 0) & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
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
