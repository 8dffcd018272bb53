// Hex decoding without intermediate strings (bytea fields are decoded per row on the hot path).
const NIBBLE = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i;
  NIBBLE[97 + i] = 10 + i;
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
