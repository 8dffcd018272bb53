// pg_dump custom format (-Fc): header and TOC (custom-toc.ts), then the data blocks read in
// stream order, as pg_restore does when it cannot seek (pg_backup_custom.c _PrintTocData):
//
//   block   := byte type (1 = BLK_DATA, 3 = BLK_BLOBS) ; int dumpId ; body
//   BLK_DATA  body := chunk* int 0          chunk := int length ; length bytes
//   BLK_BLOBS body := (int oid ; chunk* int 0)* int 0
//
// The chunks of one BLK_DATA block hold one zlib stream (compressed dumps) or the raw COPY text.
// The input ends after the last block. Data offsets in the TOC are checked against where each
// block really starts; a dump written to a pipe has none (K_OFFSET_POS_NOT_SET).
import type { ByteReader } from './byte-reader.js';
import type { ReadContext } from './context.js';
import { parseCopyStatement, tableKey } from './copy-stmt.js';
import type { ArchiveHeader, TocEntry } from './custom-toc.js';
import { K_OFFSET_POS_SET, TocReader } from './custom-toc.js';
import { TableFeed } from './feed.js';
import { StreamInflater, bombBound, pieces, type BombBound } from './inflate.js';

const BLK_DATA = 1;
const BLK_BLOBS = 3;
const BATCH = 64 * 1024;
const INT_MAX = 2 ** 31 - 1;

/** Collects small slices into fresh 64 KiB buffers (a consumer may keep what it is given). */
class Batch {
  private buf = Buffer.allocUnsafe(BATCH);
  private len = 0;
  constructor(private readonly out: (b: Buffer) => Promise<void>) {}

  /** Synchronous unless a full batch must be handed on. */
  add(slice: Buffer): Promise<void> | undefined {
    if (this.len === 0 && slice.length >= BATCH) return this.out(slice);
    if (this.len + slice.length <= BATCH) {
      slice.copy(this.buf, this.len);
      this.len += slice.length;
      return this.len === BATCH ? this.flush() : undefined;
    }
    return this.addSlow(slice);
  }

  private async addSlow(slice: Buffer): Promise<void> {
    let at = 0;
    while (at < slice.length) {
      const n = Math.min(BATCH - this.len, slice.length - at);
      slice.copy(this.buf, this.len, at, at + n);
      this.len += n;
      at += n;
      if (this.len === BATCH) await this.flush();
    }
  }

  async flush(): Promise<void> {
    if (this.len === 0) return;
    const b = this.buf.subarray(0, this.len);
    this.buf = Buffer.allocUnsafe(BATCH);
    this.len = 0;
    await this.out(b);
  }
}

/** Outcome of reading one block's chunks. */
type BodyEnd = 'ok' | 'eof' | 'bad';

export async function readCustom(r: ByteReader, ctx: ReadContext): Promise<void> {
  const { facts } = ctx;
  facts.format = 'custom';
  await r.skip(5); // "PGDMP", checked by the sniffer
  const tr = new TocReader(r, ctx);
  const h = await tr.header();
  if (!h) return;
  const toc = await tr.toc(h);
  if (!toc) return;
  ctx.emitFacts();
  const data = new DataReader(r, ctx, h, toc);
  await data.run();
}

class DataReader {
  private readonly byId = new Map<number, TocEntry>();
  private readonly blockAt = new Map<number, number>();
  private readonly dataStart: number;
  /** Reading stopped inside a block or at an unusable block: later blocks are unknown. */
  private broken = false;

  constructor(
    private readonly r: ByteReader,
    private readonly ctx: ReadContext,
    private readonly h: ArchiveHeader,
    private readonly toc: TocEntry[],
  ) {
    for (const e of toc) {
      if (this.byId.has(e.dumpId)) {
        ctx.damaged = true;
        ctx.add('DUMP_TOC_INVALID', { offset: e.at }, `TOC entry id ${e.dumpId} appears twice`, {
          dumpId: e.dumpId,
        });
        continue;
      }
      this.byId.set(e.dumpId, e);
    }
    this.dataStart = r.offset;
  }

