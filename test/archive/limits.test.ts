// Bounds (decompression bombs, entry counts, in-memory sizes) and the dump consumer contract:
// exact bytes, backpressure, a consumer that stops early or fails.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { all, fixture, header, only, problemCodes, read, sha256, tarOf, tempDir } from './helpers.js';

const MiB = 1024 * 1024;

/** A gzip bomb: one tar entry `big.bin` of `total` zero bytes, as concatenated gzip members
 *  (one 64 MiB member repeated), so building it takes a fraction of a second. */
function bomb(total: number): Buffer {
  const chunk = 64 * MiB;
  const member = gzipSync(Buffer.alloc(chunk), { level: 9 });
  return Buffer.concat([
    gzipSync(header('big.bin', total)),
    ...Array.from({ length: total / chunk }, () => member),
    gzipSync(Buffer.alloc(1024)),
  ]);
}

test('gzip bomb: LIMIT_EXCEEDED maxRatio stops the read early, naming the archive and the entry', async (t) => {
  const tmp = tempDir();
  t.after(tmp.cleanup);
  const file = join(tmp.dir, 'bomb.tar.gz');
  writeFileSync(file, bomb(2048 * MiB));
  const started = Date.now();
  const r = await read(file, { limits: { maxRatio: 200 } });
  const f = only(r, 'LIMIT_EXCEEDED');
  assert.equal(f.location.limit, 'maxRatio');
  assert.equal(f.location.path, file);
  assert.equal(f.detail?.['entry'], 'big.bin');
  assert.ok(Number(f.detail?.['ratio']) > 200);
  assert.equal(r.result.facts.complete, false);
  assert.ok((r.result.facts.tarBytes ?? 0) < 64 * MiB, `read ${r.result.facts.tarBytes} bytes`);
  assert.ok(Date.now() - started < 10_000);
  // the whole file is still hashed although the pass stopped early
  const raw = readFileSync(file);
  assert.equal(r.result.facts.size, raw.length);
  assert.equal(r.result.facts.sha256, sha256(raw));
});

test('gzip bomb: LIMIT_EXCEEDED maxDecompressedBytes stops exactly at the bound', async (t) => {
  const tmp = tempDir();
  t.after(tmp.cleanup);
  const file = join(tmp.dir, 'bomb.tar.gz');
  writeFileSync(file, bomb(512 * MiB));
  const r = await read(file, { limits: { maxRatio: 1e9, maxDecompressedBytes: 48 * MiB } });
  const f = only(r, 'LIMIT_EXCEEDED');
  assert.equal(f.location.limit, 'maxDecompressedBytes');
  assert.equal(f.location.path, file);
  assert.equal(f.location.offset, 48 * MiB);
  assert.equal(r.result.facts.tarBytes, 48 * MiB);
  assert.equal(r.result.facts.complete, false);
  assert.ok(!all(r, 'ARCHIVE_TRUNCATED').length, 'the limit explains the stop');
});

test('too many entries: LIMIT_EXCEEDED maxEntries; entries bounded; read stopped', async () => {
  const file = fixture('many-entries.tar.gz');
  const r = await read(file, { limits: { maxEntries: 10 } });
  const f = only(r, 'LIMIT_EXCEEDED');
  assert.equal(f.location.limit, 'maxEntries');
  assert.equal(f.location.path, file);
  assert.equal(r.result.entries.length, 10);
  assert.equal(r.result.facts.entryCount, 10);
  assert.equal(r.result.facts.complete, false);
  // the same archive reads whole under the default bound
  const whole = await read(file);
  assert.equal(whole.result.entries.length, 59);
  assert.deepEqual(problemCodes(whole), []);
});

test('entry over maxEntryBytes: ARCHIVE_ENTRY_TOO_LARGE, listed without data; dumps are exempt', async () => {
  const r = await read(fixture('clean.tar.gz'), { limits: { maxEntryBytes: 60 } });
  const big = all(r, 'ARCHIVE_ENTRY_TOO_LARGE');
  assert.ok(big.some((f) => f.location.path === 'certs/ca.crt'));
  assert.ok(!big.some((f) => f.location.path === 'db/meshanics.dump'));
  const ca = r.result.files.get('certs/ca.crt');
  assert.equal(ca?.data, undefined);
  assert.match(ca?.error ?? '', /larger than/);
  assert.ok((ca?.size ?? 0) > 60);
  assert.deepEqual(
    r.dumps.map((d) => [d.path, d.bytes]),
    [['db/meshanics.dump', 64]],
  );
  // a large key file is still checked for its mode (from its first bytes)
  assert.deepEqual(problemCodes(r), ['ARCHIVE_ENTRY_TOO_LARGE']);
});

