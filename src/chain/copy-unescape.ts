// COPY text unescaping into a destination buffer (PostgreSQL CopyReadAttributesText), for the
// hot path: the common case (no backslash) is one native copy, with no allocation.
const BACKSLASH = 92;

/** Unescape src[s,e) into dst at off; returns bytes written. */
export function unescapeInto(src: Buffer, s: number, e: number, dst: Buffer, off: number): number {
  let bs = src.indexOf(BACKSLASH, s);
  if (bs < 0 || bs >= e) return copySmall(src, s, e, dst, off);
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
        dst[o++] = 8; // \b
        break;
      case 102:
        dst[o++] = 12; // \f
        break;
      case 110:
        dst[o++] = 10; // \n
        break;
      case 114:
        dst[o++] = 13; // \r
        break;
      case 116:
        dst[o++] = 9; // \t
        break;
      case 118:
        dst[o++] = 11; // \v
        break;
      case 120: {
        // \xH or \xHH; a lone \x is the letter x
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
          // \o, \oo, \ooo
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

/** Buffer.copy costs ~100 ns of call overhead: a plain loop is faster for short fields. */
export function copySmall(src: Buffer, s: number, e: number, dst: Buffer, off: number): number {
  const n = e - s;
  if (n > 64) return src.copy(dst, off, s, e);
  for (let i = 0; i < n; i++) dst[off + i] = src[s + i] as number;
  return n;
}

/** Is the byte at pos preceded by an odd run of backslashes (i.e. escaped)? */
export function isEscaped(buf: Buffer, pos: number, floor: number): boolean {
  let k = 0;
  for (let i = pos - 1; i >= floor && buf[i] === BACKSLASH; i--) k++;
  return (k & 1) === 1;
}
