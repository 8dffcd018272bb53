// What the steps of one verification share.
import type { ArchiveResult } from '../archive/types.js';
import type { Findings } from '../findings/collector.js';
import type { JsonValue } from '../findings/types.js';
import type { DumpResult } from './dump-step.js';
import type { VerifyOptions } from './options.js';

export interface VerifyContext {
  opts: VerifyOptions;
  findings: Findings;
  archive: ArchiveResult | undefined;
  dumps: Array<{ path: string; result: DumpResult }>;
  /** JSON sections of the report, by name ("tuf", "certificates", "cross" …). */
  sections: { [name: string]: JsonValue };
  /** Results other steps may need (not in the report as such). */
  shared: Map<string, unknown>;
}
