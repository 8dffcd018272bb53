// Property tests of the archive reader (with everything behind it: dumps, chain, TUF,
// certificates, cross-checks) over mutations of the real sample backup: byte-level mutations of
// the tar and of the tar.gz, and tar-header edits with valid checksums (hostile sizes, types,
// names, pax and GNU long-name headers). Fixed seeds and run counts: a short, repeatable budget.
import { after, test } from 'node:test';
import fc from 'fast-check';
import { fuzzTarget, runBounded, seedsPass } from './harness.js';
import { applyHeaderEdits, headerEditsArb } from './mutate.js';
import { cleanupTargets, targetNamed, type Target } from './targets.js';

after(cleanupTargets);

function named(n: string): Target {
  const t = targetNamed(n);
  if (!t) throw new Error(`no target ${n}`);
  return t;
}

test('archive: the sample backup itself passes every property', async () => {
  await seedsPass(named('archive_tar'));
  await seedsPass(named('archive_gz'));
});

test('archive (tar): byte flips, truncation at every header boundary, sections moved, hostile lengths', async () => {
  await fuzzTarget(named('archive_tar'), { runs: 120, seed: 0x7a21, chunks: [65536] });
});

test('archive (tar): header edits with valid checksums (sizes, types, names, pax, long names)', async () => {
  const t = named('archive_tar');
  const [base] = t.seeds();
  if (!base) throw new Error('no seed');
  await fc.assert(
    fc.asyncProperty(headerEditsArb(), async (edits) => {
      await runBounded(t, applyHeaderEdits(base, edits), 65536);
    }),
    { numRuns: 120, seed: 0x1ead },
  );
});

test('archive (tar.gz): mutations of the compressed bytes', async () => {
  await fuzzTarget(named('archive_gz'), { runs: 80, seed: 0x9219, chunks: [65536] });
});
