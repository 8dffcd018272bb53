// Builds pg_dump custom-format archives byte by byte, following pg_backup_archiver.c (WriteHead,
// WriteToc, WriteInt, WriteStr, WriteOffset) and pg_backup_custom.c (_StartData, _WriteData via
// _CustomWriteFunc, _EndData, _StartLOs/_EndLOs) for archive versions 1.12 to 1.16. Used by the
// tests for versions the local pg_dump 15 cannot write, and for damaged archives; the fixture
// script checks what it builds for 1.12–1.14 against the real pg_restore 15.
import zlib from 'node:zlib';

export interface BuildEntry {
  dumpId: number;
  hadDumper: boolean;
  tableoid?: string;
  oid?: string;
  tag: string | null;
  desc: string | null;
  section?: number;
  defn?: string | null;
  dropStmt?: string | null;
  copyStmt?: string | null;
  namespace?: string | null;
  tablespace?: string | null;
  tableam?: string | null;
  relkind?: number;
  owner?: string | null;
  deps?: string[];
  /** K_OFFSET_*: 1 not set, 2 set, 3 no data. Default: 2 when the entry has a block and offsets are set, 1 when it has a block, else 3. */
  dataState?: number;
  /** Force a data offset (default: the real block position when offsets are set). */
  dataPos?: number;
}

export interface BuildBlock {
  dumpId: number;
  /** 1 = BLK_DATA (default), 3 = BLK_BLOBS. */
  type?: number;
  /** Chunk payloads (already compressed when the archive is). */
  chunks: Buffer[];
  /** BLK_BLOBS: per large object its OID and chunks. */
  blobs?: Array<{ oid: number; chunks: Buffer[] }>;
}

export interface BuildOptions {
  /** [major, minor, rev] */
  version: [number, number, number];
  intSize?: number;
  offSize?: number;
  format?: number;
  /** < 1.15: the int compression level (0 none, -1 default zlib); >= 1.15: the algorithm byte. */
  compression: number;
  /** tm_sec, tm_min, tm_hour, tm_mday, tm_mon (0-based), tm_year (since 1900), tm_isdst */
  created?: [number, number, number, number, number, number, number];
  dbname?: string | null;
  remoteVersion?: string | null;
  dumpVersion?: string | null;
  entries: BuildEntry[];
  blocks: BuildBlock[];
  /** Write data offsets as a seekable pg_dump does (K_OFFSET_POS_SET); false = written to a pipe. */
  setOffsets?: boolean;
}

export class Writer {
  private parts: Buffer[] = [];
  length = 0;
  constructor(readonly intSize = 4) {}

  bytes(b: Buffer | string): this {
    const buf = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
    this.parts.push(buf);
    this.length += buf.length;
    return this;
  }
  byte(v: number): this {
    return this.bytes(Buffer.from([v & 0xff]));
  }
  /** WriteInt: sign byte, then intSize magnitude bytes, least significant first. */
  int(v: number): this {
    const b = Buffer.alloc(this.intSize + 1);
    b[0] = v < 0 ? 1 : 0;
    let m = Math.abs(v);
    for (let i = 0; i < this.intSize; i++) {
      b[i + 1] = m % 256;
      m = Math.floor(m / 256);
    }
    return this.bytes(b);
  }
  /** WriteStr: int length then bytes; NULL is length -1. */
  str(s: string | null | undefined): this {
    if (s === null || s === undefined) return this.int(-1);
    const b = Buffer.from(s, 'utf8');
    return this.int(b.length).bytes(b);
  }
  /** WriteOffset: flag byte, then offSize bytes least significant first. */
  offset(pos: number, flag: number, offSize: number): this {
    const b = Buffer.alloc(offSize + 1);
    b[0] = flag;
    let m = pos;
    for (let i = 0; i < offSize; i++) {
      b[i + 1] = m % 256;
      m = Math.floor(m / 256);
    }
    return this.bytes(b);
  }
  done(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }
}

function vers(o: BuildOptions): number {
  const [a, b, c] = o.version;
  return (a * 256 + b) * 256 + c;
}

/** The header alone (for archives whose TOC a test writes by hand). */
export function headBytes(o: BuildOptions): Buffer {
  const w = new Writer(o.intSize ?? 4);
  writeHead(w, o);
  return w.done();
}

function writeHead(w: Writer, o: BuildOptions): void {
  const v = vers(o);
  w.bytes(Buffer.from('PGDMP', 'latin1'));
  w.byte(o.version[0]).byte(o.version[1]).byte(o.version[2]);
  w.byte(o.intSize ?? 4)
    .byte(o.offSize ?? 8)
    .byte(o.format ?? 1);
  if (v >= (1 * 256 + 15) * 256) w.byte(o.compression);
  else w.int(o.compression);
  for (const x of o.created ?? [30, 15, 3, 26, 10, 126, 0]) w.int(x);
  w.str(o.dbname === undefined ? 'meshanics' : o.dbname);
  w.str(o.remoteVersion === undefined ? '15.20 (Debian 15.20-0+deb12u1)' : o.remoteVersion);
  w.str(o.dumpVersion === undefined ? '15.20 (Debian 15.20-0+deb12u1)' : o.dumpVersion);
}

