import type { Area, CheckResult, CheckStatus, Finding, JsonValue, Location, Severity } from './types.js';
import { areaOf, severityOf, type SeverityOverrides } from './severity.js';

/** What had been added when a step began (see Findings.mark / statusSince). */
export interface FindingsMark {
  readonly tally: Readonly<Record<Severity, number>>;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2, critical: 3 };

/**
 * Collects every finding of a run (restic's checker model: record, move on).
 * Findings are stored in order of discovery; the report sorts them.
 */
export class Findings {
  readonly list: Finding[] = [];
  readonly checks: CheckResult[] = [];
  /** Cap on stored findings so a hostile input cannot exhaust memory; the excess is counted. */
  private readonly max: number;
  dropped = 0;
  /** Indexes in `list` of warning/info findings (the ones a severe finding may displace); an
   *  index whose finding was displaced since is skipped when popped. */
  private readonly lowIdx: number[] = [];
  /** Stored findings per code, and their indexes (stale ones skipped when popped). */
  private readonly byCode = new Map<string, { n: number; idx: number[] }>();
  /** Every finding added, stored or dropped, by severity: a step's status counts what it
   *  found even when the cap dropped it. */
  private readonly tally: Record<Severity, number> = { info: 0, warning: 0, error: 0, critical: 0 };
  constructor(
    private readonly overrides?: SeverityOverrides,
    max = 100_000,
  ) {
    this.max = max;
  }

  add(code: string, location: Location, message: string, detail?: { [k: string]: JsonValue }): Finding {
    const f: Finding = {
      code,
      severity: severityOf(code, this.overrides),
      area: areaOf(code),
      location,
      message,
    };
    if (detail) f.detail = detail;
    this.tally[f.severity]++;
    if (this.list.length < this.max) {
      this.store(this.list.length, f);
      return f;
    }
    this.dropped++;
    // At the cap a stored finding may give way: a flood of warnings must never hide the finding
    // that fails the run, and a flood of one code must not hide every other code (the one
    // gzip error under half a million unreadable rows).
    const victim = this.victimFor(f);
    if (victim !== undefined) this.store(victim, f);
    return f;
  }

  private store(i: number, f: Finding): void {
    const old = this.list[i];
    if (old) {
      const c = this.byCode.get(old.code);
      if (c) c.n--;
    }
    this.list[i] = f;
    if (f.severity === 'warning' || f.severity === 'info') this.lowIdx.push(i);
    let c = this.byCode.get(f.code);
    if (!c) {
      c = { n: 0, idx: [] };
      this.byCode.set(f.code, c);
    }
    c.n++;
    c.idx.push(i);
  }

  private victimFor(f: Finding): number | undefined {
    if (f.severity === 'error' || f.severity === 'critical') {
      for (let i = this.lowIdx.pop(); i !== undefined; i = this.lowIdx.pop()) {
        const s = this.list[i]?.severity;
        if (s === 'warning' || s === 'info') return i;
      }
    }
    if ((this.byCode.get(f.code)?.n ?? 0) > 0) return undefined;
    // A code not stored yet: it takes the place of the newest finding of the most stored code,
    // if that one is no more severe.
    let most: { code: string; n: number; idx: number[] } | undefined;
    for (const [code, c] of this.byCode) if (c.n > 1 && (!most || c.n > most.n)) most = { code, ...c };
    if (!most) return undefined;
    for (let i = most.idx.pop(); i !== undefined; i = most.idx.pop()) {
      const old = this.list[i];
      if (old?.code !== most.code) continue;
      if (RANK[old.severity] > RANK[f.severity]) {
        most.idx.push(i);
        return undefined;
      }
      return i;
    }
    return undefined;
  }

  /** A mark to take a step's status from later (statusSince). */
  mark(): FindingsMark {
    return { tally: { ...this.tally } };
  }

  /** A step's check status from what it added since `m`, dropped findings included. */
  statusSince(m: FindingsMark, strict: boolean): CheckStatus {
    const d = (s: Severity): number => this.tally[s] - m.tally[s];
    // As isFailing decides: critical and error always, warnings under --strict.
    if (d('critical') > 0 || d('error') > 0 || (strict && d('warning') > 0)) return 'failed';
    return d('warning') > 0 ? 'warned' : 'passed';
  }

  check(id: string, area: Area, title: string, status: CheckStatus, reason?: string): void {
    const c: CheckResult = { id, area, title, status };
    if (reason !== undefined) c.reason = reason;
    this.checks.push(c);
  }

  /** Count findings added since `mark` (a previous `list.length`) that match the area. */
  since(mark: number): Finding[] {
    return this.list.slice(mark);
  }

  has(code: string): boolean {
    return this.list.some((f) => f.code === code);
  }
}
