// `meshverify verify`: the whole backup, as a list of steps. Each step records its findings and
// the verification goes on; a step whose input is missing or untrustworthy is skipped with an
// explicit finding.
import { readArchive } from '../archive/index.js';
import type { EntryInfo } from '../archive/types.js';
import { Findings } from '../findings/collector.js';
import { isFailing } from '../findings/severity.js';
import type { Report } from '../report/types.js';
import { buildReport } from '../report/build.js';
import { verifyDumpStream, type DumpResult } from './dump-step.js';
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
  await readBackupArchive(ctx, path);
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

export function chainStatus(ctx: VerifyContext): 'passed' | 'failed' | 'warned' {
  const chainFindings = ctx.findings.list.filter((f) => f.area === 'chain');
  if (chainFindings.some((f) => isFailing(f.severity, ctx.opts.strict))) return 'failed';
  return chainFindings.some((f) => f.severity === 'warning') ? 'warned' : 'passed';
}

export { verifyDumpStream };

export interface ReadDump {
  entry: EntryInfo;
  result: DumpResult;
}

/**
 * The one archive pass every command shares: the archive into ctx.archive, each dump verified by
 * verifyDumpStream while it streams (with `dumpOptions(entry)`, default ctx.opts), and ctx.dumps
 * set once the final entry paths are known, a later entry replacing an earlier one as tar -x
 * would. Returns every dump read, replaced ones included (callers may have resources to free).
 */
export async function readBackupArchive(
  ctx: VerifyContext,
  path: string,
  dumpOptions?: (entry: EntryInfo) => VerifyOptions,
  title = 'Read the archive and every database dump in it',
): Promise<ReadDump[]> {
  const { opts, findings } = ctx;
  const read: ReadDump[] = [];
  await runStep(findings, opts.strict, 'archive', 'archive', title, async () => {
    ctx.archive = await readArchive(path, {
      findings,
      profile: opts.profile,
      limits: opts.limits,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.decrypt ? { decrypt: opts.decrypt } : {}),
      onDump: async (entry, content) => {
        const result = await verifyDumpStream(content, entry.path, dumpOptions?.(entry) ?? opts, findings);
        read.push({ entry, result });
      },
    });
  });
  const byPath = new Map<string, ReadDump>();
  for (const r of read) byPath.set(r.entry.path, r);
  ctx.dumps = [...byPath.values()].map((r) => ({ path: r.entry.path, result: r.result }));
  return read;
}
