// pg_dump's custom archive (-Fc), version 1.14 (PostgreSQL 12–15), laid out as pg_dump 15 writes
// it (pg_backup_archiver.c WriteHead/WriteToc, pg_backup_custom.c, compress_io.c): header, TOC,
// then one data block per TABLE DATA entry, each a sequence of zlib chunks of at most 4096 bytes
// (pg_dump's ZLIB_OUT_SIZE) framed by their length, closed by a zero length.
import { deflateSync } from 'node:zlib';
import type { ArchiveIdentity, TocEntry } from './schema.js';

const INT_SIZE = 4;
const OFF_SIZE = 8;
const ARCH_CUSTOM = 1;
/** Z_DEFAULT_COMPRESSION: what pg_dump -Fc records when no -Z is given. */
export const DEFAULT_COMPRESSION = -1;
const BLK_DATA = 1;
export const CHUNK = 4096;

/** K_OFFSET_POS_NOT_SET, K_OFFSET_POS_SET, K_OFFSET_NO_DATA */
const OFFSET_NOT_SET = 1;
const OFFSET_SET = 2;
const OFFSET_NO_DATA = 3;

/** WriteInt: a sign byte, then the magnitude in INT_SIZE little-endian bytes. */
export function int(v: number): Buffer {
  const b = Buffer.alloc(1 + INT_SIZE);
  b[0] = v < 0 ? 1 : 0;
  b.writeUInt32LE(Math.abs(v), 1);
  return b;
}

/** WriteStr: length then bytes; NULL is length -1. */
function str(s: string | null): Buffer {
  if (s === null) return int(-1);
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([int(bytes.length), bytes]);
}

/** WriteOffset: a state byte, then OFF_SIZE little-endian bytes. */
function offset(state: number, pos: number): Buffer {
  const b = Buffer.alloc(1 + OFF_SIZE);
  b[0] = state;
  b.writeBigUInt64LE(BigInt(pos), 1);
  return b;
}

/** The archive header; `created` is written as the dumping machine's local time (here UTC). */
export function encodeHeader(id: ArchiveIdentity, created: Date): Buffer {
  const parts: Buffer[] = [
    Buffer.from('PGDMP', 'latin1'),
    Buffer.from([1, 14, 0, INT_SIZE, OFF_SIZE, ARCH_CUSTOM]),
    int(DEFAULT_COMPRESSION),
    // struct tm: sec, min, hour, mday, mon (0-11), year - 1900, isdst
    int(created.getUTCSeconds()),
    int(created.getUTCMinutes()),
    int(created.getUTCHours()),
    int(created.getUTCDate()),
    int(created.getUTCMonth()),
    int(created.getUTCFullYear() - 1900),
    int(0),
    str(id.dbName),
    str(id.serverVersion),
    str(id.dumpVersion),
  ];
  return Buffer.concat(parts);
}

/** The TOC; data entries whose offset is not (yet) known are written as "not set", as pg_dump's
 *  first pass does before it seeks back. */
export function encodeToc(entries: readonly TocEntry[], offsets: ReadonlyMap<number, number>): Buffer {
  const parts: Buffer[] = [int(entries.length)];
  for (const e of entries) {
    parts.push(
      int(e.dumpId),
      int(e.hasData ? 1 : 0),
      str(String(e.tableoid)),
      str(String(e.oid)),
      str(e.tag),
      str(e.desc),
      int(e.section),
      str(e.defn),
      str(e.dropStmt),
      str(e.copyStmt),
      str(e.namespace),
      str(e.tablespace),
      str(e.tableam),
      str(e.owner),
      str('false'),
    );
    for (const d of e.deps) parts.push(str(String(d)));
    parts.push(str(null));
    const pos = offsets.get(e.dumpId);
    if (!e.hasData) parts.push(offset(OFFSET_NO_DATA, 0));
    else if (pos === undefined) parts.push(offset(OFFSET_NOT_SET, 0));
    else parts.push(offset(OFFSET_SET, pos));
  }
  return Buffer.concat(parts);
}

/** The start of a data block: block type and the entry's dump id (pg_restore checks it). */
export function blockStart(dumpId: number): Buffer {
  return Buffer.concat([Buffer.from([BLK_DATA]), int(dumpId)]);
}

/** Cuts a zlib stream into pg_dump's framed chunks: full CHUNK-byte chunks as the stream fills
 *  them, the remainder at the end, then the zero-length end marker. */
export class ChunkFramer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  push(data: Buffer): Buffer[] {
    this.pending.push(data);
    this.pendingBytes += data.length;
    if (this.pendingBytes < CHUNK) return [];
    const all = Buffer.concat(this.pending);
    const out: Buffer[] = [];
    let pos = 0;
    while (all.length - pos >= CHUNK) {
      out.push(int(CHUNK), all.subarray(pos, pos + CHUNK));
      pos += CHUNK;
    }
    const rest = all.subarray(pos);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    return out;
  }

  end(): Buffer[] {
    const out: Buffer[] = [];
    if (this.pendingBytes > 0) {
      const rest = Buffer.concat(this.pending);
      out.push(int(rest.length), rest);
    }
    this.pending = [];
    this.pendingBytes = 0;
    out.push(int(0));
    return out;
  }
}

/** A whole data block for a small table's COPY text. */
export function smallBlock(dumpId: number, copyData: string): Buffer {
  const framer = new ChunkFramer();
  const z = deflateSync(Buffer.from(copyData, 'utf8'), { level: DEFAULT_COMPRESSION });
  return Buffer.concat([blockStart(dumpId), ...framer.push(z), ...framer.end()]);
}
