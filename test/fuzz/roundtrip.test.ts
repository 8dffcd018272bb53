// Round trips and order independence, where a format has them: COPY field encode → decode (and
// bytea), COPY rows split the same way whatever the chunking, timestamptz text → instant → recipe
// text, and a chain replay that reports the same breaks whatever order the rows come in and
// however small its memory. Also: the CLI's value parsers give a value or bad usage, nothing else.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { testReplay } from '../support/chain.js';
import type { ChainRecord } from '../../src/chain/record.js';
import { parseAnchor, parseDuration, parseLimits, parseTime, UsageError } from '../../src/cli/common.js';
import {
  CopyRowSplitter,
  decodeBytea,
  decodeByteaField,
  encodeByteaHex,
  encodeCopyField,
  splitFields,
  unescapeField,
} from '../../src/dump/copy.js';
import { CopyScan } from '../../src/dump/copy-scan.js';
import { formatRecipeTimestamp, newTsResult, parseTimestamptz } from '../../src/dump/timestamp.js';
import { Findings } from '../../src/findings/collector.js';

const field = fc.option(
  fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
  { nil: null, freq: 6 },
);
const row = fc.array(field, { minLength: 1, maxLength: 6 });

function encodeRow(r: Array<Buffer | null>): Buffer {
  const parts: Buffer[] = [];
  r.forEach((f, i) => {
    if (i > 0) parts.push(Buffer.from('\t'));
    parts.push(encodeCopyField(f));
  });
  parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

function decodeRow(buf: Buffer, s: number, e: number): Array<Buffer | null> {
  const pos: number[] = [];
  const n = splitFields(buf, s, e, pos);
  const out: Array<Buffer | null> = [];
  for (let i = 0; i < n; i++) {
    const v = unescapeField(buf, pos[2 * i] ?? 0, pos[2 * i + 1] ?? 0);
    out.push(v === null ? null : Buffer.from(v));
  }
  return out;
}

/** Cuts `b` at the given fractions (sorted offsets), as a stream would. */
function cut(b: Buffer, at: number[]): Buffer[] {
  const offs = [...new Set(at.map((x) => Math.floor(x * b.length)))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let p = 0;
  for (const o of offs) {
    out.push(b.subarray(p, o));
    p = o;
  }
  out.push(b.subarray(p));
  return out;
}

test('COPY field: encode then decode gives the value back (NULL included)', () => {
  fc.assert(
    fc.property(field, (v) => {
      const enc = encodeCopyField(v);
      const dec = unescapeField(enc, 0, enc.length);
      if (v === null) assert.equal(dec, null);
      else assert.ok(dec !== null && Buffer.from(dec).equals(v));
    }),
    { numRuns: 1000, seed: 0xc0 },
  );
});

test('bytea: hex form through COPY escaping decodes to the same bytes, both decoders', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (a) => {
      const bytes = Buffer.from(a);
      const hex = encodeByteaHex(bytes);
      assert.ok(decodeBytea(hex)?.equals(bytes));
      const raw = encodeCopyField(hex);
      assert.ok(decodeByteaField(raw, 0, raw.length)?.equals(bytes));
    }),
    { numRuns: 500, seed: 0xb7 },
  );
});

