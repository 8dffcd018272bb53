// readDump as a stream consumer: backpressure, bounds, abort, failing input and consumers, and
// the COPY row rules (escaped newlines, the end-of-data line split across chunks).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Findings } from '../../src/findings/collector.js';
import { readDump } from '../../src/dump/index.js';
import type { DumpReadOptions } from '../../src/dump/types.js';
import { buildArchive, rawChunks, tableEntries, zlibChunks } from './helpers/archive-builder.js';
import { chunked, codes, fixture, readBuf, withCode } from './helpers/read.js';

function opts(findings: Findings, over: Partial<DumpReadOptions> = {}): DumpReadOptions {
  return {
    path: 'x.dump',
    findings,
    maxLineBytes: 1 << 20,
    maxTocEntries: 1000,
    maxTocStringBytes: 1 << 16,
    ...over,
  };
}

const plain = (body: string): Buffer =>
  Buffer.from(
    `--\n-- PostgreSQL database dump\n--\n\n${body}\n--\n-- PostgreSQL database dump complete\n--\n`,
  );

describe('backpressure', () => {
  it('waits for each data() promise before reading on, and keeps the chunk order', async () => {
    const buf = fixture('custom.dump');
    const findings = new Findings();
    let pending = false;
    let overlaps = 0;
    const parts: Buffer[] = [];
    const taken = { n: 0 };
    await readDump(chunked(buf, 50, taken), opts(findings), {
      table(ref) {
        if (ref.name !== 'bulk') return undefined;
        return {
          async data(c) {
            if (pending) overlaps++;
            pending = true;
            parts.push(Buffer.from(c));
            await sleep(1);
            pending = false;
          },
          async end() {
            await sleep(1);
          },
        };
      },
    });
    assert.deepEqual(findings.list, []);
    assert.equal(overlaps, 0);
    const rows = Buffer.concat(parts).toString('latin1').split('\n');
    assert.equal(rows.length, 121);
    assert.ok(rows[0]?.startsWith('1\t') && rows[119]?.startsWith('120\t'));
  });

  it('the reader pulls input only as it needs it (a slow consumer holds the input back)', async () => {
    const rows = Array.from({ length: 20000 }, (_, i) => `${i}\tsome row text to make it longer`);
    const buf = buildArchive({
      version: [1, 14, 0],
      compression: 0,
      entries: tableEntries(10, 'public', 't', ['a', 'b']),
      blocks: [{ dumpId: 11, chunks: rawChunks(rows) }],
    });
    const findings = new Findings();
    const taken = { n: 0 };
    let firstData = -1;
    await readDump(chunked(buf, 1024, taken), opts(findings), {
      table: () => ({
        async data() {
          if (firstData < 0) firstData = taken.n;
          await sleep(0);
        },
        end: () => undefined,
      }),
    });
    assert.deepEqual(findings.list, []);
    // The first batch was handed on long before the whole input was read.
    assert.ok(firstData > 0 && firstData < buf.length / 4, `${firstData} of ${buf.length}`);
    assert.equal(taken.n, buf.length);
  });
});

describe('the whole input is consumed after an error', () => {
  it('unknown block type followed by megabytes of trailing data', async () => {
    const good = buildArchive({
      version: [1, 14, 0],
      compression: 0,
      entries: tableEntries(10, 'public', 't', ['a']),
      blocks: [{ dumpId: 11, chunks: rawChunks(['1']) }],
    });
    const buf = Buffer.concat([good, Buffer.from([9]), Buffer.alloc(3 << 20, 1)]);
    const r = await readBuf(buf, { chunk: 65536 });
    assert.equal(withCode(r, 'DUMP_BLOCK_INVALID').length, 1);
    assert.equal(r.consumed, buf.length);
  });

  it('a corrupt .sql.gz with megabytes after the damage', async () => {
    const gz = Buffer.concat([fixture('plain.sql.gz').subarray(0, 2000), Buffer.alloc(2 << 20, 0x33)]);
    const r = await readBuf(gz);
    assert.equal(withCode(r, 'DUMP_GZIP_CORRUPT').length, 1);
    assert.equal(r.consumed, gz.length);
  });
});

