// Generates fixtures/tuf/: real keys (node:crypto: ed25519, ECDSA P-256, RSA-3072 PSS), real
// signed TUF metadata, and one repository per defect. Run: node dist/scripts/make-tuf-fixtures.js
// Keys are kept in fixtures/tuf/_keystore so a rerun reuses them (ed25519 signatures then stay
// byte-identical; ECDSA and RSA-PSS signatures are randomised by nature).
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keyidOf, legacyHexEcdsa, loadOrCreateKey } from './tuf/keys.js';
import {
  build,
  EXPIRES,
  GOOD_TARGETS,
  goodSpec,
  keysOf,
  rename,
  SPEC_VERSION,
  targetContent,
  targetEntry,
  type FixtureKeys,
  type MetaRef,
  type RepoSpec,
} from './tuf/repo.js';
import { serialize, signEnvelope } from './tuf/sign.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'fixtures', 'tuf');

interface Case {
  name: string;
  description: string;
  apply?: (s: RepoSpec, k: FixtureKeys) => void;
  /** A trusted root (outside the backup) to verify with. */
  trustedRoot?: (k: FixtureKeys) => Buffer;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('expected an object');
  return v as Obj;
};
const firstDelegation = (s: RepoSpec): Obj => {
  const roles = obj(s.targets.signed['delegations'])['roles'];
  if (!Array.isArray(roles)) throw new Error('no delegations');
  return obj(roles[0]);
};
const gateways = (s: RepoSpec): RepoSpec['delegated'][number] => {
  const g = s.delegated[0];
  if (!g) throw new Error('no delegated role');
  return g;
};
const wrongHash = createHash('sha256').update('not the file').digest('hex');
const meta = (m: Record<string, MetaRef>, name: string): MetaRef => {
  const r = m[name];
  if (!r) throw new Error(`no meta ${name}`);
  return r;
};

const linkCases: Case[] = [];
for (const [link, name, versioned] of [
  ['timestamp-snapshot', 'snapshot.json', '3.snapshot.json'],
  ['snapshot-targets', 'targets.json', '2.targets.json'],
  ['snapshot-delegated', 'gateways.json', '1.gateways.json'],
] as const) {
  const edit = (s: RepoSpec, f: (m: Record<string, MetaRef>) => void): void => {
    if (link === 'timestamp-snapshot') s.editTimestampMeta = f;
    else s.editSnapshotMeta = f;
  };
  linkCases.push(
    {
      name: `${link}-version`,
      description: `the ${link} meta lists a version of ${name} that differs from the file's own version (file renamed to match)`,
      apply: (s) => {
        const v = Number(versioned.split('.')[0]) + 1;
        edit(s, (m) => {
          meta(m, name).version = v;
        });
        s.editFiles = (files) => rename(files, versioned, `${v}.${name}`);
      },
    },
    {
      name: `${link}-hash`,
      description: `the ${link} meta lists a wrong sha256 for ${name}`,
      apply: (s) =>
        edit(s, (m) => {
          meta(m, name).hashes = { sha256: wrongHash };
        }),
    },
    {
      name: `${link}-length`,
      description: `the ${link} meta lists a wrong length for ${name}`,
      apply: (s) =>
        edit(s, (m) => {
          const r = meta(m, name);
          r.length = (r.length ?? 0) + 1;
        }),
    },
  );
}

