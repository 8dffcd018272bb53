// The restored audit records against the archive's, record by record, in bounded memory: the
// archive's records come from an external sort (seq order), the live ones from the cursor (seq
// order), and the two streams are merge-joined. Runs of consecutive seqs with the same verdict
// become one ranged finding (a cut-off tail of a million records is one finding).
import type { ChainRecord } from '../chain/record.js';
import type { Findings } from '../findings/collector.js';
import type { JsonValue } from '../findings/types.js';
import type { RestoreCode } from './codes.js';
import type { LiveRecord } from './live-chain.js';

/** Archive records kept per seq (duplicates beyond this are the archive replay's findings). */
const MAX_GROUP = 64;

export interface RecordCounts {
  same: number;
  missing: number;
  extra: number;
  appended: number;
  differs: number;
}

interface Run {
  from: number;
  to: number;
  count: number;
  detail: { [k: string]: JsonValue };
}

class RangeFindings {
  private run: Run | undefined;
  constructor(
    private readonly findings: Findings,
    private readonly code: RestoreCode,
    private readonly table: string,
    private readonly describe: (range: string, count: number, d: { [k: string]: JsonValue }) => string,
  ) {}
  add(seq: number, detail: { [k: string]: JsonValue }): void {
    const r = this.run;
    if (r && (seq === r.to + 1 || seq === r.to)) {
      r.to = seq;
      r.count++;
      return;
    }
    this.flush();
    this.run = { from: seq, to: seq, count: 1, detail };
  }
  flush(): void {
    const r = this.run;
    if (!r) return;
    this.run = undefined;
    const loc =
      r.to === r.from ? { table: this.table, seq: r.from } : { table: this.table, seq: r.from, seqTo: r.to };
    const range = r.to === r.from ? `seq ${r.from}` : `seq ${r.from}..${r.to}`;
    const detail = r.count > 1 ? { ...r.detail, records: r.count } : r.detail;
    this.findings.add(this.code, loc, this.describe(range, r.count, r.detail), detail);
  }
}

export class RecordComparer {
  readonly counts: RecordCounts = { same: 0, missing: 0, extra: 0, appended: 0, differs: 0 };
  private readonly it: Iterator<ChainRecord>;
  private next: ChainRecord | undefined;
  private groupSeq = Number.NaN;
  private group: ChainRecord[] = [];
  private readonly missing: RangeFindings;
  private readonly extra: RangeFindings;
  private readonly appended: RangeFindings;
  private readonly differs: RangeFindings;

  constructor(
    archiveSorted: Iterable<ChainRecord>,
    findings: Findings,
    /** Location table of the findings (the restored table, e.g. "db:public.audit_log"). */
    table: string,
    /** Highest seq in the archive (records after it are "appended", not "extra"). */
    private readonly archiveMaxSeq: number,
  ) {
    this.it = archiveSorted[Symbol.iterator]();
    this.advance();
    const n = (c: number): string => (c > 1 ? ` (${c} records)` : '');
    this.missing = new RangeFindings(
      findings,
      'RESTORE_RECORD_MISSING',
      table,
      (r, c) => `${r}${n(c)}: in the archive, absent from the restored database`,
    );
    this.extra = new RangeFindings(
      findings,
      'RESTORE_RECORD_EXTRA',
      table,
      (r, c) => `${r}${n(c)}: in the restored database, absent from the archive`,
    );
    this.appended = new RangeFindings(
      findings,
      'RESTORE_RECORD_APPENDED',
      table,
      (r, c) =>
        `${r}${n(c)}: after the archive's head (seq ${archiveMaxSeq}); written after the backup or the restore`,
    );
    this.differs = new RangeFindings(findings, 'RESTORE_RECORD_DIFFERS', table, (r, c, d) =>
      d['reason'] === 'content'
        ? `${r}${n(c)}: same hash as the archive, but the restored content no longer matches it (edited after the restore)`
        : `${r}${n(c)}: hash differs from the archive's record with the same seq`,
    );
  }

  private advance(): void {
    const r = this.it.next();
    this.next = r.done === true ? undefined : r.value;
  }

  /** The next live record (seq order, ties allowed). */
  live(r: LiveRecord): void {
    if (r.seq !== this.groupSeq) {
      while (this.next && this.next.seq < r.seq) {
        this.missingRecord(this.next);
        this.advance();
      }
      this.groupSeq = r.seq;
      this.group = [];
      while (this.next && this.next.seq === r.seq) {
        if (this.group.length < MAX_GROUP) this.group.push(this.next);
        this.advance();
      }
    }
    if (this.group.length === 0) {
      if (r.seq > this.archiveMaxSeq) {
        this.counts.appended++;
        this.appended.add(r.seq, { restoredRow: r.row });
      } else {
        this.counts.extra++;
        this.extra.add(r.seq, { restoredRow: r.row });
      }
      return;
    }
    const h = r.hash;
    // Same hash and the same verdict on the content: the same record (up to SHA-256).
    if (h && this.group.some((a) => a.hash.equals(h) && a.contentOk === r.contentOk)) {
      this.counts.same++;
      return;
    }
    this.counts.differs++;
    const a = this.group[0] as ChainRecord;
    const sameHash = h !== null && a.hash.equals(h);
    this.differs.add(r.seq, {
      reason: sameHash ? 'content' : 'hash',
      archiveHash: a.hash.toString('hex'),
      restoredHash: h ? h.toString('hex') : null,
      restoredContentMatchesHash: r.contentOk,
      archiveRow: a.row,
      restoredRow: r.row,
    });
  }

  private missingRecord(a: ChainRecord): void {
    this.counts.missing++;
    this.missing.add(a.seq, { archiveRow: a.row, archiveHash: a.hash.toString('hex') });
  }

  finish(): RecordCounts {
    while (this.next) {
      this.missingRecord(this.next);
      this.advance();
    }
    this.missing.flush();
    this.extra.flush();
    this.appended.flush();
    this.differs.flush();
    return this.counts;
  }
}
