// The defects, each made the way an attacker with superuser access would make them: triggers off
// (session_replication_role = replica, or ALTER TABLE ... DISABLE TRIGGER ALL), then UPDATE /
// DELETE / INSERT / renumber in plain SQL, triggers back on so the schema looks untouched.
// Every statement the "attacker" ran is recorded for the manifest: that is the ground truth.
import type pg from 'pg';
import type { Prng } from './prng.js';

export type TamperMethod = 'session_replication_role' | 'disable_trigger' | 'none';

export interface Tamper {
  kind: string;
  description: string;
  /** How the append-only and chain triggers were bypassed. */
  method: TamperMethod;
  /** The statements run, in order, exactly as sent. */
  sql: string[];
  /** The seq(s) the attack aimed at (before any renumbering). */
  seqs: number[];
  field?: 'payload' | 'actor' | 'subject' | 'occurred_at' | 'prev_hash';
  /** The field's text before and after (payload::text, occurred_at in UTC), for edits. */
  before?: string | null;
  after?: string | null;
  /** Hex of hashes the attacker wrote (forged record, genesis prev_hash). */
  forged?: Record<string, string>;
}

export interface TamperContext {
  client: pg.Client;
  prng: Prng;
  /** Records in the clean chain. */
  count: number;
}

class Attacker {
  readonly sql: string[] = [];

  constructor(
    private readonly client: pg.Client,
    readonly method: TamperMethod,
  ) {}

  async run(sql: string): Promise<pg.QueryResult> {
    this.sql.push(sql);
    return this.client.query(sql);
  }

  async bypass(): Promise<void> {
    if (this.method === 'session_replication_role') await this.run('SET session_replication_role = replica');
    if (this.method === 'disable_trigger') await this.run('ALTER TABLE public.audit_log DISABLE TRIGGER ALL');
  }

  async restore(): Promise<void> {
    if (this.method === 'session_replication_role') await this.run('SET session_replication_role = DEFAULT');
    if (this.method === 'disable_trigger') await this.run('ALTER TABLE public.audit_log ENABLE TRIGGER ALL');
  }
}