const CASES: Case[] = [
  {
    name: 'good',
    description: 'three roots (key rotation, threshold change), consistent snapshots, one delegation',
  },
  {
    name: 'root-not-signed-by-previous',
    description: '2.root.json is signed by its own new key only, not by root 1',
    apply: (s, k) => {
      const r = s.roots[1];
      if (r) r.signers = [{ key: k.rootB }];
    },
  },
  {
    name: 'root-not-self-signed',
    description: '2.root.json is signed by root 1 key only, not by a threshold of its own keys',
    apply: (s, k) => {
      const r = s.roots[1];
      if (r) r.signers = [{ key: k.rootA }];
    },
  },
  {
    name: 'root-version-jump',
    description: '2.root.json holds version 3',
    apply: (s) => {
      const r = s.roots[1];
      if (r) r.signed['version'] = 3;
    },
  },
  {
    name: 'root-version-missing',
    description: '2.root.json is absent',
    apply: (s) => {
      s.editFiles = (f) => f.delete('2.root.json');
    },
  },
  {
    name: 'root-json-stale',
    description: 'root.json is a copy of root 2, not of the newest root 3',
    apply: (s) => {
      s.editFiles = (f) => {
        const b = f.get('2.root.json');
        if (b) f.set('root.json', b);
      };
    },
  },
  {
    name: 'expired-targets',
    description: 'targets expired in 2021',
    apply: (s) => {
      s.targets.signed['expires'] = '2021-01-01T00:00:00Z';
    },
  },
  ...linkCases,
  {
    name: 'duplicate-keyid-signatures',
    description:
      'gateways has threshold 2 of two keys but is signed twice by the same key under the same keyid',
    apply: (s, k) => {
      const d = firstDelegation(s);
      d['keyids'] = [k.gateways.keyid, k.gateways2.keyid];
      d['threshold'] = 2;
      obj(s.targets.signed['delegations'])['keys'] = keysOf([k.gateways, k.gateways2]);
      gateways(s).signers = [{ key: k.gateways }, { key: k.gateways }];
    },
  },
  {
    name: 'same-key-two-keyids',
    description: 'the gateways delegation lists one key under two keyids with threshold 2; both keyids sign',
    apply: (s, k) => {
      const alias = { ...k.gateways.tuf, 'x-meshverify-note': 'same key, second listing' };
      const aliasId = keyidOf(alias);
      const d = firstDelegation(s);
      d['keyids'] = [k.gateways.keyid, aliasId];
      d['threshold'] = 2;
      obj(s.targets.signed['delegations'])['keys'] = { [k.gateways.keyid]: k.gateways.tuf, [aliasId]: alias };
      gateways(s).signers = [{ key: k.gateways }, { key: k.gateways, keyid: aliasId }];
    },
  },
  {
    name: 'foreign-signer',
    description: 'snapshot is signed only by the targets key, which is not a snapshot key',
    apply: (s, k) => {
      s.snapshot.signers = [{ key: k.targets }];
    },
  },
  {
    name: 'edited-body',
    description: 'a target length in targets was changed after signing',
    apply: (s) => {
      s.targets.post = (env) => {
        obj(obj(env.signed['targets'])['firmware/sensor-2.0.1.bin'])['length'] = 1;
      };
    },
  },
  {
    name: 'leaked-root-key',
    description: 'the RSA root key (root C) is in the key folder',
    apply: (s, k) => {
      s.keyFiles.set('root.key', k.rootC.pkcs8Pem);
    },
  },
  {
    name: 'leaked-targets-key',
    description: 'the targets key is in the key folder',
    apply: (s, k) => {
      s.keyFiles.set('targets.key', k.targets.pkcs8Pem);
    },
  },
  {
    name: 'wrong-online-key',
    description: 'timestamp.key is the timestamp key of root 1, rotated out in root 2',
    apply: (s, k) => {
      s.keyFiles.set('timestamp.key', k.timestampOld.pkcs8Pem);
    },
  },
  {
    name: 'encrypted-key',
    description: 'snapshot.key is an encrypted PKCS#8 key',
    apply: (s, k) => {
      s.keyFiles.set(
        'snapshot.key',
        k.snapshot.privateKey
          .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'fixture passphrase' })
          .toString(),
      );
    },
  },
  {
    name: 'unknown-key',
    description: 'spare.key is a private key of no role',
    apply: (s, k) => {
      s.keyFiles.set('spare.key', k.stranger.pkcs8Pem);
    },
  },
  {
    name: 'threshold-zero',
    description: 'the gateways delegation has threshold 0',
    apply: (s) => {
      firstDelegation(s)['threshold'] = 0;
    },
  },
  {
    name: 'delegation-cycle',
    description: 'gateways delegates firmware/gw-*.bin to gateways again',
    apply: (s, k) => {
      gateways(s).signed['delegations'] = {
        keys: keysOf([k.gateways]),
        roles: [
          {
            keyids: [k.gateways.keyid],
            name: 'gateways',
            paths: ['firmware/gw-*.bin'],
            terminating: false,
            threshold: 1,
          },
        ],
      };
    },
  },
  {
    name: 'target-not-delegated',
    description: 'gateways lists firmware/sensor-9.9.9.bin, outside its delegated paths',
    apply: (s) => {
      obj(gateways(s).signed['targets'])['firmware/sensor-9.9.9.bin'] = targetEntry(
        targetContent('firmware/sensor-9.9.9.bin', 512),
      );
    },
  },
  {
    name: 'terminating-shadow',
    description:
      'a second delegation "late" (firmware/*) after the terminating gateways lists gw-1.2.0.bin (shadowed), gw-9.9.9.bin (unreachable) and radio-1.0.0.bin (fine)',
    apply: (s, k) => {
      const del = obj(s.targets.signed['delegations']);
      del['keys'] = keysOf([k.gateways, k.gateways2]);
      const roles = del['roles'];
      if (Array.isArray(roles))
        roles.push({
          keyids: [k.gateways2.keyid],
          name: 'late',
          paths: ['firmware/*'],
          terminating: false,
          threshold: 1,
        });
      s.delegated.push({
        name: 'late',
        signed: {
          _type: 'targets',
          expires: EXPIRES,
          spec_version: SPEC_VERSION,
          targets: {
            'firmware/gw-1.2.0.bin': targetEntry(targetContent('late gw-1.2.0', 100)),
            'firmware/gw-9.9.9.bin': targetEntry(targetContent('firmware/gw-9.9.9.bin', 100)),
            'firmware/radio-1.0.0.bin': targetEntry(targetContent('firmware/radio-1.0.0.bin', 100)),
          },
          version: 1,
        },
        signers: [{ key: k.gateways2 }],
      });
    },
  },
  {
    name: 'hash-prefix-delegation',
    description: 'gateways is delegated by path_hash_prefixes instead of paths (verifies cleanly)',
    apply: (s) => {
      const d = firstDelegation(s);
      delete d['paths'];
      d['path_hash_prefixes'] = GOOD_TARGETS.filter((t) => t.role === 'gateways').map((t) =>
        createHash('sha256').update(t.path).digest('hex').slice(0, 2),
      );
    },
  },
  {
    name: 'legacy-ecdsa-hex',
    description:
      'the targets key is listed in the legacy form (keytype ecdsa-sha2-nistp256, hex point) (verifies cleanly)',
    apply: (s, k) => {
      const legacy = legacyHexEcdsa(k.targets);
      const id = keyidOf(legacy);
      for (const r of s.roots) {
        const keys = obj(r.signed['keys']);
        delete keys[k.targets.keyid];
        keys[id] = legacy;
        obj(obj(r.signed['roles'])['targets'])['keyids'] = [id];
      }
      s.targets.signers = [{ key: k.targets, keyid: id }];
    },
  },
  {
    name: 'trusted-root-mismatch',
    description:
      'the trusted root (trusted-root.json) is a version 1 root of other keys than the archive holds',
    trustedRoot: (k) => {
      const signed = {
        _type: 'root',
        consistent_snapshot: true,
        expires: EXPIRES,
        keys: keysOf([k.stranger, k.targets, k.snapshot, k.timestampOld]),
        roles: {
          root: { keyids: [k.stranger.keyid], threshold: 1 },
          snapshot: { keyids: [k.snapshot.keyid], threshold: 1 },
          targets: { keyids: [k.targets.keyid], threshold: 1 },
          timestamp: { keyids: [k.timestampOld.keyid], threshold: 1 },
        },
        spec_version: SPEC_VERSION,
        version: 1,
      };
      return serialize(signEnvelope(signed, [{ key: k.stranger }]));
    },
  },
  {
    name: 'delegated-missing',
    description: 'the gateways metadata files are absent',
    apply: (s) => {
      s.editFiles = (f) => {
        f.delete('1.gateways.json');
        f.delete('gateways.json');
      };
    },
  },
  {
    name: 'copy-mismatch',
    description: 'targets.json is a stale version 1 while 2.targets.json is version 2',
    apply: (s, k) => {
      s.editFiles = (f) => {
        const stale = { ...s.targets.signed, version: 1 };
        f.set('targets.json', serialize(signEnvelope(stale, [{ key: k.targets }])));
      };
    },
  },
];

