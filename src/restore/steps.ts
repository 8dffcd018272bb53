// Steps of the database checks. Like verify's runStep (an unexpected error becomes a finding and
// the check goes on), except that a CannotRunError stops the whole command (a lost connection or
// a failed query must never leave a half-report that reads like a pass), and a StoppedError
// (--timeout) marks the step skipped: what it found before the stop stands, nothing is inferred
// from the part it did not read.
import type { ChainFacts } from '../chain/replay.js';
import type { Findings } from '../findings/collector.js';
import type { Area, CheckStatus } from '../findings/types.js';
import { runStep } from '../verify/steps.js';
import { CannotRunError, StoppedError } from './errors.js';

export function dbStep(
  findings: Findings,
  strict: boolean,
  id: string,
  area: Area,
  title: string,
  fn: () => Promise<void> | void,
): Promise<CheckStatus> {
  return runStep(findings, strict, id, area, title, fn, (e) => {
    if (e instanceof CannotRunError) return { rethrow: true };
    if (e instanceof StoppedError) return { skipped: STOPPED };
    return undefined;
  });
}

export const STOPPED = 'stopped by --timeout before it finished';

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
