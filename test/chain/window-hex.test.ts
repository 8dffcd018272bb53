// The byte-slab reorder window pops records in (seq, row) order, and the four-digits-a-load hex
// decoder agrees with the plain one, for any input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { digestEquals, hex32Into, hexInto } from '../../src/chain/hex.js';
import { RECORD_BYTES, RECORD_F64 } from '../../src/chain/record.js';
import { ReorderWindow } from '../../src/chain/window.js';

test('ReorderWindow pops records in (seq, row) order with their bytes intact', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ seq: fc.integer({ min: -5, max: 40 }), tag: fc.integer({ min: 0, max: 255 }) }), {
        maxLength: 200,
      }),
      fc.integer({ min: 1, max: 64 }),
      (recs, cap) => {
        const w = new ReorderWindow(cap);
        const rec = Buffer.alloc(RECORD_BYTES);
        const f = new Float64Array(rec.buffer, rec.byteOffset, RECORD_F64);
        const out: Array<{ seq: number; row: number; tag: number }> = [];
        const popOne = (): void => {
          const s = w.pop();
          assert.ok(s >= 0);
          out.push({ seq: w.seqOf(s), row: w.rowOf(s), tag: w.bytes[s * RECORD_BYTES + 40] as number });
          w.release(s);
        };
        const expected: Array<{ seq: number; row: number; tag: number }> = [];
        recs.forEach((r, i) => {
          if (w.size === cap) popOne();
          f[0] = r.seq;
          rec[40] = r.tag;
          assert.ok(w.push(rec, 0, i + 1));
          expected.push({ seq: r.seq, row: i + 1, tag: r.tag });
        });
        while (w.size > 0) popOne();
        assert.equal(w.pop(), -1);
        // Every record came out once, and each pop was the smallest of what the window held.
        assert.deepEqual(
          [...out].sort((a, b) => a.row - b.row),
          expected,
        );
        if (cap >= recs.length)
          assert.deepEqual(
            out,
            [...expected].sort((a, b) => a.seq - b.seq || a.row - b.row),
          );
      },
    ),
  );
});

test('ReorderWindow refuses a push when full', () => {
  const w = new ReorderWindow(2);
  const rec = Buffer.alloc(RECORD_BYTES);
  assert.ok(w.push(rec, 0, 1));
  assert.ok(w.push(rec, 0, 2));
  assert.equal(w.push(rec, 0, 3), false);
});

test('hex32Into agrees with hexInto on any 64 characters', () => {
  const hexChar = fc.constantFrom(...'0123456789abcdefABCDEFgx \\'.split(''));
  fc.assert(
    fc.property(
      fc.array(hexChar, { minLength: 64, maxLength: 64 }),
      fc.integer({ min: 0, max: 7 }),
      (cs, pad) => {
        const src = Buffer.from(' '.repeat(pad) + cs.join(''), 'latin1');
        const a = Buffer.alloc(32);
        const b = Buffer.alloc(32);
        const ok = hex32Into(new DataView(src.buffer, src.byteOffset, src.length), pad, a, 0);
        const n = hexInto(src, pad, pad + 64, b, 0);
        assert.equal(ok, n === 32);
        if (ok) assert.deepEqual(a, b);
      },
    ),
  );
});

test('digestEquals compares a latin1 digest string with bytes', () => {
  const bytes = Buffer.from([...Array(32).keys()].map((i) => (i * 37) & 0xff));
  const s = bytes.toString('latin1');
  assert.ok(digestEquals(s, bytes, 0));
  const other = Buffer.from(bytes);
  other[31] = (other[31] as number) ^ 1;
  assert.equal(digestEquals(s, other, 0), false);
  assert.equal(digestEquals(s.slice(1), bytes, 0), false);
});

test('ReorderWindow grows past its first slab and keeps every record', () => {
  const w = new ReorderWindow(5000);
  const rec = Buffer.alloc(RECORD_BYTES);
  const f = new Float64Array(rec.buffer, rec.byteOffset, RECORD_F64);
  const seqs = Array.from({ length: 4000 }, (_, i) => (i * 7919) % 4000);
  seqs.forEach((s, i) => {
    f[0] = s;
    rec[50] = s & 0xff;
    assert.ok(w.push(rec, 0, i + 1));
  });
  const out: number[] = [];
  for (let s = w.pop(); s >= 0; s = w.pop()) {
    assert.equal(w.bytes[s * RECORD_BYTES + 50], w.seqOf(s) & 0xff);
    out.push(w.seqOf(s));
    w.release(s);
  }
  assert.deepEqual(
    out,
    Array.from({ length: 4000 }, (_, i) => i),
  );
});
