// Collects the rows of the small tables the cross-checks read (devices, artifacts, trust_state,
// secrets), unescaped, with a bound on rows and bytes so a hostile dump cannot exhaust memory.
import type { Findings } from '../findings/collector.js';
import type { TableDataHandler, TableRef } from '../dump/types.js';
import { unescapeInto } from '../chain/copy-unescape.js';

export type Row = Record<string, Buffer | null>;

export interface CollectedTable {
  ref: TableRef;
  rows: Row[];
  complete: boolean;
  truncatedByLimit: boolean;
}

export class TableRowsCollector implements TableDataHandler {
  readonly table: CollectedTable;
  private carry: Buffer | undefined;
  private bytes = 0;
  constructor(
    ref: TableRef,
    private readonly findings: Findings,
    private readonly maxRows: number,
    private readonly maxBytes: number,
  ) {
    this.table = { ref, rows: [], complete: false, truncatedByLimit: false };
  }

  data(chunk: Buffer): void {
    if (this.table.truncatedByLimit) return;
    let buf = chunk;
    if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      this.line(buf, start, nl);
      start = nl + 1;
      if (this.table.truncatedByLimit) return;
    }
    if (start < buf.length) this.carry = Buffer.from(buf.subarray(start));
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) this.limit('maxTableBytes');
  }

  end(complete: boolean): void {
    this.table.complete = complete && (this.carry === undefined || this.carry.length === 0);
    this.carry = undefined;
  }

  private limit(name: string): void {
    if (this.table.truncatedByLimit) return;
    this.table.truncatedByLimit = true;
    const t = `${this.table.ref.schema}.${this.table.ref.name}`;
    this.findings.add(
      'LIMIT_EXCEEDED',
      { table: t, row: this.table.rows.length, limit: name },
      `${t} has more rows or bytes than the cross-checks keep in memory (${name}); rows after ${this.table.rows.length} were not cross-checked`,
    );
  }

  private line(buf: Buffer, s: number, e: number): void {
    if (this.table.rows.length >= this.maxRows) {
      this.limit('maxTableRows');
      return;
    }
    const cols = this.table.ref.columns;
    const row: Row = {};
    let p = s;
    for (let i = 0; i < cols.length; i++) {
      let t = buf.indexOf(9, p);
      if (t < 0 || t > e) t = e;
      const name = cols[i] as string;
      if (t - p === 2 && buf[p] === 92 && buf[p + 1] === 78) row[name] = null;
      else {
        const out = Buffer.allocUnsafe(t - p);
        const n = unescapeInto(buf, p, t, out, 0);
        row[name] = out.subarray(0, n);
      }
      p = t + 1;
    }
    this.table.rows.push(row);
  }
}

export function text(v: Buffer | null | undefined): string | null {
  return v === null || v === undefined ? null : v.toString('utf8');
}
