// Runs a fuzz target under fast-check with a fixed seed and run count (npm test stays short and
// reproducible): every run must keep the target's properties, end within a time bound and stay
// within a memory bound.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { applyMutations, mutationsArb } from './mutate.js';
import type { Finding } from '../../src/findings/types.js';
import type { Target } from './targets.js';

/** A run of one mutated input taking longer than this is a hang (inputs are < 2 MB). */
export const MAX_RUN_MS = 10_000;
/** Resident memory the test process must stay under whatever the input. */
export const MAX_RSS_MB = 1024;

export interface FuzzOptions {
  runs: number;
  seed: number;
  /** Stream piece sizes to try (lines and fields must survive any split). */
  chunks?: number[];
}

/** One mutated run with its time and memory checked; resolves with its findings. */
export async function runBounded(target: Target, input: Buffer, chunk: number): Promise<Finding[]> {
  const t0 = performance.now();
  const findings = await target.run(input, chunk);
  const ms = performance.now() - t0;
  assert.ok(ms < MAX_RUN_MS, `${target.name}: one run took ${ms.toFixed(0)} ms (${input.length} bytes)`);
  const rss = process.memoryUsage().rss / 2 ** 20;
  assert.ok(rss < MAX_RSS_MB, `${target.name}: resident memory ${rss.toFixed(0)} MB`);
  return findings;
}

export async function fuzzTarget(target: Target, o: FuzzOptions): Promise<void> {
  const seeds = target.seeds();
  const bounds = seeds.map((s) => target.boundaries(s));
  const chunks = o.chunks ?? [61, 4096, 65536];
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: seeds.length - 1 }),
      mutationsArb(),
      fc.constantFrom(...chunks),
      async (si, muts, chunk) => {
        const seed = seeds[si] ?? Buffer.alloc(0);
        await runBounded(target, applyMutations(seed, muts, bounds[si] ?? []), chunk);
      },
    ),
    { numRuns: o.runs, seed: o.seed },
  );
}

/** The unmutated seeds must pass too (a baseline: the fixtures are real, good inputs). */
export async function seedsPass(target: Target): Promise<void> {
  for (const s of target.seeds()) await runBounded(target, s, 65536);
}
