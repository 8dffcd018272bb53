// A corrupt stretch of a dump (a flipped byte inflates to junk) is one finding over its rows,
// whatever mix of reasons its lines fail for, across hashing blocks and threads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Findings } from '../../src/findings/collector.js';
import { testAuditRows, testReplay } from '../support/chain.js';
import { FIXTURES } from '../support/paths.js';

function auditLines(): string[] {
  const sql = readFileSync(join(FIXTURES, 'db', 'clean.sql'), 'utf8');
  const head = sql.indexOf('COPY public.audit_log (');
  const start = sql.indexOf('\n', head) + 1;
  return sql.slice(start, sql.indexOf('\n\\.\n', start)).split('\n');
}

for (const jobs of [1, 2]) {
  test(`rows 100..1099 of junk (mixed reasons) are one CHAIN_ROW_MALFORMED over those rows (jobs ${jobs})`, async () => {
    const lines = auditLines();
    // Junk without a readable seq: field counts vary, some lines have no tab at all.
    for (let i = 99; i < 1099; i++) lines[i] = i % 3 === 0 ? `junk ${i}` : `x${i}\t${'y\t'.repeat(i % 5)}z`;
    const findings = new Findings();
    const replay = testReplay(findings);
    const h = testAuditRows(replay, findings, { jobs, maxLineBytes: 1 << 20, blockBytes: 4096 });
    const text = Buffer.from(lines.join('\n') + '\n');
    for (let at = 0; at < text.length; at += 1000) await h.data(text.subarray(at, at + 1000));
    await h.end(true);
    const facts = replay.finish();
    const bad = findings.list.filter((f) => f.code === 'CHAIN_ROW_MALFORMED');
    assert.equal(bad.length, 1, JSON.stringify(bad.map((f) => f.location)));
    const f = bad[0];
    assert.ok(f);
    assert.deepEqual(f.location, { table: 'public.audit_log', row: 100 });
    assert.equal(f.detail?.['rows'], 1000);
    assert.equal(f.detail?.['lastRow'], 1099);
    assert.equal(f.detail?.['mixedReasons'], true);
    // Every other row is still read and replayed.
    assert.equal(facts.count, lines.length - 1000);
  });
}