const UTC = (col: string): string => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** First seq >= from whose row satisfies cond (the fixture author's choice, not an attack step). */
async function pick(client: pg.Client, from: number, cond: string): Promise<number> {
  const res = await client.query<{ seq_text: string }>(
    `SELECT seq::text AS seq_text FROM public.audit_log WHERE seq >= $1 AND ${cond} ORDER BY seq LIMIT 1`,
    [from],
  );
  const s = res.rows[0]?.seq_text;
  if (s === undefined) throw new Error(`no record at or after ${from} with ${cond}`);
  return Number(s);
}

async function fieldText(client: pg.Client, seq: number, expr: string): Promise<string | null> {
  const res = await client.query<{ v: string | null }>(
    `SELECT ${expr} AS v FROM public.audit_log WHERE seq = $1`,
    [seq],
  );
  return res.rows[0]?.v ?? null;
}

/** The whole-suffix rewrite an attacker who knows the recipe runs (sequential, in seq order). */
export function recomputeFrom(seq: number): string {
  return `DO $$
DECLARE r public.audit_log; h bytea;
BEGIN
  FOR r IN SELECT * FROM public.audit_log WHERE seq >= ${seq} ORDER BY seq LOOP
    IF h IS NOT NULL THEN r.prev_hash := h; END IF;
    r.hash := sha256(r.prev_hash || public.audit_record_bytes(r));
    UPDATE public.audit_log SET prev_hash = r.prev_hash, hash = r.hash WHERE seq = r.seq;
    h := r.hash;
  END LOOP;
END $$`;
}

async function swap(a: Attacker, s: number, t: number): Promise<void> {
  // The primary key is checked row by row, so the swap goes through a free value.
  await a.run(`UPDATE public.audit_log SET seq = -${s} WHERE seq = ${s}`);
  await a.run(`UPDATE public.audit_log SET seq = ${s} WHERE seq = ${t}`);
  await a.run(`UPDATE public.audit_log SET seq = ${t} WHERE seq = -${s}`);
}

export interface DefectPlan {
  name: string;
  /** Also written as plain and plain-gzip dumps. */
  plainToo?: boolean;
  apply(ctx: TamperContext): Promise<Tamper>;
}

const at = (ctx: TamperContext, fraction: number): number => Math.max(10, Math.round(ctx.count * fraction));

export const DEFECTS: readonly DefectPlan[] = [
  {
    name: 'edited',
    plainToo: true,
    async apply(ctx) {
      const s = await pick(ctx.client, at(ctx, 0.41), `jsonb_typeof(payload) = 'object'`);
      const a = new Attacker(ctx.client, 'session_replication_role');
      const before = await fieldText(ctx.client, s, 'payload::text');
      await a.bypass();
      await a.run(
        `UPDATE public.audit_log SET payload = payload || '{"approved_by": "mallory"}'::jsonb WHERE seq = ${s}`,
      );
      await a.restore();
      return {
        kind: 'edited',
        description: `payload of seq ${s} changed, hash left alone: content mismatch at ${s} only`,
        method: a.method,
        sql: a.sql,
        seqs: [s],
        field: 'payload',
        before,
        after: await fieldText(ctx.client, s, 'payload::text'),
      };
    },
  },
  {
    name: 'edited-actor',
    async apply(ctx) {
      const s = await pick(ctx.client, at(ctx, 0.45), `actor <> 'admin@meshanics.example'`);
      const a = new Attacker(ctx.client, 'disable_trigger');
      const before = await fieldText(ctx.client, s, 'actor');
      await a.bypass();
      await a.run(`UPDATE public.audit_log SET actor = 'admin@meshanics.example' WHERE seq = ${s}`);
      await a.restore();
      return {
        kind: 'edited',
        description: `actor of seq ${s} changed, hash left alone: content mismatch at ${s} only`,
        method: a.method,
        sql: a.sql,
        seqs: [s],
        field: 'actor',
        before,
        after: await fieldText(ctx.client, s, 'actor'),
      };
    },
  },
  {
    name: 'edited-subject-null',
    async apply(ctx) {
      // '' and NULL hash differently (F('') = 00000000, F(NULL) = ffffffff): a reader that
      // confuses them in the COPY text misses or invents this edit.
      const s = await pick(ctx.client, at(ctx, 0.47), `subject = ''`);
      const a = new Attacker(ctx.client, 'session_replication_role');
      await a.bypass();
      await a.run(`UPDATE public.audit_log SET subject = NULL WHERE seq = ${s}`);
      await a.restore();
      return {
        kind: 'edited',
        description: `subject of seq ${s} changed from '' to NULL: content mismatch at ${s} only`,
        method: a.method,
        sql: a.sql,
        seqs: [s],
        field: 'subject',
        before: '',
        after: null,
      };
    },
  },
  {
    name: 'edited-time',
    async apply(ctx) {
      const s = await pick(ctx.client, at(ctx, 0.53), 'isfinite(occurred_at)');
      const a = new Attacker(ctx.client, 'session_replication_role');
      const before = await fieldText(ctx.client, s, UTC('occurred_at'));
      await a.bypass();
      await a.run(
        `UPDATE public.audit_log SET occurred_at = occurred_at + interval '1 microsecond' WHERE seq = ${s}`,
      );
      await a.restore();
      return {
        kind: 'edited',
        description: `occurred_at of seq ${s} moved by one microsecond: content mismatch at ${s} only`,
        method: a.method,
        sql: a.sql,
        seqs: [s],
        field: 'occurred_at',
        before,
        after: await fieldText(ctx.client, s, UTC('occurred_at')),
      };
    },
  },
  {
    name: 'edited-rehashed',
    async apply(ctx) {
      const s = await pick(ctx.client, at(ctx, 0.43), `jsonb_typeof(payload) = 'object'`);
      const a = new Attacker(ctx.client, 'disable_trigger');
      const before = await fieldText(ctx.client, s, 'payload::text');
      await a.bypass();
      await a.run(
        `UPDATE public.audit_log SET payload = payload || '{"amount": 1000000}'::jsonb WHERE seq = ${s}`,
      );
      await a.run(
        `UPDATE public.audit_log a SET hash = sha256(a.prev_hash || public.audit_record_bytes(a)) WHERE seq = ${s}`,
      );
      await a.restore();
      return {
        kind: 'edited-rehashed',
        description: `payload of seq ${s} changed and its own hash recomputed: ${s} verifies, link ${s + 1} breaks`,
        method: a.method,
        sql: a.sql,
        seqs: [s],
        field: 'payload',
        before,
        after: await fieldText(ctx.client, s, 'payload::text'),
      };
    },
  },
  {
    name: 'deleted',
    plainToo: true,
    async apply(ctx) {
      const s = at(ctx, 0.5);
      const a = new Attacker(ctx.client, 'session_replication_role');
      await a.bypass();
      await a.run(`DELETE FROM public.audit_log WHERE seq = ${s}`);
      await a.restore();
      return {
        kind: 'deleted',
        description: `seq ${s} deleted: gap ${s}..${s}, link break at ${s + 1}`,
        method: a.method,
        sql: a.sql,
        seqs: [s],
      };
    },
  },
  {
    name: 'deleted-range',
    async apply(ctx) {
      const from = at(ctx, 0.667);
      const to = from + 9;
      const a = new Attacker(ctx.client, 'disable_trigger');
      await a.bypass();
      await a.run(`DELETE FROM public.audit_log WHERE seq BETWEEN ${from} AND ${to}`);
      await a.restore();
      return {
        kind: 'deleted-range',
        description: `seq ${from}..${to} deleted: gap ${from}..${to}, link break at ${to + 1}`,
        method: a.method,
        sql: a.sql,
        seqs: [from, to],
      };
    },
  },
  {
    name: 'inserted',
    async apply(ctx) {
      const s = at(ctx, 0.567);
      const forged = ctx.prng.bytes(32).toString('hex');
      const a = new Attacker(ctx.client, 'session_replication_role');
      await a.bypass();
      // Make room at s: renumber the tail up by one through a temporary offset (the primary key
      // is checked row by row, so a direct seq = seq + 1 would collide).
      await a.run(`UPDATE public.audit_log SET seq = seq + 1000000000 WHERE seq >= ${s}`);
      await a.run(`UPDATE public.audit_log SET seq = seq - 1000000000 + 1 WHERE seq >= 1000000000`);
      // The forged record links to its predecessor but its hash is made up.
      await a.run(
        `INSERT INTO public.audit_log (seq, occurred_at, actor, action, subject, payload, prev_hash, hash)
SELECT ${s}, p.occurred_at + (n.occurred_at - p.occurred_at) / 2, 'admin@meshanics.example', 'rollout.approve',
       'target:firmware/mesh-node-1.5.0.bin', '{"approved": true, "ticket": "CHG-0000"}'::jsonb, p.hash,
       '\\x${forged}'::bytea
  FROM public.audit_log p, public.audit_log n WHERE p.seq = ${s - 1} AND n.seq = ${s + 1}`,
      );
      await a.restore();
      return {
        kind: 'inserted',
        description:
          `forged record inserted at seq ${s} (prev_hash = hash of ${s - 1}, made-up hash); old ${s}..${ctx.count} ` +
          `renumbered to ${s + 1}..${ctx.count + 1}: content mismatch at ${s}..${ctx.count + 1} (seq is hashed), ` +
          `link break at ${s + 1}`,
        method: a.method,
        sql: a.sql,
        seqs: [s],
        forged: { hash: forged },
      };
    },
  },
  {
    name: 'duplicate',
    async apply(ctx) {
      const s = await pick(ctx.client, at(ctx, 0.3), `jsonb_typeof(payload) = 'object'`);
      const a = new Attacker(ctx.client, 'session_replication_role');
      await a.bypass();
      await a.run('ALTER TABLE public.audit_log DROP CONSTRAINT audit_log_pkey');
      await a.run(
        `INSERT INTO public.audit_log (seq, occurred_at, actor, action, subject, payload, prev_hash, hash)
SELECT seq, occurred_at, actor, action, subject, payload || '{"duplicate": true}'::jsonb, prev_hash, hash
  FROM public.audit_log WHERE seq = ${s}`,
      );
      await a.restore();
      return {
        kind: 'duplicate',
        description:
          `primary key dropped; a second row with seq ${s} (same prev_hash and hash, other payload): ` +
          `duplicate ${s}, content mismatch on the copy`,
        method: a.method,
        sql: a.sql,
        seqs: [s],
        field: 'payload',
      };
    },
  },
  {
    name: 'reordered',
    async apply(ctx) {
      const s = at(ctx, 0.37);
      const a = new Attacker(ctx.client, 'disable_trigger');
      await a.bypass();
      await swap(a, s, s + 1);
      await a.restore();
      return {
        kind: 'reordered',
        description: `seq values of ${s} and ${s + 1} swapped: both fail content, links ${s}, ${s + 1}, ${s + 2} break`,
        method: a.method,
        sql: a.sql,
        seqs: [s, s + 1],
      };
    },
  },
  {
    name: 'reordered-distant',
    async apply(ctx) {
      const s = at(ctx, 0.1667);
      const t = at(ctx, 0.8333);
      const a = new Attacker(ctx.client, 'session_replication_role');
      await a.bypass();
      await swap(a, s, t);
      await a.restore();
      return {
        kind: 'reordered',
        description: `seq values of ${s} and ${t} swapped: both fail content, links ${s}, ${s + 1}, ${t}, ${t + 1} break`,
        method: a.method,
        sql: a.sql,
        seqs: [s, t],
      };
    },
  },
  {
    name: 'bad-genesis-deleted-first',
    async apply(ctx) {
      const a = new Attacker(ctx.client, 'session_replication_role');
      await a.bypass();
      await a.run('DELETE FROM public.audit_log WHERE seq = 1');
      await a.restore();
      return {
        kind: 'bad-genesis',
        description: 'seq 1 deleted: the chain starts at 2 with a non-zero prev_hash (gap 1..1)',
        method: a.method,
        sql: a.sql,
        seqs: [1],
      };
    },
  },
  {
    name: 'bad-genesis-prev',
    async apply(ctx) {
      const prev = ctx.prng.bytes(32).toString('hex');
      const a = new Attacker(ctx.client, 'disable_trigger');
      await a.bypass();
      await a.run(`UPDATE public.audit_log SET prev_hash = '\\x${prev}'::bytea WHERE seq = 1`);
      // Rehash 1 and re-link everything after it, so that only the genesis is wrong.
      await a.run(recomputeFrom(1));
      await a.restore();
      return {
        kind: 'bad-genesis',
        description:
          'prev_hash of seq 1 set non-zero and the whole chain recomputed: only the genesis is wrong',
        method: a.method,
        sql: a.sql,
        seqs: [1],
        field: 'prev_hash',
        forged: { prev_hash: prev },
      };
    },
  },
  {
    name: 'truncated-tail',
    async apply(ctx) {
      const from = ctx.count - 9;
      const a = new Attacker(ctx.client, 'session_replication_role');
      await a.bypass();
      await a.run(`DELETE FROM public.audit_log WHERE seq >= ${from}`);
      await a.restore();
      return {
        kind: 'truncated-tail',
        description: `last 10 records (${from}..${ctx.count}) deleted: verifies internally, only an anchor catches it`,
        method: a.method,
        sql: a.sql,
        seqs: [from, ctx.count],
      };
    },
  },
  {
    name: 'recomputed',
    async apply(ctx) {
      const s = await pick(ctx.client, at(ctx, 0.74), `jsonb_typeof(payload) = 'object'`);
      const a = new Attacker(ctx.client, 'disable_trigger');
      const before = await fieldText(ctx.client, s, 'payload::text');
      await a.bypass();
      await a.run(
        `UPDATE public.audit_log SET payload = payload || '{"approved_by": "mallory"}'::jsonb WHERE seq = ${s}`,
      );
      await a.run(recomputeFrom(s));
      await a.restore();
      return {
        kind: 'recomputed',
        description: `seq ${s} edited and every hash from ${s} to the end recomputed: verifies internally, only an anchor at or after ${s} catches it`,
        method: a.method,
        sql: a.sql,
        seqs: [s],
        field: 'payload',
        before,
        after: await fieldText(ctx.client, s, 'payload::text'),
      };
    },
  },
  {
    name: 'shuffled',
    async apply(ctx) {
      // Not an attack: physical row order far from seq order, as CLUSTER (or vacuum and updates)
      // leave it. The chain is intact.
      const a = new Attacker(ctx.client, 'none');
      await a.run('CREATE INDEX audit_log_shuffle ON public.audit_log (md5(seq::text))');
      await a.run('CLUSTER public.audit_log USING audit_log_shuffle');
      await a.run('DROP INDEX public.audit_log_shuffle');
      return {
        kind: 'shuffled',
        description:
          'rows physically ordered by md5(seq::text) (CLUSTER): chain intact, dump order far from seq order',
        method: a.method,
        sql: a.sql,
        seqs: [],
      };
    },
  },
  {
    name: 'decoy-schema',
    async apply(ctx) {
      // Not an attack: another schema holds a table of the same name with broken rows; the
      // verifier must read public.audit_log only (and may count the other table).
      const a = new Attacker(ctx.client, 'none');
      await a.run('CREATE SCHEMA archive');
      await a.run('CREATE TABLE archive.audit_log (LIKE public.audit_log INCLUDING ALL)');
      await a.run(
        `INSERT INTO archive.audit_log SELECT seq, occurred_at, actor, action, subject, '{"archived": true}'::jsonb,
       prev_hash, '\\x${'00'.repeat(32)}'::bytea FROM public.audit_log WHERE seq <= 5`,
      );
      return {
        kind: 'decoy-schema',
        description: 'archive.audit_log (5 rows, zero hashes) next to an intact public.audit_log',
        method: a.method,
        sql: a.sql,
        seqs: [],
      };
    },
  },
];
