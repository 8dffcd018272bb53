// Unit checks of the building blocks: canonical JSON, path patterns, expiry strings, JSON depth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalize, compareCodePoints } from '../../src/tuf/canonical.js';
import { matchPathPattern, matchSegment } from '../../src/tuf/glob.js';
import { depthExceeded } from '../../src/tuf/json.js';
import { parseExpires } from '../../src/tuf/time.js';

const canon = (v: unknown): string => {
  const c = canonicalize(v);
  assert.ok(c.ok);
  return c.bytes.toString('utf8');
};

test('canonical JSON: sorted keys, no whitespace, only " and \\ escaped', () => {
  assert.equal(canon({ b: 1, a: [true, null, 'x'] }), '{"a":[true,null,"x"],"b":1}');
  assert.equal(canon({ s: 'a"b\\c\nd\u0001é' }), '{"s":"a\\"b\\\\c\nd\u0001é"}');
  assert.equal(canon(-5), '-5');
});

test('canonical JSON: keys ordered by code point, not UTF-16 unit', () => {
  // U+FF61 sorts before U+1F600 by code point; by UTF-16 units the surrogate (0xD83D) comes first.
  assert.equal(canon({ '\u{1F600}': 1, '\uFF61': 2 }), '{"\uFF61":2,"\u{1F600}":1}');
  assert.ok(compareCodePoints('\uFF61', '\u{1F600}') < 0);
  assert.ok(compareCodePoints('a', 'ab') < 0);
});

test('canonical JSON: floats and unsafe integers are refused with the field', () => {
  const c = canonicalize({ meta: { x: { length: 1.5 } } });
  assert.equal(c.ok, false);
  if (!c.ok) assert.equal(c.field, 'meta.x.length');
  assert.equal(canonicalize({ v: 2 ** 60 }).ok, false);
});

test('path patterns: * and ? never cross /, segment counts must agree', () => {
  assert.equal(matchPathPattern('firmware/gw-*.bin', 'firmware/gw-1.2.0.bin'), true);
  assert.equal(matchPathPattern('firmware/*', 'firmware/a/b.bin'), false);
  assert.equal(matchPathPattern('*', 'a/b'), false);
  assert.equal(matchPathPattern('*.tgz', 'foo.tgz'), true);
  assert.equal(matchPathPattern('targets/*.tgz', 'targets/foo.txt'), false);
  assert.equal(matchPathPattern('foo-version-?.tgz', 'foo-version-2.tgz'), true);
  assert.equal(matchPathPattern('foo-version-?.tgz', 'foo-version-alpha.tgz'), false);
  assert.equal(matchPathPattern('delegatedrole/*/*', 'delegatedrole/a/b'), true);
  assert.equal(matchSegment('[a-c]x', 'bx'), true);
  assert.equal(matchSegment('[!a-c]x', 'bx'), false);
  assert.equal(matchSegment('[]]', ']'), true);
  assert.equal(matchSegment('[ab', '[ab'), true);
  assert.equal(matchSegment('', ''), true);
});

test('path patterns: hostile star patterns stay fast', () => {
  const t0 = Date.now();
  assert.equal(matchSegment('*a*a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000)), false);
  assert.ok(Date.now() - t0 < 2000);
});

test('expiry: spec form is strict; fractional seconds and offsets are tolerated', () => {
  const s = parseExpires('2030-01-01T00:00:00Z');
  assert.equal(s?.strict, true);
  assert.equal(s?.date.toISOString(), '2030-01-01T00:00:00.000Z');
  const f = parseExpires('2021-12-18T13:28:12.99008-06:00');
  assert.equal(f?.strict, false);
  assert.equal(f?.date.toISOString(), '2021-12-18T19:28:12.990Z');
  assert.equal(
    parseExpires('2022-05-11T19:09:02.663975009Z')?.date.toISOString(),
    '2022-05-11T19:09:02.663Z',
  );
  assert.equal(parseExpires('2030-02-31T00:00:00Z'), undefined);
  assert.equal(parseExpires('2028-02-29T00:00:00Z')?.date.toISOString(), '2028-02-29T00:00:00.000Z');
  assert.equal(parseExpires('0030-01-01T00:00:00Z')?.date.getUTCFullYear(), 30);
  assert.equal(parseExpires('2030-01-01'), undefined);
  assert.equal(parseExpires('tomorrow'), undefined);
});

test('JSON depth scan ignores brackets in strings and finds deep nesting', () => {
  assert.equal(depthExceeded(Buffer.from('{"a":"[[[[[[[[","b":[1]}'), 3), -1);
  assert.equal(depthExceeded(Buffer.from('{"a":"\\"[[[[[[[["}'), 3), -1);
  assert.equal(depthExceeded(Buffer.from('[[[[1]]]]'), 3), 3);
});