function main(): void {
  const store = join(OUT, '_keystore');
  const k: FixtureKeys = {
    rootA: loadOrCreateKey(store, 'root-a', 'ed25519'),
    rootB: loadOrCreateKey(store, 'root-b', 'ecdsa'),
    rootC: loadOrCreateKey(store, 'root-c', 'rsa'),
    targets: loadOrCreateKey(store, 'targets', 'ecdsa'),
    snapshot: loadOrCreateKey(store, 'snapshot', 'ed25519'),
    timestampOld: loadOrCreateKey(store, 'timestamp-1', 'ecdsa'),
    timestamp: loadOrCreateKey(store, 'timestamp', 'rsa'),
    gateways: loadOrCreateKey(store, 'gateways', 'ed25519'),
    gateways2: loadOrCreateKey(store, 'gateways-2', 'ecdsa'),
    stranger: loadOrCreateKey(store, 'stranger', 'ed25519'),
  };
  const index: Array<{ name: string; description: string }> = [];
  for (const c of CASES) {
    const spec = goodSpec(k);
    c.apply?.(spec, k);
    const files = build(spec);
    const dir = join(OUT, c.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'metadata'), { recursive: true });
    mkdirSync(join(dir, 'keys'), { recursive: true });
    for (const [name, b] of [...files].sort(([a], [b2]) => (a < b2 ? -1 : 1)))
      writeFileSync(join(dir, 'metadata', name), b);
    for (const [name, pem] of spec.keyFiles) writeFileSync(join(dir, 'keys', name), pem, { mode: 0o600 });
    if (c.trustedRoot) writeFileSync(join(dir, 'trusted-root.json'), c.trustedRoot(k));
    index.push({ name: c.name, description: c.description });
  }
  // The good repository's targets, for the sample backup's artifact rows.
  const good = join(OUT, 'good');
  writeFileSync(
    join(good, 'targets.json'),
    JSON.stringify(
      GOOD_TARGETS.map((t) => ({
        path: t.path,
        length: t.content.length,
        sha256: createHash('sha256').update(t.content).digest('hex'),
        role: t.role,
      })),
      null,
      2,
    ) + '\n',
  );
  for (const t of GOOD_TARGETS) {
    const p = join(good, 'targets', t.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, t.content);
  }
  writeFileSync(join(OUT, 'cases.json'), JSON.stringify(index, null, 2) + '\n');
  process.stdout.write(`wrote ${CASES.length} TUF fixtures under ${OUT}\n`);
}

main();
