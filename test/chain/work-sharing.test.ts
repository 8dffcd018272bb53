// The audit rows of real pg_dump output (fixtures/db/*.sql), hashed in this thread only and
// shared between this thread and a worker in small blocks: the same findings, the same head,
// and both threads really hashed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ChainFacts } from '../../src/chain/replay.js';
import { Findings } from '../../src/findings/collector.js';
import { testAuditRows, testReplay } from '../support/chain.js';
import { FIXTURES } from '../support/paths.js';

function auditCopy(file: string): Buffer {
  const sql = readFileSync(join(FIXTURES, 'db', file));
  const head = sql.indexOf('COPY public.audit_log (');
  const start = sql.indexOf(0x0a, head) + 1;
  return sql.subarray(start, sql.indexOf('\n\\.\n', start) + 1);
}

async function replay(
  rows: Buffer,
  jobs: number,
  blockBytes?: number,
  maxLineBytes = 1 << 20,
): Promise<{ facts: ChainFacts; where: string[]; split: { here: number; workers: number } }> {
  const findings = new Findings();
  const r = testReplay(findings);
  const h = testAuditRows(r, findings, {
    jobs,
    maxLineBytes,
    ...(blockBytes !== undefined ? { blockBytes } : {}),
  });
  // Chunks of odd sizes, as an inflater delivers them.
  for (let at = 0; at < rows.length; at += 1000) await h.data(rows.subarray(at, at + 1000));
  await h.end(true);
  const facts = r.finish();
  const where = findings.list.map((f) => `${f.code} ${JSON.stringify(f.location)}`).sort();
  return { facts, where, split: h.split };
}

for (const file of ['clean.sql', 'edited.sql', 'deleted.sql']) {
  test(`${file}: rows hashed partly here and partly by a worker give the single-thread findings`, async () => {
    const rows = auditCopy(file);
    const one = await replay(rows, 1);
    const shared = await replay(rows, 2, 2048);
    assert.ok(shared.split.here > 0, `this thread hashed ${shared.split.here} blocks`);
    assert.ok(shared.split.workers > 0, `the worker hashed ${shared.split.workers} blocks`);
    assert.equal(one.split.workers, 0);
    assert.deepEqual(shared.where, one.where);
    assert.equal(shared.facts.headHash, one.facts.headHash);
    assert.equal(shared.facts.count, one.facts.count);
    assert.ok(one.facts.count > 1000, 'the fixture has its records');
    if (file !== 'clean.sql') assert.ok(one.where.length > 0, 'the tampered fixture has findings');
  });
}

test('over-long rows are counted in dump order when blocks are shared between threads', async () => {
  const rows = auditCopy('clean.sql');
  // A bound some payloads exceed: those rows are skipped, each reported with its row number.
  const one = await replay(rows, 1, undefined, 2000);
  const shared = await replay(rows, 2, 2048, 2000);
  const long = one.where.filter((w) => w.startsWith('LIMIT_EXCEEDED'));
  assert.ok(long.length > 1, `${long.length} over-long rows`);
  assert.ok(shared.split.here > 0 && shared.split.workers > 0);
  assert.deepEqual(shared.where, one.where);
});
