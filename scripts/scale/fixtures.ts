// The lead's "good" TUF and certificate fixtures, when present: their metadata, keys and
// certificates go into the archive (tuf/, certs/, keys 0600 in 0700 folders), and the database
// rows the cross-checks compare with them (trust_state, artifacts, devices) are taken from them.
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface TrustRow {
  role: string;
  version: number;
  sha256: string;
  expiresMicros: number;
}
export interface ArtifactRow {
  path: string;
  sha256: string;
  length: number;
}
export interface DeviceRow {
  id: string;
  serial: string;
  status: string;
  enrolledMicros: number;
  certPem: string | null;
  certSha256: string | null;
}
export interface FixtureRows {
  trust?: TrustRow[];
  artifacts?: ArtifactRow[];
  devices?: DeviceRow[];
}
export interface FixtureSet {
  tufDir?: string;
  certsDir?: string;
  rows: FixtureRows;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** trust_state rows: version, expiry and SHA-256 of each top-level role's current file. */
function trustRows(metadata: string): TrustRow[] | undefined {
  const rows: TrustRow[] = [];
  for (const role of ['root', 'timestamp', 'snapshot', 'targets']) {
    const file = join(metadata, `${role}.json`);
    if (!existsSync(file)) return undefined;
    const bytes = readFileSync(file);
    const doc = readJson(file);
    const signed = isRecord(doc) ? doc['signed'] : undefined;
    if (!isRecord(signed)) return undefined;
    const version = signed['version'];
    const expires = signed['expires'];
    if (typeof version !== 'number' || typeof expires !== 'string' || Number.isNaN(Date.parse(expires)))
      return undefined;
    rows.push({
      role,
      version,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      expiresMicros: Date.parse(expires) * 1000,
    });
  }
  return rows;
}

/** artifacts rows: the fixture's list of every (delegated) target, else targets.json's own. */
function artifactRows(tufDir: string): ArtifactRow[] | undefined {
  const list = readJson(join(tufDir, 'targets.json'));
  if (Array.isArray(list)) {
    return list.flatMap((t: unknown) =>
      isRecord(t) &&
      typeof t['path'] === 'string' &&
      typeof t['sha256'] === 'string' &&
      typeof t['length'] === 'number'
        ? [{ path: t['path'], sha256: t['sha256'], length: t['length'] }]
        : [],
    );
  }
  const doc = readJson(join(tufDir, 'metadata', 'targets.json'));
  const targets = isRecord(doc) && isRecord(doc['signed']) ? doc['signed']['targets'] : undefined;
  if (!isRecord(targets)) return undefined;
  return Object.entries(targets).flatMap(([path, t]) => {
    if (!isRecord(t) || typeof t['length'] !== 'number' || !isRecord(t['hashes'])) return [];
    const h = t['hashes']['sha256'];
    return typeof h === 'string' ? [{ path, sha256: h, length: t['length'] }] : [];
  });
}

function deviceRows(certsDir: string): DeviceRow[] | undefined {
  const list = readJson(join(certsDir, 'devices.json'));
  if (!Array.isArray(list)) return undefined;
  return list.flatMap((d: unknown) => {
    if (!isRecord(d)) return [];
    const { id, serial, status, enrolled_at: at, cert_pem: pem, cert_sha256: fp } = d;
    if (typeof id !== 'string' || typeof serial !== 'string' || typeof status !== 'string') return [];
    if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) return [];
    return [
      {
        id,
        serial,
        status,
        enrolledMicros: Date.parse(at) * 1000,
        certPem: typeof pem === 'string' ? pem : null,
        certSha256: typeof fp === 'string' ? fp : null,
      },
    ];
  });
}

/** Looks for fixtures/tuf/good and fixtures/certs/good under `root` (null: use none). */
export function findFixtures(root: string | null): FixtureSet {
  if (root === null) return { rows: {} };
  const tufDir = join(root, 'fixtures', 'tuf', 'good');
  const certsDir = join(root, 'fixtures', 'certs', 'good');
  const set: FixtureSet = { rows: {} };
  if (isDir(join(tufDir, 'metadata'))) {
    set.tufDir = tufDir;
    set.rows.trust = trustRows(join(tufDir, 'metadata'));
    set.rows.artifacts = artifactRows(tufDir);
  }
  if (isDir(certsDir)) {
    set.certsDir = certsDir;
    set.rows.devices = deviceRows(certsDir);
  }
  return set;
}

/** Modes the spec expects: private keys 0600, the folders directly holding them 0700. */
function fixModes(dir: string): void {
  let holdsKeys = false;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      chmodSync(p, 0o755);
      fixModes(p);
    } else if (e.isFile()) {
      const isKey = e.name.endsWith('.key');
      chmodSync(p, isKey ? 0o600 : 0o644);
      holdsKeys ||= isKey;
    }
  }
  chmodSync(dir, holdsKeys ? 0o700 : 0o755);
}

/** Copies what a node's backup holds (TUF metadata and online keys; certificates and keys) into
 *  the archive's top folder; the fixtures' helper files (target payloads, row lists) stay out. */
export function installFixtures(set: FixtureSet, top: string): { tuf: boolean; certs: boolean } {
  let tuf = false;
  let certs = false;
  if (set.tufDir !== undefined) {
    const dest = join(top, 'tuf');
    mkdirSync(dest, { recursive: true });
    for (const sub of ['metadata', 'keys']) {
      const src = join(set.tufDir, sub);
      if (isDir(src)) cpSync(src, join(dest, sub), { recursive: true });
    }
    fixModes(dest);
    tuf = true;
  }
  if (set.certsDir !== undefined) {
    const dest = join(top, 'certs');
    mkdirSync(dest, { recursive: true });
    for (const name of readdirSync(set.certsDir)) {
      if (/\.(crt|key|pem)$/.test(name)) cpSync(join(set.certsDir, name), join(dest, name));
    }
    fixModes(dest);
    certs = true;
  }
  return { tuf, certs };
}
