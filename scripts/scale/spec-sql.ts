// The reference check: PostgreSQL recomputing every hash and link with the spec's own functions
// (section 3.3, copied verbatim), used by the generator's test and by the benchmark.

/** Spec 3.3, verbatim: the record encoding the chain hashes. */
export const SPEC_AUDIT_FUNCTIONS = String.raw`CREATE FUNCTION public.audit_field(t text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN t IS NULL THEN '\xffffffff'::bytea
              ELSE int4send(octet_length(convert_to(t, 'UTF8'))) || convert_to(t, 'UTF8') END $$;

CREATE FUNCTION public.audit_record_bytes(r public.audit_log) RETURNS bytea LANGUAGE sql STABLE AS $$
  SELECT public.audit_field(r.seq::text)
      || public.audit_field(to_char(r.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
      || public.audit_field(r.actor) || public.audit_field(r.action) || public.audit_field(r.subject)
      || public.audit_field(r.payload::text) $$;
`;

/** Replaces whatever audit_field / audit_record_bytes a restored dump brought with the spec's. */
export const REPLACE_WITH_SPEC_FUNCTIONS = `DROP FUNCTION IF EXISTS public.audit_record_bytes(public.audit_log);
DROP FUNCTION IF EXISTS public.audit_field(text);
${SPEC_AUDIT_FUNCTIONS}`;

/** One pass over the table: every hash recomputed, every link and seq step checked. */
export const CHAIN_CHECK_SQL = String.raw`WITH r AS (
  SELECT seq, prev_hash, hash,
         sha256(prev_hash || public.audit_record_bytes(a)) AS computed,
         lag(seq) OVER w AS prev_seq,
         lag(hash) OVER w AS prev_row_hash
    FROM public.audit_log a
  WINDOW w AS (ORDER BY seq))
SELECT count(*)::bigint AS records,
       count(*) FILTER (WHERE computed <> hash)::bigint AS bad_hashes,
       count(*) FILTER (WHERE prev_seq IS NOT NULL AND prev_hash <> prev_row_hash)::bigint AS bad_links,
       count(*) FILTER (WHERE prev_seq IS NOT NULL AND seq <> prev_seq + 1)::bigint AS bad_steps,
       bool_or(prev_seq IS NULL AND seq = 1 AND prev_hash = ('\x' || repeat('00', 32))::bytea) AS genesis_ok,
       max(seq)::bigint AS head_seq
  FROM r`;

export const HEAD_SQL = `SELECT seq::bigint AS seq, encode(hash, 'hex') AS hash FROM public.audit_log ORDER BY seq DESC LIMIT 1`;

export interface ChainCheck {
  records: number;
  badHashes: number;
  badLinks: number;
  badSteps: number;
  genesisOk: boolean;
  headSeq: number;
}

/** psql -At output of CHAIN_CHECK_SQL ("n|n|n|n|t|n") as numbers. */
export function parseChainCheck(line: string): ChainCheck | undefined {
  const f = line.trim().split('|');
  if (f.length !== 6) return undefined;
  const n = (s: string | undefined): number => Number(s ?? NaN);
  return {
    records: n(f[0]),
    badHashes: n(f[1]),
    badLinks: n(f[2]),
    badSteps: n(f[3]),
    genesisOk: f[4] === 't',
    headSeq: n(f[5]),
  };
}