  async run(): Promise<void> {
    const r = this.r;
    const { intSize } = this.h;
    for (;;) {
      const at = r.offset;
      const type = await r.readByte();
      if (type < 0) break; // the normal end: after the last block
      if (type !== BLK_DATA && type !== BLK_BLOBS) {
        this.broken = true;
        this.ctx.damaged = true;
        this.ctx.add(
          'DUMP_BLOCK_INVALID',
          { offset: at },
          `Unknown data block type ${type}; the rest of the dump cannot be read`,
          {
            reason: 'unknown-type',
            type,
          },
        );
        break;
      }
      const id = await r.readInt(intSize);
      if (id === null) {
        this.truncated(at, 'data block header');
        break;
      }
      const e = this.byId.get(id);
      let end: BodyEnd;
      if (type === BLK_BLOBS) {
        if (!e)
          this.blockProblem(
            at,
            id,
            'unknown-entry',
            `A large-object block names TOC entry ${id}, which does not exist`,
          );
        else this.noteBlock(e, at);
        end = await this.skipBlobs();
      } else if (!e) {
        this.blockProblem(
          at,
          id,
          'unknown-entry',
          `A data block names TOC entry ${id}, which does not exist`,
        );
        end = await this.skipChunks();
      } else if (this.blockAt.has(id)) {
        this.blockProblem(at, id, 'duplicate', `TOC entry ${id} has a second data block`, entryTable(e));
        end = await this.skipChunks();
      } else {
        this.noteBlock(e, at);
        if (!e.hadDumper)
          this.blockProblem(
            at,
            id,
            'no-data-entry',
            `TOC entry ${id} has no data but has a data block`,
            entryTable(e),
          );
        end = e.desc === 'TABLE DATA' ? await this.tableBlock(e, at) : await this.skipChunks();
      }
      if (end === 'eof') {
        if (!this.broken) this.truncated(r.offset, 'data block');
        break;
      }
      if (end === 'bad') break;
    }
    if (r.stopped) return;
    this.checkOffsets();
    this.checkMissing();
    if (!this.ctx.damaged) this.ctx.facts.complete = true;
  }

  private noteBlock(e: TocEntry, at: number): void {
    if (!this.blockAt.has(e.dumpId)) this.blockAt.set(e.dumpId, at);
  }

  private truncated(at: number, where: string): void {
    this.broken = true;
    this.ctx.damaged = true;
    if (this.r.stopped) return; // a bound or abort, not a short dump
    this.ctx.add('DUMP_TRUNCATED', { offset: at }, `The custom dump ends inside a ${where}`, { where });
  }

  private blockProblem(at: number, id: number, reason: string, msg: string, table?: string): void {
    this.ctx.damaged = true;
    this.ctx.add('DUMP_BLOCK_INVALID', { offset: at, table }, msg, { reason, dumpId: id });
  }

  /** Reads one chunk length; null at the end of input. */
  private async chunkLen(): Promise<number | null> {
    const sync = this.r.readIntSync(this.h.intSize);
    return sync !== undefined ? sync : this.r.readInt(this.h.intSize);
  }

  /**
   * Reads the chunks of a BLK_DATA body, handing each chunk's bytes (as input slices) to `fn`
   * (synchronous unless it returns a promise).
   */
  private async chunks(
    fn: ((b: Buffer) => Promise<void> | undefined) | null,
    where: () => string | undefined,
  ): Promise<BodyEnd> {
    const r = this.r;
    for (;;) {
      const lenAt = r.offset;
      const len = await this.chunkLen();
      if (len === null) return 'eof';
      if (len === 0) return 'ok';
      if (len < 0 || len > INT_MAX) {
        this.broken = true;
        this.ctx.damaged = true;
        this.ctx.add(
          'DUMP_BLOCK_INVALID',
          { offset: lenAt, table: where() },
          `A data chunk claims ${len} bytes; the rest of the dump cannot be read`,
          {
            reason: 'bad-chunk-length',
            length: len,
          },
        );
        return 'bad';
      }
      if (!fn) {
        if ((await r.skip(len)) < len) return 'eof';
        continue;
      }
      if (r.available >= len) {
        const pos = r.chunkPos;
        const s = r.chunk.subarray(pos, pos + len);
        r.advance(len);
        const p = fn(s);
        if (p) await p;
        continue;
      }
      const got = await r.forEachSlice(len, fn);
      if (got < len) return 'eof';
    }
  }

  private skipChunks(): Promise<BodyEnd> {
    return this.chunks(null, () => undefined);
  }

