// State shared by the format readers of one readDump call.
import type { Location } from '../findings/types.js';
import type { JsonValue } from '../findings/types.js';
import type { DumpFacts, DumpReadOptions, DumpSink } from './types.js';
import type { DumpCode } from './codes.js';

export class ReadContext {
  private factsSent = false;
  /** Offsets in findings count bytes of the dump after any outer gzip ('decompressed') or not. */
  offsetOf: 'dump' | 'decompressed' = 'dump';
  /** Set by any finding that means the dump was not read whole and sound. */
  damaged = false;
  /** Bytes inflated from the dump's own compression so far (maxDecompressedBytes). */
  inflated = 0;

  constructor(
    readonly opts: DumpReadOptions,
    readonly facts: DumpFacts,
    readonly sink: DumpSink,
  ) {}

  /** Hands the facts to the sink once (before the first table's data, or at the end). */
  emitFacts(): void {
    if (this.factsSent) return;
    this.factsSent = true;
    if (!this.sink.onFacts) return;
    try {
      this.sink.onFacts(this.facts);
    } catch (e) {
      this.add('RUN_INTERNAL_ERROR', {}, `The dump facts receiver failed: ${errText(e)}`);
    }
  }

  /** Adds a finding at this dump's path; `at` is a byte offset in the (decompressed) dump. */
  add(
    code: DumpCode | 'LIMIT_EXCEEDED' | 'RUN_INTERNAL_ERROR',
    loc: Omit<Location, 'path'>,
    message: string,
    detail?: { [k: string]: JsonValue },
  ): void {
    const l: Location = { path: this.opts.path };
    // Only the fields that apply (no undefined keys in reports).
    for (const [k, v] of Object.entries(loc) as Array<[keyof Location, Location[keyof Location]]>) {
      if (v !== undefined) (l as Record<string, unknown>)[k] = v;
    }
    if (l.offset !== undefined && l.offsetOf === undefined) l.offsetOf = this.offsetOf;
    this.opts.findings.add(code, l, message, detail);
  }
}

export function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
