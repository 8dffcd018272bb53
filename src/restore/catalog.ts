// What the live database holds, from the system catalogs (never by trying a query and failing:
// an error would abort the snapshot transaction).
import type { LiveDatabase } from './db.js';

export interface LiveTable {
  schema: string;
  name: string;
}

/** Ordinary and partitioned tables of the given schemas, keyed "schema.name" like DumpFacts.rowCounts. */
export async function liveTables(db: LiveDatabase, schemas: string[]): Promise<Map<string, LiveTable>> {
  const rows = await db.query(
    'list the tables of the database',
    `SELECT n.nspname, c.relname FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1::text[])
      ORDER BY 1, 2`,
    [schemas],
  );
  const out = new Map<string, LiveTable>();
  for (const [schema, name] of rows) {
    const s = String(schema);
    const n = String(name);
    out.set(`${s}.${n}`, { schema: s, name: n });
  }
  return out;
}

/** Column name → type (format_type), in column order; undefined when the table does not exist. */
export async function tableColumns(
  db: LiveDatabase,
  schema: string,
  name: string,
): Promise<Map<string, string> | undefined> {
  const rows = await db.query(
    `read the columns of ${schema}.${name}`,
    `SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), c.oid IS NOT NULL
       FROM (SELECT 1) one
       LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = $1
       LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = $2 AND c.relkind IN ('r', 'p')
       LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [schema, name],
  );
  if (rows.length === 0 || rows[0]?.[2] !== 't') return undefined;
  const out = new Map<string, string>();
  for (const [col, type] of rows) if (col !== null) out.set(String(col), String(type));
  return out;
}
