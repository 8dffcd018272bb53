// COPY text format helpers, decoding exactly as PostgreSQL's COPY FROM does (copyfromparse.c
// CopyReadLineText / CopyReadAttributesText, text format, tab delimiter, NULL marker \N), and
// bytea text input (varlena.c byteain). Built for millions of rows per second: positions instead
// of strings, subarrays instead of copies whenever a field has no backslash.

const LF = 0x0a;
const TAB = 0x09;
const BSLASH = 0x5c;

/** The NULL marker, "\N". */
export const COPY_NULL: Buffer = Buffer.from('\\N', 'latin1');

/** True when the raw field text is exactly "\N" (NULL); any other text, even "\\N", is a value. */
export function isNullField(buf: Buffer, start: number, end: number): boolean {
  return end - start === 2 && buf[start] === BSLASH && buf[start + 1] === 0x4e;
}

/**
 * Splits one row (buf[start, end), without its line end) into fields on unescaped tabs.
 * Fills `out` with start/end pairs ([s0, e0, s1, e1, ...], raw, still escaped) and returns the
 * number of fields. A backslash escapes the byte after it, a tab included (CopyReadAttributesText).
 */
export function splitFields(buf: Buffer, start: number, end: number, out: number[]): number {
  let n = 0;
  let fieldStart = start;
  // Searches stay inside the row: one without a tab must not scan the rest of a large buffer.
  const row = buf.subarray(start, end);
  const bs = row.indexOf(BSLASH);
  if (bs < 0) {
    // No backslash: every tab is a delimiter.
    for (;;) {
      const r = row.indexOf(TAB, fieldStart - start);
      const t = r < 0 ? -1 : r + start;
      if (t < 0) break;
      out[n * 2] = fieldStart;
      out[n * 2 + 1] = t;
      n++;
      fieldStart = t + 1;
    }
  } else {
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c === BSLASH) i++;
      else if (c === TAB) {
        out[n * 2] = fieldStart;
        out[n * 2 + 1] = i;
        n++;
        fieldStart = i + 1;
      }
    }
  }
  out[n * 2] = fieldStart;
  out[n * 2 + 1] = end;
  return n + 1;
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

function isOctal(c: number | undefined): c is number {
  return c !== undefined && c >= 0x30 && c <= 0x37;
}

/**
 * Decodes one raw COPY field. Returns null for NULL ("\N"), a subarray of `buf` (no copy) when
 * the field has no backslash, else a new Buffer. Escapes: \b \f \n \r \t \v, \ooo octal (1–3
 * digits), \xh or \xhh hex (1–2 digits; "\x" without a hex digit is "x"), and a backslash before
 * any other byte stands for that byte. A lone backslash at the very end is dropped, as PostgreSQL
 * does. (PostgreSQL then rejects bytes invalid in the database encoding; that check is not made.)
 */
export function unescapeField(buf: Buffer, start: number, end: number): Buffer | null {
  const first = buf.indexOf(BSLASH, start);
  if (first < 0 || first >= end) return buf.subarray(start, end);
  if (end - start === 2 && buf[start + 1] === 0x4e && first === start) return null;
  const out = Buffer.allocUnsafe(end - start);
  const o = buf.copy(out, 0, start, first);
  return out.subarray(0, decodeEscapes(buf, first, end, out, o));
}

/**
 * unescapeField into a caller's buffer (no allocation): writes the decoded field at dst[off] and
 * returns its length, or -1 for NULL. dst needs end - start bytes free (decoding never grows).
 */
export function unescapeFieldInto(buf: Buffer, start: number, end: number, dst: Buffer, off: number): number {
  if (isNullField(buf, start, end)) return -1;
  const first = buf.indexOf(BSLASH, start);
  if (first < 0 || first >= end) return buf.copy(dst, off, start, end);
  const o = buf.copy(dst, off, start, first);
  return decodeEscapes(buf, first, end, dst, off + o) - off;
}

