// Hex decoding without intermediate strings (bytea fields are decoded per row on the hot path).
const NIBBLE = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i;
  NIBBLE[97 + i] = 10 + i;
}

/** PAIR[(a << 8) | b] = the byte of hex digits a, b; -1 when either is not a hex digit. */
const PAIR = new Int16Array(65536).fill(-1);
for (let a = 0; a < 256; a++)
  for (let b = 0; b < 256; b++) {
    const hi = NIBBLE[a] as number;
    const lo = NIBBLE[b] as number;
    if (hi >= 0 && lo >= 0) PAIR[(a << 8) | b] = (hi << 4) | lo;
  }

/**
 * Decode 64 hex digits at `start` of the DataView `src` into dst[off, off + 32); false on a bad
 * digit. Four digits per load through the DataView and a 64K-entry pair table: measured 30 ns
 * against 50 ns for the nibble loop (two such decodes per audit record).
 */
export function hex32Into(src: DataView, start: number, dst: Buffer, off: number): boolean {
  let bad = 0;
  for (let i = 0; i < 16; i++) {
    const w = src.getUint32(start + 4 * i);
    const a = PAIR[w >>> 16] as number;
    const b = PAIR[w & 0xffff] as number;
    bad |= a | b;
    dst[off + 2 * i] = a;
    dst[off + 2 * i + 1] = b;
  }
  return bad >= 0;
}

/** Decode hex src[start, end) into dst at off. Returns bytes written, or -1 on a bad digit/odd length. */
export function hexInto(src: Buffer, start: number, end: number, dst: Buffer, off: number): number {
  const n = end - start;
  if (n & 1) return -1;
  let o = off;
  for (let i = start; i < end; i += 2) {
    const hi = NIBBLE[src[i] as number] as number;
    const lo = NIBBLE[src[i + 1] as number] as number;
    if (hi < 0 || lo < 0) return -1;
    dst[o++] = (hi << 4) | lo;
  }
  return o - off;
}

/** True when a 32-byte digest given as a one-char-per-byte string (crypto.hash's 'binary'
 *  output) equals buf[off, off + 32). */
export function digestEquals(digest: string, buf: Buffer, off: number): boolean {
  if (digest.length !== 32) return false;
  for (let i = 0; i < 32; i++) if (digest.charCodeAt(i) !== buf[off + i]) return false;
  return true;
}
