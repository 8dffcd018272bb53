// Placeholder until the tuf verification lands: says so at run time (never a silent pass).
import type { VerifyContext } from './context.js';
import { skipStep } from './steps.js';

export async function verifyTufStep(ctx: VerifyContext): Promise<void> {
  ctx.findings.add('RUN_NOT_IMPLEMENTED', {}, 'the tuf verification is not implemented in this version');
  skipStep(ctx.findings, 'tuf', 'run', 'tuf', 'not implemented in this version');
}
