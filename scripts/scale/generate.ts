// The scale generator: a complete backup archive (tar.gz, spec section 2 layout) whose dump holds
// an audit_log of N chained records, written as pg_dump 15 writes it (custom or plain format),
// streaming from generator to disk so memory stays flat whatever N is.
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  copyFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDeflate, createGzip } from 'node:zlib';
import { create as tarCreate } from 'tar';
import { AuditRows, DEFAULT_START_MICROS, type ChainHead } from './audit-rows.js';
import {
  blockStart,
  ChunkFramer,
  DEFAULT_COMPRESSION,
  encodeHeader,
  encodeToc,
  smallBlock,
} from './custom-format.js';
import { COPY_END, PlainPrinter, plainHeader, plainTrailer } from './plain-format.js';
import { Rng } from './rng.js';
import { buildToc, DEFAULT_IDENTITY, type ArchiveIdentity } from './schema.js';
import { Batcher, FileOut, writeTo } from './sinks.js';
import { smallTableData, type SmallTables } from './small-tables.js';
import { findFixtures, installFixtures } from './fixtures.js';
import { Spill } from './spill.js';
import { TimeText } from './zone.js';

export type DumpFormat = 'custom' | 'plain' | 'plain-gz';

export const DUMP_NAMES: Record<DumpFormat, string> = {
  custom: 'db/meshanics.dump',
  plain: 'db/meshanics.sql',
  'plain-gz': 'db/meshanics.sql.gz',
};

export interface ScaleOptions {
  records: number;
  format: DumpFormat;
  /** The .tar.gz to write. */
  out: string;
  seed?: number;
  /** Fraction (0..1) of rows written far out of seq order. */
  shuffle?: number;
  /** The dumping session's time zone (PGTZ); see zone.ts for the supported ones. */
  zone?: string;
  /** Table owner / role names and version strings written into the dump. */
  identity?: Partial<ArchiveIdentity>;
  /** Also keep the dump file itself here (for tools that want it without extracting). */
  dumpOut?: string;
  /** gzip level of the outer archive (the tar.gz), 1..9. */
  gzipLevel?: number;
  /** Where fixtures/tuf/good and fixtures/certs/good are looked for; null: never include them. */
  fixturesRoot?: string | null;
  /** Parent folder of the temporary working folder. */
  tmpDir?: string;
  /** Called every 1M records with the count so far. */
  onProgress?: (records: number) => void;
}

export interface ScaleResult {
  archive: string;
  /** The archive's top folder and the dump's path inside the archive. */
  top: string;
  dumpEntry: string;
  dumpOut: string | null;
  records: number;
  displaced: number;
  head: ChainHead;
  backupTime: string;
  dumpBytes: number;
  archiveBytes: number;
  /** Whether fixtures/tuf/good and fixtures/certs/good were copied in. */
  tuf: boolean;
  certs: boolean;
  seconds: number;
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUCKETS = 4;
/** Stream buffers deep enough that row generation (this thread) and compression (libuv's pool)
 *  overlap instead of taking turns. */
const OVERLAP = { writableHighWaterMark: 8 << 20, readableHighWaterMark: 1 << 20, chunkSize: 64 << 10 };

type Sink = (b: Buffer) => Promise<void>;

/** Writes the audit rows (in-order rows, then the displaced ones) to `sink`. */
async function produceAudit(
  gen: AuditRows,
  o: Required<Pick<ScaleOptions, 'records' | 'seed' | 'shuffle'>>,
  work: string,
  sink: Sink,
  progress?: (n: number) => void,
): Promise<number> {
  const batch = new Batcher(sink);
  const pick = new Rng((o.seed ^ 0x5417ff1e) >>> 0);
  const spill = o.shuffle > 0 ? new Spill(work, BUCKETS) : undefined;
  for (let i = 1; i <= o.records; i++) {
    const line = gen.next();
    if (spill !== undefined && pick.chance(o.shuffle)) spill.add(pick.below(BUCKETS), line);
    else {
      const p = batch.add(line);
      if (p !== undefined) await p;
    }
    if (progress !== undefined && i % 1_000_000 === 0) progress(i);
  }
  await batch.flush();
  if (spill === undefined) return 0;
  await spill.drainTo(sink);
  return spill.count;
}

async function writeCustom(
  path: string,
  id: ArchiveIdentity,
  small: SmallTables,
  audit: (sink: Sink) => Promise<void>,
  created: () => Date,
): Promise<number> {
  const toc = buildToc(id);
  const file = new FileOut(path);
  // First pass as pg_dump writes it: header and TOC with the data offsets not yet set.
  const header = encodeHeader(id, created());
  const firstToc = encodeToc(toc, new Map());
  await file.write(header);
  await file.write(firstToc);
  const offsets = new Map<number, number>();
  for (const e of toc) {
    if (!e.hasData || e.table === undefined) continue;
    offsets.set(e.dumpId, file.bytes);
    if (e.table !== 'audit_log') {
      await file.write(smallBlock(e.dumpId, small[e.table]));
      continue;
    }
    await file.write(blockStart(e.dumpId));
    const deflate = createDeflate({ level: DEFAULT_COMPRESSION, ...OVERLAP });
    const framer = new ChunkFramer();
    // Compression runs on libuv's pool while this thread makes rows.
    const consumer = (async () => {
      for await (const chunk of deflate) {
        if (!Buffer.isBuffer(chunk)) continue;
        for (const f of framer.push(chunk)) await file.write(f);
      }
      for (const f of framer.end()) await file.write(f);
    })();
    consumer.catch((e: unknown) => deflate.destroy(e instanceof Error ? e : new Error(String(e))));
    await audit((b) => writeTo(deflate, b));
    await writeTo(deflate, Buffer.from(COPY_END));
    deflate.end();
    await consumer;
  }
  await file.end();
  // Second pass, as pg_dump does on a seekable file: the header (now with the final creation
  // time) and the TOC again, with every data offset set. Both keep their sizes.
  const finalHeader = encodeHeader(id, created());
  const finalToc = encodeToc(toc, offsets);
  if (finalHeader.length !== header.length || finalToc.length !== firstToc.length)
    throw new Error('TOC size changed');
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, finalHeader, 0, finalHeader.length, 0);
    writeSync(fd, finalToc, 0, finalToc.length, header.length);
  } finally {
    closeSync(fd);
  }
  return file.bytes;
}

