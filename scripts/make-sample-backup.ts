/**
 * make-sample-backup: fixtures/sample-backup.tar.gz, a whole Meshanics backup in the spec's
 * layout, assembled from the real fixtures: the good TUF repository (fixtures/tuf/good), the good
 * certificate set (fixtures/certs/good) and a database made by the real PostgreSQL through the
 * spec's trigger (scripts/make-db-fixtures.ts --clean-only) whose devices, artifacts and
 * trust_state rows agree with them. Archived with GNU tar (modes 0600 for keys, 0700 for their
 * folders, one mtime) and gzip -n, so reruns differ only where pg_dump's output differs.
 *
 *   npx tsc -p tsconfig.json && node dist/scripts/make-sample-backup.js [--out file] [--variant name]
 *
 * Variants (cross-check defect fixtures, written to fixtures/cross/<name>.tar.gz) are made by
 * changing one input before archiving; see VARIANTS below.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
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
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..', '..');
const TOP = 'meshanics-backup-20261126T030000Z';
const ARCHIVE_TIME = '2026-11-26T03:00:00Z';
const AUDIT_END = '2026-11-26T02:58:41.617Z';

interface TrustRow {
  role: string;
  version: number;
  sha256: string;
  expires: string;
}
interface Rows {
  devices: unknown[];
  artifacts: Array<{ id: string; target_path: string; sha256: string; length: number; created_at: string }>;
  trust_state: TrustRow[];
  secrets: Array<{ name: string; key_id: string; ciphertext_hex: string }>;
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function readJson(path: string): {
  signed: { version: number; expires: string; meta?: Record<string, { version: number }> };
} {
  return JSON.parse(readFileSync(path, 'utf8')) as ReturnType<typeof readJson>;
}

/** trust_state as the platform would have published it: the newest version of each top-level role. */
function trustState(meta: string): TrustRow[] {
  const roots = readdirSync(meta)
    .map((n) => /^(\d+)\.root\.json$/.exec(n)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number)
    .sort((a, b) => b - a);
  const newestRoot = roots[0] ?? 1;
  const ts = readJson(join(meta, 'timestamp.json'));
  const snapV = ts.signed.meta?.['snapshot.json']?.version ?? 1;
  const snapFile = existsSync(join(meta, `${snapV}.snapshot.json`))
    ? `${snapV}.snapshot.json`
    : 'snapshot.json';
  const snap = readJson(join(meta, snapFile));
  const targV = snap.signed.meta?.['targets.json']?.version ?? 1;
  const targFile = existsSync(join(meta, `${targV}.targets.json`)) ? `${targV}.targets.json` : 'targets.json';
  const row = (role: string, file: string): TrustRow => {
    const bytes = readFileSync(join(meta, file));
    const doc = JSON.parse(bytes.toString('utf8')) as ReturnType<typeof readJson>;
    return { role, version: doc.signed.version, sha256: sha256(bytes), expires: doc.signed.expires };
  };
  return [
    row('root', `${newestRoot}.root.json`),
    row('timestamp', 'timestamp.json'),
    row('snapshot', snapFile),
    row('targets', targFile),
  ];
}

