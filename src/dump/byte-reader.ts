// A pull reader over an async stream of chunks. The custom format is a sequence of small typed
// fields, so it is read field by field; the hot paths (data chunk headers) have synchronous
// variants that avoid an await whenever the bytes are already in the current chunk.

const EMPTY = Buffer.alloc(0);

export interface ReaderStops {
  /** Stop after this many bytes (a bound); `limited` tells when it was hit. */
  maxBytes?: number;
  signal?: AbortSignal;
}

export class ByteReader {
  private cur: Buffer = EMPTY;
  private pos = 0;
  /** Absolute offset of cur[0] in the stream. */
  private base = 0;
  private done = false;
  /** Set when the input iterator threw; the stream is treated as ended there. */
  inputError: unknown = undefined;
  /** True when reading stopped at the maxBytes bound (not at the real end). */
  limited = false;
  /** True when reading stopped because the signal was aborted. */
  aborted = false;

  constructor(
    private readonly it: AsyncIterator<Buffer | Uint8Array>,
    private readonly stops: ReaderStops = {},
  ) {}

  /** Absolute offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** True when the stream ended for a reason other than its real end (bound, abort). */
  get stopped(): boolean {
    return this.limited || this.aborted;
  }

  /** Bytes readable synchronously from the current chunk. */
  get available(): number {
    return this.cur.length - this.pos;
  }

  /** Makes at least one byte available; false at the end of input. */
  async more(): Promise<boolean> {
    while (this.pos >= this.cur.length) {
      if (this.done) return false;
      if (this.stops.signal?.aborted) {
        this.aborted = true;
        this.done = true;
        return false;
      }
      let r: IteratorResult<Buffer | Uint8Array>;
      try {
        r = await this.it.next();
      } catch (e) {
        this.inputError = e;
        this.done = true;
        return false;
      }
      if (r.done) {
        this.done = true;
        // The source ended because the signal stopped it (a bound upstream): not the real end.
        if (this.stops.signal?.aborted) this.aborted = true;
        return false;
      }
      const v = r.value;
      let chunk = Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      const newBase = this.base + this.cur.length;
      const max = this.stops.maxBytes;
      if (max !== undefined && newBase + chunk.length > max) {
        chunk = chunk.subarray(0, Math.max(0, max - newBase));
        this.limited = true;
        this.done = true;
      }
      this.base = newBase;
      this.cur = chunk;
      this.pos = 0;
    }
    return true;
  }

  /** Up to `n` bytes without consuming them (fewer only at the end of input). */
  async peek(n: number): Promise<Buffer> {
    if (this.available >= n) return this.cur.subarray(this.pos, this.pos + n);
    const parts: Buffer[] = [this.cur.subarray(this.pos)];
    let have = this.available;
    const start = this.offset;
    this.pos = this.cur.length;
    while (have < n && (await this.more())) {
      parts.push(this.cur);
      have += this.cur.length;
      this.pos = this.cur.length;
    }
    // Re-seat the merged bytes as the current chunk (only done while sniffing: small and rare).
    this.cur = Buffer.concat(parts);
    this.base = start;
    this.pos = 0;
    return this.cur.subarray(0, Math.min(n, this.cur.length));
  }

  /** The rest of the current chunk, or the next chunk; null at the end of input. */
  async nextChunk(): Promise<Buffer | null> {
    if (this.pos >= this.cur.length && !(await this.more())) return null;
    const b = this.pos === 0 ? this.cur : this.cur.subarray(this.pos);
    this.pos = this.cur.length;
    return b;
  }

  /** Exactly `n` contiguous bytes, or null when the input ends first (what was there is consumed). */
  async read(n: number): Promise<Buffer | null> {
    if (this.available >= n) {
      const b = this.cur.subarray(this.pos, this.pos + n);
      this.pos += n;
      return b;
    }
    const out = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      if (this.pos >= this.cur.length && !(await this.more())) return null;
      const take = Math.min(n - got, this.cur.length - this.pos);
      this.cur.copy(out, got, this.pos, this.pos + take);
      this.pos += take;
      got += take;
    }
    return out;
  }

  /** One byte, or -1 at the end of input. */
  async readByte(): Promise<number> {
    if (this.pos >= this.cur.length && !(await this.more())) return -1;
    const b = this.cur[this.pos] ?? -1;
    this.pos++;
    return b;
  }

  /**
   * pg_backup_archiver.c ReadInt: a sign byte (non-zero = negative) then `intSize` bytes, least
   * significant first. Synchronous; undefined when the bytes are not all in the current chunk.
   */
  readIntSync(intSize: number): number | undefined {
    if (this.available < intSize + 1) return undefined;
    const v = decodeInt(this.cur, this.pos, intSize);
    this.pos += intSize + 1;
    return v;
  }

  /** ReadInt; null when the input ends first. */
  async readInt(intSize: number): Promise<number | null> {
    const sync = this.readIntSync(intSize);
    if (sync !== undefined) return sync;
    const b = await this.read(intSize + 1);
    return b === null ? null : decodeInt(b, 0, intSize);
  }

  /** Skips `n` bytes; returns how many were skipped (fewer only at the end of input). */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.pos >= this.cur.length && !(await this.more())) break;
      const take = Math.min(left, this.cur.length - this.pos);
      this.pos += take;
      left -= take;
    }
    return n - left;
  }

  /** Hands the next `n` bytes to `fn` as slices of the input (no copy); returns bytes delivered. */
  async forEachSlice(n: number, fn: (b: Buffer) => void | Promise<void>): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.pos >= this.cur.length && !(await this.more())) break;
      const take = Math.min(left, this.cur.length - this.pos);
      const b = this.cur.subarray(this.pos, this.pos + take);
      this.pos += take;
      left -= take;
      const p = fn(b);
      if (p) await p;
    }
    return n - left;
  }

  /** Synchronous access for hot loops: the current chunk and position. */
  get chunk(): Buffer {
    return this.cur;
  }
  get chunkPos(): number {
    return this.pos;
  }
  advance(n: number): void {
    this.pos += n;
  }

  /** Consumes the rest of the input (the caller upstream may be waiting on backpressure). */
  async drain(): Promise<number> {
    let n = this.available;
    this.pos = this.cur.length;
    while (await this.more()) {
      n += this.cur.length;
      this.pos = this.cur.length;
    }
    return n;
  }
}

/** Decodes a ReadInt value. Magnitudes past 2^53 lose precision; bounds checks reject them anyway. */
export function decodeInt(b: Buffer, at: number, intSize: number): number {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < intSize; i++) {
    v += (b[at + 1 + i] ?? 0) * mul;
    mul *= 256;
  }
  return (b[at] ?? 0) !== 0 ? -v : v;
}
