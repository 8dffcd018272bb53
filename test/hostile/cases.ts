// The hostile-archive battery: each case builds its input at run time (in a temporary folder,
// streaming, so gigabyte bombs cost a few MB), names the CLI arguments, and says which finding
// must come out of it. Shared by test/hostile/battery.test.ts and scripts/fuzz.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { constants, crc32 as zlibCrc32, deflateRawSync, deflateSync } from 'node:zlib';
import { buildArchive, tableEntries, type BuildEntry } from '../dump/helpers/archive-builder.js';
import { FIXTURES } from '../support/paths.js';
import {
  END,
  GiB,
  MiB,
  crc32Zeros,
  fileEntry,
  linkEntry,
  pad,
  rawHeader,
  sampleWith,
  writeParts,
  zeroDeflateUnit,
} from './tarball.js';

export interface Expect {
  code: string;
  /** location.limit of a LIMIT_EXCEEDED finding. */
  limit?: string;
  /** A location field that must be present, and its value when given. */
  where?: Partial<Record<'path' | 'table' | 'row' | 'role' | 'field' | 'offset', string | number | true>>;
}

export interface HostileCase {
  name: string;
  /** What it is, for the table in the report. */
  what: string;
  build(dir: string): Promise<string>;
  args?: string[];
  expect: Expect[];
  /** Allowed exit codes (default: 1). */
  exits?: number[];
  /** Wall-clock bound for the CLI run, ms (default 30 s). */
  timeoutMs?: number;
}

const TOP = 'meshanics-backup-20261126T030000Z/';
const AUDIT_COLS = ['seq', 'occurred_at', 'actor', 'action', 'subject', 'payload', 'prev_hash', 'hash'];
const AUDIT_COPY = `COPY public.audit_log (${AUDIT_COLS.join(', ')}) FROM stdin;\n`;
const PLAIN_HEAD = '--\n-- PostgreSQL database dump\n--\n\n';
const PLAIN_TAIL = '\n--\n-- PostgreSQL database dump complete\n--\n\n';

function tarHeadOnly(path: string, size: number): Buffer {
  return rawHeader({ name: TOP + path, size });
}

/** Every sample entry except the dump, then `blocks` (tar-level pieces). */
function sampleWithout(drop: string[], extra: Buffer[]): Buffer[] {
  const r: Record<string, undefined> = {};
  for (const d of drop) r[d] = undefined;
  const parts = sampleWith(r);
  parts.pop(); // END
  return [...parts, ...extra, END];
}

/**
 * One gzip member: the tar header of an entry of `zeros` zero bytes, the zeros, then the
 * end-of-archive blocks. Built from one repeated deflate unit; CRC and length are exact.
 */
function* gzipBomb(entryPath: string, zeros: number): Generator<Buffer> {
  const unitBytes = 64 * MiB;
  const head = tarHeadOnly(entryPath, zeros);
  yield Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]);
  yield deflateRawSync(head, { finishFlush: constants.Z_FULL_FLUSH });
  const unit = zeroDeflateUnit(unitBytes, deflateRawSync);
  for (let i = 0; i < zeros / unitBytes; i++) yield unit;
  yield deflateRawSync(END); // the final block
  let crc = crc32Zeros(0, 0);
  crc = crc32Of(head, crc);
  crc = crc32Zeros(crc, zeros + END.length);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc, 0);
  trailer.writeUInt32LE((head.length + zeros + END.length) % 2 ** 32, 4);
  yield trailer;
}

function crc32Of(b: Buffer, crc: number): number {
  return zlibCrc32(b, crc);
}

/** crc32 of `data` repeated k times after `crc` (CRC is affine: no need to touch k·|data| bytes). */
function crc32Repeat(data: Buffer, k: number, crc: number): number {
  const once = zlibCrc32(data, 0);
  const z0 = crc32Zeros(0, data.length);
  let c = crc;
  for (let i = 0; i < k; i++) c = (crc32Zeros(c, data.length) ^ once ^ z0) >>> 0;
  return c;
}

/** A plain dump around one audit_log COPY block whose rows come from `rows`. */
function* plainDump(rows: Iterable<Buffer>): Generator<Buffer> {
  yield Buffer.from(PLAIN_HEAD + AUDIT_COPY);
  yield* rows;
  yield Buffer.from('\\.\n' + PLAIN_TAIL);
}

