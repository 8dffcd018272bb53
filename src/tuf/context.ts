// Shared state of one TUF verification run: the metadata source, the findings sink, bounds, the
// reference times, and bookkeeping (files used, keyid → key material, de-duplicated findings).
import type { FileSource } from '../files/source.js';
import type { Findings } from '../findings/collector.js';
import type { JsonValue, Location } from '../findings/types.js';
import type { TufCode } from './codes.js';
import type { TufLimits } from './limits.js';
import type { MetadataFileHash } from './report.js';

export type Code = TufCode | 'LIMIT_EXCEEDED' | 'RUN_INTERNAL_ERROR';
export type Detail = { [k: string]: JsonValue };

interface Aggregate {
  code: Code;
  message: string;
  paths: string[];
  detail: Detail;
}

export class TufContext {
  /** Metadata files that some verified reference used (the rest are reported as unreferenced). */
  readonly used = new Set<string>();
  readonly fileHashes: MetadataFileHash[] = [];
  /** keyid → fingerprint and where it was first seen (5.3 "only one unique key has that KEYID"). */
  readonly keyidMaterial = new Map<string, { fingerprint: string; path: string }>();
  /** Budget of target entries left to read across all targets metadata. */
  targetsBudget: number;
  private readonly once = new Set<string>();
  private readonly aggregates = new Map<string, Aggregate>();

  constructor(
    readonly src: FileSource,
    readonly findings: Findings,
    readonly limits: TufLimits,
    readonly at: Date,
    readonly now: Date,
    readonly expiringWithinMs: number | undefined,
  ) {
    this.targetsBudget = limits.maxTargets;
  }

  add(code: Code, loc: Location, message: string, detail?: Detail): void {
    this.findings.add(code, loc, message, detail);
  }

  /** Add a finding only the first time `key` is seen (the same fact found along two paths). */
  addOnce(key: string, code: Code, loc: Location, message: string, detail?: Detail): void {
    const k = `${code}\u0000${key}`;
    if (this.once.has(k)) return;
    this.once.add(k);
    this.findings.add(code, loc, message, detail);
  }

  /** Collect a repository-wide quirk (one finding listing every file) instead of one per file. */
  aggregate(code: Code, key: string, path: string, message: string, detail: Detail = {}): void {
    const k = `${code}\u0000${key}`;
    const a = this.aggregates.get(k);
    if (a) {
      if (!a.paths.includes(path) && a.paths.length < 200) a.paths.push(path);
      return;
    }
    this.aggregates.set(k, { code, message, paths: [path], detail });
  }

  flushAggregates(): void {
    for (const a of this.aggregates.values()) {
      const first = a.paths[0];
      const more =
        a.paths.length > 1 ? ` (and ${a.paths.length - 1} more file${a.paths.length > 2 ? 's' : ''})` : '';
      this.findings.add(a.code, first === undefined ? {} : { path: first }, a.message + more, {
        ...a.detail,
        files: a.paths,
      });
    }
    this.aggregates.clear();
  }

  limit(name: keyof TufLimits, loc: Location, what: string): void {
    this.addOnce(
      `${name}|${loc.path ?? ''}|${loc.role ?? ''}`,
      'LIMIT_EXCEEDED',
      { ...loc, limit: `tuf.${name}` },
      `${what} (bound tuf.${name} = ${this.limits[name]}); the rest was not verified`,
      { bound: this.limits[name] },
    );
  }
}