function writeToc(w: Writer, o: BuildOptions, positions: Map<number, number>): void {
  const v = vers(o);
  const offSize = o.offSize ?? 8;
  w.int(o.entries.length);
  for (const e of o.entries) {
    w.int(e.dumpId);
    w.int(e.hadDumper ? 1 : 0);
    w.str(e.tableoid ?? '0');
    w.str(e.oid ?? String(16384 + e.dumpId));
    w.str(e.tag);
    w.str(e.desc);
    w.int(e.section ?? (e.desc === 'TABLE DATA' ? 3 : 2));
    w.str(e.defn === undefined ? '' : e.defn);
    w.str(e.dropStmt === undefined ? '' : e.dropStmt);
    w.str(e.copyStmt === undefined ? null : e.copyStmt);
    w.str(e.namespace === undefined ? 'public' : e.namespace);
    w.str(e.tablespace === undefined ? '' : e.tablespace);
    if (v >= (1 * 256 + 14) * 256)
      w.str(e.tableam === undefined ? (e.desc === 'TABLE' ? 'heap' : '') : e.tableam);
    if (v >= (1 * 256 + 16) * 256)
      w.int(e.relkind ?? (e.desc === 'TABLE' || e.desc === 'TABLE DATA' ? 0x72 : 0));
    w.str(e.owner === undefined ? 'postgres' : e.owner);
    w.str('false');
    for (const d of e.deps ?? []) w.str(d);
    w.str(null);
    const pos = positions.get(e.dumpId);
    const hasBlock = pos !== undefined;
    const flag = e.dataState ?? (hasBlock ? (o.setOffsets ? 2 : 1) : 3);
    w.offset(e.dataPos ?? (flag === 2 ? (pos ?? 0) : 0), flag, offSize);
  }
}

function writeBlocks(w: Writer, o: BuildOptions, positions: Map<number, number>): void {
  for (const b of o.blocks) {
    if (!positions.has(b.dumpId)) positions.set(b.dumpId, w.length);
    const type = b.type ?? 1;
    w.byte(type);
    w.int(b.dumpId);
    if (type === 3) {
      for (const lo of b.blobs ?? []) {
        w.int(lo.oid);
        for (const c of lo.chunks) w.int(c.length).bytes(c);
        w.int(0);
      }
      w.int(0);
      continue;
    }
    for (const c of b.chunks) w.int(c.length).bytes(c);
    w.int(0);
  }
}

/** The whole archive. Offsets are computed like pg_dump's second TOC write (same TOC size). */
export function buildArchive(o: BuildOptions): Buffer {
  const w0 = new Writer(o.intSize ?? 4);
  writeHead(w0, o);
  const positionsProbe = new Map<number, number>();
  for (const b of o.blocks) positionsProbe.set(b.dumpId, 0);
  writeToc(w0, o, positionsProbe);
  const tocEnd = w0.length;
  const wb = new Writer(o.intSize ?? 4);
  const rel = new Map<number, number>();
  writeBlocks(wb, o, rel);
  const positions = new Map<number, number>();
  for (const [id, p] of rel) positions.set(id, tocEnd + p);
  const w = new Writer(o.intSize ?? 4);
  writeHead(w, o);
  writeToc(w, o, positions);
  if (w.length !== tocEnd) throw new Error('TOC size changed between passes');
  w.bytes(wb.done());
  return w.done();
}

/** Uncompressed data chunks as pg_dump -Z0 writes them: one per row, then the "\.\n\n\n" chunk. */
export function rawChunks(rows: string[]): Buffer[] {
  return [...rows.map((r) => Buffer.from(`${r}\n`, 'utf8')), Buffer.from('\\.\n\n\n', 'latin1')];
}

/** One zlib stream over all rows (and the end-of-COPY line), cut into chunks of `chunkSize` bytes. */
export function zlibChunks(rows: string[], chunkSize = 4096): Buffer[] {
  const text = rows.map((r) => `${r}\n`).join('') + '\\.\n\n\n';
  const z = zlib.deflateSync(Buffer.from(text, 'utf8'));
  const out: Buffer[] = [];
  for (let i = 0; i < z.length; i += chunkSize) out.push(z.subarray(i, i + chunkSize));
  return out;
}

/** A TABLE entry and its TABLE DATA entry, as pg_dump writes them for one table. */
export function tableEntries(
  tableId: number,
  schema: string,
  name: string,
  columns: string[],
  copyStmt?: string | null,
): BuildEntry[] {
  const qname = `${quoteIdent(schema)}.${quoteIdent(name)}`;
  const cols = columns.map(quoteIdent).join(', ');
  return [
    {
      dumpId: tableId,
      hadDumper: false,
      tableoid: '1259',
      tag: name,
      desc: 'TABLE',
      section: 2,
      defn: `CREATE TABLE ${qname} (\n${columns.map((c) => `    ${quoteIdent(c)} text`).join(',\n')}\n);\n`,
      dropStmt: `DROP TABLE ${qname};\n`,
      namespace: schema,
    },
    {
      dumpId: tableId + 1,
      hadDumper: true,
      tableoid: '0',
      oid: '0',
      tag: name,
      desc: 'TABLE DATA',
      section: 3,
      copyStmt: copyStmt === undefined ? `COPY ${qname} (${cols}) FROM stdin;\n` : copyStmt,
      namespace: schema,
      tableam: '',
      deps: [String(tableId)],
    },
  ];
}

/** fmtId-like quoting: lower-case simple names stay bare. */
export function quoteIdent(s: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`;
}
