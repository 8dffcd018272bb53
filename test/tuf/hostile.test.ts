// Malformed, hostile and unusual input: every problem is a finding naming the file and field,
// never an exception, a hang or a stack overflow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { build, goodSpec, keysOf, SPEC_VERSION, type RepoSpec } from '../../scripts/tuf/repo.js';
import { keyidOf, tufKeyOf, type FixtureKey } from '../../scripts/tuf/keys.js';
import {
  codes,
  fixtureFiles,
  fixtureKeys,
  matching,
  runSources,
  sourceFromMap,
  type RunOptions,
} from './helpers.js';
import { MemorySource } from '../../src/files/source.js';

const K = fixtureKeys();

function built(mutate: (s: RepoSpec) => void): Map<string, Buffer> {
  const s = goodSpec(K);
  mutate(s);
  return build(s);
}

function run(files: Map<string, Buffer>, o: RunOptions = {}): ReturnType<typeof runSources> {
  return runSources(sourceFromMap(files), o);
}

function firstDelegation(s: RepoSpec): Record<string, unknown> {
  const d = s.targets.signed['delegations'] as { roles: Array<Record<string, unknown>> };
  const r = d.roles[0];
  if (!r) throw new Error('no delegation');
  return r;
}

test('malformed JSON is a finding naming the file', () => {
  const files = fixtureFiles('good');
  files.set('timestamp.json', Buffer.from('{"signed": {"_type": '));
  const { findings, report } = run(files);
  assert.equal(
    matching(findings, 'TUF_JSON_INVALID', { path: 'timestamp.json', role: 'timestamp' }).length,
    1,
  );
  assert.equal(report.roles.find((r) => r.role === 'timestamp')?.verified, false);
});

