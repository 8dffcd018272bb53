// Placeholder until the certs verification lands: says so at run time (never a silent pass).
import type { VerifyContext } from './context.js';
import { skipStep } from './steps.js';

export async function verifyCertsStep(ctx: VerifyContext): Promise<void> {
  ctx.findings.add('RUN_NOT_IMPLEMENTED', {}, 'the certs verification is not implemented in this version');
  skipStep(ctx.findings, 'certs', 'run', 'certs', 'not implemented in this version');
}