/** Decodes buf[i, end) (i at a backslash) into out from position o; returns the end position in out. */
function decodeEscapes(buf: Buffer, i: number, end: number, out: Buffer, o: number): number {
  while (i < end) {
    const bs = buf.indexOf(BSLASH, i);
    if (bs < 0 || bs >= end) {
      o += buf.copy(out, o, i, end);
      break;
    }
    if (bs > i) o += buf.copy(out, o, i, bs);
    i = bs + 1;
    if (i >= end) break;
    let c = buf[i++] ?? 0;
    switch (c) {
      case 0x30:
      case 0x31:
      case 0x32:
      case 0x33:
      case 0x34:
      case 0x35:
      case 0x36:
      case 0x37: {
        let v = c - 0x30;
        const d2 = i < end ? buf[i] : undefined;
        if (isOctal(d2)) {
          i++;
          v = (v << 3) + (d2 - 0x30);
          const d3 = i < end ? buf[i] : undefined;
          if (isOctal(d3)) {
            i++;
            v = (v << 3) + (d3 - 0x30);
          }
        }
        c = v & 0xff;
        break;
      }
      case 0x78: {
        // x
        const h1 = i < end ? hexVal(buf[i] ?? 0) : -1;
        if (h1 >= 0) {
          i++;
          let v = h1;
          const h2 = i < end ? hexVal(buf[i] ?? 0) : -1;
          if (h2 >= 0) {
            i++;
            v = (v << 4) + h2;
          }
          c = v;
        }
        break;
      }
      case 0x62:
        c = 0x08; // \b
        break;
      case 0x66:
        c = 0x0c; // \f
        break;
      case 0x6e:
        c = 0x0a; // \n
        break;
      case 0x72:
        c = 0x0d; // \r
        break;
      case 0x74:
        c = 0x09; // \t
        break;
      case 0x76:
        c = 0x0b; // \v
        break;
      default:
        break; // any other byte: itself
    }
    out[o++] = c;
  }
  return o;
}

function isHexBlank(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/** bytea hex form "\x…" (after COPY unescape) from text[start, end); undefined when invalid. */
function decodeHex(text: Buffer, start: number, end: number): Buffer | undefined {
  const out = Buffer.allocUnsafe((end - start) >>> 1);
  let o = 0;
  let i = start;
  while (i < end) {
    const c = text[i] ?? 0;
    if (isHexBlank(c)) {
      i++;
      continue;
    }
    const h1 = hexVal(c);
    if (h1 < 0 || i + 1 >= end) return undefined;
    const h2 = hexVal(text[i + 1] ?? 0);
    if (h2 < 0) return undefined;
    out[o++] = (h1 << 4) | h2;
    i += 2;
  }
  return out.subarray(0, o);
}

/**
 * bytea text input (byteain) from its text, i.e. a COPY field AFTER unescapeField: hex form
 * "\x0a1b…" (blanks between byte pairs allowed), or escape form where "\\" is a backslash,
 * "\ooo" (first digit 0–3) an octal byte and any other byte itself. Undefined when invalid.
 */
export function decodeBytea(text: Buffer): Buffer | undefined {
  const n = text.length;
  if (n >= 2 && text[0] === BSLASH && text[1] === 0x78) return decodeHex(text, 2, n);
  const first = text.indexOf(BSLASH);
  if (first < 0) return text;
  const out = Buffer.allocUnsafe(n);
  let o = text.copy(out, 0, 0, first);
  let i = first;
  while (i < n) {
    const c = text[i] ?? 0;
    if (c !== BSLASH) {
      out[o++] = c;
      i++;
      continue;
    }
    const a = text[i + 1];
    const b = text[i + 2];
    const d = text[i + 3];
    if (a !== undefined && a >= 0x30 && a <= 0x33 && isOctal(b) && isOctal(d)) {
      out[o++] = ((a - 0x30) << 6) | ((b - 0x30) << 3) | (d - 0x30);
      i += 4;
    } else if (a === BSLASH) {
      out[o++] = BSLASH;
      i += 2;
    } else return undefined;
  }
  return out.subarray(0, o);
}

/**
 * A bytea column straight from its raw COPY field: null for NULL, undefined when invalid. The
 * usual hex form ("\\x…" in the COPY text) is decoded in one pass without an intermediate copy.
 */
export function decodeByteaField(buf: Buffer, start: number, end: number): Buffer | null | undefined {
  if (isNullField(buf, start, end)) return null;
  if (end - start >= 3 && buf[start] === BSLASH && buf[start + 1] === BSLASH && buf[start + 2] === 0x78) {
    const next = buf.indexOf(BSLASH, start + 3);
    if (next < 0 || next >= end) return decodeHex(buf, start + 3, end);
  }
  const text = unescapeField(buf, start, end);
  return text === null ? null : decodeBytea(text);
}

/** bytea output in hex form ("\x…", lower case), the text COPY then escapes. */
export function encodeByteaHex(bytes: Buffer): Buffer {
  return Buffer.from(`\\x${bytes.toString('hex')}`, 'latin1');
}

/** One field as COPY TO writes it (CopyAttributeOutText, tab delimiter); null gives "\N". */
export function encodeCopyField(value: Buffer | null): Buffer {
  if (value === null) return Buffer.from(COPY_NULL);
  const out = Buffer.allocUnsafe(value.length * 2);
  let o = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? 0;
    if (c < 0x20) {
      let e = -1;
      switch (c) {
        case 0x08:
          e = 0x62;
          break;
        case 0x0c:
          e = 0x66;
          break;
        case 0x0a:
          e = 0x6e;
          break;
        case 0x0d:
          e = 0x72;
          break;
        case 0x09:
          e = 0x74;
          break;
        case 0x0b:
          e = 0x76;
          break;
        default:
          break;
      }
      if (e >= 0) {
        out[o++] = BSLASH;
        out[o++] = e;
      } else out[o++] = c;
    } else if (c === BSLASH) {
      out[o++] = BSLASH;
      out[o++] = BSLASH;
    } else out[o++] = c;
  }
  return out.subarray(0, o);
}

