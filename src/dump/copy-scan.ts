// The hot loop over a table's COPY text: counts rows, finds the end-of-data line, measures lines.
// Rows end at a newline that is not escaped: as in PostgreSQL's CopyReadLineText, a backslash
// escapes the byte after it, so "\<LF>" continues the line (pg_dump never writes that; a corrupt
// or crafted dump may). The end of data is a line that is exactly "\." (LF or CRLF), as psql
// reads a plain dump and as pg_dump writes it at the end of each custom-format data block.
// No allocation per row: one Buffer.indexOf per line, one byte check for the escape case.

const LF = 0x0a;
const CR = 0x0d;
const BSLASH = 0x5c;
const DOT = 0x2e;

export class CopyScan {
  /** Complete rows seen. */
  rows = 0;
  /** Bytes of the current, unfinished line. */
  lineBytes = 0;
  /** Set once the "\." line has been found. */
  ended = false;
  /** After `ended`: position just past the end-of-data line in the buffer last scanned. */
  next = 0;
  /** Bytes held back because they may begin the end-of-data line ("\", "\.", "\.\r"). */
  hold: Buffer | null = null;
  /** Row number (1-based) of the first line longer than maxLineBytes; 0 while none. */
  longRow = 0;

  private atLineStart = true;
  /** The bytes before the scan position end in an odd run of backslashes (the next byte is escaped). */
  private escapeNext = false;

  constructor(private readonly maxLineBytes: number) {}

  /** True when an unfinished line (or held bytes) remains. */
  get partial(): boolean {
    return this.lineBytes > 0 || this.hold !== null;
  }

  /**
   * Scans buf[start..]. Returns the end of row data in it: everything in [start, result) is COPY
   * rows. When the end-of-data line was found, `ended` is set and `next` is just past it. Bytes
   * that may begin that line at the very end of `buf` are moved to `hold` (not part of the result);
   * the caller prepends them to the next buffer.
   */
  scan(buf: Buffer, start: number): number {
    const end = buf.length;
    let p = start;
    while (p < end) {
      if (this.atLineStart) {
        if (buf[p] === BSLASH) {
          const t = terminatorAt(buf, p, end);
          if (t > 0) {
            this.ended = true;
            this.next = p + t;
            return p;
          }
          if (t < 0) {
            this.hold = Buffer.from(buf.subarray(p, end));
            return p;
          }
        }
        this.atLineStart = false;
      }
      const nl = buf.indexOf(LF, p);
      if (nl < 0) {
        this.escapeNext = trailingOddBackslashes(buf, p, end, this.escapeNext);
        this.lineBytes += end - p;
        if (this.lineBytes > this.maxLineBytes && this.longRow === 0) this.longRow = this.rows + 1;
        return end;
      }
      if (
        nl > p
          ? buf[nl - 1] === BSLASH && trailingOddBackslashes(buf, p, nl, this.escapeNext)
          : this.escapeNext
      ) {
        // An escaped newline: part of the current line.
        this.escapeNext = false;
        this.lineBytes += nl + 1 - p;
        p = nl + 1;
        continue;
      }
      this.lineBytes += nl - p;
      if (this.lineBytes > this.maxLineBytes && this.longRow === 0) this.longRow = this.rows + 1;
      this.rows++;
      this.lineBytes = 0;
      this.escapeNext = false;
      this.atLineStart = true;
      p = nl + 1;
    }
    return end;
  }

  /**
   * At the end of the data: what the held bytes were. "\." alone (no line end) is taken as the
   * end-of-data line; anything else is returned as data of an unfinished last line.
   */
  flushHold(): Buffer | null {
    const h = this.hold;
    this.hold = null;
    if (!h) return null;
    if (h.length === 2 && h[0] === BSLASH && h[1] === DOT) {
      this.ended = true;
      return null;
    }
    this.atLineStart = false;
    this.lineBytes += h.length;
    return h;
  }
}

/** Length of "\.\n" or "\.\r\n" at p (3 or 4), 0 when not there, -1 when buf ends too soon to tell. */
function terminatorAt(buf: Buffer, p: number, end: number): number {
  if (p + 1 >= end) return -1;
  if (buf[p + 1] !== DOT) return 0;
  if (p + 2 >= end) return -1;
  const c = buf[p + 2];
  if (c === LF) return 3;
  if (c !== CR) return 0;
  if (p + 3 >= end) return -1;
  return buf[p + 3] === LF ? 4 : 0;
}

/** Whether buf[from, to) ends in an odd run of backslashes, continuing the parity `before` of what precedes `from`. */
function trailingOddBackslashes(buf: Buffer, from: number, to: number, before: boolean): boolean {
  let i = to - 1;
  while (i >= from && buf[i] === BSLASH) i--;
  const run = to - 1 - i;
  return i < from ? (run % 2 === 1) !== before : run % 2 === 1;
}
