// The restored tables against the dump: row counts of every table the dump holds, and the tables
// the cross-checks depend on (trust_state, artifacts, devices, secrets) row by row by primary key.
// Values are compared as values, not as text: timestamptz as instants (the dump wrote them in its
// session's time zone), bytea as bytes (hex or escape form).
import { createHash } from 'node:crypto';
import type { Findings } from '../findings/collector.js';
import type { JsonValue, Location } from '../findings/types.js';
import type { DumpFacts } from '../dump/types.js';
import { decodeBytea } from '../dump/copy.js';
import { compareTimestamps, newTsResult, parseTimestamptz } from '../dump/timestamp.js';
import type { DumpResult } from '../verify/dump-step.js';
import type { CollectedTable, Row as DumpRow } from '../verify/table-rows.js';
import { liveTables, tableColumns, type LiveTable } from './catalog.js';
import { ident, qualified, type LiveDatabase } from './db.js';

export interface TableCount {
  table: string;
  dump: number;
  restored: number | null;
}

/** Row counts of every table of the dump; returns the live tables seen (for later steps). */
export async function compareRowCounts(
  db: LiveDatabase,
  facts: DumpFacts,
  findings: Findings,
): Promise<{ counts: TableCount[]; live: Map<string, LiveTable> }> {
  const names = Object.keys(facts.rowCounts).sort();
  const schemas = [...new Set(names.map((n) => n.slice(0, Math.max(0, n.indexOf('.')))))];
  const live = await liveTables(db, schemas);
  const counts: TableCount[] = [];
  for (const name of names) {
    const dump = facts.rowCounts[name] ?? 0;
    const t = live.get(name);
    if (!t) {
      counts.push({ table: name, dump, restored: null });
      findings.add(
        'RESTORE_TABLE_MISSING',
        { table: name },
        `${name} is in the dump (${dump} rows) but not in the restored database`,
        { dumpRows: dump },
      );
      continue;
    }
    const rows = await db.query(
      `count the rows of ${name}`,
      `SELECT count(*) FROM ONLY ${qualified(t.schema, t.name)}`,
    );
    const restored = Number(rows[0]?.[0]);
    counts.push({ table: name, dump, restored });
    if (restored !== dump)
      findings.add(
        'RESTORE_ROW_COUNT',
        { table: name },
        `${name} has ${restored} rows in the restored database, ${dump} in the dump`,
        { dumpRows: dump, restoredRows: restored },
      );
  }
  for (const [name] of live) {
    if (name in facts.rowCounts) continue;
    findings.add(
      'RESTORE_TABLE_EXTRA',
      { table: name },
      `${name} is in the restored database but the dump has no data for it`,
    );
  }
  return { counts, live };
}

/** Key column of each compared table (the spec's primary keys; artifacts by target path). */
const KEYS = { trustState: 'role', artifacts: 'target_path', devices: 'id', secrets: 'name' } as const;
type Role = keyof typeof KEYS;

export interface RowComparison {
  table: string;
  dumpRows: number;
  restoredRows: number;
  missing: number;
  extra: number;
  differing: number;
}

interface DumpEntry {
  row: number;
  values: DumpRow;
}

/** trust_state, artifacts, devices and secrets, row by row. */
export async function compareRows(
  db: LiveDatabase,
  dump: DumpResult,
  findings: Findings,
  batch: number,
): Promise<RowComparison[]> {
  const out: RowComparison[] = [];
  for (const role of Object.keys(KEYS) as Role[]) {
    const t = dump.tables[role];
    if (!t) continue;
    const r = await compareTable(db, t, role, findings, batch);
    if (r) out.push(r);
  }
  return out;
}

