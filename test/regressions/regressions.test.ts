// Every saved failing input (test/regressions/inputs) replayed through the target it once broke:
// it must now keep every property of that target (no exception, no internal error, well-formed
// findings, bounded time and memory).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { runBounded } from '../fuzz/harness.js';
import { cleanupTargets, targetNamed } from '../fuzz/targets.js';
import { loadRegressions } from './store.js';

after(cleanupTargets);

const saved = loadRegressions();

test('saved regressions exist and name a known target', () => {
  assert.ok(saved.length > 0, 'no saved regressions found');
  for (const r of saved) assert.ok(targetNamed(r.note.target), `${r.name}: unknown target ${r.note.target}`);
});

for (const r of saved) {
  test(`regression ${r.name}: ${r.note.problem}`, async () => {
    const target = targetNamed(r.note.target);
    assert.ok(target);
    const findings = await runBounded(target, r.input, r.note.chunk);
    for (const e of r.note.expect ?? [])
      assert.ok(
        findings.some((f) => f.code === e.code && (e.limit === undefined || f.location.limit === e.limit)),
        `expected ${e.code}${e.limit ? ` (${e.limit})` : ''}; got ${findings.map((f) => f.code).join(', ')}`,
      );
  });
}