  private async skipBlobs(): Promise<BodyEnd> {
    for (;;) {
      const oid = await this.r.readInt(this.h.intSize);
      if (oid === null) return 'eof';
      if (oid === 0) return 'ok';
      const end = await this.skipChunks();
      if (end !== 'ok') return end;
    }
  }

  private async tableBlock(e: TocEntry, at: number): Promise<BodyEnd> {
    const ctx = this.ctx;
    const fallback = tableKey(e.namespace ?? '', e.tag ?? `dumpId ${e.dumpId}`);
    if (e.overlong) return this.skipChunks(); // already reported (LIMIT_EXCEEDED)
    if (e.copyStmt === null || e.copyStmt === '') {
      ctx.damaged = true;
      ctx.add(
        'DUMP_TABLE_NOT_COPY',
        { table: fallback, offset: at },
        `The data of ${fallback} is not COPY text (pg_dump --inserts?)`,
      );
      return this.skipChunks();
    }
    const ref = parseCopyStatement(e.copyStmt);
    if (!ref) {
      ctx.damaged = true;
      ctx.add(
        'DUMP_COPY_STATEMENT_INVALID',
        { table: fallback, offset: at },
        `The COPY statement of ${fallback} cannot be parsed: expected "COPY schema.table (columns) FROM stdin;", found ${JSON.stringify(e.copyStmt.slice(0, 120))}`,
        {
          statement: e.copyStmt.slice(0, 200),
        },
      );
      return this.skipChunks();
    }
    if (ref.schema === '' && e.namespace) ref.schema = e.namespace;
    const key = tableKey(ref.schema, ref.name);
    const comp = this.h.compression;
    if (comp !== 'none' && comp !== 'zlib') {
      ctx.damaged = true;
      ctx.add(
        'DUMP_UNSUPPORTED_COMPRESSION',
        { table: key, offset: at },
        `The data of ${key} is ${comp}-compressed, which cannot be read here`,
        {
          compression: ctx.facts.compression ?? comp,
        },
      );
      ctx.emitFacts();
      // The consumer learns the table exists but gets no rows.
      try {
        const hd = ctx.sink.table(ref);
        if (hd) {
          const p = hd.end(false);
          if (p) await p;
        }
      } catch {
        // A failing consumer changes nothing here: the table is already reported unreadable.
      }
      return this.skipChunks();
    }
    const feed = new TableFeed(ctx, key, ref);
    let afterEnd = false;
    const toFeed = async (b: Buffer): Promise<void> => {
      if (afterEnd) {
        feed.afterEnd(b, 0, this.r.offset);
        return;
      }
      const next = await feed.push(b, 0);
      if (next >= 0) {
        afterEnd = true;
        feed.afterEnd(b, next, this.r.offset);
      }
    };
    const where = (): string => key;
    let end: BodyEnd;
    let corrupt: Error | null = null;
    /** The block's data crossed a decompression bound: the rest of it is skipped, not inflated. */
    let bomb: BombBound | undefined;
    let zin = 0;
    let zout = 0;
    if (comp === 'none') {
      const batch = new Batch(toFeed);
      end = await this.chunks((s) => batch.add(s), where);
      if (end === 'ok' || end === 'eof') await batch.flush();
    } else {
      const inf = new StreamInflater('zlib');
      const feedOut = async (outs: Buffer[]): Promise<void> => {
        for (const o of outs) {
          if (bomb) return;
          zout += o.length;
          ctx.inflated += o.length;
          bomb = bombBound(ctx.opts, ctx.inflated, zin, zout);
          if (bomb) return;
          await toFeed(o);
        }
      };
      // One piece in flight while the previous piece's rows are scanned and consumed.
      let inflight: Promise<void> | null = null;
      const settle = async (): Promise<void> => {
        if (inflight) await inflight;
        inflight = null;
        await feedOut(inf.take());
      };
      const zbatch = new Batch(async (b) => {
        for (const piece of pieces(b)) {
          if (!inf.open || bomb) return;
          zin += piece.length;
          const next = inf.startWrite(piece);
          if (inflight) {
            await inflight;
            await feedOut(inf.take());
          }
          inflight = next;
        }
      });
      try {
        end = await this.chunks((s) => (inf.open && !bomb ? zbatch.add(s) : undefined), where);
        if (bomb) {
          // reported below; nothing more is inflated
        } else if (end === 'ok') {
          await zbatch.flush();
          await settle();
          await feedOut(await inf.finish());
        } else if (end === 'eof') {
          await zbatch.flush();
          await settle();
        }
        corrupt = inf.error;
      } finally {
        inf.destroy();
      }
    }
    if (bomb) {
      ctx.damaged = true;
      const rows = feed.rows;
      ctx.add(
        'LIMIT_EXCEEDED',
        { table: key, row: rows > 0 ? rows : undefined, offset: at, limit: bomb },
        bomb === 'maxRatio'
          ? `The compressed data of ${key} inflates ${Math.round(zout / Math.max(1, zin))}:1, above maxRatio ${ctx.opts.maxRatio ?? 0}:1 (a decompression bomb?); ${rows} rows were read, the rest of its block was skipped`
          : `The dump inflates past maxDecompressedBytes (${ctx.opts.maxDecompressedBytes ?? 0} bytes) in the data of ${key}; ${rows} rows were read, the rest of its block was skipped`,
        { compressedBytes: zin, decompressedBytes: zout, bound: ctx.opts[bomb] ?? null },
      );
      await feed.end(true, this.r.offset);
      return end;
    }
    if (end === 'eof' || end === 'bad') {
      if (end === 'eof' && !this.r.stopped) {
        this.broken = true;
        ctx.damaged = true;
        const rows = feed.rows;
        ctx.add(
          'DUMP_COPY_TRUNCATED',
          { table: key, row: rows > 0 ? rows : undefined, offset: this.r.offset },
          `The dump ends inside the data of ${key}; ${rows} rows were read whole`,
          { lastCompleteRow: rows },
        );
      }
      await feed.end(true, this.r.offset);
      return end;
    }
    if (corrupt) {
      ctx.damaged = true;
      const rows = feed.rows;
      ctx.add(
        'DUMP_ZLIB_CORRUPT',
        { table: key, row: rows > 0 ? rows : undefined, offset: at },
        `The compressed data of ${key} is corrupt (${corrupt.message}); ${rows} rows were read whole`,
        { lastCompleteRow: rows, zlib: corrupt.message },
      );
      await feed.end(true, this.r.offset);
      return 'ok';
    }
    await feed.end(false, this.r.offset);
    return 'ok';
  }