/** A tar entry whose content is streamed (size known up front). */
function* streamedEntry(path: string, size: number, body: Iterable<Buffer>): Generator<Buffer> {
  yield tarHeadOnly(path, size);
  let n = 0;
  for (const b of body) {
    n += b.length;
    yield b;
  }
  if (n !== size) throw new Error(`entry ${path}: wrote ${n} bytes, declared ${size}`);
  yield pad(size);
}

function sizeOf(parts: Iterable<Buffer>): number {
  let n = 0;
  for (const p of parts) n += p.length;
  return n;
}

/** The sample archive with its custom dump replaced by a plain dump whose audit rows are
 *  streamed from `rows` (called twice: once to size the entry, once to write it). */
function withPlainDump(rows: () => Iterable<Buffer>): Iterable<Buffer> {
  const size = sizeOf(plainDump(rows()));
  return [
    ...sampleWithout(['db/meshanics.dump'], []).slice(0, -1),
    ...streamedEntry('db/meshanics.sql', size, plainDump(rows())),
    END,
  ];
}

const HASH0 = '\\\\x' + '00'.repeat(32);

/** A custom dump holding only public.audit_log, with `opts` overriding the builder's. */
function customDump(
  rows: string[],
  over: { entries?: (e: BuildEntry[]) => BuildEntry[]; zlib?: boolean } = {},
): Buffer {
  const entries = tableEntries(10, 'public', 'audit_log', AUDIT_COLS);
  const text = rows.map((r) => `${r}\n`).join('') + '\\.\n\n\n';
  const chunks = over.zlib === true ? [deflateSync(Buffer.from(text))] : [Buffer.from(text)];
  return buildArchive({
    version: [1, 14, 0],
    compression: over.zlib === true ? -1 : 0,
    entries: over.entries ? over.entries(entries) : entries,
    blocks: [{ dumpId: 11, chunks }],
    setOffsets: true,
  });
}

/** A custom dump header + TOC written by hand up to the entry count (the rest is `tail`). */
function customWithCount(count: number, tail: Buffer): Buffer {
  const real = customDump(['1\t2026-11-26 03:00:00+00\ts\ta\t\\N\t{}\t' + HASH0 + '\t' + HASH0]);
  // header is everything before the TOC count; find it by rebuilding a header-only archive
  const headLen = customHeaderLength();
  const cnt = Buffer.alloc(5);
  cnt[0] = count < 0 ? 1 : 0;
  cnt.writeUInt32LE(Math.abs(count) >>> 0, 1);
  return Buffer.concat([real.subarray(0, headLen), cnt, tail]);
}

function customHeaderLength(): number {
  const a = customDump([]);
  // PGDMP(5) ver(3) int,off,fmt(3) level(int 5) tm(7 ints) 3 strs
  let p = 5 + 3 + 3 + 5 + 7 * 5;
  for (let i = 0; i < 3; i++) {
    const len = a.readUInt32LE(p + 1);
    p += 5 + (a[p] === 1 ? 0 : len);
  }
  return p;
}

/** A JSON text nested `depth` arrays deep. */
function deepJson(depth: number): Buffer {
  return Buffer.from('['.repeat(depth) + ']'.repeat(depth));
}

function goodMeta(name: string): Buffer {
  return readFileSync(join(FIXTURES, 'tuf', 'good', 'metadata', name));
}

function goodCert(name: string): Buffer {
  return readFileSync(join(FIXTURES, 'certs', 'good', name));
}

