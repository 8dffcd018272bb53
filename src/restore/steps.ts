// Steps of the database checks. Like verify's runStep (an unexpected error becomes a finding and
// the check goes on), except that a CannotRunError stops the whole command: a lost connection or
// a failed query must never leave a half-report that reads like a pass.
import type { ChainFacts } from '../chain/replay.js';
import type { Findings } from '../findings/collector.js';
import { isFailing } from '../findings/severity.js';
import type { Area, CheckStatus, Finding } from '../findings/types.js';
import { runStep } from '../verify/steps.js';
import { CannotRunError } from './errors.js';

export async function dbStep(
  findings: Findings,
  strict: boolean,
  id: string,
  area: Area,
  title: string,
  fn: () => Promise<void> | void,
): Promise<CheckStatus> {
  let fatal: CannotRunError | undefined;
  const status = await runStep(findings, strict, id, area, title, async () => {
    try {
      await fn();
    } catch (e) {
      if (e instanceof CannotRunError) fatal = e;
      else throw e;
    }
  });
  if (fatal) throw fatal;
  return status;
}

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
