// A verification step: runs, records what it found, and never lets an exception escape as a
// crash. Its check status is derived from the findings it added (severity is not decided here).
import type { Findings } from '../findings/collector.js';
import { isFailing } from '../findings/severity.js';
import type { Area, CheckStatus } from '../findings/types.js';

export async function runStep(
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
    findings.add(
      'RUN_INTERNAL_ERROR',
      {},
      `${title}: stopped unexpectedly (${e instanceof Error ? e.message : String(e)}); its result is unknown`,
      { step: id },
    );
  }
  const added = findings.list.slice(mark);
  let status: CheckStatus = 'passed';
  if (added.some((f) => isFailing(f.severity, strict))) status = 'failed';
  else if (added.some((f) => f.severity === 'warning')) status = 'warned';
  findings.check(id, area, title, status);
  return status;
}

export function skipStep(findings: Findings, id: string, area: Area, title: string, reason: string): void {
  findings.add('RUN_STEP_SKIPPED', {}, `${title}: skipped: ${reason}`, { step: id });
  findings.check(id, area, title, 'skipped', reason);
}