export const CASES: HostileCase[] = [
  {
    name: 'gzip-bomb',
    what: '4 GiB of zeros in one 4 MB gzip member',
    build: async (dir) => {
      const f = join(dir, 'gzip-bomb.tar.gz');
      await writeParts(f, gzipBomb('db/meshanics.dump', 4 * GiB));
      return f;
    },
    expect: [{ code: 'LIMIT_EXCEEDED', limit: 'maxRatio', where: { path: true, offset: true } }],
  },
  {
    name: 'gzip-bomb-bytes',
    what: 'the same bomb, ratio bound lifted: the byte bound stops it',
    build: async (dir) => {
      const f = join(dir, 'gzip-bomb-2.tar.gz');
      await writeParts(f, gzipBomb('db/meshanics.dump', 4 * GiB));
      return f;
    },
    args: ['--limit', 'maxRatio=1000000', '--limit', `maxDecompressedBytes=${256 * MiB}`],
    expect: [{ code: 'LIMIT_EXCEEDED', limit: 'maxDecompressedBytes', where: { offset: 256 * MiB } }],
  },
  {
    name: 'tar-bomb',
    what: '300,000 entries (tar.gz)',
    build: async (dir) => {
      const f = join(dir, 'tar-bomb.tar.gz');
      function* parts(): Generator<Buffer> {
        const batch: Buffer[] = [];
        for (let i = 0; i < 300_000; i++) {
          batch.push(rawHeader({ name: `${TOP}junk/${i.toString(36)}`, size: 0 }));
          if (batch.length === 4096) yield Buffer.concat(batch.splice(0));
        }
        yield Buffer.concat(batch);
        yield END;
      }
      await writeParts(f, parts(), 6);
      return f;
    },
    expect: [{ code: 'LIMIT_EXCEEDED', limit: 'maxEntries', where: { path: true, offset: true } }],
  },
  {
    name: 'tar-bomb-loud',
    what: '100,000 entries that each raise five findings (absolute, not UTF-8, setuid, sticky, duplicate)',
    build: async (dir) => {
      const f = join(dir, 'tar-bomb-loud.tar.gz');
      function* parts(): Generator<Buffer> {
        const name = Buffer.concat([Buffer.from('/abs/'), Buffer.from([0xff, 0xfe])]);
        const batch: Buffer[] = [];
        for (let i = 0; i < 100_000; i++) {
          batch.push(rawHeader({ name, size: 0, mode: 0o7777 }));
          if (batch.length === 4096) yield Buffer.concat(batch.splice(0));
        }
        yield Buffer.concat(batch);
        yield END;
      }
      await writeParts(f, parts(), 6);
      return f;
    },
    expect: [{ code: 'ARCHIVE_SETUID_SETGID', where: { path: true, offset: true } }],
  },
  {
    name: 'copy-line-100mb',
    what: 'a plain dump whose audit_log has one 100 MB COPY line',
    build: async (dir) => {
      const f = join(dir, 'long-line.tar');
      const filler = Buffer.alloc(MiB, 0x61);
      const rows = function* (): Generator<Buffer> {
        yield Buffer.from('1\t2026-11-26 03:00:00+00\tsystem\taudit.genesis\t\\N\t{"x": "');
        for (let i = 0; i < 100; i++) yield filler;
        yield Buffer.from(`"}\t${HASH0}\t${HASH0}\n`);
      };
      await writeParts(f, withPlainDump(rows));
      return f;
    },
    expect: [{ code: 'LIMIT_EXCEEDED', limit: 'maxLineBytes', where: { table: 'public.audit_log', row: 1 } }],
  },
  {
    name: 'deep-root-json',
    what: 'tuf/metadata/root.json nested 100,000 arrays deep',
    build: async (dir) => {
      const f = join(dir, 'deep-json.tar.gz');
      await writeParts(f, sampleWith({ 'tuf/metadata/root.json': deepJson(100_000) }), 6);
      return f;
    },
    expect: [{ code: 'LIMIT_EXCEEDED', limit: 'tuf.maxJsonDepth', where: { path: 'root.json' } }],
  },
  {
    name: 'pem-10k',
    what: 'certs/server.crt bundle of 10,000 certificates (7 MB)',
    build: async (dir) => {
      const f = join(dir, 'pem-10k.tar.gz');
      const ca = goodCert('ca.crt');
      const bundle = Buffer.concat([goodCert('server.crt'), ...Array.from({ length: 9999 }, () => ca)]);
      await writeParts(f, sampleWith({ 'certs/server.crt': bundle }), 6);
      return f;
    },
    expect: [{ code: 'LIMIT_EXCEEDED', limit: 'x509.maxPemBytes', where: { path: 'server.crt' } }],
  },
  {
    name: 'pem-10k-count',
    what: 'the same bundle with the size bound lifted: the count bound stops it',
    build: async (dir) => {
      const f = join(dir, 'pem-10k-2.tar.gz');
      const ca = goodCert('ca.crt');
      const bundle = Buffer.concat([goodCert('server.crt'), ...Array.from({ length: 9999 }, () => ca)]);
      await writeParts(f, sampleWith({ 'certs/server.crt': bundle }), 6);
      return f;
    },
    args: ['--limit', `x509.maxPemBytes=${16 * MiB}`],
    expect: [{ code: 'LIMIT_EXCEEDED', limit: 'x509.maxCertsPerPem', where: { path: 'server.crt' } }],
  },
  {
    name: 'toc-2^31',
    what: 'a custom dump whose TOC claims 2^31 entries',
    build: async (dir) => {
      const f = join(dir, 'toc-2-31.tar.gz');
      await writeParts(f, sampleWith({ 'db/meshanics.dump': customWithCount(2 ** 31, Buffer.alloc(64)) }), 6);
      return f;
    },
    expect: [{ code: 'DUMP_TOC_INVALID', where: { path: 'db/meshanics.dump', offset: true } }],
  },
  {
    name: 'toc-2^31-1',
    what: 'a custom dump whose TOC claims 2^31-1 entries',
    build: async (dir) => {
      const f = join(dir, 'toc-max.tar.gz');
      await writeParts(
        f,
        sampleWith({ 'db/meshanics.dump': customWithCount(2 ** 31 - 1, Buffer.alloc(64)) }),
        6,
      );
      return f;
    },
    expect: [{ code: 'LIMIT_EXCEEDED', limit: 'maxTocEntries', where: { path: 'db/meshanics.dump' } }],
  },
  {
    name: 'toc-negative',
    what: 'a custom dump with negative lengths (TOC count, strings, data chunks)',
    build: async (dir) => {
      const f = join(dir, 'toc-negative.tar.gz');
      const neg = customWithCount(-5, Buffer.alloc(0));
      // a TOC string of length -7 (tableoid of the first entry) and a chunk of length -100
      const good = customDump(['1\t2026-11-26 03:00:00+00\ts\ta\t\\N\t{}\t' + HASH0 + '\t' + HASH0]);
      const at = customHeaderLength() + 5 + 10; // count, dumpId, hadDumper
      const negStr = Buffer.from(good);
      negStr[at] = 1;
      negStr.writeUInt32LE(7, at + 1);
      await writeParts(
        f,
        sampleWith({}, [
          fileEntry(`${TOP}db/neg-count.dump`, neg),
          fileEntry(`${TOP}db/neg-string.dump`, negStr),
          fileEntry(`${TOP}db/neg-chunk.dump`, negativeChunk()),
        ]),
        6,
      );
      return f;
    },
    expect: [
      { code: 'DUMP_TOC_INVALID', where: { path: 'db/neg-count.dump', offset: true } },
      { code: 'DUMP_TOC_INVALID', where: { path: 'db/neg-string.dump', field: 'tableoid' } },
      { code: 'DUMP_BLOCK_INVALID', where: { path: 'db/neg-chunk.dump', offset: true } },
    ],
  },
  {
    name: 'data-offsets',
    what: 'custom dumps whose data offsets point past the end, and into the header',
    build: async (dir) => {
      const f = join(dir, 'offsets.tar.gz');
      const rows = ['1\t2026-11-26 03:00:00+00\ts\ta\t\\N\t{}\t' + HASH0 + '\t' + HASH0];
      const setPos = (pos: number) => (e: BuildEntry[]) =>
        e.map((x) => (x.desc === 'TABLE DATA' ? { ...x, dataState: 2, dataPos: pos } : x));
      await writeParts(
        f,
        sampleWith({}, [
          fileEntry(`${TOP}db/past-end.dump`, customDump(rows, { entries: setPos(2 ** 40) })),
          fileEntry(`${TOP}db/into-itself.dump`, customDump(rows, { entries: setPos(7) })),
        ]),
        6,
      );
      return f;
    },
    expect: [
      { code: 'DUMP_DATA_OFFSET_INVALID', where: { path: 'db/past-end.dump', table: 'public.audit_log' } },
      { code: 'DUMP_DATA_OFFSET_INVALID', where: { path: 'db/into-itself.dump', table: 'public.audit_log' } },
    ],
  },
  {
    name: 'tar-10tb',
    what: 'tar headers claiming a 10 TB dump and a 10 TB certificate (base-256 sizes)',
    build: async (dir) => {
      const f = join(dir, 'ten-tb.tar.gz');
      const tb = 10 * 1024 ** 4;
      await writeParts(
        f,
        sampleWithout(
          ['db/meshanics.dump'],
          [rawHeader({ name: `${TOP}certs/huge.crt`, size: tb }), Buffer.alloc(64 * 1024, 0x2d)],
        ).slice(0, -1),
        6,
      );
      return f;
    },
    expect: [
      { code: 'ARCHIVE_ENTRY_TOO_LARGE', where: { path: 'certs/huge.crt' } },
      { code: 'ARCHIVE_TRUNCATED', where: { path: 'certs/huge.crt', offset: true } },
    ],
  },
  {
    name: 'symlink-loops',
    what: 'symlink loops in the trust folders (root.json -> root.json, a -> b -> a, certs -> .)',
    build: async (dir) => {
      const f = join(dir, 'symlinks.tar.gz');
      await writeParts(
        f,
        sampleWith({ 'tuf/metadata/root.json': undefined }, [
          linkEntry(`${TOP}tuf/metadata/root.json`, 'root.json'),
          linkEntry(`${TOP}tuf/metadata/a.json`, 'b.json'),
          linkEntry(`${TOP}tuf/metadata/b.json`, 'a.json'),
          linkEntry(`${TOP}certs/loop`, '.'),
          linkEntry(`${TOP}certs/up`, '../certs/up'),
          linkEntry(`${TOP}certs/hard.crt`, `${TOP}certs/hard.crt`, '1'),
        ]),
        6,
      );
      return f;
    },
    expect: [
      { code: 'ARCHIVE_LINK_IN_TRUST_FOLDER', where: { path: 'tuf/metadata/root.json' } },
      { code: 'ARCHIVE_LINK_IN_TRUST_FOLDER', where: { path: 'tuf/metadata/a.json' } },
      { code: 'ARCHIVE_LINK_IN_TRUST_FOLDER', where: { path: 'certs/loop' } },
      { code: 'ARCHIVE_LINK_OUTSIDE', where: { path: 'certs/hard.crt' } },
    ],
  },
  {
    name: 'non-utf8-names',
    what: 'entry names that are not UTF-8 (latin-1, lone continuation bytes, overlong NUL)',
    build: async (dir) => {
      const f = join(dir, 'names.tar.gz');
      const names = [
        Buffer.concat([Buffer.from(`${TOP}certs/caf`), Buffer.from([0xe9]), Buffer.from('.crt')]),
        Buffer.concat([Buffer.from(`${TOP}tuf/metadata/`), Buffer.from([0x80, 0xbf, 0xfe, 0xff])]),
        Buffer.concat([Buffer.from(`${TOP}db/`), Buffer.from([0xc0, 0x80]), Buffer.from('.dump')]),
      ];
      await writeParts(
        f,
        sampleWith(
          {},
          names.map((n) => fileEntry(n, Buffer.from('x\n'))),
        ),
        6,
      );
      return f;
    },
    // a warning only: the rest of the sample backup verifies
    exits: [0, 1],
    expect: [
      { code: 'ARCHIVE_NAME_NOT_UTF8', where: { path: 'certs/caf\\xe9.crt' } },
      { code: 'ARCHIVE_NAME_NOT_UTF8', where: { path: 'tuf/metadata/\\x80\\xbf\\xfe\\xff' } },
      { code: 'ARCHIVE_NAME_NOT_UTF8', where: { path: 'db/\\xc0\\x80.dump' } },
    ],
  },
  {
    name: 'dump-gzip-bomb',
    what: 'an uncompressed tar holding db/meshanics.sql.gz that inflates to 4 GiB of empty COPY rows',
    build: async (dir) => {
      const f = join(dir, 'sql-gz-bomb.tar');
      const body = [...gzipOfRepeated(Buffer.from(PLAIN_HEAD + AUDIT_COPY), 0x0a, 4 * GiB)];
      const size = sizeOf(body);
      await writeParts(f, [
        ...sampleWithout(['db/meshanics.dump'], []).slice(0, -1),
        ...streamedEntry('db/meshanics.sql.gz', size, body),
        END,
      ]);
      return f;
    },
    expect: [{ code: 'LIMIT_EXCEEDED', limit: 'maxRatio', where: { path: 'db/meshanics.sql.gz' } }],
  },
  {
    name: 'custom-zlib-bomb',
    what: 'a custom dump whose audit_log data block inflates to 4 GiB',
    build: async (dir) => {
      const f = join(dir, 'zlib-bomb.tar');
      const dump = customZlibBomb(4 * GiB);
      await writeParts(f, [...sampleWith({ 'db/meshanics.dump': dump })]);
      return f;
    },
    expect: [{ code: 'LIMIT_EXCEEDED', limit: 'maxRatio', where: { path: 'db/meshanics.dump' } }],
  },
  {
    name: 'small-files-flood',
    what: '40 files of 8 MiB in tuf/metadata (320 MiB to keep in memory)',
    build: async (dir) => {
      const f = join(dir, 'flood.tar.gz');
      const junk = Buffer.alloc(8 * MiB - 1024, 0x7b);
      function* parts(): Generator<Buffer> {
        const base = sampleWith({});
        base.pop();
        yield* base;
        for (let i = 0; i < 40; i++) yield fileEntry(`${TOP}tuf/metadata/${i}.junk.json`, junk);
        yield END;
      }
      await writeParts(f, parts(), 1);
      return f;
    },
    args: ['--limit', 'maxRatio=100000'],
    expect: [{ code: 'LIMIT_EXCEEDED', limit: 'maxTotalSmallBytes', where: { path: true } }],
  },
  {
    name: 'json-bloat',
    what: 'every TUF metadata file just under 8 MiB of valid JSON (200,000 tiny objects each)',
    build: async (dir) => {
      const f = join(dir, 'json-bloat.tar.gz');
      const bloat = (name: string): Buffer => {
        const doc = JSON.parse(goodMeta(name).toString()) as { signed: Record<string, unknown> };
        const many: Record<string, unknown> = {};
        for (let i = 0; i < 150_000; i++) many[`t${i}`] = { length: i, hashes: { sha256: '00' } };
        doc.signed[name.includes('targets') ? 'targets' : 'x-bloat'] = many;
        return Buffer.from(JSON.stringify(doc));
      };
      const replace: Record<string, Buffer> = {};
      for (const n of [
        'root.json',
        '1.root.json',
        '2.root.json',
        '3.root.json',
        'timestamp.json',
        'snapshot.json',
        '3.snapshot.json',
        'targets.json',
        '2.targets.json',
        'gateways.json',
        '1.gateways.json',
      ])
        replace[`tuf/metadata/${n}`] = bloat(n);
      await writeParts(f, sampleWith(replace), 6);
      return f;
    },
    expect: [{ code: 'TUF_SIGNATURE_INVALID', where: { path: true } }],
  },
  {
    name: 'device-flood',
    what: '100,000 devices, each with a certificate (a 100 MB devices table)',
    build: async (dir) => {
      const f = join(dir, 'devices.tar');
      const devices = JSON.parse(
        readFileSync(join(FIXTURES, 'certs', 'good', 'devices.json'), 'utf8'),
      ) as Array<{
        cert_pem: string;
      }>;
      const pem = (devices[0]?.cert_pem ?? '').replace(/\n/g, '\\n');
      const head =
        PLAIN_HEAD +
        'COPY public.devices (id, serial, status, enrolled_at, cert_pem, cert_sha256) FROM stdin;\n';
      function* body(): Generator<Buffer> {
        yield Buffer.from(head);
        for (let b = 0; b < 100; b++) {
          let t = '';
          for (let i = 0; i < 1000; i++) {
            const n = b * 1000 + i;
            t += `00000000-0000-4000-8000-${String(n).padStart(12, '0')}\tMX-${n}\tactive\t2026-01-05 03:00:00+00\t${pem}\t\\N\n`;
          }
          yield Buffer.from(t);
        }
        yield Buffer.from('\\.\n' + PLAIN_TAIL);
      }
      const size = sizeOf(body());
      await writeParts(f, [
        ...sampleWithout(['db/meshanics.dump'], []).slice(0, -1),
        ...streamedEntry('db/meshanics.sql', size, body()),
        END,
      ]);
      return f;
    },
    expect: [
      { code: 'LIMIT_EXCEEDED', limit: 'maxTableBytes', where: { table: 'public.devices', row: true } },
      { code: 'LIMIT_EXCEEDED', limit: 'x509.maxDevices', where: { row: true } },
    ],
    timeoutMs: 90_000,
  },
  {
    name: 'spill-bound',
    what: '200,000 audit rows in reverse seq order, spill bound 1 MB',
    build: async (dir) => {
      const f = join(dir, 'reverse.tar.gz');
      function* rows(): Generator<Buffer> {
        for (let hi = 200_000; hi >= 1; hi -= 10_000) {
          let t = '';
          for (let s = hi; s > hi - 10_000; s--)
            t += `${s}\t2026-11-26 03:00:00+00\ts\ta\t\\N\t{}\t${HASH0}\t${HASH0}\n`;
          yield Buffer.from(t);
        }
      }
      await writeParts(f, withPlainDump(rows), 6);
      return f;
    },
    args: [
      '--limit',
      'reorderWindow=1000',
      '--limit',
      'spillMemRecords=1000',
      '--limit',
      `maxSpillBytes=${MiB}`,
    ],
    expect: [{ code: 'LIMIT_EXCEEDED', limit: 'maxSpillBytes', where: { table: 'public.audit_log' } }],
  },
  {
    name: 'root-versions',
    what: '1,100 versioned root files',
    build: async (dir) => {
      const f = join(dir, 'roots.tar.gz');
      const root = goodMeta('1.root.json');
      const extra = Array.from({ length: 1100 }, (_, i) =>
        fileEntry(`${TOP}tuf/metadata/${i + 4}.root.json`, root),
      );
      await writeParts(f, sampleWith({}, extra), 6);
      return f;
    },
    expect: [{ code: 'LIMIT_EXCEEDED', limit: 'tuf.maxRootVersions', where: { role: 'root' } }],
  },
  {
    name: 'delegation-flood',
    what: 'targets.json delegating to 5,000 roles',
    build: async (dir) => {
      const f = join(dir, 'delegations.tar.gz');
      const t = JSON.parse(goodMeta('targets.json').toString()) as {
        signed: { delegations: { roles: unknown[] } };
      };
      const one = t.signed.delegations.roles[0] as Record<string, unknown>;
      t.signed.delegations.roles = Array.from({ length: 5000 }, (_, i) => ({ ...one, name: `r${i}` }));
      const data = Buffer.from(JSON.stringify(t));
      await writeParts(
        f,
        sampleWith({ 'tuf/metadata/targets.json': data, 'tuf/metadata/2.targets.json': data }),
        6,
      );
      return f;
    },
    expect: [{ code: 'LIMIT_EXCEEDED', limit: 'tuf.maxDelegatedRoles', where: { path: true } }],
  },
  {
    name: 'findings-flood',
    what: '1,000,000 malformed audit rows (a finding each, capped)',
    build: async (dir) => {
      const f = join(dir, 'malformed.tar.gz');
      function* rows(): Generator<Buffer> {
        // varied text, so that the archive's own ratio bound does not stop it first
        for (let b = 0; b < 100; b++) {
          let t = '';
          for (let i = 0; i < 10_000; i++) t += `x${((b * 10_000 + i) * 7919) % 1_000_003}\ty\n`;
          yield Buffer.from(t);
        }
      }
      await writeParts(f, withPlainDump(rows), 6);
      return f;
    },
    expect: [{ code: 'CHAIN_ROW_MALFORMED', where: { table: 'public.audit_log', row: true } }],
  },
  {
    name: 'findings-cap',
    what: 'a tampered record buried under 105,000 time-backwards warnings (more than maxFindings)',
    build: async (dir) => {
      const f = join(dir, 'buried.tar.gz');
      const dump = buriedTamper(210_000);
      await writeParts(
        f,
        [
          ...sampleWithout(['db/meshanics.dump'], []).slice(0, -1),
          rawHeader({ name: `${TOP}db/meshanics.sql`, size: dump.length }),
          dump,
          pad(dump.length),
          END,
        ],
        6,
      );
      return f;
    },
    // the dropped findings may hide an error: the verification must not pass
    expect: [{ code: 'LIMIT_EXCEEDED', limit: 'maxFindings' }],
  },
  {
    name: 'timeout',
    what: 'the gzip bomb with every bound lifted, --timeout 2s',
    build: async (dir) => {
      const f = join(dir, 'slow.tar.gz');
      await writeParts(f, gzipBomb('db/meshanics.dump', 16 * GiB));
      return f;
    },
    args: ['--limit', 'maxRatio=1e9', '--limit', `maxDecompressedBytes=${64 * GiB}`, '--timeout', '2s'],
    expect: [{ code: 'RUN_TIMEOUT' }],
  },
];

