// Consecutive findings of one code at consecutive seqs become one ranged finding, so a
// renumbered tail of a million records is one finding (seq..seqTo, count), not a million.
import type { Findings } from '../findings/collector.js';
import type { JsonValue, Location } from '../findings/types.js';
import type { ChainCode } from './codes.js';

export interface ChainEvent {
  code: ChainCode;
  seq: number;
  /** Last seq of the event's own range (gaps); defaults to seq. */
  seqTo?: number;
  row?: number;
  detail: { [k: string]: JsonValue };
}

const MERGEABLE = new Set<ChainCode>([
  'CHAIN_RECORD_ALTERED',
  'CHAIN_LINK_BROKEN',
  'CHAIN_REORDERED',
  'CHAIN_TIME_BACKWARDS',
  'CHAIN_DUPLICATE_SEQ',
  'CHAIN_ROW_MALFORMED',
]);

interface Open {
  first: ChainEvent;
  to: number;
  count: number;
}

export class ChainCoalescer {
  private open = new Map<ChainCode, Open>();
  private openRows: { first: ChainEvent; rows: number; lastRow: number; mixed: boolean } | undefined;
  /** Every event, before coalescing, counted per code (for the summary). */
  readonly counts: Partial<Record<ChainCode, number>> = {};
  constructor(
    private readonly findings: Findings,
    private readonly table: string,
  ) {}

  emit(e: ChainEvent): void {
    this.counts[e.code] = (this.counts[e.code] ?? 0) + 1;
    if (e.code === 'CHAIN_ROW_MALFORMED' && e.detail['seqUnknown'] === true && e.row !== undefined) {
      this.unreadable(e, e.row);
      return;
    }
    if (!MERGEABLE.has(e.code)) {
      this.write(e, e.seqTo ?? e.seq, 1);
      return;
    }
    const o = this.open.get(e.code);
    if (o && (e.seq === o.to + 1 || (e.seq === o.to && e.code === 'CHAIN_DUPLICATE_SEQ'))) {
      o.to = e.seq;
      o.count++;
      return;
    }
    if (o) this.write(o.first, o.to, o.count);
    this.open.set(e.code, { first: e, to: e.seq, count: 1 });
  }

  /** Unreadable rows (no seq) at consecutive row numbers become one finding over the rows, also
   *  across blocks: a corrupt stretch of a dump is one finding, not one per line. */
  private unreadable(e: ChainEvent, row: number): void {
    const rows = typeof e.detail['rows'] === 'number' ? e.detail['rows'] : 1;
    const o = this.openRows;
    if (o && row === o.lastRow + 1) {
      o.rows += rows;
      o.lastRow = row + rows - 1;
      if (e.detail['mixedReasons'] === true || e.detail['reason'] !== o.first.detail['reason'])
        o.mixed = true;
      return;
    }
    this.closeRows();
    this.openRows = { first: e, rows, lastRow: row + rows - 1, mixed: e.detail['mixedReasons'] === true };
  }

  private closeRows(): void {
    const o = this.openRows;
    if (!o) return;
    this.openRows = undefined;
    const d: { [k: string]: JsonValue } = { ...o.first.detail };
    if (o.rows > 1) {
      d['rows'] = o.rows;
      d['lastRow'] = o.lastRow;
    }
    if (o.mixed) d['mixedReasons'] = true;
    this.write({ ...o.first, detail: d }, o.first.seq, 1);
  }

  flush(): void {
    for (const o of this.open.values()) this.write(o.first, o.to, o.count);
    this.open.clear();
    this.closeRows();
  }

  private write(e: ChainEvent, to: number, count: number): void {
    const loc: Location = { table: this.table };
    if (e.detail['seqUnknown'] !== true) {
      loc.seq = e.seq;
      if (to !== e.seq) loc.seqTo = to;
    }
    if (e.row !== undefined) loc.row = e.row;
    const detail = count > 1 ? { ...e.detail, records: count } : e.detail;
    this.findings.add(e.code, loc, describe(e, to, count), detail);
  }
}

function range(from: number, to: number): string {
  return from === to ? `seq ${from}` : `seq ${from}..${to}`;
}

function describe(e: ChainEvent, to: number, count: number): string {
  const r = range(e.seq, to);
  const n = count > 1 ? ` (${count} records)` : '';
  const d = e.detail;
  switch (e.code) {
    case 'CHAIN_RECORD_ALTERED':
      return `${r}${n}: record content does not match its stored hash (edited after it was chained)`;
    case 'CHAIN_LINK_BROKEN': {
      const back = typeof d['pointsToSeq'] === 'number' ? `; it is the hash of seq ${d['pointsToSeq']}` : '';
      const gap = d['acrossGap'] === true ? ' across missing records' : '';
      return `${r}${n}: prev_hash is not the hash of the previous record${gap}${back}`;
    }
    case 'CHAIN_REORDERED':
      return `${r}${n}: records are out of place (prev_hash of seq ${e.seq} is the hash of later seq ${String(d['pointsToSeq'])})`;
    case 'CHAIN_GAP':
      return `${r}: ${to - e.seq + 1} sequence number(s) missing`;
    case 'CHAIN_DUPLICATE_SEQ':
      return `${r}: sequence number occurs more than once${n}`;
    case 'CHAIN_BAD_GENESIS':
      return `the chain starts at seq ${e.seq}: ${String(d['reason'])}`;
    case 'CHAIN_TIME_BACKWARDS':
      return `${r}${n}: occurred_at ${String(d['occurredAt'])} is earlier than the previous record's ${String(d['previousOccurredAt'])}`;
    case 'CHAIN_ROW_MALFORMED': {
      // No seq could be read: name the rows (a negative seq stands for the row).
      if (d['seqUnknown'] === true && e.row !== undefined) {
        const rows = typeof d['rows'] === 'number' ? d['rows'] : 1;
        const span = rows > 1 ? `rows ${e.row}..${String(d['lastRow'])} (${rows} rows)` : `row ${e.row}`;
        if (d['mixedReasons'] === true)
          return `${span}: cannot be read as audit records (the first: ${String(d['reason'])})`;
        return `${span}: ${String(d['reason'])}`;
      }
      return `${r}${n}: ${String(d['reason'])}`;
    }
    case 'CHAIN_ANCHOR_MISMATCH':
      return `anchor seq ${e.seq}: hash is ${String(d['found'])}, the anchor says ${String(d['expected'])}`;
    case 'CHAIN_ANCHOR_MISSING':
      return `anchor seq ${e.seq}: no record with this seq in the chain`;
    case 'CHAIN_ANCHOR_BEYOND_HEAD':
      return `anchor seq ${e.seq} lies beyond the head (seq ${String(d['head'])}): records were cut off the end`;
    default:
      return `${r}: ${e.code}`;
  }
}
