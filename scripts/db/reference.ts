// PostgreSQL's own verdict on a fixture database, computed with the spec's functions
// (public.audit_record_bytes) in SQL: the independent reference the verifier must agree with.
import type pg from 'pg';

/** Inclusive seq ranges, e.g. [[1234, 1234], [1700, 3000]]. */
export type SeqRanges = [number, number][];

export interface Reference {
  /** Seqs with a row whose hash is not sha256(prev_hash || audit_record_bytes(row)). */
  contentBreaks: SeqRanges;
  /** Seqs (after the first present one) with a row whose prev_hash is the hash of no row at the
   *  previous PRESENT seq (so after a gap, the first seq after it is compared with the one before). */
  linkBreaks: SeqRanges;
  /** Of those, the seqs whose prev_hash is the hash of a row with a LARGER seq (moved records). */
  linksToLater: SeqRanges;
  /** Missing seqs between 1 and the largest seq. */
  gaps: SeqRanges;
  /** Seqs held by more than one row, with their row count. */
  duplicates: { seq: number; rows: number }[];
  /** Seqs whose (earliest) occurred_at is before the (latest) occurred_at of the previous present seq. */
  timeBackwards: SeqRanges;
  genesis: { firstSeq: number | null; prevHashZero: boolean; ok: boolean };
}

export interface DbFacts {
  records: number;
  head: { seq: number; hash: string } | null;
  /** The head record's occurred_at in UTC (recipe format), or 'infinity' / '-infinity'. */
  headOccurredAt: string | null;
  /** max(occurred_at) in the same form. */
  newestOccurredAt: string | null;
  /** Rows per table, keyed "schema.table", every user table. */
  tables: Record<string, number>;
  reference: Reference;
}

const UTC_TEXT = (col: string): string =>
  `CASE WHEN isfinite(${col}) THEN to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') ELSE ${col}::text END`;

export function toRanges(seqs: readonly number[]): SeqRanges {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const out: SeqRanges = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === s - 1) last[1] = s;
    else out.push([s, s]);
  }
  return out;
}

async function seqList(client: pg.Client, sql: string): Promise<number[]> {
  const res = await client.query<{ seq_text: string }>(sql);
  return res.rows.map((r) => Number(r.seq_text));
}

export async function referenceVerdict(client: pg.Client): Promise<Reference> {
  const contentBreaks = await seqList(
    client,
    `SELECT DISTINCT seq::text AS seq_text FROM public.audit_log a
      WHERE a.hash IS DISTINCT FROM sha256(a.prev_hash || public.audit_record_bytes(a))`,
  );
  const prevPresent = `WITH p AS (SELECT seq, lag(seq) OVER (ORDER BY seq) AS pseq
                                    FROM (SELECT DISTINCT seq FROM public.audit_log) d)`;
  const linkBreaks = await seqList(
    client,
    `${prevPresent}
     SELECT DISTINCT a.seq::text AS seq_text FROM public.audit_log a JOIN p ON p.seq = a.seq
      WHERE p.pseq IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM public.audit_log b WHERE b.seq = p.pseq AND b.hash = a.prev_hash)
     `,
  );
  const linksToLater = await seqList(
    client,
    `SELECT DISTINCT a.seq::text AS seq_text FROM public.audit_log a
      WHERE EXISTS (SELECT 1 FROM public.audit_log b WHERE b.seq > a.seq AND b.hash = a.prev_hash)
     `,
  );
  const missing = await seqList(
    client,
    `SELECT g::text AS seq_text FROM generate_series(1::bigint, (SELECT coalesce(max(seq), 0) FROM public.audit_log)) g
      WHERE NOT EXISTS (SELECT 1 FROM public.audit_log WHERE seq = g) ORDER BY g`,
  );
  const dups = await client.query<{ seq_text: string; n: string }>(
    `SELECT seq::text AS seq_text, count(*)::text AS n FROM public.audit_log GROUP BY seq HAVING count(*) > 1 ORDER BY seq`,
  );
  const backwards = await seqList(
    client,
    `WITH t AS (SELECT seq, min(occurred_at) AS tmin, max(occurred_at) AS tmax FROM public.audit_log GROUP BY seq)
     SELECT seq::text AS seq_text FROM (SELECT seq, tmin, lag(tmax) OVER (ORDER BY seq) AS prevmax FROM t) x
      WHERE tmin < prevmax ORDER BY seq`,
  );
  const gen = await client.query<{ first: string | null; zero: boolean | null }>(
    `SELECT min(seq)::text AS first,
            bool_and(prev_hash = ('\\x' || repeat('00', 32))::bytea) FILTER
              (WHERE seq = (SELECT min(seq) FROM public.audit_log)) AS zero
       FROM public.audit_log`,
  );
  const g = gen.rows[0];
  const firstSeq = g?.first == null ? null : Number(g.first);
  const prevHashZero = g?.zero === true;
  return {
    contentBreaks: toRanges(contentBreaks),
    linkBreaks: toRanges(linkBreaks),
    linksToLater: toRanges(linksToLater),
    gaps: toRanges(missing),
    duplicates: dups.rows.map((r) => ({ seq: Number(r.seq_text), rows: Number(r.n) })),
    timeBackwards: toRanges(backwards),
    genesis: { firstSeq, prevHashZero, ok: firstSeq === 1 && prevHashZero },
  };
}

export async function tableCounts(client: pg.Client): Promise<Record<string, number>> {
  const tables = await client.query<{ schemaname: string; tablename: string }>(
    `SELECT schemaname, tablename FROM pg_catalog.pg_tables
      WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY schemaname, tablename`,
  );
  const out: Record<string, number> = {};
  for (const t of tables.rows) {
    const q = `"${t.schemaname.replace(/"/g, '""')}"."${t.tablename.replace(/"/g, '""')}"`;
    const res = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${q}`);
    out[`${t.schemaname}.${t.tablename}`] = Number(res.rows[0]?.n ?? '0');
  }
  return out;
}

export async function dbFacts(client: pg.Client): Promise<DbFacts> {
  const head = await client.query<{ seq_text: string; hash: string; at: string | null }>(
    `SELECT seq::text AS seq_text, encode(hash, 'hex') AS hash, ${UTC_TEXT('occurred_at')} AS at
       FROM public.audit_log ORDER BY seq DESC, hash DESC LIMIT 1`,
  );
  const newest = await client.query<{ at: string | null }>(
    `SELECT ${UTC_TEXT('m')} AS at FROM (SELECT max(occurred_at) AS m FROM public.audit_log) x`,
  );
  const tables = await tableCounts(client);
  const h = head.rows[0];
  return {
    records: tables['public.audit_log'] ?? 0,
    head: h === undefined ? null : { seq: Number(h.seq_text), hash: h.hash },
    headOccurredAt: h?.at ?? null,
    newestOccurredAt: newest.rows[0]?.at ?? null,
    tables,
    reference: await referenceVerdict(client),
  };
}

/** The stored hash of each given seq (hex), for anchors; duplicates give the first by hash. */
export async function hashesAt(client: pg.Client, seqs: readonly number[]): Promise<Map<number, string>> {
  const res = await client.query<{ seq_text: string; hash: string }>(
    `SELECT DISTINCT ON (seq) seq::text AS seq_text, encode(hash, 'hex') AS hash FROM public.audit_log
      WHERE seq = ANY($1::bigint[]) ORDER BY seq, hash`,
    [seqs.map(String)],
  );
  return new Map(res.rows.map((r) => [Number(r.seq_text), r.hash]));
}
