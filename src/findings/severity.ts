// Severity is decided here and only here: each domain declares its codes with a default
// severity in its own codes.ts, and this module merges the tables and applies overrides
// (--strict, a gate policy). Steps report codes; they never pick a severity.
import type { Area, CheckStatus, Finding, Severity } from './types.js';
import { ARCHIVE_CODES } from '../archive/codes.js';
import { DUMP_CODES } from '../dump/codes.js';
import { CHAIN_CODES } from '../chain/codes.js';
import { RUN_CODES } from './run-codes.js';
import { TUF_CODES } from '../tuf/codes.js';
import { X509_CODES } from '../x509/codes.js';
import { CROSS_CODES } from '../cross/codes.js';
import { RESTORE_CODES } from '../restore/codes.js';
import { DRILL_CODES } from '../drill/codes.js';
import { GATE_CODES } from '../gate/codes.js';

export interface CodeInfo {
  severity: Severity;
  area: Area;
  /** One line: what this code means, for the README and `meshverify codes`. */
  summary: string;
}

export const ALL_CODES: Readonly<Record<string, CodeInfo>> = Object.freeze({
  ...withArea(RUN_CODES, 'run'),
  ...withArea(ARCHIVE_CODES, 'archive'),
  ...withArea(DUMP_CODES, 'dump'),
  ...withArea(CHAIN_CODES, 'chain'),
  ...withArea(TUF_CODES, 'tuf'),
  ...withArea(X509_CODES, 'x509'),
  ...withArea(CROSS_CODES, 'cross'),
  ...withArea(RESTORE_CODES, 'restore'),
  ...withArea(DRILL_CODES, 'drill'),
  ...withArea(GATE_CODES, 'gate'),
});

function withArea(
  table: Readonly<Record<string, readonly [Severity, string]>>,
  area: Area,
): Record<string, CodeInfo> {
  const out: Record<string, CodeInfo> = {};
  for (const [code, [severity, summary]] of Object.entries(table)) out[code] = { severity, area, summary };
  return out;
}

/** Overrides from a policy file: code → severity. */
export type SeverityOverrides = Readonly<Record<string, Severity>>;

export function severityOf(code: string, overrides?: SeverityOverrides): Severity {
  const o = overrides?.[code];
  if (o) return o;
  const info = ALL_CODES[code];
  // An unknown code is a programming error; treat it as an error so it can never hide a problem.
  return info ? info.severity : 'error';
}

export function areaOf(code: string): Area {
  return ALL_CODES[code]?.area ?? 'run';
}

/** Does this severity fail verification? Warnings fail only under --strict. */
export function isFailing(sev: Severity, strict: boolean): boolean {
  return sev === 'critical' || sev === 'error' || (strict && sev === 'warning');
}

/** A check's status from its findings: failing (see isFailing), else warned, else passed. */
export function statusOf(list: Iterable<Finding>, strict: boolean): CheckStatus {
  let status: CheckStatus = 'passed';
  for (const f of list) {
    if (isFailing(f.severity, strict)) return 'failed';
    if (f.severity === 'warning') status = 'warned';
  }
  return status;
}