  private checkOffsets(): void {
    const total = this.r.offset;
    for (const e of this.toc) {
      if (e.dataState !== K_OFFSET_POS_SET) continue;
      const actual = this.blockAt.get(e.dumpId);
      if (actual === e.dataPos) continue;
      let reason: string;
      if (e.dataPos >= total) reason = 'past-end';
      else if (e.dataPos < this.dataStart) reason = 'before-data';
      else if (actual !== undefined) reason = 'mismatch';
      else continue; // no block at all: reported as missing data
      if (reason === 'past-end' && actual === undefined && this.broken) continue; // explained by the truncation
      this.ctx.damaged = true;
      const table = entryTable(e);
      this.ctx.add(
        'DUMP_DATA_OFFSET_INVALID',
        { table, offset: e.at },
        `The TOC gives data offset ${e.dataPos} for entry ${e.dumpId}${table ? ` (${table})` : ''}, ` +
          (reason === 'past-end'
            ? `past the end of the dump (${total} bytes)`
            : reason === 'before-data'
              ? `inside the header or TOC (data starts at ${this.dataStart})`
              : `but its block starts at ${actual ?? -1}`),
        { reason, dumpId: e.dumpId, dataPos: e.dataPos, blockAt: actual ?? null },
      );
    }
  }

  private checkMissing(): void {
    for (const e of this.toc) {
      if (e.desc !== 'TABLE DATA' || !e.hadDumper || this.blockAt.has(e.dumpId)) continue;
      const table = entryTable(e);
      this.ctx.damaged = true;
      this.ctx.add(
        'DUMP_TABLE_DATA_MISSING',
        { table, offset: e.at },
        `The dump holds no data block for ${table ?? `entry ${e.dumpId}`}`,
        {
          dumpId: e.dumpId,
        },
      );
    }
  }
}

/** "schema.table" of a TOC entry from its namespace and tag (undefined for unnamed entries). */
function entryTable(e: TocEntry): string | undefined {
  if (e.tag === null) return undefined;
  return tableKey(e.namespace ?? '', e.tag);
}
