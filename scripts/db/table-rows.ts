// Rows of the tables the cross-checks read (devices, artifacts, trust_state, secrets): simple
// seeded defaults, or the rows a later fixture step supplies (`--rows <file>`, JSON) so that the
// database agrees with real certificates and TUF metadata.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Prng } from './prng.js';

export interface DeviceRow {
  id: string;
  serial: string;
  status: string;
  enrolled_at: string;
  cert_pem: string | null;
  cert_sha256: string | null;
}
export interface ArtifactRow {
  id: string;
  target_path: string;
  sha256: string;
  length: number;
  created_at: string;
}
export interface TrustStateRow {
  role: string;
  version: number;
  sha256: string;
  expires: string;
}
export interface SecretRow {
  name: string;
  key_id: string;
  ciphertext: Buffer;
}
export interface TableRows {
  devices: DeviceRow[];
  artifacts: ArtifactRow[];
  trust_state: TrustStateRow[];
  secrets: SecretRow[];
}

/** Documented for the fixture steps that write a rows file. */
export const ROWS_FILE_HELP = `--rows <file>: JSON object; each key present replaces that table's default rows.
  devices:     [{ "id": uuid, "serial": text, "status": "active"|"revoked"|"retired",
                  "enrolled_at": timestamptz text, "cert_pem"?: text|null, "cert_sha256"?: hex|null }]
  artifacts:   [{ "id": uuid, "target_path": text, "sha256": hex, "length": integer, "created_at": timestamptz text }]
  trust_state: [{ "role": text, "version": integer, "sha256": hex, "expires": timestamptz text }]
  secrets:     [{ "name": text, "key_id": text, "ciphertext_hex" | "ciphertext_base64": bytes }]`;

const sha256hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

export function defaultRows(prng: Prng): TableRows {
  const statuses = [
    'active',
    'active',
    'revoked',
    'active',
    'retired',
    'active',
    'active',
    'revoked',
    'active',
    'retired',
  ];
  const devices: DeviceRow[] = statuses.map((status, i) => ({
    id: prng.uuid(),
    serial: `MX-${String(i + 1).padStart(4, '0')}`,
    status,
    enrolled_at: `2026-0${1 + (i % 9)}-${String(5 + i).padStart(2, '0')}T08:${String(i * 3).padStart(2, '0')}:00Z`,
    cert_pem: null,
    cert_sha256: null,
  }));
  const targets = [
    'firmware/mesh-node-1.4.0.bin',
    'firmware/mesh-node-1.4.1.bin',
    'firmware/mesh-node-1.5.0.bin',
    'config/radio-profile-eu868.json',
    'bootloader/mesh-boot-2.0.1.bin',
  ];
  const artifacts: ArtifactRow[] = targets.map((target_path, i) => ({
    id: prng.uuid(),
    target_path,
    sha256: sha256hex(`meshverify fixture artifact ${target_path}`),
    length: prng.int(1000, 4_000_000),
    created_at: `2026-0${2 + i}-1${i}T12:00:00.${i}Z`,
  }));
  const trust_state: TrustStateRow[] = [
    { role: 'root', version: 3, sha256: sha256hex('root v3'), expires: '2027-11-26T00:00:00Z' },
    {
      role: 'timestamp',
      version: 4120,
      sha256: sha256hex('timestamp v4120'),
      expires: '2026-11-27T03:00:00Z',
    },
    { role: 'snapshot', version: 412, sha256: sha256hex('snapshot v412'), expires: '2026-12-03T03:00:00Z' },
    { role: 'targets', version: 23, sha256: sha256hex('targets v23'), expires: '2027-02-26T00:00:00Z' },
  ];
  // Envelope: "MSE1" then nonce(12) || ciphertext || tag(16), here random bytes of that shape.
  const secrets: SecretRow[] = ['ca.key.passphrase', 'smtp.password', 'webhook.signing-key'].map((name) => ({
    name,
    key_id: 'kek-2026-01',
    ciphertext: Buffer.concat([Buffer.from('MSE1', 'ascii'), prng.bytes(12 + prng.int(8, 48) + 16)]),
  }));
  return { devices, artifacts, trust_state, secrets };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(o: Record<string, unknown>, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new Error(`${where}: "${key}" must be a string`);
  return v;
}

function optionalText(o: Record<string, unknown>, key: string, where: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new Error(`${where}: "${key}" must be a string or null`);
  return v;
}

function integer(o: Record<string, unknown>, key: string, where: string): number {
  const v = o[key];
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n))
    throw new Error(`${where}: "${key}" must be an integer`);
  return n;
}

function list(doc: Record<string, unknown>, key: string): Record<string, unknown>[] | undefined {
  const v = doc[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every(isRecord))
    throw new Error(`rows file: "${key}" must be an array of objects`);
  return v;
}

/** Defaults with every table present in the file replaced by the file's rows. */
export function loadRows(path: string, defaults: TableRows): TableRows {
  const doc: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isRecord(doc)) throw new Error('rows file: top level must be an object');
  const rows: TableRows = { ...defaults };
  const devices = list(doc, 'devices');
  if (devices) {
    rows.devices = devices.map((o, i) => ({
      id: field(o, 'id', `devices[${i}]`),
      serial: field(o, 'serial', `devices[${i}]`),
      status: field(o, 'status', `devices[${i}]`),
      enrolled_at: field(o, 'enrolled_at', `devices[${i}]`),
      cert_pem: optionalText(o, 'cert_pem', `devices[${i}]`),
      cert_sha256: optionalText(o, 'cert_sha256', `devices[${i}]`),
    }));
  }
  const artifacts = list(doc, 'artifacts');
  if (artifacts) {
    rows.artifacts = artifacts.map((o, i) => ({
      id: field(o, 'id', `artifacts[${i}]`),
      target_path: field(o, 'target_path', `artifacts[${i}]`),
      sha256: field(o, 'sha256', `artifacts[${i}]`),
      length: integer(o, 'length', `artifacts[${i}]`),
      created_at: field(o, 'created_at', `artifacts[${i}]`),
    }));
  }
  const trust = list(doc, 'trust_state');
  if (trust) {
    rows.trust_state = trust.map((o, i) => ({
      role: field(o, 'role', `trust_state[${i}]`),
      version: integer(o, 'version', `trust_state[${i}]`),
      sha256: field(o, 'sha256', `trust_state[${i}]`),
      expires: field(o, 'expires', `trust_state[${i}]`),
    }));
  }
  const secrets = list(doc, 'secrets');
  if (secrets) {
    rows.secrets = secrets.map((o, i) => {
      const where = `secrets[${i}]`;
      const hex = o.ciphertext_hex;
      const b64 = o.ciphertext_base64;
      let ciphertext: Buffer;
      if (typeof hex === 'string' && /^([0-9a-fA-F]{2})*$/.test(hex)) ciphertext = Buffer.from(hex, 'hex');
      else if (typeof b64 === 'string') ciphertext = Buffer.from(b64, 'base64');
      else throw new Error(`${where}: needs "ciphertext_hex" (even-length hex) or "ciphertext_base64"`);
      return { name: field(o, 'name', where), key_id: field(o, 'key_id', where), ciphertext };
    });
  }
  for (const key of Object.keys(doc)) {
    if (!['devices', 'artifacts', 'trust_state', 'secrets'].includes(key)) {
      throw new Error(`rows file: unknown key "${key}"`);
    }
  }
  return rows;
}
