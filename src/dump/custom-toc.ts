// Header and table of contents of a pg_dump custom-format archive, read field by field as
// pg_backup_archiver.c ReadHead / ReadToc and pg_backup_custom.c _ReadExtraToc read them:
//
//   "PGDMP" vmaj vmin vrev intSize offSize format
//   compression: int level (< 1.15) | byte algorithm (>= 1.15: 0 none, 1 gzip, 2 lz4, 3 zstd)
//   int sec min hour mday mon year isdst; str dbname; str remoteVersion; str pg_dump version
//   int tocCount, then per entry:
//     int dumpId; int hadDumper; str tableoid; str oid; str tag; str desc; int section;
//     str defn; str dropStmt; str copyStmt; str namespace; str tablespace;
//     str tableam (>= 1.14); int relkind (>= 1.16); str owner; str withOids ("true"/"false");
//     str dependency ... until a NULL str;
//     offset: byte flag (1 not set, 2 set, 3 no data) + offSize bytes, least significant first.
//
// An int is a sign byte then intSize magnitude bytes (least significant first); a str is an int
// length (negative = NULL) then that many bytes.
import type { ByteReader } from './byte-reader.js';
import type { ReadContext } from './context.js';

export const K_OFFSET_POS_NOT_SET = 1;
export const K_OFFSET_POS_SET = 2;
export const K_OFFSET_NO_DATA = 3;

/** MAKE_ARCHIVE_VERSION */
export function archiveVersion(maj: number, min: number, rev: number): number {
  return (maj * 256 + min) * 256 + rev;
}
export const K_VERS_1_12 = archiveVersion(1, 12, 0);
export const K_VERS_1_14 = archiveVersion(1, 14, 0);
export const K_VERS_1_15 = archiveVersion(1, 15, 0);
export const K_VERS_1_16 = archiveVersion(1, 16, 0);
/** The newest layout known here: 1.16.x. */
export const K_VERS_MAX = archiveVersion(1, 16, 255);

const INT_MAX = 2 ** 31 - 1;

export type Compression = 'none' | 'zlib' | 'lz4' | 'zstd' | 'unknown';

export interface ArchiveHeader {
  version: number;
  intSize: number;
  offSize: number;
  compression: Compression;
}

export interface TocEntry {
  dumpId: number;
  hadDumper: boolean;
  tag: string | null;
  desc: string | null;
  copyStmt: string | null;
  namespace: string | null;
  /** A kept string exceeded maxTocStringBytes (reported); the entry's data cannot be named. */
  overlong: boolean;
  dataState: number;
  dataPos: number;
  /** Offset of the entry in the dump, for findings. */
  at: number;
}

/** Why reading stopped: 'eof' = input ended inside the structure; 'bad' = structure unusable. */
export type StopReason = 'eof' | 'bad';

export class TocReader {
  stop: StopReason | null = null;
  /** The part being read, for truncation findings. */
  private part: 'header' | 'table of contents' = 'header';

  constructor(
    private readonly r: ByteReader,
    private readonly ctx: ReadContext,
  ) {}

  /** The input ended inside `field` of the header or TOC. */
  private eof(field: string): null {
    this.stop = 'eof';
    this.ctx.damaged = true;
    if (this.r.stopped) return null; // a bound or abort, not a short dump
    const where = this.part;
    this.ctx.add(
      'DUMP_TRUNCATED',
      { offset: this.r.offset, field: field === where ? undefined : field },
      `The custom dump ends inside its ${where}${field === where ? '' : ` (${field})`}`,
      { where },
    );
    return null;
  }

  private bad(
    code: 'DUMP_HEADER_INVALID' | 'DUMP_TOC_INVALID',
    at: number,
    msg: string,
    detail: Record<string, string | number>,
    field?: string,
  ): null {
    this.stop = 'bad';
    this.ctx.damaged = true;
    this.ctx.add(code, { offset: at, field }, msg, detail);
    return null;
  }

  private async byte(where: string): Promise<number | null> {
    const b = await this.r.readByte();
    return b < 0 ? this.eof(where) : b;
  }

  async int(intSize: number, where: string): Promise<number | null> {
    const v = await this.r.readInt(intSize);
    return v === null ? this.eof(where) : v;
  }

