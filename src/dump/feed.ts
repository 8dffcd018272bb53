// One table's COPY data on its way out: counted by CopyScan, handed to the sink's handler (with
// backpressure), closed with end(complete), and its row count recorded in the facts.
import type { ReadContext } from './context.js';
import { errText } from './context.js';
import { CopyScan } from './copy-scan.js';
import type { TableDataHandler, TableRef } from './types.js';

const LF = 0x0a;

export class TableFeed {
  readonly scan: CopyScan;
  private handler: TableDataHandler | undefined;
  private readonly baseRows: number;
  private longReported = false;
  private trailingReported = false;
  private closed = false;

  /**
   * `ref` undefined: the rows are only scanned (table unknown), never counted under a name.
   * `key` is the "schema.table" name used in rowCounts and findings.
   */
  constructor(
    private readonly ctx: ReadContext,
    readonly key: string | undefined,
    ref: TableRef | undefined,
  ) {
    this.scan = new CopyScan(ctx.opts.maxLineBytes);
    ctx.emitFacts();
    const counts = ctx.facts.rowCounts;
    this.baseRows = key !== undefined && Object.hasOwn(counts, key) ? (counts[key] ?? 0) : 0;
    if (key !== undefined && Object.hasOwn(counts, key)) {
      ctx.add('DUMP_TABLE_DUPLICATE', { table: key }, `Table ${key} has data twice in the dump`);
    }
    if (ref) {
      try {
        this.handler = ctx.sink.table(ref);
      } catch (e) {
        this.fail(e);
      }
    }
  }

  get rows(): number {
    return this.scan.rows;
  }

  /** True once the end-of-data line was seen. */
  get ended(): boolean {
    return this.scan.ended;
  }

  /**
   * Feeds buf[start..]. Returns the position in `buf` just past the end-of-data line when it is in
   * this buffer, else -1 (all of it was consumed).
   */
  async push(buf: Buffer, start: number): Promise<number> {
    if (this.scan.ended) return -1;
    let b = buf;
    let s = start;
    let shift = 0;
    const hold = this.scan.hold;
    if (hold) {
      this.scan.hold = null;
      b = Buffer.concat([hold, buf.subarray(start)]);
      s = 0;
      shift = hold.length;
    }
    const dataEnd = this.scan.scan(b, s);
    if (dataEnd > s) await this.deliver(b.subarray(s, dataEnd));
    if (this.scan.longRow > 0 && !this.longReported) await this.reportLong();
    if (!this.scan.ended) return -1;
    // Position in the caller's buffer; with held bytes, b is hold + buf[start..].
    return hold ? start + this.scan.next - shift : this.scan.next;
  }

  /**
   * Custom format: bytes of a data block after its end-of-data line. pg_dump writes blank lines
   * there; anything else is reported once.
   */
  afterEnd(buf: Buffer, start: number, where: number): void {
    if (this.trailingReported) return;
    for (let i = start; i < buf.length; i++) {
      if (buf[i] !== LF) {
        this.trailingReported = true;
        this.ctx.add(
          'DUMP_BLOCK_INVALID',
          { table: this.key, offset: where },
          `The data block of ${this.key ?? 'a table'} holds data after its end-of-COPY line`,
          { reason: 'data-after-end' },
        );
        this.ctx.damaged = true;
        return;
      }
    }
  }

  private async deliver(chunk: Buffer): Promise<void> {
    const h = this.handler;
    if (!h) return;
    try {
      const p = h.data(chunk);
      if (p) await p;
    } catch (e) {
      this.fail(e);
    }
  }

  private async reportLong(): Promise<void> {
    this.longReported = true;
    const max = this.ctx.opts.maxLineBytes;
    this.ctx.add(
      'LIMIT_EXCEEDED',
      { table: this.key, row: this.scan.longRow, limit: 'maxLineBytes' },
      `Row ${this.scan.longRow} of ${this.key ?? 'a table'} is longer than ${max} bytes; the table's rows were counted but not verified`,
      { maxLineBytes: max },
    );
    // Stop feeding the consumer: it would have to buffer the whole line.
    const h = this.handler;
    this.handler = undefined;
    if (h) await this.callEnd(h, false);
  }

  private fail(e: unknown): void {
    this.handler = undefined;
    this.ctx.add(
      'RUN_INTERNAL_ERROR',
      { table: this.key },
      `The consumer of ${this.key ?? 'a table'}'s rows failed: ${errText(e)}`,
    );
  }

  private async callEnd(h: TableDataHandler, complete: boolean): Promise<void> {
    try {
      const p = h.end(complete);
      if (p) await p;
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * Closes the table. `cut` = the data stopped early (the caller reported why); otherwise an
   * unfinished last line is reported here. Records the row count.
   */
  async end(cut: boolean, where: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.scan.ended) {
      const rest = this.scan.flushHold();
      if (rest) await this.deliver(rest);
    }
    let complete = !cut;
    if (!cut && this.scan.partial && !this.scan.ended) {
      complete = false;
      this.ctx.damaged = true;
      this.ctx.add(
        'DUMP_COPY_ROW_UNTERMINATED',
        { table: this.key, row: this.scan.rows + 1, offset: where },
        `The data of ${this.key ?? 'a table'} ends inside row ${this.scan.rows + 1} (no line end)`,
      );
    }
    if (this.key !== undefined) this.ctx.facts.rowCounts[this.key] = this.baseRows + this.scan.rows;
    const h = this.handler;
    this.handler = undefined;
    if (h) await this.callEnd(h, complete && this.scan.longRow === 0);
  }
}