describe('bounds and stops', () => {
  it('maxBytes: LIMIT_EXCEEDED and reading stops there', async () => {
    const buf = fixture('custom-z0.dump');
    const r = await readBuf(buf, { chunk: 1000, options: { maxBytes: 5000 } });
    const f = withCode(r, 'LIMIT_EXCEEDED');
    assert.equal(f.length, 1);
    assert.equal(f[0]?.location.limit, 'maxBytes');
    assert.ok(r.consumed < buf.length);
    assert.equal(r.facts.complete, false);
    // Stopping is not damage: no truncation finding.
    assert.equal(withCode(r, 'DUMP_TRUNCATED').length + withCode(r, 'DUMP_COPY_TRUNCATED').length, 0);
  });

  it('maxBytes counts decompressed bytes of a .sql.gz (a gzip bomb stops)', async () => {
    const { gzipSync } = await import('node:zlib');
    const bomb = gzipSync(
      Buffer.concat([plain('COPY public.t (a) FROM stdin;'), Buffer.alloc(50 << 20, 0x41)]),
    );
    const r = await readBuf(bomb, { chunk: 1000, options: { maxBytes: 1 << 20, maxLineBytes: 1 << 30 } });
    assert.deepEqual(codes(r), ['LIMIT_EXCEEDED']);
    assert.ok(r.consumed < bomb.length);
  });

  it('an aborted signal stops reading without a finding', async () => {
    const buf = fixture('custom.dump');
    const ac = new AbortController();
    ac.abort();
    const r = await readBuf(buf, { chunk: 100, options: { signal: ac.signal } });
    assert.deepEqual(r.findings, []);
    assert.equal(r.facts.complete, false);
    assert.ok(r.consumed < buf.length);
  });

  it('a row longer than maxLineBytes: LIMIT_EXCEEDED at its row, the consumer is stopped, rows still counted', async () => {
    const body = `COPY public.t (a) FROM stdin;\nshort\n${'x'.repeat(5000)}\nafter\n\\.\n`;
    const r = await readBuf(plain(body), { chunk: 700, options: { maxLineBytes: 1000 } });
    assert.deepEqual(codes(r), ['LIMIT_EXCEEDED']);
    const f = withCode(r, 'LIMIT_EXCEEDED')[0];
    assert.equal(f?.location.table, 'public.t');
    assert.equal(f?.location.row, 2);
    assert.equal(f?.location.limit, 'maxLineBytes');
    assert.equal(r.tables.get('public.t')?.complete, false);
    assert.equal(r.tables.get('public.t')?.endCalls, 1);
    assert.equal(r.facts.rowCounts['public.t'], 3);
  });
});

describe('failing input and consumers', () => {
  it('an input that throws: DUMP_INPUT_ERROR, no exception', async () => {
    async function* broken(): AsyncGenerator<Buffer> {
      yield fixture('plain.sql').subarray(0, 3000);
      throw new Error('tar stream exploded');
    }
    const findings = new Findings();
    const facts = await readDump(broken(), opts(findings), { table: () => undefined });
    assert.ok(findings.list.some((f) => f.code === 'DUMP_INPUT_ERROR'));
    assert.equal(facts.complete, false);
  });

  it('a consumer that throws: RUN_INTERNAL_ERROR for its table, the dump still read', async () => {
    const findings = new Findings();
    const facts = await readDump(chunked(fixture('custom.dump'), 4096, { n: 0 }), opts(findings), {
      table(ref) {
        if (ref.name !== 'audit_log') return undefined;
        return {
          data() {
            throw new Error('consumer bug');
          },
          end: () => undefined,
        };
      },
    });
    assert.deepEqual(
      findings.list.map((f) => [f.code, f.location.table]),
      [['RUN_INTERNAL_ERROR', 'public.audit_log']],
    );
    assert.equal(facts.rowCounts['public.bulk'], 120);
    assert.equal(facts.rowCounts['public.audit_log'], 7);
  });
});