test('COPY rows: split identically whatever the chunking; the scanner counts the same rows', () => {
  fc.assert(
    fc.property(
      fc.array(row, { maxLength: 30 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
      (rows, at) => {
        const text = Buffer.concat(rows.map(encodeRow));
        const got: Array<Array<Buffer | null>> = [];
        const sp = new CopyRowSplitter((buf, s, e) => got.push(decodeRow(buf, s, e)));
        const scan = new CopyScan(1 << 20);
        for (const piece of cut(text, at)) {
          sp.push(piece);
          scan.scan(piece, 0);
        }
        assert.equal(sp.end(), true);
        assert.equal(got.length, rows.length);
        assert.equal(scan.rows, rows.length);
        got.forEach((r, i) => {
          const want = rows[i] ?? [];
          assert.equal(r.length, want.length);
          r.forEach((f, j) => {
            const w = want[j];
            if (w === null || w === undefined) assert.equal(f, null);
            else assert.ok(f !== null && f.equals(w));
          });
        });
      },
    ),
    { numRuns: 300, seed: 0x5c1 },
  );
});

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

test('timestamptz: text → instant → recipe text agrees with an independent computation', () => {
  const ts = fc.record({
    y: fc.integer({ min: 1, max: 9999 }),
    mo: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
    h: fc.integer({ min: 0, max: 23 }),
    mi: fc.integer({ min: 0, max: 59 }),
    s: fc.integer({ min: 0, max: 59 }),
    us: fc.option(fc.integer({ min: 0, max: 999_999 }), { nil: undefined }),
    oh: fc.integer({ min: -15, max: 15 }),
    om: fc.constantFrom(0, 15, 30, 45),
  });
  fc.assert(
    fc.property(ts, (t) => {
      const frac = t.us === undefined ? '' : `.${pad(t.us, 6).replace(/0+$/, '') || '0'}`;
      const off = `${t.oh < 0 ? '-' : '+'}${pad(Math.abs(t.oh), 2)}${t.om ? `:${pad(t.om, 2)}` : ''}`;
      const text = `${pad(t.y, 4)}-${pad(t.mo, 2)}-${pad(t.d, 2)} ${pad(t.h, 2)}:${pad(t.mi, 2)}:${pad(t.s, 2)}${frac}${off}`;
      const r = newTsResult();
      const b = Buffer.from(text);
      assert.ok(parseTimestamptz(b, 0, b.length, r), text);
      const base = new Date(0);
      base.setUTCFullYear(t.y, t.mo - 1, t.d);
      base.setUTCHours(t.h, t.mi, t.s, 0);
      const offSec = (Math.abs(t.oh) * 3600 + t.om * 60) * (t.oh < 0 ? -1 : 1);
      const epochSec = base.getTime() / 1000 - offSec;
      assert.equal(r.epochSec, epochSec, text);
      assert.equal(r.micros, t.us ?? 0);
      const utc = new Date(epochSec * 1000);
      const want = `${pad(utc.getUTCFullYear(), 4)}-${pad(utc.getUTCMonth() + 1, 2)}-${pad(utc.getUTCDate(), 2)}T${pad(utc.getUTCHours(), 2)}:${pad(utc.getUTCMinutes(), 2)}:${pad(utc.getUTCSeconds(), 2)}.${pad(t.us ?? 0, 6)}Z`;
      // years 1..9999 local can fall in year 0 or 10000 UTC: compare only within 1..9999
      if (utc.getUTCFullYear() >= 1 && utc.getUTCFullYear() <= 9999)
        assert.equal(formatRecipeTimestamp(r), want);
    }),
    { numRuns: 500, seed: 0x7157 },
  );
});

test('timestamptz: arbitrary bytes never throw, and a parse is always a finite instant', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 48 }), (a) => {
      const b = Buffer.from(a);
      const r = newTsResult();
      if (parseTimestamptz(b, 0, b.length, r)) assert.ok(Number.isFinite(r.epochSec) || r.infinite !== 0);
    }),
    { numRuns: 1000, seed: 0x7158 },
  );
});

function chain(n: number): ChainRecord[] {
  const out: ChainRecord[] = [];
  let prev = Buffer.alloc(32);
  for (let s = 1; s <= n; s++) {
    const hash = createHash('sha256').update(`record ${s}`).digest();
    out.push({ seq: s, ts: s * 1_000_000, prev, hash, contentOk: true, row: s });
    prev = hash;
  }
  return out;
}

