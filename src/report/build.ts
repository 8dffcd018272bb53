// Turns a finished verification into the report: sorted findings, summary, verdict, exit code.
import { areaOf, isFailing, severityOf } from '../findings/severity.js';
import type { Finding, Severity } from '../findings/types.js';
import type { VerifyContext } from '../verify/context.js';
import { VERSION } from '../version.js';
import { REPORT_SCHEMA_VERSION, summarize, type Report } from './types.js';

const RANK: Record<Severity, number> = { critical: 0, error: 1, warning: 2, info: 3 };

export function sortFindings(list: readonly Finding[]): Finding[] {
  // Stable: within one severity and area, the order of discovery (seq order for the chain).
  return [...list].sort((a, b) => RANK[a.severity] - RANK[b.severity] || a.area.localeCompare(b.area));
}

export function buildReport(
  ctx: VerifyContext,
  meta: { command: string; inputPath: string; inputKind: Report['input']['kind'] },
): Report {
  const findings = sortFindings([...ctx.findings.list, ...droppedFinding(ctx)]);
  const failed = findings.some((f) => isFailing(f.severity, ctx.opts.strict));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'meshverify', version: VERSION },
    command: meta.command,
    referenceTime: ctx.opts.at.toISOString(),
    generatedAt: new Date().toISOString(),
    strict: ctx.opts.strict,
    input: { path: meta.inputPath, kind: meta.inputKind },
    archive: ctx.archive ? ctx.archive.facts : null,
    dumps: ctx.dumps.map((d) => d.result.facts),
    chains: ctx.dumps.flatMap((d) =>
      d.result.chains.map((c) => ({ ...c, intact: chainIntact(ctx, c.table, d.path) })),
    ),
    sections: ctx.sections,
    findings,
    checks: ctx.findings.checks,
    summary: summarize(findings, ctx.findings.dropped),
    verdict: failed ? 'failed' : 'verified',
    exitCode: failed ? 1 : 0,
  };
}

/**
 * Findings dropped at the maxFindings cap are of unknown severity: a hostile input could bury a
 * tampered record under 100,000 warnings. Say so with a finding that fails the verification
 * (fail closed), naming the bound to raise to see them all.
 */
function droppedFinding(ctx: VerifyContext): Finding[] {
  const dropped = ctx.findings.dropped;
  if (dropped <= 0) return [];
  const max = ctx.opts.limits.maxFindings;
  return [
    {
      code: 'LIMIT_EXCEEDED',
      severity: severityOf('LIMIT_EXCEEDED', ctx.opts.severityOverrides),
      area: areaOf('LIMIT_EXCEEDED'),
      location: { limit: 'maxFindings' },
      message: `${dropped} finding(s) beyond maxFindings (${max}) were counted but not kept: their severity is unknown, so the verification cannot pass (raise --limit maxFindings=<n> to see them)`,
      detail: { dropped, maxFindings: max },
    },
  ];
}

function chainIntact(ctx: VerifyContext, table: string, _path: string): boolean {
  return !ctx.findings.list.some(
    (f) =>
      f.area === 'chain' &&
      f.location.table === table &&
      (f.severity === 'error' || f.severity === 'critical'),
  );
}