  /**
   * A str. `keep`: return its text (bounded by maxTocStringBytes); otherwise skip its bytes.
   * Returns undefined at a stop, null for NULL, 'overlong' past the bound.
   */
  async str(intSize: number, where: string, keep: boolean): Promise<string | null | undefined | 'overlong'> {
    const at = this.r.offset;
    const len = await this.r.readInt(intSize);
    if (len === null) {
      this.eof(where);
      return undefined;
    }
    if (len < 0) {
      // ReadStr takes any negative length as NULL; pg_dump writes only -1.
      if (len !== -1) {
        this.ctx.damaged = true;
        this.ctx.add(
          'DUMP_TOC_INVALID',
          { offset: at, field: where },
          `The ${where} string has a negative length (${len})`,
          {
            length: len,
          },
        );
      }
      return null;
    }
    if (len > INT_MAX) {
      this.bad(
        'DUMP_TOC_INVALID',
        at,
        `The ${where} string claims ${len} bytes (more than a C int)`,
        { length: len },
        where,
      );
      return undefined;
    }
    if (keep && len > this.ctx.opts.maxTocStringBytes) {
      this.ctx.damaged = true;
      this.ctx.add(
        'LIMIT_EXCEEDED',
        { offset: at, field: where, limit: 'maxTocStringBytes' },
        `The ${where} string is ${len} bytes, more than maxTocStringBytes (${this.ctx.opts.maxTocStringBytes})`,
        { length: len },
      );
      keep = false;
      if ((await this.r.skip(len)) < len) {
        this.eof(where);
        return undefined;
      }
      return 'overlong';
    }
    if (!keep) {
      if ((await this.r.skip(len)) < len) {
        this.eof(where);
        return undefined;
      }
      return '';
    }
    const b = await this.r.read(len);
    if (b === null) {
      this.eof(where);
      return undefined;
    }
    return b.toString('utf8');
  }

  /** ReadHead after the 5 magic bytes. Fills facts; null when the header is unusable. */
  async header(): Promise<ArchiveHeader | null> {
    const { facts } = this.ctx;
    const vmaj = await this.byte('header');
    if (vmaj === null) return null;
    const vmin = await this.byte('header');
    if (vmin === null) return null;
    let vrev = 0;
    if (vmaj > 1 || (vmaj === 1 && vmin > 0)) {
      const b = await this.byte('header');
      if (b === null) return null;
      vrev = b;
    }
    const version = archiveVersion(vmaj, vmin, vrev);
    facts.archiveVersion = vrev === 0 ? `${vmaj}.${vmin}` : `${vmaj}.${vmin}.${vrev}`;
    if (version < K_VERS_1_12 || version > K_VERS_MAX) {
      this.stop = 'bad';
      this.ctx.damaged = true;
      this.ctx.add(
        'DUMP_VERSION_UNSUPPORTED',
        { offset: 5 },
        `Custom dump archive version ${facts.archiveVersion} is outside 1.12–1.16`,
        { version: facts.archiveVersion },
      );
      return null;
    }
    const intAt = this.r.offset;
    const intSize = await this.byte('header');
    if (intSize === null) return null;
    // ReadHead accepts up to 32; 0 cannot encode anything.
    if (intSize < 1 || intSize > 32) {
      return this.bad('DUMP_HEADER_INVALID', intAt, `Integer size ${intSize} in the header is not usable`, {
        intSize,
      });
    }
    const offAt = this.r.offset;
    const offSize = await this.byte('header');
    if (offSize === null) return null;
    if (offSize < 1 || offSize > 32) {
      return this.bad('DUMP_HEADER_INVALID', offAt, `Offset size ${offSize} in the header is not usable`, {
        offSize,
      });
    }
    const fmtAt = this.r.offset;
    const fmt = await this.byte('header');
    if (fmt === null) return null;
    if (fmt !== 1) {
      if (fmt === 3 || fmt === 5) {
        facts.format = fmt === 3 ? 'tar' : 'directory';
        this.stop = 'bad';
        this.ctx.damaged = true;
        this.ctx.add(
          'DUMP_UNSUPPORTED_FORMAT',
          { offset: fmtAt },
          `This is the table of contents of a pg_dump ${facts.format}-format archive; its data is elsewhere`,
          { format: facts.format },
        );
        return null;
      }
      return this.bad(
        'DUMP_HEADER_INVALID',
        fmtAt,
        `Archive format byte ${fmt} is not the custom format (1)`,
        {
          format: fmt,
        },
      );
    }
    let compression: Compression;
    if (version >= K_VERS_1_15) {
      const algo = await this.byte('header');
      if (algo === null) return null;
      compression =
        algo === 0 ? 'none' : algo === 1 ? 'zlib' : algo === 2 ? 'lz4' : algo === 3 ? 'zstd' : 'unknown';
      facts.compression = compression === 'unknown' ? `unknown(${algo})` : compression;
    } else {
      const level = await this.int(intSize, 'header');
      if (level === null) return null;
      // pg_dump <= 15 stores the zlib level: 0 = none, -1 = zlib's default.
      compression = level === 0 ? 'none' : 'zlib';
      facts.compression = level === 0 ? 'none' : level === -1 ? 'zlib' : `zlib:${level}`;
    }
    const tm: number[] = [];
    for (let i = 0; i < 7; i++) {
      const v = await this.int(intSize, 'header');
      if (v === null) return null;
      tm.push(v);
    }
    const [sec = 0, min = 0, hour = 0, mday = 0, mon = 0, year = 0] = tm;
    facts.createdLocal = `${pad(year + 1900, 4)}-${pad(mon + 1, 2)}-${pad(mday, 2)} ${pad(hour, 2)}:${pad(min, 2)}:${pad(sec, 2)}`;
    const db = await this.str(intSize, 'database name', true);
    if (db === undefined) return null;
    if (typeof db === 'string' && db !== 'overlong') facts.database = db;
    const from = await this.str(intSize, 'server version', true);
    if (from === undefined) return null;
    if (typeof from === 'string' && from !== 'overlong') facts.dumpedFrom = from;
    const by = await this.str(intSize, 'pg_dump version', true);
    if (by === undefined) return null;
    if (typeof by === 'string' && by !== 'overlong') facts.dumpedBy = by;
    return { version, intSize, offSize, compression };
  }

