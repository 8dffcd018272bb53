// timestamptz parsing and the recipe form, against values PostgreSQL 15 itself printed
// (fixtures/dump/timestamps.json: text in a session zone, to_char recipe form, extract(epoch)).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  RECIPE_TS_MAX_BYTES,
  TsResult,
  compareTimestamps,
  epochMicros,
  formatRecipeTimestamp,
  parseTimestamptz,
  writeRecipeTimestamp,
} from '../../src/dump/timestamp.js';
import { fixture } from './helpers/read.js';

interface Sample {
  zone: string;
  text: string;
  recipe: string | null;
  epoch: string;
}
const samples = JSON.parse(fixture('timestamps.json').toString('utf8')) as Sample[];

/** extract(epoch) text → exact [seconds, micros] (micros 0..999999), or ±1 for ±infinity. */
function epochOf(s: string): [number, number] | 1 | -1 {
  if (s === 'Infinity') return 1;
  if (s === '-Infinity') return -1;
  const neg = s.startsWith('-');
  const [whole = '0', frac = ''] = (neg ? s.slice(1) : s).split('.');
  const us = Number((frac + '000000').slice(0, 6));
  const sec = Number(whole);
  if (!neg) return [sec, us];
  return us === 0 ? [-sec, 0] : [-sec - 1, 1_000_000 - us];
}

function parse(text: string, out = new TsResult()): TsResult | undefined {
  const b = Buffer.from(text, 'latin1');
  return parseTimestamptz(b, 0, b.length, out) ? out : undefined;
}

describe('timestamptz from PostgreSQL 15', () => {
  it('the fixture covers the awkward cases', () => {
    assert.ok(samples.length >= 300);
    const texts = samples.map((s) => s.text);
    assert.ok(texts.some((t) => t.endsWith(' BC')));
    assert.ok(texts.some((t) => /^\d{5,}-/.test(t)));
    assert.ok(
      texts.some((t) => /[+-]\d\d:\d\d:\d\d( BC)?$/.test(t)),
      'offset with seconds (LMT)',
    );
    assert.ok(
      texts.some((t) => /[+-]\d\d:\d\d( BC)?$/.test(t)),
      'offset with minutes',
    );
    assert.ok(texts.includes('infinity') && texts.includes('-infinity'));
    assert.ok(new Set(samples.map((s) => s.zone)).size >= 10);
  });

  it('every sample parses to PostgreSQL’s epoch and recipe form (property, any position in a buffer)', () => {
    const out = new TsResult();
    const dst = Buffer.alloc(RECIPE_TS_MAX_BYTES + 8);
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.nat(20), fc.nat(20), fc.nat(7), (s, before, after, at) => {
        const text = Buffer.from(s.text, 'latin1');
        const buf = Buffer.concat([Buffer.alloc(before, 0x09), text, Buffer.alloc(after, 0x0a)]);
        assert.ok(parseTimestamptz(buf, before, before + text.length, out), s.text);
        const want = epochOf(s.epoch);
        if (typeof want === 'number') assert.equal(out.infinite, want);
        else {
          assert.equal(out.infinite, 0);
          assert.deepEqual([out.epochSec, out.micros], want, s.text);
        }
        dst.fill(0x21);
        const n = writeRecipeTimestamp(out, dst, at);
        if (s.recipe === null) assert.equal(n, -1, s.text);
        else {
          assert.equal(dst.toString('latin1', at, at + n), s.recipe, s.text);
          assert.equal(dst[at + n], 0x21, 'writes nothing past its length');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('every sample, in order: exact for all', () => {
    for (const s of samples) {
      const t = parse(s.text);
      assert.ok(t, s.text);
      assert.equal(formatRecipeTimestamp(t), s.recipe, `${s.zone} ${s.text}`);
    }
  });

  it('compareTimestamps orders samples as PostgreSQL’s epochs do', () => {
    const key = (s: Sample): [number, number, number] => {
      const e = epochOf(s.epoch);
      return typeof e === 'number' ? [e, 0, 0] : [0, e[0], e[1]];
    };
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.constantFrom(...samples), (a, b) => {
        const [ai, as, au] = key(a);
        const [bi, bs, bu] = key(b);
        const want = ai !== bi ? Math.sign(ai - bi) : as !== bs ? Math.sign(as - bs) : Math.sign(au - bu);
        const ta = parse(a.text);
        const tb = parse(b.text, new TsResult());
        assert.ok(ta && tb);
        assert.equal(Math.sign(compareTimestamps(ta, tb)), want, `${a.text} vs ${b.text}`);
      }),
      { numRuns: 1000 },
    );
  });

  it('epochMicros is exact in its documented range and infinite for ±infinity', () => {
    const t = parse('2026-11-25 22:00:00.12-05');
    assert.ok(t);
    assert.equal(epochMicros(t), 1795662000120000);
    const lo = parse('1700-01-01 00:00:00.000001+00');
    assert.ok(lo);
    assert.equal(epochMicros(lo), -8520335999999999);
    const hi = parse('2250-12-31 23:59:59.999999+00');
    assert.ok(hi);
    assert.equal(epochMicros(hi), 8867491199999999);
    const inf = parse('infinity');
    assert.ok(inf);
    assert.equal(epochMicros(inf), Number.POSITIVE_INFINITY);
    const ninf = parse('-infinity');
    assert.ok(ninf);
    assert.equal(epochMicros(ninf), Number.NEGATIVE_INFINITY);
  });
});

describe('timestamptz text PostgreSQL never prints is rejected', () => {
  for (const bad of [
    '',
    'Infinity',
    '2026-11-25 22:00:00',
    '2026-11-25T22:00:00+00',
    '2026-11-25 22:00:00.+00',
    '2026-11-25 22:00:00.1234567+00',
    '2026-02-29 00:00:00+00',
    '2026-13-01 00:00:00+00',
    '2026-00-01 00:00:00+00',
    '2026-04-31 00:00:00+00',
    '2026-11-25 24:00:00+00',
    '2026-11-25 23:60:00+00',
    '2026-11-25 23:00:60+00',
    '2026-11-25 23:00:00+16',
    '2026-11-25 23:00:00+05:60',
    '2026-11-25 23:00:00+05:30:60',
    '2026-11-25 23:00:00+5',
    '2026-11-25 23:00:00+05 AD',
    '2026-11-25 23:00:00+05 BC ',
    '0000-01-01 00:00:00+00',
    '026-11-25 23:00:00+00',
    '12345678-01-01 00:00:00+00',
    '2026-11-25 23:00:00+05:3',
    '2026/11/25 23:00:00+00',
  ]) {
    it(JSON.stringify(bad), () => {
      assert.equal(parse(bad), undefined);
    });
  }

  it('1 BC is a leap year (proleptic Gregorian with year 0), 2 BC is not', () => {
    assert.ok(parse('0001-02-29 00:00:00+00 BC'));
    assert.equal(parse('0002-02-29 00:00:00+00 BC'), undefined);
  });
});
