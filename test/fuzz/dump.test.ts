// Property tests of the dump reader (custom, plain, plain gzip) and of the two consumers of
// COPY rows (the audit chain's row hasher + replay, the cross-checked table collector) over
// mutations of the real pg_dump fixtures, fed in pieces of every size.
import { after, test } from 'node:test';
import { fuzzTarget, seedsPass } from './harness.js';
import { cleanupTargets, targetNamed, type Target } from './targets.js';

after(cleanupTargets);

function named(n: string): Target {
  const t = targetNamed(n);
  if (!t) throw new Error(`no target ${n}`);
  return t;
}

// Byte-at-a-time streams are covered by the small seeds; the 64 KiB audit block is fed in
// larger pieces to keep the budget short.
for (const [name, runs, seed, chunks] of [
  ['dump_custom', 500, 0xc057, [1, 7, 61, 4096, 65536]],
  ['dump_plain', 400, 0x91a1, [7, 61, 4096, 65536]],
  ['dump_plain_gz', 300, 0x6219, [7, 61, 4096, 65536]],
  ['audit_rows', 250, 0xa0d1, [61, 4096, 65536]],
  ['table_rows', 400, 0x7ab1, [1, 7, 61, 4096]],
] as const) {
  test(`${name}: seeds pass; mutations (flips, cuts at every field/line, hostile lengths, bad UTF-8, NUL, CR/LF) never break a property`, async () => {
    const t = named(name);
    await seedsPass(t);
    await fuzzTarget(t, { runs, seed, chunks: [...chunks] });
  });
}