/** A custom dump (header, TOC) whose single data block has one chunk of length -100. */
function negativeChunk(): Buffer {
  const good = customDump(['1\t2026-11-26 03:00:00+00\ts\ta\t\\N\t{}\t' + HASH0 + '\t' + HASH0]);
  // the data block: type byte 1, dumpId int (5 bytes), then the first chunk length
  const blockAt = good.lastIndexOf(Buffer.from([1, 0, 11, 0, 0, 0]));
  const out = Buffer.from(good);
  out[blockAt + 6] = 1;
  out.writeUInt32LE(100, blockAt + 7);
  return out;
}

/** gzip of `head` followed by `n` copies of the byte `fill` (one member, exact trailer). */
function* gzipOfRepeated(head: Buffer, fill: number, n: number): Generator<Buffer> {
  const unitBytes = 64 * MiB;
  const unitData = Buffer.alloc(unitBytes, fill);
  yield Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]);
  yield deflateRawSync(head, { finishFlush: constants.Z_FULL_FLUSH });
  const unit = deflateRawSync(unitData, { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const k = n / unitBytes;
  for (let i = 0; i < k; i++) yield unit;
  const crc = crc32Repeat(unitData, k, zlibCrc32(head, 0));
  yield deflateRawSync(Buffer.alloc(0));
  const t = Buffer.alloc(8);
  t.writeUInt32LE(crc >>> 0, 0);
  t.writeUInt32LE((head.length + n) % 2 ** 32, 4);
  yield t;
}

/** A custom dump whose audit_log data is one zlib stream of `n` newline bytes (empty rows). */
function customZlibBomb(n: number): Buffer {
  const unitBytes = 64 * MiB;
  const unit = deflateRawSync(Buffer.alloc(unitBytes, 0x0a), {
    level: 9,
    finishFlush: constants.Z_FULL_FLUSH,
  });
  const parts: Buffer[] = [Buffer.from([0x78, 0xda])];
  for (let i = 0; i < n / unitBytes; i++) parts.push(unit);
  parts.push(deflateRawSync(Buffer.alloc(0)));
  // adler-32 of n newlines is not needed: the bound stops the read long before the end
  parts.push(Buffer.alloc(4));
  const z = Buffer.concat(parts);
  const chunks: Buffer[] = [];
  for (let i = 0; i < z.length; i += 1024 * 1024) chunks.push(z.subarray(i, i + 1024 * 1024));
  const entries = tableEntries(10, 'public', 'audit_log', AUDIT_COLS);
  return buildArchive({ version: [1, 14, 0], compression: -1, entries, blocks: [{ dumpId: 11, chunks }] });
}

/**
 * A plain dump whose audit chain is valid (hashes by the recipe) except that every odd record's
 * time runs backwards (a warning each, not coalesced) and the last record was edited after it
 * was hashed (an error): the error comes after the findings cap is full.
 */
function buriedTamper(n: number): Buffer {
  const u32 = (x: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(x);
    return b;
  };
  const two = (x: number): string => String(x).padStart(2, '0');
  const stamp = (ms: number, iso: boolean): string => {
    const d = new Date(ms);
    const day = `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
    const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
    return iso ? `${day}T${time}.000000Z` : `${day} ${time}+00`;
  };
  let prev = Buffer.alloc(32);
  const rows: string[] = [];
  const base = Date.UTC(2026, 0, 1);
  for (let s = 1; s <= n; s++) {
    const ms = base + s * 10_000 - (s % 2 === 1 && s > 1 ? 20_000 : 0);
    const fields = [String(s), stamp(ms, true), 'system', 'a', 'subj', '{}'];
    const msg = Buffer.concat([
      prev,
      ...fields.flatMap((x) => {
        const b = Buffer.from(x);
        return [u32(b.length), b];
      }),
    ]);
    const hash = createHash('sha256').update(msg).digest();
    const actor = s === n ? 'attacker' : 'system';
    rows.push(
      `${s}\t${stamp(ms, false)}\t${actor}\ta\tsubj\t{}\t${'\\\\x'}${prev.toString('hex')}\t${'\\\\x'}${hash.toString('hex')}\n`,
    );
    prev = hash;
  }
  return Buffer.from(PLAIN_HEAD + AUDIT_COPY + rows.join('') + '\\.\n' + PLAIN_TAIL);
}
