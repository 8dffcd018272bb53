// What every drill step shares, and the scratch verifications the steps judge from. A scratch
// run's findings stay out of the report: the drill reports its own, with them as causes.
import type { FileSource } from '../files/source.js';
import { Findings } from '../findings/collector.js';
import type { Finding } from '../findings/types.js';
import { verifyTuf, type TufReport } from '../tuf/index.js';
import type { VerifyContext } from '../verify/context.js';
import type { DrillInput } from './input.js';
import type { DrillOptions } from './options.js';
import type { Cause } from './types.js';

export interface DrillRun {
  ctx: VerifyContext;
  o: DrillOptions;
  /** The simulated restore time (--at). */
  at: Date;
  input: DrillInput;
}

export function scratchFindings(run: DrillRun): Findings {
  return new Findings(run.ctx.opts.severityOverrides, 10_000);
}

/** Findings that would fail a verification (errors and critical ones). */
export function blocking(list: readonly Finding[]): Finding[] {
  return list.filter((f) => f.severity === 'error' || f.severity === 'critical');
}

export function causeOf(f: Finding): Cause {
  return { code: f.code, location: f.location, message: f.message };
}

/** At most `n` causes, for a finding's detail. */
export function causesJson(causes: readonly Cause[], n = 10): Array<{ [k: string]: string }> {
  return causes.slice(0, n).map((c) => ({ code: c.code, message: c.message }));
}

export interface TufRun {
  report: TufReport;
  findings: Finding[];
}

/** verifyTuf at the drill time ("now" is the drill time too: nothing is judged at the real clock). */
export function tufRun(
  run: DrillRun,
  metadata: FileSource,
  trustedRoot: { path: string; data: Buffer } | undefined,
  keys?: FileSource,
): TufRun {
  const findings = scratchFindings(run);
  const report = verifyTuf(
    { metadata, ...(keys ? { keys } : {}), ...(trustedRoot ? { trustedRoot } : {}) },
    { at: run.at, now: run.at, findings, limits: run.ctx.opts.limits.tuf },
  );
  return { report, findings: findings.list };
}

/** Parse a small JSON file of a source; undefined when absent, unreadable or not JSON. */
export function readJson(src: FileSource, path: string): unknown {
  const f = src.get(path);
  if (!f?.data) return undefined;
  try {
    return JSON.parse(f.data.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `signed` of a metadata envelope, when it is an object. */
export function signedOf(doc: unknown): Record<string, unknown> | undefined {
  if (!isRecord(doc)) return undefined;
  const s = doc['signed'];
  return isRecord(s) ? s : undefined;
}

export function intOf(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined;
}
