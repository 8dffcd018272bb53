// Steps of the database checks. Like verify's runStep (an unexpected error becomes a finding and
// the check goes on), except that a CannotRunError stops the whole command (a lost connection or
// a failed query must never leave a half-report that reads like a pass), and a StoppedError
// (--timeout) marks the step skipped: what it found before the stop stands, nothing is inferred
// from the part it did not read.
import type { ChainFacts } from '../chain/replay.js';
import type { Findings } from '../findings/collector.js';
import { isFailing } from '../findings/severity.js';
import type { Area, CheckStatus, Finding } from '../findings/types.js';
import { CannotRunError, StoppedError } from './errors.js';

export async function dbStep(
  findings: Findings,
  strict: boolean,
  id: string,
  area: Area,
  title: string,
  fn: () => Promise<void> | void,
): Promise<CheckStatus> {
  const mark = findings.list.length;
  try {
    await fn();
  } catch (e) {
    if (e instanceof CannotRunError) throw e;
    if (e instanceof StoppedError) {
      findings.check(id, area, title, 'skipped', STOPPED);
      return 'skipped';
    }
    findings.add(
      'RUN_INTERNAL_ERROR',
      {},
      `${title}: stopped unexpectedly (${e instanceof Error ? e.message : String(e)}); its result is unknown`,
      { step: id },
    );
  }
  const status = statusOf(findings.list.slice(mark), strict);
  findings.check(id, area, title, status);
  return status;
}

export const STOPPED = 'stopped by --timeout before it finished';

/** Check status from the findings that match (severity decides, as runStep does). */
export function statusOf(list: readonly Finding[], strict: boolean): CheckStatus {
  if (list.some((f) => isFailing(f.severity, strict))) return 'failed';
  return list.some((f) => f.severity === 'warning') ? 'warned' : 'passed';
}

/** The live chain's facts with `intact` decided as the report decides it for a dump's chain. */
export function liveChainFacts(facts: ChainFacts, findings: Findings): ChainFacts {
  const intact = !findings.list.some(
    (f) =>
      f.area === 'chain' &&
      f.location.table === facts.table &&
      (f.severity === 'error' || f.severity === 'critical'),
  );
  return { ...facts, intact };
}
