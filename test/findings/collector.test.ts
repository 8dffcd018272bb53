// The findings cap: what is kept when a flood fills it, and what a step's status says then.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Findings } from '../../src/findings/collector.js';

const FLOOD = 'CHAIN_ROW_MALFORMED'; // error
const LOC = { table: 'public.audit_log' };

test('at the cap, an error of a code not yet stored takes the place of one of the flood', () => {
  const f = new Findings(undefined, 100);
  for (let i = 0; i < 1000; i++) f.add(FLOOD, { ...LOC, row: i + 1 }, 'junk');
  f.add('DUMP_ZLIB_CORRUPT', { path: 'db/meshanics.dump', offset: 7 }, 'zlib says no');
  assert.equal(f.list.length, 100);
  assert.equal(f.dropped, 901);
  assert.ok(f.has('DUMP_ZLIB_CORRUPT'));
  assert.equal(f.list.filter((x) => x.code === FLOOD).length, 99);
  // A second finding of a code already stored does not displace anything.
  f.add('DUMP_ZLIB_CORRUPT', { path: 'db/meshanics.dump', offset: 9 }, 'again');
  assert.equal(f.list.filter((x) => x.code === 'DUMP_ZLIB_CORRUPT').length, 1);
});

test('at the cap, a warning never displaces an error, and an error displaces a warning first', () => {
  const f = new Findings(undefined, 10);
  for (let i = 0; i < 50; i++) f.add(FLOOD, { ...LOC, row: i + 1 }, 'junk');
  f.add('CHAIN_TIME_BACKWARDS', LOC, 'backwards'); // a warning of a new code
  assert.equal(f.has('CHAIN_TIME_BACKWARDS'), false);
  const g = new Findings(undefined, 10);
  for (let i = 0; i < 5; i++) g.add('CHAIN_TIME_BACKWARDS', { ...LOC, row: i }, 'warning');
  for (let i = 0; i < 5; i++) g.add(FLOOD, { ...LOC, row: i + 1 }, 'junk');
  g.add('DUMP_ZLIB_CORRUPT', { path: 'd', offset: 1 }, 'zlib');
  assert.ok(g.has('DUMP_ZLIB_CORRUPT'));
  assert.equal(g.list.filter((x) => x.code === FLOOD).length, 5, 'the errors stay; a warning gave way');
});

test('a step whose findings were all dropped by the cap still fails', () => {
  const f = new Findings(undefined, 5);
  for (let i = 0; i < 5; i++) f.add('CHAIN_TIME_BACKWARDS', { ...LOC, row: i }, 'warning');
  const m = f.mark();
  // Errors of a code already stored: dropped or displacing warnings, never missed by the status.
  for (let i = 0; i < 20; i++) f.add(FLOOD, { ...LOC, row: i + 1 }, 'junk');
  assert.equal(f.statusSince(m, false), 'failed');
  const m2 = f.mark();
  f.add('CHAIN_TIME_BACKWARDS', LOC, 'dropped warning');
  assert.equal(f.statusSince(m2, false), 'warned');
  assert.equal(f.statusSince(m2, true), 'failed');
  assert.equal(f.statusSince(f.mark(), false), 'passed');
});
