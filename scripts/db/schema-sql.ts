// The SQL the fixture databases are made of. TABLES_SQL and CHAIN_SQL are copied verbatim from
// spec section 3.2 and 3.3 (recipe v1): PostgreSQL running this SQL is the reference implementation
// of the chain, so nothing here may be "improved". String.raw keeps the backslashes byte-exact.

/** Spec 3.2, verbatim. */
export const TABLES_SQL = String.raw`CREATE TABLE audit_log (
  seq         bigint PRIMARY KEY,      -- 1, 2, 3, … with no gaps
  occurred_at timestamptz NOT NULL,
  actor       text NOT NULL,
  action      text NOT NULL,
  subject     text,                    -- may be NULL
  payload     jsonb NOT NULL,
  prev_hash   bytea NOT NULL,          -- 32 bytes
  hash        bytea NOT NULL           -- 32 bytes
);
CREATE TABLE devices (
  id          uuid PRIMARY KEY,
  serial      text NOT NULL UNIQUE,
  status      text NOT NULL,           -- 'active' | 'revoked' | 'retired'
  enrolled_at timestamptz NOT NULL,
  cert_pem    text,                    -- the device certificate the CA issued
  cert_sha256 text                     -- lowercase hex SHA-256 of its DER
);
CREATE TABLE artifacts (
  id          uuid PRIMARY KEY,
  target_path text NOT NULL UNIQUE,    -- the TUF target path
  sha256      text NOT NULL,           -- lowercase hex
  length      bigint NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE TABLE trust_state (             -- what the platform last published
  role        text PRIMARY KEY,        -- 'root' | 'timestamp' | 'snapshot' | 'targets'
  version     integer NOT NULL,
  sha256      text NOT NULL,           -- lowercase hex SHA-256 of that metadata file's bytes
  expires     timestamptz NOT NULL
);
CREATE TABLE secrets (
  name        text PRIMARY KEY,
  key_id      text NOT NULL,
  ciphertext  bytea NOT NULL           -- envelope: ASCII "MSE1" then nonce||ciphertext||tag
);
`;

/** Spec 3.3, verbatim: the record encoding, the chain trigger function and the trigger. */
export const CHAIN_SQL = String.raw`CREATE FUNCTION public.audit_field(t text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN t IS NULL THEN '\xffffffff'::bytea
              ELSE int4send(octet_length(convert_to(t, 'UTF8'))) || convert_to(t, 'UTF8') END $$;

CREATE FUNCTION public.audit_record_bytes(r public.audit_log) RETURNS bytea LANGUAGE sql STABLE AS $$
  SELECT public.audit_field(r.seq::text)
      || public.audit_field(to_char(r.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
      || public.audit_field(r.actor) || public.audit_field(r.action) || public.audit_field(r.subject)
      || public.audit_field(r.payload::text) $$;

CREATE FUNCTION public.audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE last_seq bigint; last_hash bytea;
BEGIN
  LOCK TABLE public.audit_log IN SHARE ROW EXCLUSIVE MODE;  -- one appender at a time
  SELECT seq, hash INTO last_seq, last_hash FROM public.audit_log ORDER BY seq DESC LIMIT 1;
  NEW.seq       := coalesce(last_seq, 0) + 1;
  NEW.prev_hash := coalesce(last_hash, ('\x' || repeat('00', 32))::bytea);
  NEW.hash      := sha256(NEW.prev_hash || public.audit_record_bytes(NEW));
  RETURN NEW;
END $$;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON public.audit_log
  FOR EACH ROW EXECUTE FUNCTION public.audit_log_chain();
-- UPDATE and DELETE are rejected by another trigger; only a superuser who
-- disables triggers can rewrite history, and the chain is what exposes that.
-- pg_dump creates triggers after the data (post-data), so a full restore does
-- not fire this one; a data-only restore must use --disable-triggers, or the
-- trigger would renumber and rehash the restored rows.
`;

/** The "other trigger" spec 3.3 mentions: UPDATE and DELETE on audit_log are refused, so only a
 *  superuser who disables triggers can rewrite history. */
export const APPEND_ONLY_SQL = String.raw`
CREATE FUNCTION public.audit_log_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % rejected', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON public.audit_log
  FOR EACH ROW EXECUTE FUNCTION public.audit_log_reject_change();
`;

/** Tables the verifier only counts (spec 3.2: "other tables exist"). Foreign keys and an identity
 *  column make the dump's post-data section and sequence handling realistic. */
export const OTHER_TABLES_SQL = String.raw`
CREATE TABLE public.rollouts (
  id          uuid PRIMARY KEY,
  artifact_id uuid NOT NULL REFERENCES public.artifacts(id),
  name        text NOT NULL,
  state       text NOT NULL,
  percent     integer NOT NULL,
  started_at  timestamptz NOT NULL
);
CREATE TABLE public.enrollments (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  device_id    uuid NOT NULL REFERENCES public.devices(id),
  enrolled_by  text NOT NULL,
  token_sha256 text NOT NULL,
  created_at   timestamptz NOT NULL
);
`;

/** 32 zero bytes: the genesis prev_hash. */
export const ZERO_HASH_HEX = '00'.repeat(32);
