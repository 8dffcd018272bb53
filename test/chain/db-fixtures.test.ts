// The chain replay against every database fixture, compared with PostgreSQL's own verdict on
// the same data (fixtures/db/manifest.json, computed in SQL with the spec's functions when the
// fixtures were made). One test per fixture: each fixture carries one attack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyDumpFile } from '../../src/verify/dump-file.js';
import { defaultVerifyOptions, DEFAULT_LIMITS } from '../../src/verify/options.js';
import type { Finding } from '../../src/findings/types.js';
import type { Report } from '../../src/report/types.js';
import { FIXTURES } from '../support/paths.js';

type Range = [number, number];
interface ManifestFile {
  file: string;
  records: number;
  head: { seq: number; hash: string };
  anchors: Array<{ seq: number; hash: string; expect: 'match' | 'mismatch' | 'missing' | 'beyond-head' }>;
  tamper?: { kind: string };
  reference: {
    contentBreaks: Range[];
    linkBreaks: Range[];
    linksToLater: Range[];
    gaps: Range[];
    duplicates: Array<{ seq: number; rows: number }>;
    timeBackwards: Range[];
    genesis: { firstSeq: number; prevHashZero: boolean; ok: boolean };
  };
}

const manifest = JSON.parse(readFileSync(join(FIXTURES, 'db', 'manifest.json'), 'utf8')) as {
  files: ManifestFile[];
};

/** The set of seqs covered by findings with one of the codes. */
function seqs(findings: Finding[], ...codes: string[]): number[] {
  const out = new Set<number>();
  for (const f of findings) {
    if (!codes.includes(f.code) || f.location.seq === undefined) continue;
    for (let s = f.location.seq; s <= (f.location.seqTo ?? f.location.seq); s++) out.add(s);
  }
  return [...out].sort((a, b) => a - b);
}

function expand(ranges: Range[]): number[] {
  const out: number[] = [];
  for (const [a, b] of ranges) for (let s = a; s <= b; s++) out.push(s);
  return out;
}

const STATUS = {
  match: 'matched',
  mismatch: 'mismatched',
  missing: 'missing',
  'beyond-head': 'beyond-head',
} as const;

async function run(m: ManifestFile, tiny: boolean, jobs = 2, hashBlockBytes?: number): Promise<Report> {
  const opts = defaultVerifyOptions({
    jobs,
    ...(hashBlockBytes !== undefined ? { hashBlockBytes } : {}),
    at: new Date('2026-11-26T00:00:00Z'),
    anchors: m.anchors.map((a) => ({ seq: a.seq, hash: Buffer.from(a.hash, 'hex') })),
    // A tiny reorder window and spill runs force the on-disk merge path on 3000 records.
    limits: tiny ? { ...DEFAULT_LIMITS, reorderWindow: 4, spillMemRecords: 16 } : DEFAULT_LIMITS,
  });
  opts.steps = { chain: true, tuf: false, certs: false, cross: false };
  return verifyDumpFile(join(FIXTURES, 'db', m.file), opts, 'audit');
}

function compare(m: ManifestFile, r: Report): void {
  const ref = m.reference;
  const f = r.findings;
  assert.deepEqual(seqs(f, 'CHAIN_RECORD_ALTERED'), expand(ref.contentBreaks), 'content breaks');
  assert.deepEqual(seqs(f, 'CHAIN_LINK_BROKEN', 'CHAIN_REORDERED'), expand(ref.linkBreaks), 'link breaks');
  for (const s of expand(ref.linksToLater))
    assert.ok(seqs(f, 'CHAIN_REORDERED').includes(s), `reordered at ${s}`);
  assert.deepEqual(seqs(f, 'CHAIN_GAP'), expand(ref.gaps), 'gaps');
  assert.deepEqual(
    seqs(f, 'CHAIN_DUPLICATE_SEQ'),
    ref.duplicates.map((d) => d.seq),
    'duplicates',
  );
  assert.deepEqual(seqs(f, 'CHAIN_TIME_BACKWARDS'), expand(ref.timeBackwards), 'time backwards');
  const genesis = f.filter((x) => x.code === 'CHAIN_BAD_GENESIS');
  if (ref.genesis.ok) assert.equal(genesis.length, 0, 'no genesis finding');
  else
    assert.deepEqual(
      genesis.map((x) => x.location.seq),
      [ref.genesis.firstSeq],
      'genesis finding at the first seq',
    );
  const chain = r.chains[0];
  assert.ok(chain, 'a chain was replayed');
  assert.equal(chain.count, m.records);
  assert.equal(chain.last, m.head.seq);
  assert.equal(chain.headHash, m.head.hash);
  for (const a of m.anchors) {
    const got: { status: string } | undefined = chain.anchors.find((x) => x.seq === a.seq);
    assert.equal(got?.status, STATUS[a.expect], `anchor ${a.seq}`);
  }
  const broken =
    ref.contentBreaks.length + ref.linkBreaks.length + ref.gaps.length + ref.duplicates.length > 0 ||
    !ref.genesis.ok;
  const anchorFails = m.anchors.some((a) => a.expect !== 'match');
  assert.equal(r.exitCode, broken || anchorFails ? 1 : 0, 'exit code');
}

for (const m of manifest.files) {
  const what = m.tamper ? m.tamper.kind : 'clean';
  test(`chain replay of ${m.file} (${what}) agrees with PostgreSQL`, async () => {
    compare(m, await run(m, false));
  });
}

for (const m of manifest.files.filter((x) =>
  /^(shuffled|deleted|reordered|duplicate|inserted|clean)\.dump$|distant/.test(x.file),
)) {
  test(`chain replay of ${m.file} through the on-disk reorder spill gives the same findings`, async () => {
    const r = await run(m, true);
    compare(m, r);
    assert.ok((r.chains[0]?.lateRecords ?? 0) > 0, 'rows went through the spill');
  });
}

for (const m of manifest.files.filter((x) => x.tamper !== undefined && x.file.endsWith('.dump'))) {
  test(`${m.file}: the single-thread and the worker-pool paths give the same findings`, async () => {
    const where = (r: Report): string[] =>
      r.findings.map((f) => `${f.code} ${JSON.stringify(f.location)}`).sort();
    const one = await run(m, false, 1);
    const pool = await run(m, false, 3);
    assert.deepEqual(where(pool), where(one));
    assert.equal(pool.chains[0]?.headHash, one.chains[0]?.headHash);
    // 4 KiB blocks: hundreds per fixture, hashed partly here and partly by the worker.
    const shared = await run(m, false, 2, 4096);
    assert.deepEqual(where(shared), where(one));
    assert.equal(shared.chains[0]?.headHash, one.chains[0]?.headHash);
  });
}