function uuidFrom(s: string): string {
  const h = sha256(Buffer.from(s));
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function defaultRows(tufDir: string, certsDir: string): Rows {
  const targets = JSON.parse(readFileSync(join(tufDir, 'targets.json'), 'utf8')) as Array<{
    path: string;
    length: number;
    sha256: string;
  }>;
  return {
    devices: JSON.parse(readFileSync(join(certsDir, 'devices.json'), 'utf8')) as unknown[],
    artifacts: targets.map((t, i) => ({
      id: uuidFrom(t.path),
      target_path: t.path,
      sha256: t.sha256,
      length: t.length,
      created_at: `2026-11-2${i}T12:00:00Z`,
    })),
    trust_state: trustState(join(tufDir, 'metadata')),
    secrets: ['mqtt-broker', 'artifact-store', 'smtp-relay'].map((name, i) => ({
      name,
      key_id: `kms-key-${i + 1}`,
      ciphertext_hex: Buffer.concat([
        Buffer.from('MSE1'),
        createHash('sha512').update(name).digest(),
      ]).toString('hex'),
    })),
  };
}

/** The metadata of another TUF fixture, with trust_state describing it (the rest agrees). */
function replaceMetadata(rows: Rows, stage: string, fixture: string): void {
  const meta = join(stage, 'tuf', 'metadata');
  rmSync(meta, { recursive: true, force: true });
  cpSync(join(ROOT, 'fixtures', 'tuf', fixture, 'metadata'), meta, { recursive: true });
  rows.trust_state = trustState(meta);
}

/** One change per cross-check defect fixture (spec 6), and per drill defect. */
const VARIANTS: Record<string, (rows: Rows, stage: string) => void> = {
  // The database names a targets version the metadata files do not hold.
  'trust-state-ahead': (rows) => {
    const t = rows.trust_state.find((r) => r.role === 'targets');
    if (t) t.version += 1;
  },
  // The files were copied after the dump: the database still names an older snapshot.
  'trust-state-behind': (rows) => {
    const t = rows.trust_state.find((r) => r.role === 'snapshot');
    if (t) t.version -= 1;
  },
  'trust-state-sha-mismatch': (rows) => {
    const t = rows.trust_state.find((r) => r.role === 'root');
    if (t) t.sha256 = sha256(Buffer.from('not the root'));
  },
  'artifact-without-target': (rows) => {
    rows.artifacts.push({
      id: randomUUID(),
      target_path: 'firmware/unsigned-9.9.9.bin',
      sha256: sha256(Buffer.from('unsigned')),
      length: 8,
      created_at: '2026-11-25T12:00:00Z',
    });
  },
  'target-without-artifact': (rows) => {
    rows.artifacts = rows.artifacts.filter((a) => a.target_path !== 'firmware/gw-1.3.0.bin');
  },
  'artifact-sha-mismatch': (rows) => {
    const a = rows.artifacts.find((x) => x.target_path === 'firmware/sensor-2.0.1.bin');
    if (a) a.sha256 = sha256(Buffer.from('tampered'));
  },
  'artifact-length-mismatch': (rows) => {
    const a = rows.artifacts.find((x) => x.target_path === 'firmware/gw-1.2.0.bin');
    if (a) a.length += 1;
  },
  'plaintext-secret': (rows) => {
    rows.secrets.push({
      name: 'legacy-api-token',
      key_id: 'none',
      ciphertext_hex: Buffer.from('token=s3cr3t-plaintext').toString('hex'),
    });
  },
  // Drill defects (meshverify drill, test/drill): one restore task each makes impossible.
  // The timestamp key is root 1's, rotated out since: the newest root does not list it.
  'drill-timestamp-key-unlisted': (_rows, stage) => {
    cpSync(
      join(ROOT, 'fixtures', 'tuf', 'wrong-online-key', 'keys', 'timestamp.key'),
      join(stage, 'tuf', 'keys', 'timestamp.key'),
    );
    chmodSync(join(stage, 'tuf', 'keys', 'timestamp.key'), 0o600);
  },
  // ca.key is not the CA certificate's key (the server's key was backed up in its place).
  'drill-ca-key-mismatch': (_rows, stage) => {
    cpSync(join(ROOT, 'fixtures', 'certs', 'good', 'server.key'), join(stage, 'certs', 'ca.key'));
    chmodSync(join(stage, 'certs', 'ca.key'), 0o600);
  },
  'drill-server-key-mismatch': (_rows, stage) => {
    cpSync(join(ROOT, 'fixtures', 'certs', 'key-mismatch', 'server.key'), join(stage, 'certs', 'server.key'));
    chmodSync(join(stage, 'certs', 'server.key'), 0o600);
  },
  // server.crt names another host than node.meshanics.test.
  'drill-wrong-host': (_rows, stage) => {
    cpSync(join(ROOT, 'fixtures', 'certs', 'wrong-host', 'server.crt'), join(stage, 'certs', 'server.crt'));
  },
  // 2.root.json is missing: devices pinned to root 1 cannot reach root 3.
  'drill-root-version-missing': (rows, stage) => replaceMetadata(rows, stage, 'root-version-missing'),
  // targets expired in 2021.
  'drill-expired-targets': (rows, stage) => replaceMetadata(rows, stage, 'expired-targets'),
  // The metadata and certificates were copied long after the dump.
  'files-late': (_rows, stage) => {
    const late = new Date(Date.parse(ARCHIVE_TIME) + 6 * 3600_000);
    for (const sub of ['tuf/metadata', 'certs']) {
      const dir = join(stage, sub);
      for (const n of readdirSync(dir)) utimesSync(join(dir, n), late, late);
    }
  },
};

function main(): void {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, variant: { type: 'string' }, 'all-variants': { type: 'boolean' } },
  });
  const variants = values['all-variants']
    ? Object.keys(VARIANTS)
    : values.variant
      ? [values.variant]
      : [undefined];
  for (const v of variants) build(v, values.out);
}

