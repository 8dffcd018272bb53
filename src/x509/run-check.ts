// Each check of the certificate domain records its outcome from the findings it raised, so the
// status always agrees with the findings (and with severity overrides).
import type { Findings } from '../findings/collector.js';
import type { CheckStatus, JsonValue, Location } from '../findings/types.js';
import type { X509Code } from './codes.js';
import type { CheckSummary } from './report-types.js';

/** Codes this domain reports: its own and the shared run codes. */
export type Code = X509Code | 'LIMIT_EXCEEDED' | 'RUN_STEP_SKIPPED';

export function report(
  findings: Findings,
  code: Code,
  location: Location,
  message: string,
  detail?: { [k: string]: JsonValue },
): void {
  findings.add(code, location, message, detail);
}

/**
 * Runs `fn` as check `id`. `fn` returns a reason when it could not check anything (then, without
 * findings, the check is "skipped").
 */
export function runCheck(
  findings: Findings,
  out: CheckSummary[],
  id: string,
  title: string,
  fn: () => string | undefined,
): CheckSummary {
  const mark = findings.list.length;
  const since = findings.mark();
  const skipReason = fn();
  const codes = [...new Set(findings.since(mark).map((f) => f.code))];
  // Severity decides, findings the cap dropped included; a check that found nothing but could
  // not run is skipped.
  let status: CheckStatus = findings.statusSince(since, false);
  if (status === 'passed' && skipReason !== undefined) status = 'skipped';
  const c: CheckSummary = { id, title, status, codes };
  if (skipReason !== undefined) c.reason = skipReason;
  findings.check(id, 'x509', title, status, skipReason);
  out.push(c);
  return c;
}

export function octal(mode: number): string {
  return '0' + (mode & 0o7777).toString(8).padStart(3, '0');
}