describe('COPY row rules', () => {
  it('a newline escaped by a backslash does not end a row (COPY FROM semantics)', async () => {
    const r = await readBuf(plain('COPY public.t (a) FROM stdin;\none\\\nstill one\ntwo\\\\\nthree\n\\.\n'), {
      chunk: 3,
    });
    assert.deepEqual(r.findings, []);
    assert.equal(r.facts.rowCounts['public.t'], 3);
  });

  it('"\\." only ends the data at the start of a line; "\\\\." is data', async () => {
    const r = await readBuf(plain('COPY public.t (a) FROM stdin;\n\\\\.\na\\.\n\\.x\n\\.\n'), { chunk: 1 });
    assert.deepEqual(r.findings, []);
    assert.equal(r.facts.rowCounts['public.t'], 3);
    assert.equal(r.tables.get('public.t')?.data.toString(), '\\\\.\na\\.\n\\.x\n');
  });

  it('the end-of-data line with CRLF, split over chunks', async () => {
    for (let chunk = 1; chunk < 8; chunk++) {
      const r = await readBuf(
        plain('COPY public.t (a) FROM stdin;\nx\n\\.\r\nCOPY public.u (a) FROM stdin;\n\\.\n'),
        { chunk },
      );
      assert.deepEqual(r.findings, [], `chunk ${chunk}`);
      assert.deepEqual(r.facts.rowCounts, { 'public.t': 1, 'public.u': 0 });
    }
  });

  it('custom blocks: zlib chunks of any size give the same rows', async () => {
    const rows = Array.from({ length: 700 }, (_, i) => `${i}\t\\N\t${'é'.repeat(i % 5)}`);
    for (const size of [1, 17, 4096]) {
      const buf = buildArchive({
        version: [1, 16, 0],
        compression: 1,
        entries: tableEntries(10, 'public', 't', ['a', 'b', 'c']),
        blocks: [{ dumpId: 11, chunks: zlibChunks(rows, size) }],
      });
      const r = await readBuf(buf, { chunk: 313 });
      assert.deepEqual(r.findings, []);
      assert.equal(r.facts.rowCounts['public.t'], 700);
      assert.equal(r.tables.get('public.t')?.data.toString('utf8'), rows.map((x) => `${x}\n`).join(''));
    }
  });
});

describe('the plain-format lexer', () => {
  const tricky = [
    'CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $body$',
    'BEGIN',
    'COPY public.fake (a) FROM stdin;',
    '$$ not the end $bod$ nor this $body',
    'END $body$;',
    "SELECT E'it\\'s; COPY public.fake2 (a) FROM stdin;\n', 'a''b;' /* c /* nested; */ COPY public.fake3 (a) FROM stdin; */;",
    "-- a comment with a quote ' and COPY public.fake4 (a) FROM stdin;",
    'SELECT $1, a$b$c FROM t; -- "$1" and "a$b" open no dollar quote',
    'COPY public.real (a) FROM stdin;',
    '1',
    '\\.',
  ].join('\n');

  it('finds only the real COPY, whatever the chunking', async () => {
    for (let chunk = 1; chunk <= 9; chunk++) {
      const r = await readBuf(plain(tricky), { chunk });
      assert.deepEqual(r.findings, [], `chunk ${chunk}`);
      assert.deepEqual(r.facts.rowCounts, { 'public.real': 1 }, `chunk ${chunk}`);
    }
  });

  it('standard_conforming_strings off: backslash escapes in plain strings', async () => {
    const sql =
      "SET standard_conforming_strings = off;\nSELECT 'a\\'; COPY public.fake (a) FROM stdin;';\nCOPY public.real (a) FROM stdin;\n1\n\\.\n";
    const r = await readBuf(plain(sql), { chunk: 4 });
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.facts.rowCounts, { 'public.real': 1 });
  });
});
