// A small but complete TUF repository described as data (RepoSpec), so each defect fixture is
// the good repository with one change. build() signs everything and lays the files out as
// tuf/metadata/ in a backup: N.root.json, root.json, timestamp.json, V.snapshot.json,
// V.targets.json, V.ROLE.json, plus the unversioned copies.
import { createHash } from 'node:crypto';
import type { FixtureKey, TufKeyObject } from './keys.js';
import { serialize, signEnvelope, type Envelope, type Signer } from './sign.js';

export const EXPIRES = '2030-01-01T00:00:00Z';
export const SPEC_VERSION = '1.0.31';

export interface RoleFile {
  signed: Record<string, unknown>;
  signers: Signer[];
  /** Edit the envelope after signing (e.g. change the signed body, duplicate a signature). */
  post?: (env: Envelope) => void;
}

export interface MetaRef {
  version: number;
  length?: number;
  hashes?: Record<string, string>;
}

export interface RepoSpec {
  roots: RoleFile[];
  targets: RoleFile;
  delegated: Array<RoleFile & { name: string }>;
  snapshot: RoleFile;
  timestamp: RoleFile;
  /** Edit the meta entries after their hashes and lengths are computed. */
  editSnapshotMeta?: (meta: Record<string, MetaRef>) => void;
  editTimestampMeta?: (meta: Record<string, MetaRef>) => void;
  /** Last edits of the metadata files (delete, rename, replace). */
  editFiles?: (files: Map<string, Buffer>) => void;
  /** Key folder: file name → content. */
  keyFiles: Map<string, string>;
}

export interface FixtureKeys {
  rootA: FixtureKey;
  rootB: FixtureKey;
  rootC: FixtureKey;
  targets: FixtureKey;
  snapshot: FixtureKey;
  timestampOld: FixtureKey;
  timestamp: FixtureKey;
  gateways: FixtureKey;
  gateways2: FixtureKey;
  stranger: FixtureKey;
}

export interface TargetFile {
  path: string;
  content: Buffer;
  role: string;
}

/** Deterministic target contents (a firmware image is a counter-mode SHA-256 stream). */
export function targetContent(path: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  let off = 0;
  for (let i = 0; off < length; i++) {
    const block = createHash('sha256').update(`meshverify fixture ${path} ${i}`).digest();
    off += block.copy(out, off);
  }
  return out;
}

export const GOOD_TARGETS: TargetFile[] = [
  {
    path: 'config/mesh-defaults.json',
    content: Buffer.from('{"channel":11,"mesh":"default","txPowerDbm":8}\n'),
    role: 'targets',
  },
  {
    path: 'firmware/sensor-2.0.1.bin',
    content: targetContent('firmware/sensor-2.0.1.bin', 3072),
    role: 'targets',
  },
  { path: 'firmware/gw-1.2.0.bin', content: targetContent('firmware/gw-1.2.0.bin', 4096), role: 'gateways' },
  { path: 'firmware/gw-1.3.0.bin', content: targetContent('firmware/gw-1.3.0.bin', 4608), role: 'gateways' },
];

export function targetEntry(content: Buffer): { hashes: { sha256: string }; length: number } {
  return { hashes: { sha256: createHash('sha256').update(content).digest('hex') }, length: content.length };
}

export function targetsOf(role: string, list: TargetFile[] = GOOD_TARGETS): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const t of list) if (t.role === role) out[t.path] = targetEntry(t.content);
  return out;
}

export function keysOf(list: FixtureKey[]): Record<string, TufKeyObject> {
  const out: Record<string, TufKeyObject> = {};
  for (const k of list) out[k.keyid] = k.tuf;
  return out;
}

function rootSigned(
  version: number,
  rootKeys: FixtureKey[],
  rootThreshold: number,
  k: FixtureKeys,
  timestamp: FixtureKey,
): Record<string, unknown> {
  const role = (keys: FixtureKey[], threshold: number): Record<string, unknown> => ({
    keyids: keys.map((x) => x.keyid),
    threshold,
  });
  return {
    _type: 'root',
    consistent_snapshot: true,
    expires: EXPIRES,
    keys: keysOf([...rootKeys, k.targets, k.snapshot, timestamp]),
    roles: {
      root: role(rootKeys, rootThreshold),
      snapshot: role([k.snapshot], 1),
      targets: role([k.targets], 1),
      timestamp: role([timestamp], 1),
    },
    spec_version: SPEC_VERSION,
    version,
  };
}

