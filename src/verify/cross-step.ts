// Placeholder until the cross verification lands: says so at run time (never a silent pass).
import type { VerifyContext } from './context.js';
import { skipStep } from './steps.js';

export async function verifyCrossStep(ctx: VerifyContext): Promise<void> {
  ctx.findings.add('RUN_NOT_IMPLEMENTED', {}, 'the cross verification is not implemented in this version');
  skipStep(ctx.findings, 'cross', 'run', 'cross', 'not implemented in this version');
}
