// The TUF repository (spec 4), verified as a device would, plus key custody over every private
// key in the archive. The tuf module does the work; this step finds its inputs.
import type { FileSource } from '../files/source.js';
import type { JsonValue } from '../findings/types.js';
import { verifyTuf, type TufReport } from '../tuf/index.js';
import type { VerifyContext } from './context.js';
import { runStep, skipStep } from './steps.js';

const TITLE = 'Verify the TUF metadata as a device would, and account for every key';

export async function verifyTufStep(ctx: VerifyContext): Promise<void> {
  const a = ctx.archive;
  const folder = a?.layout.tufMetadata;
  if (!a || folder === undefined) {
    skipStep(ctx.findings, 'tuf', 'tuf', TITLE, 'no TUF metadata folder was found in the archive');
    return;
  }
  const keysFolder = a.layout.tufKeys;
  const metadata = a.files.sub(folder, `archive ${a.facts.path}:${folder}`);
  const keys =
    keysFolder !== undefined ? a.files.sub(keysFolder, `archive ${a.facts.path}:${keysFolder}`) : undefined;
  // Any other PEM private key anywhere in the archive: an offline TUF key must not be there.
  const extra: Array<{ path: string; data: Buffer }> = [];
  for (const path of a.files.list()) {
    if (keysFolder !== undefined && path.startsWith(keysFolder + '/')) continue;
    const f = a.files.get(path);
    if (f?.data && f.data.length < 1024 * 1024 && f.data.includes('PRIVATE KEY-----'))
      extra.push({ path, data: f.data });
  }
  await verifyTufSource(ctx, metadata, keys, extra);
}

/** TUF verification of any metadata folder (an archive's, or a live node's directory). */
export async function verifyTufSource(
  ctx: VerifyContext,
  metadata: FileSource,
  keys: FileSource | undefined,
  extraPrivateKeys: Array<{ path: string; data: Buffer }> = [],
): Promise<TufReport | undefined> {
  let report: TufReport | undefined;
  await runStep(ctx.findings, ctx.opts.strict, 'tuf', 'tuf', TITLE, () => {
    report = verifyTuf(
      {
        metadata,
        ...(keys ? { keys } : {}),
        extraPrivateKeys,
        ...(ctx.opts.trustedRoot ? { trustedRoot: ctx.opts.trustedRoot } : {}),
      },
      {
        at: ctx.opts.at,
        now: ctx.opts.now,
        ...(ctx.opts.expiringWithinMs !== undefined ? { expiringWithinMs: ctx.opts.expiringWithinMs } : {}),
        findings: ctx.findings,
        limits: ctx.opts.limits.tuf,
      },
    );
    ctx.sections['tuf'] = JSON.parse(JSON.stringify(report)) as JsonValue;
    ctx.shared.set('tuf.report', report);
  });
  return report;
}