async function compareTable(
  db: LiveDatabase,
  t: CollectedTable,
  role: Role,
  findings: Findings,
  batch: number,
): Promise<RowComparison | undefined> {
  const name = `${t.ref.schema}.${t.ref.name}`;
  const liveCols = await tableColumns(db, t.ref.schema, t.ref.name);
  if (!liveCols) return undefined; // RESTORE_TABLE_MISSING was reported with the counts
  const key = KEYS[role];
  const common: string[] = [];
  for (const c of t.ref.columns) {
    if (liveCols.has(c)) common.push(c);
    else
      findings.add(
        'RESTORE_COLUMN_MISSING',
        { table: name, field: c },
        `${name}.${c} is in the dump but not in the restored table`,
      );
  }
  for (const c of liveCols.keys())
    if (!t.ref.columns.includes(c))
      findings.add(
        'RESTORE_COLUMN_EXTRA',
        { table: name, field: c },
        `${name}.${c} is in the restored table but not in the dump`,
      );
  if (!common.includes(key)) return undefined;

  const partial = !t.complete || t.truncatedByLimit;
  if (partial)
    findings.add(
      'RESTORE_ROWS_PARTIAL',
      { table: name },
      `the dump's rows of ${name} were not all read; rows of the restored table that are not among them are not reported`,
    );
  const dumpByKey = new Map<string, DumpEntry>();
  t.rows.forEach((values, i) => {
    const k = values[key];
    if (k === null || k === undefined) return;
    const ks = k.toString('utf8');
    if (!dumpByKey.has(ks)) dumpByKey.set(ks, { row: i + 1, values });
  });
  const result: RowComparison = {
    table: name,
    dumpRows: t.rows.length,
    restoredRows: 0,
    missing: 0,
    extra: 0,
    differing: 0,
  };
  const types = common.map((c) => liveCols.get(c) ?? 'text');
  const select = common.map((c, i) => (types[i] === 'bytea' ? ident(c) : `${ident(c)}::text`));
  const keyIdx = common.indexOf(key);
  const sensitive = role === 'secrets';
  const seenLive = new Set<string>();
  const text = `SELECT ${select.join(', ')} FROM ONLY ${qualified(t.ref.schema, t.ref.name)} ORDER BY ${ident(key)}`;
  for await (const rows of db.cursor(`read ${name}`, text, [], batch)) {
    for (const lr of rows) {
      result.restoredRows++;
      const kv = lr[keyIdx];
      const ks = typeof kv === 'string' ? kv : Buffer.isBuffer(kv) ? kv.toString('utf8') : null;
      if (ks === null) continue;
      const d = seenLive.has(ks) ? undefined : dumpByKey.get(ks);
      seenLive.add(ks);
      if (!d) {
        if (partial) continue;
        result.extra++;
        findings.add(
          'RESTORE_ROW_EXTRA',
          locate(name, role, ks),
          `${name} ${key}=${show(ks)}: in the restored table, not in the dump`,
          { key: { [key]: ks } },
        );
        continue;
      }
      dumpByKey.delete(ks);
      let differs = false;
      common.forEach((c, i) => {
        const dv = d.values[c] ?? null;
        const lv = lr[i] ?? null;
        if (sameValue(types[i] ?? 'text', dv, lv)) return;
        differs = true;
        findings.add(
          'RESTORE_ROW_DIFFERS',
          { ...locate(name, role, ks), row: d.row, field: c },
          `${name} ${key}=${show(ks)}: ${c} differs from the dump`,
          {
            key: { [key]: ks },
            ...(sensitive ? {} : { dump: showValue(types[i] ?? 'text', dv), restored: showLive(lv) }),
          },
        );
      });
      if (differs) result.differing++;
    }
  }
  for (const [ks, d] of dumpByKey) {
    result.missing++;
    findings.add(
      'RESTORE_ROW_MISSING',
      { ...locate(name, role, ks), row: d.row },
      `${name} ${key}=${show(ks)}: in the dump (row ${d.row}), not in the restored table`,
      { key: { [key]: ks } },
    );
  }
  return result;
}

function locate(table: string, role: Role, key: string): Location {
  if (role === 'trustState') return { table, role: key };
  if (role === 'devices') return { table, device: key };
  return { table };
}

function show(s: string): string {
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

const tsA = newTsResult();
const tsB = newTsResult();

function sameValue(type: string, dump: Buffer | null, live: unknown): boolean {
  if (dump === null || live === null) return dump === null && live === null;
  if (type === 'bytea') {
    const bytes = decodeBytea(dump);
    return bytes !== undefined && Buffer.isBuffer(live) && bytes.equals(live);
  }
  const ls = typeof live === 'string' ? live : String(live);
  if (type === 'timestamp with time zone') {
    const lb = Buffer.from(ls, 'latin1');
    if (parseTimestamptz(dump, 0, dump.length, tsA) && parseTimestamptz(lb, 0, lb.length, tsB))
      return compareTimestamps(tsA, tsB) === 0;
  }
  return dump.toString('utf8') === ls;
}

function showValue(type: string, v: Buffer | null): JsonValue {
  if (v === null) return null;
  if (type === 'bytea') {
    const b = decodeBytea(v);
    return b ? digest(b) : 'not valid bytea';
  }
  return show(v.toString('utf8'));
}

function showLive(v: unknown): JsonValue {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return digest(v);
  return show(String(v));
}

function digest(b: Buffer): string {
  return `${b.length} bytes, sha256 ${createHash('sha256').update(b).digest('hex')}`;
}
