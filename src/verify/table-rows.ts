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
  /** The start of a line not yet ended, in pieces (joined once, when its newline comes). */
  private carry: Buffer[] = [];
  private carryLen = 0;
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
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      this.limit('maxTableBytes');
      return;
    }
    let start = 0;
    let nl = chunk.indexOf(10);
    if (nl >= 0 && this.carryLen > 0) {
      const line = Buffer.concat([...this.carry, chunk.subarray(0, nl)]);
      this.carry = [];
      this.carryLen = 0;
      this.line(line, 0, line.length);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    while (nl >= 0) {
      if (this.table.truncatedByLimit) return;
      this.line(chunk, start, nl);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      this.carry.push(Buffer.from(chunk.subarray(start)));
      this.carryLen += chunk.length - start;
    }
  }

  end(complete: boolean): void {
    this.table.complete = complete && this.carryLen === 0;
    this.carry = [];
    this.carryLen = 0;
  }

  private limit(name: string): void {
    if (this.table.truncatedByLimit) return;
    this.table.truncatedByLimit = true;
    const t = `${this.table.ref.schema}.${this.table.ref.name}`;
    this.findings.add(
      'LIMIT_EXCEEDED',
      { table: t, row: this.table.rows.length, limit: name },
      `${t} has more rows or bytes than the cross-checks keep in memory (${name} = ${name === 'maxTableRows' ? this.maxRows : this.maxBytes}); rows after ${this.table.rows.length} were not cross-checked`,
    );
  }

  private line(buf: Buffer, s: number, e: number): void {
    if (this.table.rows.length >= this.maxRows) {
      this.limit('maxTableRows');
      return;
    }
    const cols = this.table.ref.columns;
    const row: Row = {};
    // Searches stay inside the line: a tab-less line must not scan the rest of the chunk.
    const line = buf.subarray(s, e);
    const len = line.length;
    let p = 0;
    for (let i = 0; i < cols.length; i++) {
      const name = cols[i] as string;
      if (p > len) {
        row[name] = null; // fewer fields than columns
        continue;
      }
      let t = line.indexOf(9, p);
      if (t < 0) t = len;
      if (t - p === 2 && line[p] === 92 && line[p + 1] === 78) row[name] = null;
      else {
        const out = Buffer.allocUnsafe(t - p);
        const n = unescapeInto(line, p, t, out, 0);
        // one Buffer per field when nothing was unescaped (most fields): 100,000 rows add up
        row[name] = n === out.length ? out : out.subarray(0, n);
      }
      p = t + 1;
    }
    this.table.rows.push(row);
  }
}

export function text(v: Buffer | null | undefined): string | null {
  return v === null || v === undefined ? null : v.toString('utf8');
}
