// The archive's table of contents, entry for entry as pg_dump 15 writes it for the spec's schema
// (section 3.2 tables, the section 3.3 chain functions and trigger, the append-only trigger):
// taken from a real `pg_dump -Fc` of that schema on PostgreSQL 15 (dump ids and OIDs included,
// they are what pg_dump assigned there). The plain format prints the same entries.

export type DataTable = 'artifacts' | 'audit_log' | 'devices' | 'secrets' | 'trust_state';

export interface TocEntry {
  dumpId: number;
  /** True for TABLE DATA (pg_dump's dataDumper). */
  hasData: boolean;
  tableoid: number;
  oid: number;
  tag: string;
  desc: string;
  /** 2 pre-data, 3 data, 4 post-data (pg_dump's teSection). */
  section: 2 | 3 | 4;
  defn: string | null;
  dropStmt: string | null;
  copyStmt: string | null;
  namespace: string | null;
  tablespace: string | null;
  tableam: string | null;
  owner: string | null;
  deps: number[];
  /** The table whose COPY data this TABLE DATA entry carries. */
  table?: DataTable;
  /** What pg_restore names in "ALTER … OWNER TO" after the definition (FUNCTION, TABLE). */
  alterOwnerOf?: string;
}

export interface ArchiveIdentity {
  dbName: string;
  owner: string;
  /** pg_dump and server version strings (the custom header and the plain header). */
  serverVersion: string;
  dumpVersion: string;
}

export const DEFAULT_IDENTITY: ArchiveIdentity = {
  dbName: 'meshanics',
  owner: 'postgres',
  serverVersion: '15.20 (Debian 15.20-0+deb12u1)',
  dumpVersion: '15.20 (Debian 15.20-0+deb12u1)',
};

const AUDIT_FIELD = String.raw`CREATE FUNCTION public.audit_field(t text) RETURNS bytea
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT CASE WHEN t IS NULL THEN '\xffffffff'::bytea
              ELSE int4send(octet_length(convert_to(t, 'UTF8'))) || convert_to(t, 'UTF8') END $$;
`;

const AUDIT_LOG_CHAIN = String.raw`CREATE FUNCTION public.audit_log_chain() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE last_seq bigint; last_hash bytea;
BEGIN
  LOCK TABLE public.audit_log IN SHARE ROW EXCLUSIVE MODE;  -- one appender at a time
  SELECT seq, hash INTO last_seq, last_hash FROM public.audit_log ORDER BY seq DESC LIMIT 1;
  NEW.seq       := coalesce(last_seq, 0) + 1;
  NEW.prev_hash := coalesce(last_hash, ('\x' || repeat('00', 32))::bytea);
  NEW.hash      := sha256(NEW.prev_hash || public.audit_record_bytes(NEW));
  RETURN NEW;
END $$;
`;

const AUDIT_LOG_REJECT_CHANGE = String.raw`CREATE FUNCTION public.audit_log_reject_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % rejected', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
`;

const AUDIT_RECORD_BYTES = String.raw`CREATE FUNCTION public.audit_record_bytes(r public.audit_log) RETURNS bytea
    LANGUAGE sql STABLE
    AS $$
  SELECT public.audit_field(r.seq::text)
      || public.audit_field(to_char(r.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
      || public.audit_field(r.actor) || public.audit_field(r.action) || public.audit_field(r.subject)
      || public.audit_field(r.payload::text) $$;
`;

interface TableDef {
  name: DataTable;
  dumpId: number;
  dataDumpId: number;
  oid: number;
  columns: [string, string][];
}

