// One fuzz case from a number: which seed input, which mutations (byte-level, and the
// structure-aware ones where the target has a structure: tar headers, JSON documents), which
// stream piece size. Deterministic, so a case is reproduced from (target, number) alone.
import fc from 'fast-check';
import {
  applyHeaderEdits,
  applyJsonEdits,
  applyMutations,
  headerEditsArb,
  jsonEditsArb,
  mutationsArb,
  type HeaderEdit,
  type JsonEdit,
  type Mutation,
} from './mutate.js';
import type { Target } from './targets.js';

export interface Recipe {
  seedIndex: number;
  chunk: number;
  headerEdits?: HeaderEdit[];
  jsonEdits?: JsonEdit[];
  mutations?: Mutation[];
}

export interface FuzzCase {
  input: Buffer;
  chunk: number;
  recipe: Recipe;
}

const CHUNKS = [1, 7, 61, 509, 4096, 65536, 1 << 20];

function recipeArb(target: Target, seeds: number): fc.Arbitrary<Recipe> {
  const structural: fc.Arbitrary<Partial<Recipe>> = target.name.startsWith('archive_tar')
    ? fc.record({ headerEdits: headerEditsArb() })
    : target.name.startsWith('tuf_')
      ? fc.record({ jsonEdits: jsonEditsArb() })
      : fc.constant({});
  return fc
    .record({
      seedIndex: fc.nat({ max: Math.max(0, seeds - 1) }),
      chunk: fc.constantFrom(...CHUNKS),
      structural: fc.option(structural, { nil: undefined }),
      mutations: fc.option(mutationsArb(6), { nil: undefined }),
    })
    .map(({ seedIndex, chunk, structural: s, mutations }) => {
      const r: Recipe = { seedIndex, chunk, ...(s ?? {}) };
      if (mutations) r.mutations = mutations;
      return r;
    });
}

/** Applies a recipe to the target's seeds. */
export function build(target: Target, seeds: Buffer[], bounds: number[][], r: Recipe): Buffer {
  let b = seeds[r.seedIndex % seeds.length] ?? Buffer.alloc(0);
  if (r.headerEdits) b = applyHeaderEdits(b, r.headerEdits);
  if (r.jsonEdits) b = applyJsonEdits(b, r.jsonEdits);
  if (r.mutations) b = applyMutations(b, r.mutations, bounds[r.seedIndex % seeds.length] ?? []);
  return b;
}

/** Case number `n` of a fuzzing session seeded with `seed`. */
export function caseFor(
  target: Target,
  seeds: Buffer[],
  bounds: number[][],
  seed: number,
  n: number,
): FuzzCase {
  const [recipe] = fc.sample(recipeArb(target, seeds.length), { seed: (seed + n * 7919) | 0, numRuns: 1 });
  const r = recipe ?? { seedIndex: 0, chunk: 65536 };
  // Byte-at-a-time streams of large inputs only make a run slow, not more thorough.
  const input = build(target, seeds, bounds, r);
  if (r.chunk < 61 && input.length > 64 * 1024) r.chunk = 61;
  return { input, chunk: r.chunk, recipe: r };
}