/**
 * The good repository: root v1 (root key A, ed25519), v2 rotates root to B (ECDSA) + C (RSA-3072
 * PSS) threshold 1 and the timestamp key, v3 raises the root threshold to 2. Targets v2 (ECDSA)
 * delegates firmware/gw-*.bin to "gateways" (ed25519), terminating. Snapshot v3, timestamp v5.
 */
export function goodSpec(k: FixtureKeys): RepoSpec {
  return {
    roots: [
      { signed: rootSigned(1, [k.rootA], 1, k, k.timestampOld), signers: [{ key: k.rootA }] },
      {
        signed: rootSigned(2, [k.rootB, k.rootC], 1, k, k.timestamp),
        signers: [{ key: k.rootA }, { key: k.rootB }],
      },
      {
        signed: rootSigned(3, [k.rootB, k.rootC], 2, k, k.timestamp),
        signers: [{ key: k.rootB }, { key: k.rootC }],
      },
    ],
    targets: {
      signed: {
        _type: 'targets',
        delegations: {
          keys: keysOf([k.gateways]),
          roles: [
            {
              keyids: [k.gateways.keyid],
              name: 'gateways',
              paths: ['firmware/gw-*.bin'],
              terminating: true,
              threshold: 1,
            },
          ],
        },
        expires: EXPIRES,
        spec_version: SPEC_VERSION,
        targets: targetsOf('targets'),
        version: 2,
      },
      signers: [{ key: k.targets }],
    },
    delegated: [
      {
        name: 'gateways',
        signed: {
          _type: 'targets',
          expires: EXPIRES,
          spec_version: SPEC_VERSION,
          targets: targetsOf('gateways'),
          version: 1,
        },
        signers: [{ key: k.gateways }],
      },
    ],
    snapshot: {
      signed: { _type: 'snapshot', expires: EXPIRES, meta: {}, spec_version: SPEC_VERSION, version: 3 },
      signers: [{ key: k.snapshot }],
    },
    timestamp: {
      signed: { _type: 'timestamp', expires: EXPIRES, meta: {}, spec_version: SPEC_VERSION, version: 5 },
      signers: [{ key: k.timestamp }],
    },
    keyFiles: new Map([
      ['timestamp.key', k.timestamp.pkcs8Pem],
      ['snapshot.key', k.snapshot.pkcs8Pem],
    ]),
  };
}

function emit(f: RoleFile): Buffer {
  const env = signEnvelope(f.signed, f.signers);
  f.post?.(env);
  return serialize(env);
}

function ref(version: number, bytes: Buffer): MetaRef {
  return {
    version,
    length: bytes.length,
    hashes: { sha256: createHash('sha256').update(bytes).digest('hex') },
  };
}

function versionOf(f: RoleFile): number {
  const v = f.signed['version'];
  return typeof v === 'number' ? v : 0;
}

/** Sign and lay out every file. Returns metadata files by name. */
export function build(spec: RepoSpec): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  spec.roots.forEach((r, i) => {
    const b = emit(r);
    files.set(`${i + 1}.root.json`, b);
    if (i === spec.roots.length - 1) files.set('root.json', b);
  });
  const snapMeta: Record<string, MetaRef> = {};
  for (const d of spec.delegated) {
    const b = emit(d);
    const v = versionOf(d);
    files.set(`${v}.${d.name}.json`, b);
    files.set(`${d.name}.json`, b);
    snapMeta[`${d.name}.json`] = ref(v, b);
  }
  const tb = emit(spec.targets);
  const tv = versionOf(spec.targets);
  files.set(`${tv}.targets.json`, tb);
  files.set('targets.json', tb);
  snapMeta['targets.json'] = ref(tv, tb);
  spec.editSnapshotMeta?.(snapMeta);
  spec.snapshot.signed['meta'] = sortKeys(snapMeta);
  const sb = emit(spec.snapshot);
  const sv = versionOf(spec.snapshot);
  files.set(`${sv}.snapshot.json`, sb);
  files.set('snapshot.json', sb);
  const tsMeta: Record<string, MetaRef> = { 'snapshot.json': ref(sv, sb) };
  spec.editTimestampMeta?.(tsMeta);
  spec.timestamp.signed['meta'] = tsMeta;
  files.set('timestamp.json', emit(spec.timestamp));
  spec.editFiles?.(files);
  return files;
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Rename a file in place (consistent-snapshot version-mismatch fixtures). */
export function rename(files: Map<string, Buffer>, from: string, to: string): void {
  const b = files.get(from);
  if (!b) throw new Error(`no file ${from}`);
  files.delete(from);
  files.set(to, b);
}