  /** ReadToc. Null when the TOC could not be read (a finding says why). */
  async toc(h: ArchiveHeader): Promise<TocEntry[] | null> {
    this.part = 'table of contents';
    const { intSize } = h;
    const at = this.r.offset;
    const count = await this.int(intSize, 'table of contents');
    if (count === null) return null;
    if (count < 0 || count > INT_MAX) {
      return this.bad('DUMP_TOC_INVALID', at, `The table of contents claims ${count} entries`, {
        entries: count,
      });
    }
    if (count > this.ctx.opts.maxTocEntries) {
      this.stop = 'bad';
      this.ctx.damaged = true;
      this.ctx.add(
        'LIMIT_EXCEEDED',
        { offset: at, limit: 'maxTocEntries' },
        `The table of contents has ${count} entries, more than maxTocEntries (${this.ctx.opts.maxTocEntries})`,
        { entries: count },
      );
      return null;
    }
    this.ctx.facts.tocEntries = count;
    const entries: TocEntry[] = [];
    for (let i = 0; i < count; i++) {
      const e = await this.entry(h);
      if (!e) return null;
      entries.push(e);
    }
    return entries;
  }

  private async entry(h: ArchiveHeader): Promise<TocEntry | null> {
    const { intSize, version } = h;
    const at = this.r.offset;
    const where = 'table of contents';
    const dumpId = await this.int(intSize, where);
    if (dumpId === null) return null;
    if (dumpId <= 0 || dumpId > INT_MAX) {
      return this.bad('DUMP_TOC_INVALID', at, `TOC entry id ${dumpId} is out of range`, { dumpId });
    }
    const hadDumper = await this.int(intSize, where);
    if (hadDumper === null) return null;
    let overlong = false;
    const keepStr = async (field: string): Promise<string | null | undefined> => {
      const s = await this.str(intSize, field, true);
      if (s === 'overlong') {
        overlong = true;
        return null;
      }
      return s;
    };
    const skipStr = async (field: string): Promise<boolean> =>
      (await this.str(intSize, field, false)) !== undefined;
    if (!(await skipStr('tableoid')) || !(await skipStr('oid'))) return null;
    const tag = await keepStr('tag');
    if (tag === undefined) return null;
    const desc = await keepStr('desc');
    if (desc === undefined) return null;
    if ((await this.int(intSize, where)) === null) return null; // section
    if (!(await skipStr('defn')) || !(await skipStr('dropStmt'))) return null;
    // Only data entries need their COPY statement: others are skipped (memory stays small).
    const wanted = desc === 'TABLE DATA';
    const copyStmt = wanted ? await keepStr('copyStmt') : (await skipStr('copyStmt')) ? null : undefined;
    if (copyStmt === undefined) return null;
    const namespace = await keepStr('namespace');
    if (namespace === undefined) return null;
    if (!(await skipStr('tablespace'))) return null;
    if (version >= K_VERS_1_14 && !(await skipStr('tableam'))) return null;
    if (version >= K_VERS_1_16 && (await this.int(intSize, where)) === null) return null; // relkind
    if (!(await skipStr('owner')) || !(await skipStr('withOids'))) return null;
    // Dependencies: strs until a NULL one. Skipped (never stored), so a long list costs no memory.
    for (;;) {
      const dep = await this.str(intSize, 'dependency', false);
      if (dep === undefined) return null;
      if (dep === null) break;
    }
    const flagAt = this.r.offset;
    const flag = await this.byte(where);
    if (flag === null) return null;
    if (flag !== K_OFFSET_POS_NOT_SET && flag !== K_OFFSET_POS_SET && flag !== K_OFFSET_NO_DATA) {
      return this.bad('DUMP_TOC_INVALID', flagAt, `TOC entry ${dumpId} has data offset flag ${flag}`, {
        dumpId,
        flag,
      });
    }
    const ob = await this.r.read(h.offSize);
    if (ob === null) return this.eof(where);
    let dataPos = 0;
    let mul = 1;
    for (let i = 0; i < h.offSize; i++) {
      const v = ob[i] ?? 0;
      if (i >= 8 && v !== 0) {
        return this.bad(
          'DUMP_TOC_INVALID',
          flagAt,
          `TOC entry ${dumpId} has a data offset too large for a file`,
          {
            dumpId,
          },
        );
      }
      dataPos += v * mul;
      mul *= 256;
    }
    return {
      dumpId,
      hadDumper: hadDumper !== 0,
      tag,
      desc,
      copyStmt,
      namespace,
      overlong,
      dataState: flag,
      dataPos,
      at,
    };
  }
}

function pad(n: number, w: number): string {
  const s = String(Math.abs(n)).padStart(w, '0');
  return n < 0 ? `-${s}` : s;
}
