/**
 * make-gate-fixtures: fixtures/gate/, three nightly backups of ONE node whose audit chain grows
 * between nights, and one defect archive per thing the upload gate must catch.
 *
 * Why one database: make-db-fixtures --records N builds its timeline backwards from --audit-end,
 * so 3000 and 3100 records with the same seed do NOT share their first 3000 hashes (checked: an
 * anchor at the shorter chain's head mismatches the longer one). Here the nights are made as a
 * node makes them: one real PostgreSQL database, records INSERTed through the spec's trigger
 * (PostgreSQL assigns seq and hashes; this script never hashes a record), pg_dump after each night.
 *
 *   night1  300 records (the catalogue of hard texts), timestamp v6
 *   night2  +40 records, timestamp re-signed v7
 *   night3  +40 records, timestamp v8, the server certificate renewed (same key, later expiry)
 *   Defects, each one change to the night-3 node (compared with night 2's receipt):
 *   truncated      the newest records deleted down to below night 2's head (triggers off)
 *   recomputed     a record before night 2's head edited and every hash after it recomputed
 *   tuf-rollback   night 1's metadata (timestamp v6) put back, trust_state to match
 *   root-shrunk    1.root.json removed from the metadata
 *   ca-replaced    a new CA key under the same CA name (same expiry), the server cert re-issued by it
 * The nights are age-encrypted to fixtures/gate/age-identity.txt (X25519, made by the real
 * age-encryption package); night3 is also kept in plaintext; the defects are plaintext.
 *
 *   npx tsc -p tsconfig.json && node dist/scripts/make-gate-fixtures.js
 * PostgreSQL 15 at 127.0.0.1:5432 (user postgres, trust auth; PG* / DATABASE_URL override).
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type pg from 'pg';
import { Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { buildCert, ext, pem, type NameSpec } from './certs/build.js';
import { connect, createDatabase, dropDatabase, serverConfig, type ServerConfig } from './db/connection.js';
import { generateRecords } from './db/audit-records.js';
import { writeDump } from './db/pg-dump.js';
import { createSchema, insertAuditRecords, insertTableRows } from './db/populate.js';
import { Prng } from './db/prng.js';
import { referenceVerdict } from './db/reference.js';
import { recomputeFrom } from './db/tamper.js';
import { defaultRows, loadRows } from './db/table-rows.js';
import { loadOrCreateKey } from './tuf/keys.js';
import { serialize, signEnvelope } from './tuf/sign.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const OUT = join(ROOT, 'fixtures', 'gate');
const TUF = join(ROOT, 'fixtures', 'tuf', 'good');
const CERTS = join(ROOT, 'fixtures', 'certs', 'good');
const DB = 'meshverify_gate_night';
const SEED = 20261126;
const FIRST_RECORDS = 300;
const APPEND = 40;

interface Night {
  name: string;
  /** When the backup was taken (archive mtimes, top folder name); the tests' --at. */
  time: string;
  timestampVersion: number;
}
const NIGHTS: Night[] = [
  { name: 'night1', time: '2026-11-26T03:00:00Z', timestampVersion: 6 },
  { name: 'night2', time: '2026-11-27T03:00:00Z', timestampVersion: 7 },
  { name: 'night3', time: '2026-11-28T03:00:00Z', timestampVersion: 8 },
];

interface Head {
  seq: number;
  hash: string;
}