async function writePlain(
  path: string,
  gz: boolean,
  id: ArchiveIdentity,
  restrictKey: string,
  small: SmallTables,
  audit: (sink: Sink) => Promise<void>,
): Promise<number> {
  const file = new FileOut(path);
  let sink: Sink = (b) => file.write(b);
  let done: Promise<void> = Promise.resolve();
  let gzip: ReturnType<typeof createGzip> | undefined;
  if (gz) {
    // `pg_dump -Fp | gzip`: the gzip runs on libuv's pool while this thread makes rows.
    const g = createGzip({ level: 6, ...OVERLAP });
    gzip = g;
    sink = (b) => writeTo(g, b);
    done = (async () => {
      for await (const chunk of g) if (Buffer.isBuffer(chunk)) await file.write(chunk);
    })();
    done.catch((e: unknown) => g.destroy(e instanceof Error ? e : new Error(String(e))));
  }
  const text = (s: string): Promise<void> => sink(Buffer.from(s, 'utf8'));
  const printer = new PlainPrinter();
  await text(plainHeader(id, restrictKey));
  for (const e of buildToc(id)) {
    const before = printer.entry(e);
    if (before !== '') await text(before);
    if (!e.hasData || e.table === undefined) continue;
    if (e.table === 'audit_log') {
      await audit(sink);
      await text(COPY_END);
    } else await text(small[e.table]);
  }
  await text(plainTrailer(restrictKey));
  if (gzip !== undefined) {
    gzip.end();
    await done;
  }
  await file.end();
  return file.bytes;
}

function stampOf(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    copyFileSync(from, to);
    rmSync(from, { force: true });
  }
}

export async function generateScale(opts: ScaleOptions): Promise<ScaleResult> {
  const started = process.hrtime.bigint();
  if (!Number.isSafeInteger(opts.records) || opts.records < 1)
    throw new Error('records must be a positive integer');
  const shuffle = opts.shuffle ?? 0;
  if (!(shuffle >= 0 && shuffle <= 1)) throw new Error('shuffle must be between 0 and 1');
  const seed = (opts.seed ?? 1) >>> 0;
  const zone = opts.zone ?? 'America/New_York';
  const id: ArchiveIdentity = { ...DEFAULT_IDENTITY, ...opts.identity };
  const out = resolve(opts.out);
  const work = mkdtempSync(join(opts.tmpDir ?? tmpdir(), 'meshverify-gen-scale-'));
  try {
    const staging = join(work, 'staging');
    const pending = join(staging, 'pending');
    mkdirSync(join(pending, 'db'), { recursive: true });
    const dumpName = DUMP_NAMES[opts.format];
    const dumpPath = join(pending, dumpName);

    const gen = new AuditRows({ seed, zone });
    const fixtures = findFixtures(opts.fixturesRoot === undefined ? REPO_ROOT : opts.fixturesRoot);
    const small = smallTableData(seed, new TimeText(zone), DEFAULT_START_MICROS, fixtures.rows);
    let displaced = 0;
    const audit = async (sink: Sink): Promise<void> => {
      displaced = await produceAudit(
        gen,
        { records: opts.records, seed, shuffle },
        work,
        sink,
        opts.onProgress,
      );
    };
    // The backup is taken a few minutes after the newest record.
    const backupAt = (): Date => new Date(Math.floor(gen.head().micros / 1e6) * 1000 + 300_000);

    const dumpBytes =
      opts.format === 'custom'
        ? await writeCustom(dumpPath, id, small, audit, backupAt)
        : await writePlain(
            dumpPath,
            opts.format === 'plain-gz',
            id,
            new Rng(seed ^ 0x7e57).alnum(64),
            small,
            audit,
          );

    const backupTime = backupAt();
    const top = `meshanics-backup-${stampOf(backupTime)}`;
    const topDir = join(staging, top);
    renameSync(pending, topDir);
    const { tuf, certs } = installFixtures(fixtures, topDir);
    chmodSync(topDir, 0o755);
    chmodSync(join(topDir, 'db'), 0o755);

    mkdirSync(dirname(out), { recursive: true });
    // portable: no owner names or atime/ctime, so the same seed gives the same bytes; it also
    // drops directory mtimes, which `tar czf` keeps, so they are put back.
    await tarCreate(
      {
        gzip: { level: opts.gzipLevel ?? 6 },
        file: out,
        cwd: staging,
        portable: true,
        mtime: backupTime,
        onWriteEntry: (entry) => {
          entry.noMtime = false;
        },
      },
      [top],
    );

    let dumpOut: string | null = null;
    if (opts.dumpOut !== undefined) {
      dumpOut = resolve(opts.dumpOut);
      mkdirSync(dirname(dumpOut), { recursive: true });
      moveFile(join(topDir, dumpName), dumpOut);
    }
    return {
      archive: out,
      top,
      dumpEntry: `${top}/${dumpName}`,
      dumpOut,
      records: opts.records,
      displaced,
      head: gen.head(),
      backupTime: backupTime.toISOString(),
      dumpBytes,
      archiveBytes: statSync(out).size,
      tuf,
      certs,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