function build(variant: string | undefined, outArg: string | undefined): void {
  if (variant !== undefined && !(variant in VARIANTS)) throw new Error(`unknown variant ${variant}`);
  const tufDir = join(ROOT, 'fixtures', 'tuf', 'good');
  const certsDir = join(ROOT, 'fixtures', 'certs', 'good');
  const out = resolve(
    outArg ??
      (variant
        ? join(ROOT, 'fixtures', 'cross', `${variant}.tar.gz`)
        : join(ROOT, 'fixtures', 'sample-backup.tar.gz')),
  );
  const work = mkdtempSync(join(tmpdir(), 'meshverify-sample-'));
  try {
    const stage = join(work, TOP);
    const rows = defaultRows(tufDir, certsDir);
    mkdirSync(join(stage, 'tuf', 'keys'), { recursive: true });
    mkdirSync(join(stage, 'certs'), { recursive: true });
    cpSync(join(tufDir, 'metadata'), join(stage, 'tuf', 'metadata'), { recursive: true });
    for (const k of ['timestamp.key', 'snapshot.key'])
      cpSync(join(tufDir, 'keys', k), join(stage, 'tuf', 'keys', k));
    for (const f of ['server.crt', 'server.key', 'ca.crt', 'ca.key'])
      cpSync(join(certsDir, f), join(stage, 'certs', f));
    // Modes as the node keeps them (a restore preserves them): keys 0600, their folders 0700.
    for (const k of ['tuf/keys/timestamp.key', 'tuf/keys/snapshot.key', 'certs/server.key', 'certs/ca.key'])
      chmodSync(join(stage, k), 0o600);
    for (const d of ['tuf/keys', 'certs']) chmodSync(join(stage, d), 0o700);
    const t = new Date(ARCHIVE_TIME);
    if (variant) VARIANTS[variant]?.(rows, stage);
    const rowsFile = join(work, 'rows.json');
    writeFileSync(rowsFile, JSON.stringify(rows, null, 2));
    const dbOut = join(work, 'db');
    execFileSync(
      process.execPath,
      [
        join(ROOT, 'dist', 'scripts', 'make-db-fixtures.js'),
        '--clean-only',
        '--no-extreme-times',
        '--no-restore-check',
        '--rows',
        rowsFile,
        '--audit-end',
        AUDIT_END,
        '--out',
        dbOut,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    mkdirSync(join(stage, 'db'), { recursive: true });
    cpSync(join(dbOut, 'clean.dump'), join(stage, 'db', 'meshanics.dump'));
    // One mtime for every entry, except where a variant set its own.
    if (variant !== 'files-late') for (const p of [stage, ...walk(stage)]) utimesSync(p, t, t);
    else for (const p of walk(join(stage, 'db'))) utimesSync(p, t, t);
    mkdirSync(join(out, '..'), { recursive: true });
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
        TOP,
      ],
      { maxBuffer: 256 * 1024 * 1024 },
    );
    writeFileSync(out, execFileSync('gzip', ['-n', '-9'], { input: tarball, maxBuffer: 256 * 1024 * 1024 }));
    process.stdout.write(`wrote ${out}\n`);
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

main();
