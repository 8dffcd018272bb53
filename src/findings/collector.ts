import type { Area, CheckResult, CheckStatus, Finding, JsonValue, Location } from './types.js';
import { areaOf, severityOf, type SeverityOverrides } from './severity.js';

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
  /** Indexes in `list` of warning/info findings (the ones a severe finding may displace). */
  private readonly lowIdx: number[] = [];
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
    if (this.list.length < this.max) {
      if (f.severity === 'warning' || f.severity === 'info') this.lowIdx.push(this.list.length);
      this.list.push(f);
    } else {
      this.dropped++;
      // At the cap, an error or critical finding takes the place of a stored warning/info one:
      // a flood of warnings must never hide the one finding that fails the run.
      const severe = f.severity === 'error' || f.severity === 'critical';
      const victim = severe ? this.lowIdx.pop() : undefined;
      if (victim !== undefined) this.list[victim] = f;
    }
    return f;
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
