// Builds one fixture database: the spec's schema and trigger, the cross-check tables, and the
// audit records inserted THROUGH the chain trigger (PostgreSQL assigns seq and hashes).
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { AuditInput } from './audit-records.js';
import { expectedUtc, renderFixedForm } from './audit-records.js';
import type { Prng } from './prng.js';
import { APPEND_ONLY_SQL, CHAIN_SQL, OTHER_TABLES_SQL, TABLES_SQL } from './schema-sql.js';
import type { TableRows } from './table-rows.js';

const UTC_FMT = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

export async function createSchema(client: pg.Client): Promise<void> {
  // The spec's DDL uses unqualified names: make sure they land in public.
  await client.query('SET search_path = public');
  await client.query(TABLES_SQL);
  await client.query(CHAIN_SQL);
  await client.query(APPEND_ONLY_SQL);
  await client.query(OTHER_TABLES_SQL);
}

export async function insertTableRows(client: pg.Client, rows: TableRows, prng: Prng): Promise<void> {
  await client.query('BEGIN');
  for (const d of rows.devices) {
    await client.query(
      'INSERT INTO public.devices (id, serial, status, enrolled_at, cert_pem, cert_sha256) VALUES ($1, $2, $3, $4, $5, $6)',
      [d.id, d.serial, d.status, d.enrolled_at, d.cert_pem, d.cert_sha256],
    );
  }
  for (const a of rows.artifacts) {
    await client.query(
      'INSERT INTO public.artifacts (id, target_path, sha256, length, created_at) VALUES ($1, $2, $3, $4, $5)',
      [a.id, a.target_path, a.sha256, a.length, a.created_at],
    );
  }
  for (const t of rows.trust_state) {
    await client.query(
      'INSERT INTO public.trust_state (role, version, sha256, expires) VALUES ($1, $2, $3, $4)',
      [t.role, t.version, t.sha256, t.expires],
    );
  }
  for (const s of rows.secrets) {
    await client.query('INSERT INTO public.secrets (name, key_id, ciphertext) VALUES ($1, $2, $3)', [
      s.name,
      s.key_id,
      s.ciphertext,
    ]);
  }
  // The counted-only tables refer to whatever devices and artifacts were supplied.
  const states = ['running', 'paused', 'complete'];
  for (const [i, a] of rows.artifacts.slice(0, 3).entries()) {
    await client.query(
      'INSERT INTO public.rollouts (id, artifact_id, name, state, percent, started_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [
        prng.uuid(),
        a.id,
        `rollout ${i + 1}: ${a.target_path}`,
        states[i] ?? 'running',
        25 * (i + 1),
        a.created_at,
      ],
    );
  }
  for (const d of rows.devices) {
    const token = createHash('sha256').update(`enrollment token ${d.serial}`).digest('hex');
    await client.query(
      'INSERT INTO public.enrollments (device_id, enrolled_by, token_sha256, created_at) VALUES ($1, $2, $3, $4)',
      [d.id, 'admin@meshanics.example', token, d.enrolled_at],
    );
  }
  await client.query('COMMIT');
}

/** The occurred_at literal for one record, checked against the instant it must denote. */
async function timeLiteral(client: pg.Client, r: AuditInput): Promise<{ text: string; expect?: string }> {
  const w = r.when;
  if (w.kind === 'literal') return { text: w.text };
  const expect = expectedUtc(w.sec, w.frac);
  const fixed = renderFixedForm(w.sec, w.frac, w.form);
  if (fixed !== undefined) return { text: fixed, expect };
  // Wall-clock forms: let PostgreSQL's own zone data say what the clock showed.
  const zone = w.form.type === 'named' ? w.form.zone : r.sessionZone;
  const res = await client.query<{ wall: string }>(
    `SELECT to_char(to_timestamp($1::double precision) AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI:SS') AS wall`,
    [w.sec, zone],
  );
  const wall = res.rows[0]?.wall ?? '';
  const f = w.frac === '' ? '' : `.${w.frac}`;
  const text = w.form.type === 'named' ? `${wall}${f} ${zone}` : `${wall}${f}`;
  // A wall time in a DST fold or gap names another instant: type it with Z instead.
  const check = await client.query<{ utc: string }>(
    `SELECT to_char($1::timestamptz AT TIME ZONE 'UTC', ${UTC_FMT}) AS utc`,
    [text],
  );
  if (check.rows[0]?.utc !== expect)
    return { text: renderFixedForm(w.sec, w.frac, { type: 'z' }) ?? text, expect };
  return { text, expect };
}

/** Inserts the records in order through the trigger; returns how many went in. */
export async function insertAuditRecords(client: pg.Client, records: readonly AuditInput[]): Promise<number> {
  await client.query('BEGIN');
  let zone = '';
  let n = 0;
  for (const r of records) {
    if (r.sessionZone !== zone) {
      zone = r.sessionZone;
      await client.query(`SET TIME ZONE '${zone.replace(/'/g, "''")}'`);
    }
    const lit = await timeLiteral(client, r);
    // seq, prev_hash and hash are left out: the BEFORE INSERT trigger fills them.
    const res = await client.query<{ seq_text: string; utc: string | null }>(
      `INSERT INTO public.audit_log (occurred_at, actor, action, subject, payload)
       VALUES ($1::timestamptz, $2, $3, $4, $5::jsonb)
       RETURNING seq::text AS seq_text, to_char(occurred_at AT TIME ZONE 'UTC', ${UTC_FMT}) AS utc`,
      [lit.text, r.actor, r.action, r.subject, r.payload],
    );
    n++;
    const row = res.rows[0];
    if (row === undefined || row.seq_text !== String(n))
      throw new Error(`record ${n}: trigger assigned seq ${row?.seq_text}`);
    if (lit.expect !== undefined && row.utc !== lit.expect) {
      throw new Error(`record ${n}: "${lit.text}" in ${zone} stored as ${row.utc}, meant ${lit.expect}`);
    }
  }
  await client.query('RESET TIME ZONE');
  await client.query('COMMIT');
  return n;
}