const TABLES: Record<DataTable, TableDef> = {
  audit_log: {
    name: 'audit_log',
    dumpId: 214,
    dataDumpId: 3374,
    oid: 16397,
    columns: [
      ['seq', 'bigint NOT NULL'],
      ['occurred_at', 'timestamp with time zone NOT NULL'],
      ['actor', 'text NOT NULL'],
      ['action', 'text NOT NULL'],
      ['subject', 'text'],
      ['payload', 'jsonb NOT NULL'],
      ['prev_hash', 'bytea NOT NULL'],
      ['hash', 'bytea NOT NULL'],
    ],
  },
  devices: {
    name: 'devices',
    dumpId: 215,
    dataDumpId: 3375,
    oid: 16404,
    columns: [
      ['id', 'uuid NOT NULL'],
      ['serial', 'text NOT NULL'],
      ['status', 'text NOT NULL'],
      ['enrolled_at', 'timestamp with time zone NOT NULL'],
      ['cert_pem', 'text'],
      ['cert_sha256', 'text'],
    ],
  },
  artifacts: {
    name: 'artifacts',
    dumpId: 216,
    dataDumpId: 3376,
    oid: 16413,
    columns: [
      ['id', 'uuid NOT NULL'],
      ['target_path', 'text NOT NULL'],
      ['sha256', 'text NOT NULL'],
      ['length', 'bigint NOT NULL'],
      ['created_at', 'timestamp with time zone NOT NULL'],
    ],
  },
  trust_state: {
    name: 'trust_state',
    dumpId: 217,
    dataDumpId: 3377,
    oid: 16422,
    columns: [
      ['role', 'text NOT NULL'],
      ['version', 'integer NOT NULL'],
      ['sha256', 'text NOT NULL'],
      ['expires', 'timestamp with time zone NOT NULL'],
    ],
  },
  secrets: {
    name: 'secrets',
    dumpId: 218,
    dataDumpId: 3378,
    oid: 16429,
    columns: [
      ['name', 'text NOT NULL'],
      ['key_id', 'text NOT NULL'],
      ['ciphertext', 'bytea NOT NULL'],
    ],
  },
};

export function copyStatement(table: DataTable): string {
  const cols = TABLES[table].columns.map(([c]) => c).join(', ');
  return `COPY public.${table} (${cols}) FROM stdin;\n`;
}

