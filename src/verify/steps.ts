// A verification step: runs, records what it found, and never lets an exception escape as a
// crash. Its check status is derived from the findings it added (severity is not decided here).
import type { Findings } from '../findings/collector.js';
import type { Area, CheckStatus } from '../findings/types.js';

/** How a step's own error is taken: rethrown (the whole command stops), or the step marked
 *  skipped with a reason; undefined: a RUN_INTERNAL_ERROR finding, and the step goes on. */
export type StepErrorPolicy = (e: unknown) => { rethrow: true } | { skipped: string } | undefined;

export async function runStep(
  findings: Findings,
  strict: boolean,
  id: string,
  area: Area,
  title: string,
  fn: () => Promise<void> | void,
  onError?: StepErrorPolicy,
): Promise<CheckStatus> {
  const mark = findings.mark();
  try {
    await fn();
  } catch (e) {
    const policy = onError?.(e);
    if (policy && 'rethrow' in policy) throw e;
    if (policy) {
      findings.check(id, area, title, 'skipped', policy.skipped);
      return 'skipped';
    }
    findings.add(
      'RUN_INTERNAL_ERROR',
      {},
      `${title}: stopped unexpectedly (${e instanceof Error ? e.message : String(e)}); its result is unknown`,
      { step: id },
    );
  }
  const status = findings.statusSince(mark, strict);
  findings.check(id, area, title, status);
  return status;
}

export function skipStep(findings: Findings, id: string, area: Area, title: string, reason: string): void {
  findings.add('RUN_STEP_SKIPPED', {}, `${title}: skipped: ${reason}`, { step: id });
  findings.check(id, area, title, 'skipped', reason);
}