test('small files over maxTotalSmallBytes: LIMIT_EXCEEDED maxTotalSmallBytes naming the first file left out', async () => {
  const r = await read(fixture('clean.tar'), { limits: { maxTotalSmallBytes: 1000 } });
  const over = all(r, 'LIMIT_EXCEEDED');
  assert.ok(over.length > 0);
  for (const f of over) assert.equal(f.location.limit, 'maxTotalSmallBytes');
  const first = over[0];
  assert.ok(first?.location.path);
  assert.equal(r.result.files.get(first.location.path)?.data, undefined);
  // what was kept stays within the bound
  const kept = r.result.files
    .list()
    .map((p) => r.result.files.get(p)?.data?.length ?? 0)
    .reduce((a, b) => a + b, 0);
  assert.ok(kept <= 1000);
});

/** A tar.gz with a multi-MB pseudo-random dump between two small files. */
function archiveWithDump(bytes: number): { gz: Buffer; dump: Buffer } {
  const dump = Buffer.alloc(bytes);
  for (let off = 0, i = 0; off < bytes; off += 32, i++)
    createHash('sha256')
      .update(`d${i}`)
      .digest()
      .copy(dump, off, 0, Math.min(32, bytes - off));
  dump.write('PGDMP', 0);
  const tar = tarOf([
    {
      path: 'certs/ca.crt',
      data: Buffer.from('-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n'),
    },
    { path: 'db/meshanics.dump', data: dump },
    { path: 'tuf/metadata/root.json', data: Buffer.from('{"signed":{"_type":"root"}}') },
  ]);
  return { gz: gzipSync(tar), dump };
}

test('the dump consumer receives exactly the entry bytes (multi-MB, slow consumer: backpressure)', async (t) => {
  const tmp = tempDir();
  t.after(tmp.cleanup);
  const { gz, dump } = archiveWithDump(6 * MiB + 123);
  const file = join(tmp.dir, 'dump.tar.gz');
  writeFileSync(file, gz);
  let chunks = 0;
  const h = createHash('sha256');
  let bytes = 0;
  const r = await read(file, {
    onDump: async (entry, content) => {
      assert.equal(entry.path, 'db/meshanics.dump');
      assert.equal(entry.size, dump.length);
      for await (const c of content) {
        h.update(c);
        bytes += c.length;
        chunks++;
        await tick();
      }
    },
  });
  assert.equal(bytes, dump.length);
  assert.equal(h.digest('hex'), sha256(dump));
  assert.ok(chunks > 1);
  assert.equal(r.result.facts.complete, true);
  assert.ok(r.result.files.get('tuf/metadata/root.json')?.data, 'entries after the dump are read');
});

test('a consumer that stops early does not stall the pass; the rest of the archive is read', async (t) => {
  const tmp = tempDir();
  t.after(tmp.cleanup);
  const file = join(tmp.dir, 'dump.tar.gz');
  writeFileSync(file, archiveWithDump(3 * MiB).gz);
  const r = await read(file, {
    onDump: async (_entry, content) => {
      for await (const c of content) {
        assert.ok(c.length > 0);
        break;
      }
    },
  });
  assert.equal(r.result.facts.complete, true);
  assert.ok(r.result.files.get('tuf/metadata/root.json')?.data);
});

test('a consumer that throws: RUN_INTERNAL_ERROR at the dump; the pass goes on', async (t) => {
  const tmp = tempDir();
  t.after(tmp.cleanup);
  const file = join(tmp.dir, 'dump.tar.gz');
  writeFileSync(file, archiveWithDump(2 * MiB).gz);
  const r = await read(file, {
    onDump: () => Promise.reject(new Error('boom')),
  });
  const f = only(r, 'RUN_INTERNAL_ERROR');
  assert.equal(f.location.path, 'db/meshanics.dump');
  assert.equal(r.result.facts.complete, true);
  assert.ok(r.result.files.get('tuf/metadata/root.json')?.data);
});
