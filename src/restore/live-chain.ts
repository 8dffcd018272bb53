// The live audit table, streamed in seq order through a cursor and turned into chain records the
// same way the dump's rows are (spec 3.3). The record bytes are PostgreSQL's own text: seq::text,
// to_char(occurred_at AT TIME ZONE 'UTC', …), payload::text — the recipe's SQL, so nothing is
// re-derived on this side; only the length prefixes and the hash are computed here.
import { hash as cryptoHash } from 'node:crypto';
import { digestEquals } from '../chain/hex.js';
import type { ChainRecord } from '../chain/record.js';
import type { ChainReplay } from '../chain/replay.js';
import { newTsResult, parseTimestamptz, tsEpochMicros } from '../dump/timestamp.js';
import type { Profile } from '../profile/profile.js';
import { tableColumns } from './catalog.js';
import { ident, qualified, type LiveDatabase, type Row } from './db.js';

/** One live record as the comparison needs it (hash null when the row is malformed). */
export interface LiveRecord {
  seq: number;
  hash: Buffer | null;
  contentOk: boolean;
  /** 1-based position in the seq-ordered stream. */
  row: number;
}

export type AuditTableState =
  | { kind: 'ok'; columns: Map<string, string> }
  | { kind: 'missing-table' }
  | { kind: 'missing-columns'; missing: string[]; columns: Map<string, string> };

/** Does the live audit table exist with every column the recipe needs? */
export async function auditTableState(db: LiveDatabase, profile: Profile): Promise<AuditTableState> {
  const cols = await tableColumns(db, profile.database.schema, profile.tables.auditLog);
  if (!cols) return { kind: 'missing-table' };
  const missing = Object.values(profile.auditColumns).filter((c) => !cols.has(c));
  return missing.length ? { kind: 'missing-columns', missing, columns: cols } : { kind: 'ok', columns: cols };
}

export interface LiveChainOptions {
  db: LiveDatabase;
  profile: Profile;
  replay: ChainReplay;
  /** Rows per FETCH. */
  batch: number;
  /** Sees every record in seq order (the comparison with the archive). */
  onRecord?: (r: LiveRecord) => void;
  onProgress?: (rows: number) => void;
}

const NULL_FIELD = 0xffffffff;

function auditSelect(profile: Profile): string {
  const c = profile.auditColumns;
  const col = (name: string): string => `a.${ident(name)}`;
  const field = (f: Profile['recipe']['fields'][number]): string => {
    if (f === 'occurredAt')
      return `to_char(${col(c.occurredAt)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
    return `${col(c[f])}::text`;
  };
  // 0 seq, 1 occurred_at (session time zone is UTC), 2 prev_hash, 3 hash, then the recipe fields.
  const list = [
    `${col(c.seq)}::text`,
    `${col(c.occurredAt)}::text`,
    `${col(c.prevHash)}::bytea`,
    `${col(c.hash)}::bytea`,
    ...profile.recipe.fields.map(field),
  ];
  return `SELECT ${list.join(', ')} FROM ${qualified(profile.database.schema, profile.tables.auditLog)} a ORDER BY ${col(c.seq)}`;
}

/** Stream the live chain into the replay; returns the rows read. */
export async function streamLiveChain(o: LiveChainOptions): Promise<number> {
  const nFields = o.profile.recipe.fields.length;
  const ts = newTsResult();
  const tsBuf = Buffer.allocUnsafe(128);
  let msg = Buffer.allocUnsafe(64 * 1024);
  let row = 0;
  const table = `${o.profile.database.schema}.${o.profile.tables.auditLog}`;
  const rows = o.db.cursor(`read ${table} in seq order`, auditSelect(o.profile), [], o.batch);
  for await (const batch of rows) {
    for (const r of batch) {
      row++;
      const rec = toRecord(r, row);
      if (rec) {
        o.replay.push(rec);
        o.onRecord?.({ seq: rec.seq, hash: rec.hash, contentOk: rec.contentOk, row });
      }
    }
    o.onProgress?.(row);
  }
  return row;

  function toRecord(r: Row, rowNo: number): ChainRecord | undefined {
    const seqText = r[0];
    const seq = typeof seqText === 'string' && /^-?\d{1,16}$/.test(seqText) ? Number(seqText) : Number.NaN;
    if (!Number.isSafeInteger(seq)) {
      o.replay.malformed(undefined, rowNo, `seq ${String(seqText)} is not an integer within ±2^53`);
      return undefined;
    }
    const prev = r[2];
    const hash = r[3];
    const bad = (reason: string): undefined => {
      o.replay.malformed(seq, rowNo, reason);
      o.onRecord?.({ seq, hash: null, contentOk: false, row: rowNo });
      return undefined;
    };
    if (!Buffer.isBuffer(prev) || prev.length !== 32)
      return bad(Buffer.isBuffer(prev) ? `prev_hash is ${prev.length} bytes, not 32` : 'prev_hash is NULL');
    if (!Buffer.isBuffer(hash) || hash.length !== 32)
      return bad(Buffer.isBuffer(hash) ? `hash is ${hash.length} bytes, not 32` : 'hash is NULL');
    let tsMicros = Number.NaN;
    const tsText = r[1];
    if (typeof tsText === 'string' && tsText.length <= tsBuf.length) {
      const n = tsBuf.write(tsText, 0, 'latin1');
      if (parseTimestamptz(tsBuf, 0, n, ts)) tsMicros = tsEpochMicros(ts);
    }
    // Room for prev_hash, every length prefix and UTF-8 (at most 3 bytes per UTF-16 unit).
    let need = 32;
    for (let i = 0; i < nFields; i++) {
      const v = r[4 + i];
      need += 4 + (typeof v === 'string' ? v.length * 3 : 0);
    }
    if (msg.length < need) msg = Buffer.allocUnsafe(Math.max(need, msg.length * 2));
    prev.copy(msg, 0);
    let off = 32;
    for (let i = 0; i < nFields; i++) {
      const v = r[4 + i];
      if (typeof v !== 'string') {
        msg.writeUInt32BE(NULL_FIELD, off);
        off += 4;
        continue;
      }
      const w = msg.write(v, off + 4, 'utf8');
      msg.writeUInt32BE(w, off);
      off += 4 + w;
    }
    const computed = cryptoHash('sha256', msg.subarray(0, off), 'binary');
    return {
      seq,
      ts: tsMicros,
      prev,
      hash,
      contentOk: hash.length === 32 && digestEquals(computed, hash, 0),
      row: rowNo,
    };
  }
}
