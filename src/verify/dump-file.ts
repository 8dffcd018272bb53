// A bare dump file (meshverify audit db.dump): the chain alone, no archive around it.
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Findings } from '../findings/collector.js';
import { buildReport } from '../report/build.js';
import type { Report } from '../report/types.js';
import type { VerifyContext } from './context.js';
import { verifyDumpStream } from './dump-step.js';
import type { VerifyOptions } from './options.js';
import { runStep } from './steps.js';

export async function verifyDumpFile(path: string, opts: VerifyOptions, command: string): Promise<Report> {
  const findings = new Findings(opts.severityOverrides, opts.limits.maxFindings);
  const ctx: VerifyContext = {
    opts,
    findings,
    archive: undefined,
    dumps: [],
    sections: {},
    shared: new Map(),
  };
  statSync(path);
  await runStep(
    findings,
    opts.strict,
    'dump',
    'dump',
    'Read the database dump and replay the audit chain',
    async () => {
      const stream = createReadStream(path, { highWaterMark: 1024 * 1024 });
      const result = await verifyDumpStream(stream, basename(path), opts, findings);
      ctx.dumps.push({ path, result });
    },
  );
  return buildReport(ctx, { command, inputPath: path, inputKind: 'dump' });
}