test('invalid UTF-8 and a non-object top level are findings', () => {
  const files = fixtureFiles('good');
  files.set('timestamp.json', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
  files.set('3.snapshot.json', Buffer.from('[]'));
  const { findings } = run(files);
  assert.equal(matching(findings, 'TUF_JSON_INVALID', { path: 'timestamp.json' }).length, 1);
  // snapshot is only reached through timestamp, which is unreadable; check it directly as a root instead.
  const f2 = fixtureFiles('good');
  f2.set('2.root.json', Buffer.from('[]'));
  const r2 = run(f2);
  assert.equal(matching(r2.findings, 'TUF_FIELD_INVALID', { path: '2.root.json' }).length, 1);
});

test('100,000 nested arrays: a depth finding before JSON.parse, not a stack overflow', () => {
  const files = fixtureFiles('good');
  files.set('timestamp.json', Buffer.from('['.repeat(100_000) + ']'.repeat(100_000)));
  files.set('2.root.json', Buffer.from('{"signed":' + '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_001)));
  const { findings } = run(files);
  assert.equal(
    matching(findings, 'LIMIT_EXCEEDED', { path: 'timestamp.json', limit: 'tuf.maxJsonDepth' }).length,
    1,
  );
  assert.equal(
    matching(findings, 'LIMIT_EXCEEDED', { path: '2.root.json', limit: 'tuf.maxJsonDepth' }).length,
    1,
  );
});

test('file size bound uses the FileSource size, before reading the data', () => {
  const src = sourceFromMap(fixtureFiles('good'));
  src.put({ path: 'timestamp.json', data: Buffer.from('{}'), mode: 0o644, mtime: undefined, size: 10 ** 10 });
  const { findings } = runSources(src);
  assert.equal(
    matching(findings, 'LIMIT_EXCEEDED', { path: 'timestamp.json', limit: 'tuf.maxMetadataBytes' }).length,
    1,
  );
  const small = run(fixtureFiles('good'), { limits: { maxMetadataBytes: 100 } });
  assert.ok(matching(small.findings, 'LIMIT_EXCEEDED', { limit: 'tuf.maxMetadataBytes' }).length > 0);
});

test('wrong _type names the file and field', () => {
  const files = built((s) => {
    s.snapshot.signed['_type'] = 'targets';
  });
  const { findings } = run(files);
  assert.equal(
    matching(findings, 'TUF_TYPE_MISMATCH', {
      path: '3.snapshot.json',
      role: 'snapshot',
      field: 'signed._type',
    }).length,
    1,
  );
});

test('a missing required field names the file and field', () => {
  const files = built((s) => {
    delete s.timestamp.signed['expires'];
  });
  const { findings } = run(files);
  assert.equal(
    matching(findings, 'TUF_FIELD_MISSING', { path: 'timestamp.json', field: 'signed.expires' }).length,
    1,
  );
});

test('a float in signed cannot be canonical JSON', () => {
  const files = built((s) => {
    s.targets.post = (env) => {
      const t = env.signed['targets'] as Record<string, Record<string, unknown>>;
      const e = t['config/mesh-defaults.json'];
      if (e) e['custom'] = { ratio: 1.5 };
    };
  });
  const { findings } = run(files);
  assert.equal(
    matching(findings, 'TUF_CANONICAL_JSON_INVALID', {
      path: '2.targets.json',
      field: 'signed.targets.config/mesh-defaults.json.custom.ratio',
    }).length,
    1,
  );
  assert.equal(matching(findings, 'TUF_THRESHOLD_NOT_MET', { role: 'targets' }).length, 1);
});

test('spec_version "1.0" is a warning, "2.0.0" an error', () => {
  const loose = built((s) => {
    for (const r of [...s.roots, s.targets, s.snapshot, s.timestamp, ...s.delegated])
      r.signed['spec_version'] = '1.0';
  });
  const a = run(loose);
  assert.deepEqual(codes(a.findings).sort(), ['TUF_ANCHOR_UNTRUSTED', 'TUF_SPEC_VERSION_FORMAT']);
  const b = run(
    built((s) => {
      s.timestamp.signed['spec_version'] = '2.0.0';
    }),
  );
  assert.equal(matching(b.findings, 'TUF_SPEC_VERSION_UNSUPPORTED', { path: 'timestamp.json' }).length, 1);
  assert.equal(SPEC_VERSION.startsWith('1.'), true);
});

test('a keyid that is not the hash of its key is a warning only', () => {
  const fake = 'ab'.repeat(32);
  const files = built((s) => {
    const d = firstDelegation(s);
    d['keyids'] = [fake];
    (s.targets.signed['delegations'] as Record<string, unknown>)['keys'] = { [fake]: K.gateways.tuf };
    const g = s.delegated[0];
    if (g) g.signers = [{ key: K.gateways, keyid: fake }];
  });
  const { findings } = run(files);
  assert.equal(matching(findings, 'TUF_KEYID_MISMATCH', { path: '2.targets.json', keyid: fake }).length, 1);
  assert.deepEqual(codes(findings, ['critical', 'error']), []);
});

test('an RSA key under 2048 bits does not count', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const tuf = tufKeyOf('rsa', publicKey);
  const small: FixtureKey = {
    name: 'small',
    kind: 'rsa',
    privateKey,
    publicKey,
    tuf,
    keyid: keyidOf(tuf),
    pkcs8Pem: '',
  };
  const files = built((s) => {
    const d = firstDelegation(s);
    d['keyids'] = [small.keyid];
    (s.targets.signed['delegations'] as Record<string, unknown>)['keys'] = keysOf([small]);
    const g = s.delegated[0];
    if (g) g.signers = [{ key: small }];
  });
  const { findings } = run(files);
  assert.equal(
    matching(findings, 'TUF_KEY_TOO_SMALL', { path: '2.targets.json', keyid: small.keyid }).length,
    1,
  );
  assert.equal(matching(findings, 'TUF_THRESHOLD_NOT_MET', { role: 'gateways' }).length, 1);
});

test('unsafe, reserved and duplicate delegated role names are refused', () => {
  const files = built((s) => {
    const roles = (s.targets.signed['delegations'] as { roles: Array<Record<string, unknown>> }).roles;
    const base = roles[0] ?? {};
    roles.push({ ...base, name: '../../etc/passwd' }, { ...base, name: 'root' }, { ...base });
  });
  const { findings } = run(files);
  assert.equal(
    matching(findings, 'TUF_DELEGATION_NAME_UNSAFE', { path: '2.targets.json', role: '../../etc/passwd' })
      .length,
    1,
  );
  assert.equal(
    matching(findings, 'TUF_DELEGATION_NAME_RESERVED', { path: '2.targets.json', role: 'root' }).length,
    1,
  );
  assert.equal(
    matching(findings, 'TUF_DELEGATION_NAME_DUPLICATE', { path: '2.targets.json', role: 'gateways' }).length,
    1,
  );
});

test('paths and path_hash_prefixes together are refused', () => {
  const files = built((s) => {
    firstDelegation(s)['path_hash_prefixes'] = ['ab'];
  });
  const { findings } = run(files);
  assert.equal(
    matching(findings, 'TUF_DELEGATION_PATHS_CONFLICT', { path: '2.targets.json', role: 'gateways' }).length,
    1,
  );
});

test('bounds: root versions, and a huge version number is one gap finding', () => {
  const few = run(fixtureFiles('good'), { limits: { maxRootVersions: 2 } });
  assert.equal(matching(few.findings, 'LIMIT_EXCEEDED', { limit: 'tuf.maxRootVersions' }).length, 1);
  const files = fixtureFiles('good');
  const r3 = files.get('3.root.json');
  if (r3) files.set('999999999999.root.json', r3);
  const t0 = Date.now();
  const { findings } = run(files);
  assert.ok(Date.now() - t0 < 5000);
  const gap = matching(findings, 'TUF_ROOT_VERSION_MISSING', { path: '4.root.json', version: 4 });
  assert.equal(gap.length, 1);
  assert.equal(gap[0]?.detail?.['count'], 999999999999 - 4);
  assert.equal(matching(findings, 'TUF_ROOT_VERSION_MISMATCH', { path: '999999999999.root.json' }).length, 1);
});

test('a trusted root that cannot be read falls back to the archive, saying so', () => {
  const { findings, report } = run(fixtureFiles('good'), {
    trustedRoot: { path: 'bad.json', data: Buffer.from('nope') },
  });
  assert.equal(matching(findings, 'TUF_TRUSTED_ROOT_INVALID', { path: 'bad.json' }).length, 1);
  assert.equal(report.anchor.kind, 'oldest-in-archive');
});

test('a trusted root newer than the archive is an error', () => {
  const files = fixtureFiles('good');
  const r3 = files.get('3.root.json');
  files.delete('3.root.json');
  files.delete('root.json');
  const { findings } = run(files, { trustedRoot: { path: 'trusted.json', data: r3 ?? Buffer.alloc(0) } });
  assert.equal(matching(findings, 'TUF_TRUSTED_ROOT_NEWER', { role: 'root', version: 3 }).length, 1);
});

test('key files: readable by others, not a key, unreferenced metadata', () => {
  const files = fixtureFiles('good');
  files.set('notes.txt', Buffer.from('hello'));
  const keys = new MemorySource('keys');
  const pem = Buffer.from(K.timestamp.pkcs8Pem);
  keys.put({ path: 'timestamp.key', data: pem, mode: 0o644, mtime: undefined, size: pem.length });
  keys.put({ path: 'README', data: Buffer.from('not a key'), mode: 0o644, mtime: undefined, size: 9 });
  const { findings, report } = run(files, { keys });
  assert.equal(matching(findings, 'TUF_KEY_FILE_PERMISSIONS', { path: 'timestamp.key' }).length, 1);
  assert.equal(matching(findings, 'TUF_KEY_FILE_UNREADABLE', { path: 'README' }).length, 1);
  assert.equal(matching(findings, 'TUF_ONLINE_KEY_MISSING', { role: 'snapshot' }).length, 1);
  assert.equal(matching(findings, 'TUF_FILE_UNREFERENCED', { path: 'notes.txt' }).length, 1);
  assert.deepEqual(report.unreferencedFiles, ['notes.txt']);
});

test('a non-consistent-snapshot repository reads the unversioned files', () => {
  const files = built((s) => {
    for (const r of s.roots) r.signed['consistent_snapshot'] = false;
    s.editFiles = (f) => {
      for (const n of ['3.snapshot.json', '2.targets.json', '1.gateways.json']) f.delete(n);
    };
  });
  const { findings, report } = run(files);
  assert.deepEqual(codes(findings), ['TUF_ANCHOR_UNTRUSTED']);
  assert.equal(report.consistentSnapshot, false);
  assert.equal(report.roles.find((r) => r.role === 'snapshot')?.path, 'snapshot.json');
});

test('consistent snapshots: a missing versioned file is reported even if the plain copy exists', () => {
  const files = fixtureFiles('good');
  files.delete('2.targets.json');
  const { findings } = run(files);
  assert.equal(
    matching(findings, 'TUF_CONSISTENT_FILE_MISSING', { path: '2.targets.json', role: 'targets' }).length,
    1,
  );
});

test('random corruption of metadata never throws', () => {
  const good = fixtureFiles('good');
  const names = [...good.keys()].sort();
  fc.assert(
    fc.property(
      fc.nat({ max: names.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      (fi, edits) => {
        const files = new Map(good);
        const name = names[fi] ?? 'timestamp.json';
        const b = Buffer.from(files.get(name) ?? Buffer.alloc(1));
        for (const [pos, byte] of edits) b[pos % b.length] = byte;
        files.set(name, b);
        const { report } = run(files);
        assert.equal(typeof report.summary.ok, 'boolean');
        JSON.stringify(report);
      },
    ),
    { numRuns: 60, seed: 42 },
  );
});

test('an empty metadata folder: findings and a report, no exception', () => {
  const findings = run(new Map());
  assert.equal(matching(findings.findings, 'TUF_FILE_MISSING', { role: 'root' }).length, 1);
  assert.equal(findings.report.anchor.kind, 'none');
  assert.equal(findings.report.summary.ok, false);
});
