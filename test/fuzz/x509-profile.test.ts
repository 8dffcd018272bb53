// Property tests of the certificate checks (PEM text mutated: lines cut, CR/LF mixed, NUL and
// bad UTF-8 inserted, blocks duplicated) and of the --profile loader (any bytes: a profile or a
// ProfileError, nothing else), plus the PEM reader on arbitrary text.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { parsePem } from '../../src/x509/pem.js';
import { fuzzTarget, seedsPass } from './harness.js';
import { cleanupTargets, TARGETS } from './targets.js';

after(cleanupTargets);

for (const [i, t] of TARGETS.filter((x) => x.name.startsWith('pem_') || x.name === 'profile').entries()) {
  test(`${t.name}: mutations never break a property`, async () => {
    await seedsPass(t);
    await fuzzTarget(t, { runs: t.name === 'profile' ? 300 : 100, seed: 0x9e40 + i, chunks: [65536] });
  });
}

test('PEM reader: any text gives blocks and problems, never more blocks than the bound', () => {
  const pemish = fc.array(
    fc.oneof(
      fc.constantFrom(
        '-----BEGIN CERTIFICATE-----',
        '-----END CERTIFICATE-----',
        '-----BEGIN EC PRIVATE KEY-----',
        'Proc-Type: 4,ENCRYPTED',
        'MIIB',
        '====',
        '',
        '\r',
      ),
      fc.string({ unit: 'binary', maxLength: 80 }),
    ),
    { maxLength: 60 },
  );
  fc.assert(
    fc.property(pemish, fc.integer({ min: 0, max: 5 }), (lines, max) => {
      const r = parsePem(lines.join('\n'), max);
      assert.ok(r.blocks.length <= max);
      for (const b of r.blocks) assert.ok(b.der.length > 0 && b.line >= 1);
      for (const p of r.problems) assert.ok(p.line >= 1 && p.message.length > 0);
    }),
    { numRuns: 500, seed: 0x9e3 },
  );
});