/**
 * Splits COPY text chunks (as a TableDataHandler receives them: lines may span chunks) into rows,
 * with the same rule as the reader's row count: a row ends at a newline not escaped by an odd run
 * of backslashes. `onRow` gets the row without its newline; the buffer may be a chunk (no copy) or
 * a joined line, and must not be kept past the call unless copied. Rows longer than
 * `maxLineBytes` are skipped and reported to `onLongRow`.
 */
export class CopyRowSplitter {
  /** Complete rows seen so far (row numbers are 1-based). */
  rows = 0;
  private carry: Buffer[] = [];
  private carryLen = 0;
  private escapeNext = false;
  private skipping = false;

  constructor(
    private readonly onRow: (buf: Buffer, start: number, end: number, row: number) => void,
    private readonly maxLineBytes = Number.POSITIVE_INFINITY,
    private readonly onLongRow?: (row: number) => void,
  ) {}

  push(chunk: Buffer): void {
    let p = 0;
    const n = chunk.length;
    while (p < n) {
      const nl = chunk.indexOf(LF, p);
      if (nl < 0) {
        this.escapeNext = oddRun(chunk, p, n, this.escapeNext);
        this.keep(chunk, p, n);
        return;
      }
      const escaped =
        nl > p ? chunk[nl - 1] === BSLASH && oddRun(chunk, p, nl, this.escapeNext) : this.escapeNext;
      this.escapeNext = false;
      if (escaped) {
        this.keep(chunk, p, nl + 1);
        p = nl + 1;
        continue;
      }
      const row = ++this.rows;
      if (this.skipping) {
        this.skipping = false;
      } else if (this.carryLen === 0) {
        if (nl - p > this.maxLineBytes) this.onLongRow?.(row);
        else this.onRow(chunk, p, nl, row);
      } else {
        const len = this.carryLen + nl - p;
        if (len > this.maxLineBytes) this.onLongRow?.(row);
        else {
          this.carry.push(chunk.subarray(p, nl));
          const line = Buffer.concat(this.carry, len);
          this.onRow(line, 0, line.length, row);
        }
      }
      this.carry = [];
      this.carryLen = 0;
      p = nl + 1;
    }
  }

  private keep(chunk: Buffer, from: number, to: number): void {
    if (this.skipping || to === from) return;
    if (this.carryLen + (to - from) > this.maxLineBytes) {
      this.skipping = true;
      this.onLongRow?.(this.rows + 1);
      this.carry = [];
      this.carryLen = 0;
      return;
    }
    this.carry.push(chunk.subarray(from, to));
    this.carryLen += to - from;
  }

  /** Ends the data; true when no unfinished row was left over. */
  end(): boolean {
    const whole = this.carryLen === 0 && !this.skipping;
    this.carry = [];
    this.carryLen = 0;
    this.skipping = false;
    this.escapeNext = false;
    return whole;
  }
}

/** Whether buf[from, to) ends in an odd run of backslashes, continuing the parity `before`. */
function oddRun(buf: Buffer, from: number, to: number, before: boolean): boolean {
  let i = to - 1;
  while (i >= from && buf[i] === BSLASH) i--;
  const run = to - 1 - i;
  return i < from ? (run % 2 === 1) !== before : run % 2 === 1;
}