function replay(records: ChainRecord[], window: number, mem: number): string[] {
  const findings = new Findings();
  const r = testReplay(findings, window, mem);
  for (const x of records) r.push({ ...x });
  r.finish();
  return findings.list.map((f) => `${f.code}@${f.location.seq ?? ''}..${f.location.seqTo ?? ''}`).sort();
}

test('chain replay: any order, any reorder window, any spill size: the same findings as in order', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 300 }),
      fc.array(fc.nat(), { maxLength: 300 }),
      fc.constantFrom(1, 8, 64, 100_000),
      fc.constantFrom(4, 32, 1000),
      fc.option(fc.record({ at: fc.nat(), kind: fc.constantFrom('drop', 'dup', 'altered', 'relink') }), {
        nil: undefined,
      }),
      (n, keys, window, mem, damage) => {
        let recs = chain(n);
        if (damage) {
          const i = damage.at % recs.length;
          const r = recs[i] as ChainRecord;
          if (damage.kind === 'drop') recs.splice(i, 1);
          else if (damage.kind === 'dup') recs.push({ ...r, row: n + 1 });
          else if (damage.kind === 'altered') recs[i] = { ...r, contentOk: false };
          else recs[i] = { ...r, prev: createHash('sha256').update('other').digest() };
        }
        const inOrder = replay(recs, 100_000, 1_000_000);
        // the rows' physical order: a shuffle driven by `keys`
        recs = recs
          .map((r, i) => ({ r, k: keys[i % Math.max(1, keys.length)] ?? i }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.r);
        assert.deepEqual(replay(recs, window, mem), inOrder);
        if (!damage) assert.deepEqual(inOrder, []);
      },
    ),
    { numRuns: 200, seed: 0xc4a1 },
  );
});

test('CLI values: --limit, --timeout, --at and --anchor give a value or bad usage, never a crash', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('limit', 'duration', 'time', 'anchor'),
      (s, kind) => {
        try {
          if (kind === 'limit') parseLimits([s]);
          else if (kind === 'duration') assert.ok(parseDuration(s, '--timeout') >= 0);
          else if (kind === 'time') assert.ok(!Number.isNaN(parseTime(s, '--at').getTime()));
          else parseAnchor(s);
        } catch (e) {
          assert.ok(e instanceof UsageError, `${kind} ${JSON.stringify(s)}: ${String(e)}`);
        }
      },
    ),
    { numRuns: 2000, seed: 0xc11 },
  );
  assert.equal(parseLimits(['tuf.maxJsonDepth=8']).tuf.maxJsonDepth, 8);
  assert.equal(parseLimits(['x509.maxCertsPerPem=3']).x509.maxCertsPerPem, 3);
  assert.equal(parseLimits(['maxRatio=1e9']).maxRatio, 1e9);
  assert.throws(() => parseLimits(['tuf.nope=1']), UsageError);
});

test('JSON report in pieces: byte for byte JSON.stringify(report, null, 2)', async () => {
  const { verifyBackup } = await import('../../src/verify/backup.js');
  const { defaultVerifyOptions } = await import('../../src/verify/options.js');
  const { reportJsonPieces } = await import('../../src/cli/json-out.js');
  const { FIXTURES } = await import('../support/paths.js');
  const { join } = await import('node:path');
  const r = await verifyBackup(join(FIXTURES, 'sample-backup.tar.gz'), defaultVerifyOptions({ jobs: 1 }));
  assert.equal([...reportJsonPieces(r)].join(''), JSON.stringify(r, null, 2) + '\n');
  fc.assert(
    fc.property(
      fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }),
      fc.jsonValue({ maxDepth: 3 }),
      (list, extra) => {
        const x = { ...r, findings: list as never[], sections: { extra } as never, checks: [] };
        assert.equal([...reportJsonPieces(x)].join(''), JSON.stringify(x, null, 2) + '\n');
      },
    ),
    { numRuns: 300, seed: 0x1500 },
  );
});
