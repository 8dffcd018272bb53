// Property tests of the TUF verifier over mutations of the good repository's metadata: bytes
// (truncations, bad UTF-8, NUL, brackets) and JSON structure (a value of the wrong type at any
// path, a field dropped, a value wrapped), and the canonical JSON round trip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalize } from '../../src/tuf/canonical.js';
import { fuzzTarget, runBounded, seedsPass } from './harness.js';
import { applyJsonEdits, jsonEditsArb } from './mutate.js';
import { TARGETS } from './targets.js';

const tuf = TARGETS.filter((t) => t.name.startsWith('tuf_'));

for (const [i, t] of tuf.entries()) {
  test(`${t.name}: byte mutations and wrong JSON types never break a property`, async () => {
    await seedsPass(t);
    await fuzzTarget(t, { runs: 60, seed: 0x7f00 + i, chunks: [65536] });
    const [base] = t.seeds();
    if (!base) throw new Error('no seed');
    await fc.assert(
      fc.asyncProperty(jsonEditsArb(), async (edits) => {
        await runBounded(t, applyJsonEdits(base, edits), 65536);
      }),
      { numRuns: 60, seed: 0x15 + i },
    );
  });
}

/** Strings without control characters: OLPC canonical JSON writes those raw (it escapes only
 *  `"` and `\`), so a JSON parser would not read them back; TUF metadata has none. */
const text = fc
  .string({ unit: 'binary' })
  .map((s) => [...s].filter((ch) => (ch.codePointAt(0) ?? 0) >= 0x20).join(''));

/** JSON values canonical JSON can hold: integers only (no floats). */
const canonicalValue = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    text,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(text, tie('v'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).v;

test('canonical JSON: parses back to the same value, and is a fixed point', () => {
  fc.assert(
    fc.property(canonicalValue, (v) => {
      const c = canonicalize(v);
      assert.ok(c.ok);
      const text = c.bytes.toString('utf8');
      const back: unknown = JSON.parse(text);
      assert.deepEqual(back, v);
      const again = canonicalize(back);
      assert.ok(again.ok);
      assert.ok(again.bytes.equals(c.bytes));
    }),
    { numRuns: 400, seed: 0xca11 },
  );
});

test('canonical JSON: keys sorted by code point, floats refused with their path', () => {
  fc.assert(
    fc.property(fc.dictionary(text, fc.integer(), { maxKeys: 8, noNullPrototype: true }), (d) => {
      const c = canonicalize(d);
      assert.ok(c.ok);
      const keys = Object.keys(JSON.parse(c.bytes.toString('utf8')) as object);
      const byCodePoint = [...keys].sort((a, b) => {
        const x = [...a].map((ch) => ch.codePointAt(0) ?? 0);
        const y = [...b].map((ch) => ch.codePointAt(0) ?? 0);
        for (let i = 0; i < Math.min(x.length, y.length); i++)
          if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
        return x.length - y.length;
      });
      // JSON.parse keeps integer-like keys first; compare the rest only when none are.
      if (!keys.some((k) => /^(0|[1-9]\d*)$/.test(k))) assert.deepEqual(keys, byCodePoint);
    }),
    { numRuns: 300, seed: 0x5047 },
  );
  const bad = canonicalize({ a: [1, { b: 1.5 }] });
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.equal(bad.field, 'a[1].b');
});