interface ManifestEntry {
  file: string;
  sha256: string;
  bytes: number;
  encrypted: boolean;
  /** The night whose node this archive is (defects: night 3 changed). */
  night: string;
  referenceTime: string;
  description: string;
  /** From PostgreSQL before dumping: SELECT seq, hash ORDER BY seq DESC LIMIT 1. */
  head: Head;
  records: number;
  timestampVersion: number;
  /** For the defects: the seq the attack aimed at. */
  seq?: number;
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

// ---------------------------------------------------------------- TUF metadata, one copy per night

function readSigned(path: string): { signed: Record<string, unknown> } {
  return JSON.parse(readFileSync(path, 'utf8')) as { signed: Record<string, unknown> };
}

/** The good repository with timestamp.json re-signed by the online timestamp key at `version`. */
function metadataFor(version: number, dir: string): void {
  cpSync(join(TUF, 'metadata'), dir, { recursive: true });
  const key = loadOrCreateKey(join(ROOT, 'fixtures', 'tuf', '_keystore'), 'timestamp', 'rsa');
  const old = JSON.parse(readFileSync(join(dir, 'timestamp.json'), 'utf8')) as {
    signatures: Array<{ keyid: string }>;
    signed: Record<string, unknown>;
  };
  if (old.signatures[0]?.keyid !== key.keyid)
    throw new Error('the key store timestamp key is not the good repo’s');
  writeFileSync(join(dir, 'timestamp.json'), serialize(signEnvelope({ ...old.signed, version }, [{ key }])));
}

interface TrustRow {
  role: string;
  version: number;
  sha256: string;
  expires: string;
}

/** trust_state as the platform publishes it: the newest version of each top-level role. */
function trustState(meta: string): TrustRow[] {
  const rootV = Math.max(
    ...readdirSync(meta)
      .map((n) => /^(\d+)\.root\.json$/.exec(n)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number),
  );
  const ts = readSigned(join(meta, 'timestamp.json')).signed as {
    meta: Record<string, { version: number }>;
  };
  const snapV = ts.meta['snapshot.json']?.version ?? 1;
  const snap = readSigned(join(meta, `${snapV}.snapshot.json`)).signed as {
    meta: Record<string, { version: number }>;
  };
  const targV = snap.meta['targets.json']?.version ?? 1;
  const row = (role: string, file: string): TrustRow => {
    const bytes = readFileSync(join(meta, file));
    const s = (JSON.parse(bytes.toString('utf8')) as { signed: { version: number; expires: string } }).signed;
    return { role, version: s.version, sha256: sha256(bytes), expires: s.expires };
  };
  return [
    row('root', `${rootV}.root.json`),
    row('timestamp', 'timestamp.json'),
    row('snapshot', `${snapV}.snapshot.json`),
    row('targets', `${targV}.targets.json`),
  ];
}

// ---------------------------------------------------------------- certificates

const CA_NAME: NameSpec = { O: 'Meshanics', CN: 'Meshanics Device CA' };
const SERVER_NAME: NameSpec = { O: 'Meshanics', CN: 'node.meshanics.test' };
const GOOD_SAN = ['DNS:node.meshanics.test', 'DNS:*.fleet.meshanics.test', 'IP:127.0.0.1', 'IP:::1'];
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

function serverCert(serverKey: KeyObject, caKey: KeyObject, serial: bigint, notAfter: string): string {
  return pem(
    buildCert({
      subject: SERVER_NAME,
      issuer: CA_NAME,
      serial,
      notBefore: new Date('2026-11-27T12:00:00Z'),
      notAfter: new Date(notAfter),
      publicKey: serverKey,
      signingKey: caKey,
      extensions: [
        ext.basicConstraints(false),
        ext.keyUsage([0]),
        ext.extKeyUsage([SERVER_AUTH]),
        ext.subjectAltName(GOOD_SAN),
        ext.subjectKeyId(serverKey),
        ext.authorityKeyId(caKey),
      ],
    }),
  );
}

function caCert(caKey: KeyObject, serial: bigint): string {
  return pem(
    buildCert({
      subject: CA_NAME,
      issuer: CA_NAME,
      serial,
      notBefore: new Date('2026-11-27T12:00:00Z'),
      notAfter: new Date('2036-01-01T00:00:00Z'),
      publicKey: caKey,
      signingKey: caKey,
      extensions: [ext.basicConstraints(true), ext.keyUsage([5, 6]), ext.subjectKeyId(caKey)],
    }),
  );
}

// ---------------------------------------------------------------- the database

function tableRowsFile(work: string, meta: string): string {
  const targets = JSON.parse(readFileSync(join(TUF, 'targets.json'), 'utf8')) as Array<{
    path: string;
    length: number;
    sha256: string;
  }>;
  const uuid = (s: string): string => {
    const h = sha256(s);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
  const rows = {
    devices: JSON.parse(readFileSync(join(CERTS, 'devices.json'), 'utf8')) as unknown[],
    artifacts: targets.map((t, i) => ({
      id: uuid(t.path),
      target_path: t.path,
      sha256: t.sha256,
      length: t.length,
      created_at: `2026-11-2${i}T12:00:00Z`,
    })),
    trust_state: trustState(meta),
    secrets: ['mqtt-broker', 'artifact-store'].map((name, i) => ({
      name,
      key_id: `kms-key-${i + 1}`,
      ciphertext_hex: Buffer.concat([
        Buffer.from('MSE1'),
        createHash('sha512').update(name).digest(),
      ]).toString('hex'),
    })),
  };
  const file = join(work, 'rows.json');
  writeFileSync(file, JSON.stringify(rows, null, 2));
  return file;
}

/** A night's new records, INSERTed through the trigger (which assigns seq and hashes). */
async function appendNight(client: pg.Client, night: number, from: string, to: string): Promise<void> {
  const actions = ['device.enroll', 'rollout.start', 'artifact.publish', 'user.login', 'device.revoke'];
  const start = Date.parse(from) + 3600_000;
  const end = Date.parse(to) - 79_000;
  await client.query('BEGIN');
  for (let i = 0; i < APPEND; i++) {
    const t = new Date(start + Math.round(((end - start) * i) / (APPEND - 1)));
    await client.query(
      `INSERT INTO public.audit_log (occurred_at, actor, action, subject, payload) VALUES ($1::timestamptz, $2, $3, $4, $5::jsonb)`,
      [
        t.toISOString(),
        i % 3 === 0 ? 'operator@meshanics.example' : 'system',
        actions[i % actions.length],
        i % 4 === 0 ? null : `MSH-${String(100 + night * 50 + i).padStart(4, '0')}`,
        JSON.stringify({ night, n: i, note: i % 7 === 0 ? 'tab\there, "quoted", ü' : 'routine' }),
      ],
    );
  }
  await client.query('COMMIT');
}

async function head(client: pg.Client): Promise<{ head: Head; records: number }> {
  const r = await client.query<{ seq_text: string; hash: string; n: string }>(
    `SELECT a.seq::text AS seq_text, encode(a.hash, 'hex') AS hash, (SELECT count(*) FROM public.audit_log)::text AS n
       FROM public.audit_log a ORDER BY a.seq DESC LIMIT 1`,
  );
  const row = r.rows[0];
  if (!row) throw new Error('empty audit_log');
  return { head: { seq: Number(row.seq_text), hash: row.hash }, records: Number(row.n) };
}

async function hashAt(client: pg.Client, seq: number): Promise<string> {
  const r = await client.query<{ hash: string }>(
    `SELECT encode(hash, 'hex') AS hash FROM public.audit_log WHERE seq = $1`,
    [seq],
  );
  const h = r.rows[0]?.hash;
  if (h === undefined) throw new Error(`no record ${seq}`);
  return h;
}

async function setTrustState(client: pg.Client, meta: string): Promise<void> {
  for (const t of trustState(meta))
    await client.query(
      'UPDATE public.trust_state SET version = $2, sha256 = $3, expires = $4 WHERE role = $1',
      [t.role, t.version, t.sha256, t.expires],
    );
}

/** PostgreSQL's own verdict on the chain must be what the fixture claims before it is dumped. */
async function assertChain(client: pg.Client, intact: boolean, what: string): Promise<void> {
  const r = await referenceVerdict(client);
  const ok =
    r.contentBreaks.length === 0 &&
    r.linkBreaks.length === 0 &&
    r.gaps.length === 0 &&
    r.duplicates.length === 0 &&
    r.genesis.ok;
  if (ok !== intact) throw new Error(`${what}: PostgreSQL says the chain is ${ok ? '' : 'not '}intact`);
}

// ---------------------------------------------------------------- archives

interface Stage {
  meta: string;
  certs: { serverCrt: string; caCrt: string; caKey: string };
}

async function archive(
  cfg: ServerConfig,
  db: string,
  time: string,
  stage: Stage,
  out: string,
): Promise<Buffer> {
  const work = mkdtempSync(join(tmpdir(), 'meshverify-gate-'));
  try {
    const top = `meshanics-backup-${time.replace(/[-:]/g, '')}`;
    const s = join(work, top);
    mkdirSync(join(s, 'db'), { recursive: true });
    mkdirSync(join(s, 'tuf', 'keys'), { recursive: true });
    mkdirSync(join(s, 'certs'), { recursive: true });
    cpSync(stage.meta, join(s, 'tuf', 'metadata'), { recursive: true });
    for (const k of ['timestamp.key', 'snapshot.key'])
      cpSync(join(TUF, 'keys', k), join(s, 'tuf', 'keys', k));
    writeFileSync(join(s, 'certs', 'server.crt'), stage.certs.serverCrt);
    cpSync(join(CERTS, 'server.key'), join(s, 'certs', 'server.key'));
    writeFileSync(join(s, 'certs', 'ca.crt'), stage.certs.caCrt);
    writeFileSync(join(s, 'certs', 'ca.key'), stage.certs.caKey);
    await writeDump(cfg, db, join(s, 'db', 'meshanics.dump'), {
      file: 'meshanics.dump',
      format: 'custom',
      pgTz: 'America/New_York',
    });
    for (const k of ['tuf/keys/timestamp.key', 'tuf/keys/snapshot.key', 'certs/server.key', 'certs/ca.key'])
      chmodSync(join(s, k), 0o600);
    for (const d of ['tuf/keys', 'certs']) chmodSync(join(s, d), 0o700);
    const t = new Date(time);
    for (const p of [s, ...walk(s)]) utimesSync(p, t, t);
    const tarball = execFileSync(
      'tar',
      [
        '--sort=name',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        '--format=pax',
        '--pax-option=delete=atime,delete=ctime',
        '-C',
        work,
        '-cf',
        '-',
        top,
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const gz = execFileSync('gzip', ['-n', '-9'], { input: tarball, maxBuffer: 64 * 1024 * 1024 });
    writeFileSync(out, gz);
    return gz;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    out.push(p);
  }
  return out;
}

async function ageIdentity(): Promise<string> {
  const file = join(OUT, 'age-identity.txt');
  if (existsSync(file)) {
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('AGE-SECRET-KEY-1'));
    if (line) return line.trim();
  }
  const id = await generateIdentity();
  writeFileSync(
    file,
    `# test identity of fixtures/gate (made by scripts/make-gate-fixtures.ts)\n# public key: ${await identityToRecipient(id)}\n${id}\n`,
  );
  return id;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const cfg = serverConfig();
  mkdirSync(OUT, { recursive: true });
  for (const f of readdirSync(OUT)) if (/\.(tar\.gz|age|json)$/.test(f)) rmSync(join(OUT, f));
  const identity = await ageIdentity();
  const recipient = await identityToRecipient(identity);
  const work = mkdtempSync(join(tmpdir(), 'meshverify-gate-meta-'));
  const manifest: { seed: number; databases: string; archives: ManifestEntry[]; prefixCheck: unknown[] } = {
    seed: SEED,
    databases: 'one PostgreSQL database, records appended through the chain trigger between nights',
    archives: [],
    prefixCheck: [],
  };
  const dbs = [DB, ...['truncated', 'recomputed', 'rollback'].map((n) => `${DB}_${n}`)];
  try {
    const metas = NIGHTS.map((n, i) => {
      const dir = join(work, n.name);
      metadataFor(n.timestampVersion, dir);
      return { dir, i };
    });
    const goodCerts = {
      serverCrt: readFileSync(join(CERTS, 'server.crt'), 'utf8'),
      caCrt: readFileSync(join(CERTS, 'ca.crt'), 'utf8'),
      caKey: readFileSync(join(CERTS, 'ca.key'), 'utf8'),
    };
    const serverKey = createPrivateKey(readFileSync(join(CERTS, 'server.key')));
    const goodCaKey = createPrivateKey(goodCerts.caKey);
    const renewedCerts = {
      ...goodCerts,
      serverCrt: serverCert(serverKey, goodCaKey, 0x6a7e0003n, '2032-01-01T00:00:00Z'),
    };

    await createDatabase(cfg, DB);
    const client = await connect(cfg, DB);
    const heads: Array<{ head: Head; records: number }> = [];
    try {
      await createSchema(client);
      const rowsFile = tableRowsFile(work, metas[0]?.dir ?? '');
      await insertTableRows(client, loadRows(rowsFile, defaultRows(new Prng(SEED + 2))), new Prng(SEED + 2));
      const n1 = NIGHTS[0] as Night;
      const end = Date.parse(n1.time) - 79_000;
      const records = generateRecords(new Prng(SEED), {
        count: FIRST_RECORDS,
        end: Math.floor(end / 1000),
        endFrac: '617',
        extremeTimes: false,
      });
      await insertAuditRecords(client, records);

      for (const [i, night] of NIGHTS.entries()) {
        const prev = NIGHTS[i - 1];
        if (prev) await appendNight(client, i + 1, prev.time, night.time);
        const meta = metas[i]?.dir ?? '';
        await setTrustState(client, meta);
        await assertChain(client, true, night.name);
        const h = await head(client);
        // The point of these fixtures: each night's chain extends the last one. PostgreSQL says so.
        const last = heads[i - 1];
        if (last) {
          const at = await hashAt(client, last.head.seq);
          if (at !== last.head.hash) throw new Error(`${night.name} does not extend the previous night`);
          manifest.prefixCheck.push({
            night: night.name,
            seq: last.head.seq,
            hash: at,
            equalsPreviousHead: true,
          });
        }
        heads.push(h);
        const certs = i === 2 ? renewedCerts : goodCerts;
        const plain = await archive(cfg, DB, night.time, { meta, certs }, join(work, `${night.name}.tar.gz`));
        const e = new Encrypter();
        e.addRecipient(recipient);
        const enc = Buffer.from(await e.encrypt(plain));
        writeFileSync(join(OUT, `${night.name}.tar.gz.age`), enc);
        manifest.archives.push(entry(`${night.name}.tar.gz.age`, enc, true, night, h, `night ${i + 1}`));
        if (i === 2) {
          writeFileSync(join(OUT, 'night3.tar.gz'), plain);
          manifest.archives.push(entry('night3.tar.gz', plain, false, night, h, 'night 3, not encrypted'));
        }
      }
    } finally {
      await client.end();
    }

    const n2 = heads[1]?.head ?? { seq: 0, hash: '' };
    const n3 = NIGHTS[2] as Night;
    const meta3 = metas[2]?.dir ?? '';
    const defect = async (
      name: string,
      description: string,
      opts: { db?: string; meta?: string; certs?: Stage['certs']; seq?: number },
    ): Promise<void> => {
      const db = opts.db ?? DB;
      const c = await connect(cfg, db);
      let h;
      try {
        h = await head(c);
      } finally {
        await c.end();
      }
      const file = `${name}.tar.gz`;
      const bytes = await archive(
        cfg,
        db,
        n3.time,
        { meta: opts.meta ?? meta3, certs: opts.certs ?? renewedCerts },
        join(OUT, file),
      );
      manifest.archives.push({
        ...entry(file, bytes, false, n3, h, description),
        ...(opts.seq !== undefined ? { seq: opts.seq } : {}),
      });
    };

    // Tail cut: the newest records deleted, as a superuser with triggers off.
    const cut = n2.seq - 25;
    await attack(cfg, `${DB}_truncated`, [`DELETE FROM public.audit_log WHERE seq > ${cut}`], true);
    await defect(
      'truncated',
      `records after seq ${cut} deleted: the chain ends before night 2's head ${n2.seq}`,
      {
        db: `${DB}_truncated`,
        seq: n2.seq,
      },
    );

    // An edit before night 2's head, every later hash recomputed with the recipe.
    const edited = n2.seq - 10;
    await attack(
      cfg,
      `${DB}_recomputed`,
      [
        `UPDATE public.audit_log SET payload = payload || '{"approved_by": "mallory"}'::jsonb WHERE seq = ${edited}`,
        recomputeFrom(edited),
      ],
      true,
    );
    await defect('recomputed', `seq ${edited} edited and every hash from it recomputed`, {
      db: `${DB}_recomputed`,
      seq: edited,
    });

    // Night 1's metadata put back (timestamp v6 after night 2's v7), trust_state to match.
    const meta1 = metas[0]?.dir ?? '';
    await createDatabase(cfg, `${DB}_rollback`, DB);
    const rc = await connect(cfg, `${DB}_rollback`);
    try {
      await setTrustState(rc, meta1);
    } finally {
      await rc.end();
    }
    await defect('tuf-rollback', 'night 1 TUF metadata (timestamp v6) after night 2 (v7)', {
      db: `${DB}_rollback`,
      meta: meta1,
    });

    // The oldest root removed: the root history shrinks from 1..3 to 2..3.
    const shrunk = join(work, 'root-shrunk');
    cpSync(meta3, shrunk, { recursive: true });
    rmSync(join(shrunk, '1.root.json'));
    await defect('root-shrunk', '1.root.json removed from the metadata', { meta: shrunk });

    // A new CA key under the same name and expiry, the server certificate re-issued by it.
    const newCa = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    await defect(
      'ca-replaced',
      'CA replaced: same subject and expiry, another key; server cert re-issued by it',
      {
        certs: {
          serverCrt: serverCert(serverKey, newCa, 0x6a7e0005n, '2032-01-01T00:00:00Z'),
          caCrt: caCert(newCa, 0x6a7e0004n),
          caKey: newCa.export({ type: 'pkcs8', format: 'pem' }).toString(),
        },
      },
    );

    writeFileSync(join(OUT, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    for (const a of manifest.archives)
      process.stdout.write(`wrote fixtures/gate/${a.file} (${a.bytes} bytes)\n`);
  } finally {
    for (const d of dbs) await dropDatabase(cfg, d);
    rmSync(work, { recursive: true, force: true });
  }
}

function entry(
  file: string,
  bytes: Buffer,
  encrypted: boolean,
  night: Night,
  h: { head: Head; records: number },
  description: string,
): ManifestEntry {
  return {
    file,
    sha256: sha256(bytes),
    bytes: bytes.length,
    encrypted,
    night: night.name,
    referenceTime: night.time,
    description,
    head: h.head,
    records: h.records,
    timestampVersion: night.timestampVersion,
  };
}

/** A copy of the night-3 database changed as a superuser attacker would: triggers off, plain SQL. */
async function attack(cfg: ServerConfig, db: string, sql: string[], stillIntact: boolean): Promise<void> {
  await createDatabase(cfg, db, DB);
  const c = await connect(cfg, db);
  try {
    await c.query('ALTER TABLE public.audit_log DISABLE TRIGGER ALL');
    for (const s of sql) await c.query(s);
    await c.query('ALTER TABLE public.audit_log ENABLE TRIGGER ALL');
    // Both attacks leave a chain that verifies on its own: only the previous receipt exposes them.
    await assertChain(c, stillIntact, db);
  } finally {
    await c.end();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`make-gate-fixtures: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
