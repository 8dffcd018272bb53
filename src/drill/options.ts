// Options of a drill, with the documented defaults.
import type { VerifyOptions } from '../verify/options.js';

export interface DrillOptions {
  /** at (the simulated restore time), strict, profile, hosts (--host), trustedRoot, limits. */
  verify: VerifyOptions;
  /** Target paths to resolve (--target); default: every artifact row, else every signed target. */
  targets: string[];
  /** A restored update-repository directory (metadata/ and keys/ below it), instead of the archive's. */
  tufDir?: string;
  /** A restored certificate directory, instead of the archive's. */
  certsDir?: string;
  /** Lifetime of the re-signed timestamp (its usual one). */
  timestampLifetimeMs: number;
  /** Lifetime of the re-signed snapshot. */
  snapshotLifetimeMs: number;
  /** Bound on each loopback TLS handshake. */
  tlsTimeoutMs: number;
  /** Root versions walked as a pinned device (the oldest and newest halves beyond this). */
  maxPinnedRoots: number;
}

const DAY = 86_400_000;

export const DRILL_DEFAULTS = {
  timestampLifetimeMs: DAY,
  snapshotLifetimeMs: 7 * DAY,
  tlsTimeoutMs: 10_000,
  maxPinnedRoots: 100,
} as const;

export function drillOptions(
  verify: VerifyOptions,
  over: Partial<Omit<DrillOptions, 'verify'>> = {},
): DrillOptions {
  return { verify, targets: [], ...DRILL_DEFAULTS, ...over };
}
