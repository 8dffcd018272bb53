// The byte source of the pass: a pull-based reader that can peek at the first bytes (to detect
// the container by magic) and replay them, hashing what it pulls.

function toBuffer(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Pulls chunks from an async iterable; each chunk is seen once by `onChunk` (hashing). */
export class ChunkSource {
  private readonly it: AsyncIterator<Uint8Array>;
  private replay: Buffer[] = [];
  private replayLen = 0;
  private inflight: Promise<unknown> | undefined;
  ended = false;
  /** The error the underlying iterable threw, if any. */
  error: unknown;
  /** Bytes pulled from the underlying iterable. */
  bytes = 0;

  constructor(
    src: AsyncIterable<Uint8Array>,
    private readonly onChunk?: (b: Buffer) => void,
  ) {
    this.it = src[Symbol.asyncIterator]();
  }

  private pull(): Promise<Buffer | undefined> {
    const p = (async (): Promise<Buffer | undefined> => {
      if (this.ended) return undefined;
      try {
        const r = await this.it.next();
        if (r.done === true) {
          this.ended = true;
          return undefined;
        }
        const b = toBuffer(r.value);
        this.bytes += b.length;
        this.onChunk?.(b);
        return b;
      } catch (e) {
        this.ended = true;
        this.error = e;
        throw e;
      }
    })();
    this.inflight = p.catch(() => undefined);
    return p;
  }

  /** At least n bytes (fewer only at the end), kept to be replayed by `chunks()`. */
  async peek(n: number): Promise<Buffer> {
    while (this.replayLen < n && !this.ended) {
      const b = await this.pull();
      if (b) {
        this.replay.push(b);
        this.replayLen += b.length;
      }
    }
    return Buffer.concat(this.replay, this.replayLen);
  }

  async *chunks(): AsyncGenerator<Buffer, void, undefined> {
    while (this.replay.length > 0) {
      const b = this.replay.shift();
      if (b) {
        this.replayLen -= b.length;
        yield b;
      }
    }
    while (true) {
      const b = await this.pull();
      if (!b) return;
      yield b;
    }
  }

  /** Reads whatever the pass left unread (for the hash of the whole file). Never throws. */
  async drain(): Promise<void> {
    await this.inflight;
    this.replay = [];
    this.replayLen = 0;
    try {
      while (!this.ended) await this.pull();
    } catch {
      // recorded in `error`
    }
  }

  /** Stop the underlying iterable (closes a file stream). */
  async close(): Promise<void> {
    await this.inflight;
    try {
      await this.it.return?.();
    } catch {
      // nothing to do
    }
  }
}
