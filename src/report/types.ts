// The machine report (schema/report.schema.json, versioned by REPORT_SCHEMA_VERSION).
// Sections for TUF, certificates and cross-checks are filled by their verifiers.
import type { ArchiveFacts } from '../archive/types.js';
import type { DumpFacts } from '../dump/types.js';
import type { ChainFacts } from '../chain/replay.js';
import type { CheckResult, Finding, JsonValue, Severity } from '../findings/types.js';

export const REPORT_SCHEMA_VERSION = '1.0.0';

export type Verdict = 'verified' | 'failed' | 'error';

export interface Summary {
  critical: number;
  error: number;
  warning: number;
  info: number;
  /** Findings not stored because the per-run cap was reached. */
  dropped: number;
}

export interface Report {
  schemaVersion: string;
  tool: { name: 'meshverify'; version: string };
  command: string;
  /** Reference time of every time-based check (--at). */
  referenceTime: string;
  generatedAt: string;
  strict: boolean;
  input: { path: string; kind: 'archive' | 'dump' | 'directory' | 'database' };
  archive: ArchiveFacts | null;
  dumps: DumpFacts[];
  chains: ChainFacts[];
  /** Per-domain sections (TUF, certificates, cross-checks, restore …), JSON-safe. */
  sections: { [name: string]: JsonValue };
  findings: Finding[];
  checks: CheckResult[];
  summary: Summary;
  verdict: Verdict;
  exitCode: 0 | 1 | 2;
}

export function summarize(findings: readonly Finding[], dropped: number): Summary {
  const s: Summary = { critical: 0, error: 0, warning: 0, info: 0, dropped };
  for (const f of findings) s[f.severity satisfies Severity]++;
  return s;
}