export function buildToc(id: ArchiveIdentity): TocEntry[] {
  const owner = id.owner;
  const none = { copyStmt: null, tablespace: null, tableam: null, deps: [] as number[], hasData: false };
  const special = (dumpId: number, tag: string, defn: string): TocEntry => ({
    ...none,
    dumpId,
    tableoid: 0,
    oid: 0,
    tag,
    desc: tag,
    section: 2,
    defn,
    dropStmt: null,
    namespace: null,
    owner: null,
  });
  const fn = (
    dumpId: number,
    oid: number,
    sig: string,
    tag: string,
    defn: string,
    deps: number[],
  ): TocEntry => ({
    ...none,
    dumpId,
    tableoid: 1255,
    oid,
    tag,
    desc: 'FUNCTION',
    section: 2,
    defn,
    dropStmt: `DROP FUNCTION public.${sig};\n`,
    namespace: 'public',
    owner,
    deps,
    alterOwnerOf: `FUNCTION public.${sig}`,
  });
  const table = (t: DataTable): TocEntry => {
    const d = TABLES[t];
    const cols = d.columns.map(([c, ty]) => `    ${c} ${ty}`).join(',\n');
    return {
      ...none,
      dumpId: d.dumpId,
      tableoid: 1259,
      oid: d.oid,
      tag: t,
      desc: 'TABLE',
      section: 2,
      defn: `CREATE TABLE public.${t} (\n${cols}\n);\n`,
      dropStmt: `DROP TABLE public.${t};\n`,
      namespace: 'public',
      tablespace: '',
      tableam: 'heap',
      owner,
      alterOwnerOf: `TABLE public.${t}`,
    };
  };
  const data = (t: DataTable): TocEntry => {
    const d = TABLES[t];
    return {
      ...none,
      dumpId: d.dataDumpId,
      hasData: true,
      tableoid: 0,
      oid: d.oid,
      tag: t,
      desc: 'TABLE DATA',
      section: 3,
      defn: null,
      dropStmt: null,
      copyStmt: copyStatement(t),
      namespace: 'public',
      owner,
      deps: [d.dumpId],
      table: t,
    };
  };
  const constraint = (dumpId: number, oid: number, t: DataTable, name: string, what: string): TocEntry => ({
    ...none,
    dumpId,
    tableoid: 2606,
    oid,
    tag: `${t} ${name}`,
    desc: 'CONSTRAINT',
    section: 4,
    defn: `ALTER TABLE ONLY public.${t}\n    ADD CONSTRAINT ${name} ${what};\n`,
    dropStmt: `ALTER TABLE ONLY public.${t} DROP CONSTRAINT ${name};\n`,
    namespace: 'public',
    tablespace: '',
    owner,
    deps: [TABLES[t].dumpId],
  });
  const trigger = (
    dumpId: number,
    oid: number,
    name: string,
    when: string,
    fnName: string,
    fnId: number,
  ): TocEntry => ({
    ...none,
    dumpId,
    tableoid: 2620,
    oid,
    tag: `audit_log ${name}`,
    desc: 'TRIGGER',
    section: 4,
    defn: `CREATE TRIGGER ${name} ${when} ON public.audit_log FOR EACH ROW EXECUTE FUNCTION public.${fnName}();\n`,
    dropStmt: `DROP TRIGGER ${name} ON public.audit_log;\n`,
    namespace: 'public',
    owner,
    deps: [TABLES.audit_log.dumpId, fnId],
  });
  const q = (s: string): string => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);
  return [
    special(3381, 'ENCODING', "SET client_encoding = 'UTF8';\n"),
    special(3382, 'STDSTRINGS', "SET standard_conforming_strings = 'on';\n"),
    special(3383, 'SEARCHPATH', "SELECT pg_catalog.set_config('search_path', '', false);\n"),
    {
      ...special(3384, id.dbName, ''),
      desc: 'DATABASE',
      tableoid: 1262,
      oid: 16396,
      defn: `CREATE DATABASE ${q(id.dbName)} WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'C.UTF-8';\n`,
      dropStmt: `DROP DATABASE ${q(id.dbName)};\n`,
      owner,
    },
    fn(219, 16436, 'audit_field(t text)', 'audit_field(text)', AUDIT_FIELD, []),
    fn(221, 16438, 'audit_log_chain()', 'audit_log_chain()', AUDIT_LOG_CHAIN, []),
    fn(222, 16440, 'audit_log_reject_change()', 'audit_log_reject_change()', AUDIT_LOG_REJECT_CHANGE, []),
    table('audit_log'),
    fn(
      220,
      16437,
      'audit_record_bytes(r public.audit_log)',
      'audit_record_bytes(public.audit_log)',
      AUDIT_RECORD_BYTES,
      [TABLES.audit_log.dumpId],
    ),
    table('artifacts'),
    table('devices'),
    table('secrets'),
    table('trust_state'),
    data('artifacts'),
    data('audit_log'),
    data('devices'),
    data('secrets'),
    data('trust_state'),
    constraint(3223, 16419, 'artifacts', 'artifacts_pkey', 'PRIMARY KEY (id)'),
    constraint(3225, 16421, 'artifacts', 'artifacts_target_path_key', 'UNIQUE (target_path)'),
    constraint(3217, 16403, 'audit_log', 'audit_log_pkey', 'PRIMARY KEY (seq)'),
    constraint(3219, 16410, 'devices', 'devices_pkey', 'PRIMARY KEY (id)'),
    constraint(3221, 16412, 'devices', 'devices_serial_key', 'UNIQUE (serial)'),
    constraint(3229, 16435, 'secrets', 'secrets_pkey', 'PRIMARY KEY (name)'),
    constraint(3227, 16428, 'trust_state', 'trust_state_pkey', 'PRIMARY KEY (role)'),
    trigger(3230, 16441, 'audit_log_append_only', 'BEFORE DELETE OR UPDATE', 'audit_log_reject_change', 222),
    trigger(3231, 16439, 'audit_log_chain', 'BEFORE INSERT', 'audit_log_chain', 221),
  ];
}
