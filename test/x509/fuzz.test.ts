// Hostile input never crashes the certificate checks: random corruptions of the good set's DER
// and key files always end in findings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parsePem } from '../../src/x509/pem.js';
import { readSet, run, source } from './helpers.js';

const good = readSet('good');
const derOf = (name: string): Buffer =>
  parsePem(good[name]?.toString() ?? '', 4).blocks[0]?.der ?? Buffer.alloc(0);
const toPem = (der: Buffer, label: string): string =>
  `-----BEGIN ${label}-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`;

for (const [file, label] of [
  ['server.crt', 'CERTIFICATE'],
  ['ca.crt', 'CERTIFICATE'],
  ['server.key', 'EC PRIVATE KEY'],
] as const) {
  test(`corrupted ${file} gives findings, never an exception`, () => {
    const der =
      file === 'server.key'
        ? (parsePem(good[file]?.toString() ?? '', 4).blocks[1]?.der ?? Buffer.alloc(0))
        : derOf(file);
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(der.length - 1), value: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat(der.length),
        (edits, cut) => {
          const d = Buffer.from(der.subarray(0, Math.max(cut, 1)));
          for (const e of edits) if (e.at < d.length) d[e.at] = e.value;
          const { report, findings } = run(source(undefined, { extra: { [file]: toPem(d, label) } }));
          assert.equal(typeof report.chain.valid, 'boolean');
          // A changed byte must never leave a fully clean, valid result unless it is the original.
          if (!d.equals(der)) assert.ok(findings.list.length > 0 || report.chain.valid);
        },
      ),
      { numRuns: 150, seed: 4242 },
    );
  });
}
