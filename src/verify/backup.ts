// `meshverify verify`: the whole backup, as a list of steps. Each step records its findings and
// the verification goes on; a step whose input is missing or untrustworthy is skipped with an
// explicit finding.
import { readArchive } from '../archive/index.js';
import { Findings } from '../findings/collector.js';
import { isFailing } from '../findings/severity.js';
import type { Report } from '../report/types.js';
import { buildReport } from '../report/build.js';
import { verifyDumpStream } from './dump-step.js';
import type { VerifyContext } from './context.js';
import type { VerifyOptions } from './options.js';
import { runStep, skipStep } from './steps.js';
import { verifyTufStep } from './tuf-step.js';
import { verifyCertsStep } from './certs-step.js';
import { verifyCrossStep } from './cross-step.js';

export async function verifyBackup(path: string, opts: VerifyOptions, command = 'verify'): Promise<Report> {
  const findings = new Findings(opts.severityOverrides, opts.limits.maxFindings);
  const ctx: VerifyContext = {
    opts,
    findings,
    archive: undefined,
    dumps: [],
    sections: {},
    shared: new Map(),
  };

  await verifyArchiveAndChain(ctx, path);
  // After --timeout the remaining steps are not started (the report says where it stopped).
  const go = (): boolean => opts.signal?.aborted !== true;
  if (opts.steps.tuf && go()) await verifyTufStep(ctx);
  if (opts.steps.certs && go()) await verifyCertsStep(ctx);
  if (opts.steps.cross && go()) await verifyCrossStep(ctx);
  for (const step of opts.extraSteps ?? []) await step(ctx);

  return buildReport(ctx, { command, inputPath: path, inputKind: 'archive' });
}

/** Read the archive in one pass; each dump is verified (chain replayed) while it streams. */
async function verifyArchiveAndChain(ctx: VerifyContext, path: string): Promise<void> {
  const { opts, findings } = ctx;
  await runStep(
    findings,
    opts.strict,
    'archive',
    'archive',
    'Read the archive and every database dump in it',
    async () => {
      ctx.archive = await readArchive(path, {
        findings,
        profile: opts.profile,
        limits: opts.limits,
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(opts.decrypt ? { decrypt: opts.decrypt } : {}),
        onDump: async (entry, content) => {
          const result = await verifyDumpStream(content, entry.path, opts, findings);
          // As tar -x would restore it: a later entry with the same path replaces the earlier one.
          const i = ctx.dumps.findIndex((d) => d.path === entry.path);
          if (i >= 0) ctx.dumps.splice(i, 1);
          ctx.dumps.push({ path: entry.path, result });
        },
      });
    },
  );
  if (!opts.steps.chain) return;
  if (ctx.dumps.length === 0) {
    skipStep(
      findings,
      'chain',
      'chain',
      'Replay the audit chain',
      'no database dump was read from the archive',
    );
    return;
  }
  findings.check('chain', 'chain', 'Replay the audit chain', chainStatus(ctx));
}

function chainStatus(ctx: VerifyContext): 'passed' | 'failed' | 'warned' {
  const chainFindings = ctx.findings.list.filter((f) => f.area === 'chain');
  if (chainFindings.some((f) => isFailing(f.severity, ctx.opts.strict))) return 'failed';
  return chainFindings.some((f) => f.severity === 'warning') ? 'warned' : 'passed';
}

export { verifyDumpStream };
