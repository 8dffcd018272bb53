// Containers and formats: tar, tar.gz, age (with and without the decryption slot), non-archives,
// ustar / pax / GNU / v7 headers, the top folder, offsets, hashing.
import assert from 'node:assert/strict';
import { openSync, readFileSync, readSync, closeSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { Decrypter } from 'age-encryption';
import { Header } from 'tar';
import type { ArchiveDecryptor } from '../../src/archive/types.js';
import { TOP, fixture, only, problemCodes, read, sha256 } from './helpers.js';

const LAYOUT_FILES = [
  'certs/ca.crt',
  'certs/ca.key',
  'certs/server.crt',
  'certs/server.key',
  'tuf/keys/snapshot.key',
  'tuf/keys/timestamp.key',
  'tuf/metadata/1.root.json',
  'tuf/metadata/root.json',
  'tuf/metadata/snapshot.json',
  'tuf/metadata/targets.json',
  'tuf/metadata/timestamp.json',
];
const DEFAULT_LAYOUT = {
  dumps: ['db/meshanics.dump'],
  tufMetadata: 'tuf/metadata',
  tufKeys: 'tuf/keys',
  certs: 'certs',
};

function headerAt(file: string, offset: number): Header {
  const fd = openSync(file, 'r');
  try {
    const block = Buffer.alloc(512);
    readSync(fd, block, 0, 512, offset);
    return new Header(block);
  } finally {
    closeSync(fd);
  }
}

test('clean tar.gz: container, top folder stripped, layout, files, one dump, complete', async () => {
  const r = await read(fixture('clean.tar.gz'));
  const f = r.result.facts;
  assert.equal(f.container, 'tar.gz');
  assert.equal(f.topFolder, TOP);
  assert.equal(f.complete, true);
  assert.deepEqual(problemCodes(r), []);
  assert.deepEqual(r.findings.list, []);
  assert.deepEqual(r.result.layout, DEFAULT_LAYOUT);
  assert.deepEqual(r.result.files.list(), LAYOUT_FILES);
  assert.deepEqual(
    r.dumps.map((d) => d.path),
    ['db/meshanics.dump'],
  );
  const key = r.result.files.get('tuf/keys/timestamp.key');
  assert.equal(key?.mode, 0o600);
  assert.ok(key?.data?.toString().startsWith('-----BEGIN PRIVATE KEY-----'));
  assert.equal(key?.mtime?.toISOString(), '2026-11-26T03:00:00.000Z');
  assert.equal(r.result.files.dirMode('tuf/keys'), 0o700);
  assert.equal(r.result.files.dirMode(''), 0o755, 'the top folder is the root');
  // the top folder entry itself maps to ''
  assert.equal(r.result.entries[0]?.path, '');
  assert.equal(r.result.entries[0]?.rawPath, `${TOP}/`);
});

test('facts: size and SHA-256 of the raw file, and the file is left as it was', async () => {
  const file = fixture('clean.tar.gz');
  const before = readFileSync(file);
  const mtime = statSync(file).mtimeMs;
  const r = await read(file);
  assert.equal(r.result.facts.size, before.length);
  assert.equal(r.result.facts.sha256, sha256(before));
  assert.equal(r.result.facts.path, file);
  assert.deepEqual(readFileSync(file), before);
  assert.equal(statSync(file).mtimeMs, mtime);
});

test('plain tar: entry offsets point at each entry header in the file', async () => {
  const file = fixture('clean.tar');
  const r = await read(file);
  assert.equal(r.result.facts.container, 'tar');
  assert.equal(r.result.facts.complete, true);
  assert.equal(r.result.entries.length, 18);
  for (const e of r.result.entries) {
    const h = headerAt(file, e.offset);
    assert.equal(h.cksumValid, true, `header at ${e.offset}`);
    assert.equal(h.path, e.rawPath);
    assert.equal(h.size, e.size);
    assert.equal(h.mode, e.mode);
  }
  const dump = r.result.entries.find((e) => e.path === 'db/meshanics.dump');
  assert.equal(dump?.kind, 'file');
  assert.equal(dump?.index, 7);
});

test("no top folder: './' prefixes normalised, topFolder null", async () => {
  const r = await read(fixture('clean-notop.tar.gz'));
  assert.equal(r.result.facts.topFolder, null);
  assert.deepEqual(r.findings.list, []);
  assert.deepEqual(r.result.files.list(), LAYOUT_FILES);
  assert.deepEqual(r.result.layout, DEFAULT_LAYOUT);
  assert.ok(
    r.result.entries.some((e) => e.rawPath === './db/meshanics.dump' && e.path === 'db/meshanics.dump'),
  );
  assert.equal(r.result.entries[0]?.rawPath, './');
  assert.equal(r.result.entries[0]?.path, '');
});

test('archive made by the tar npm package (no top folder) reads clean', async () => {
  const r = await read(fixture('nodetar.tar.gz'));
  assert.deepEqual(r.findings.list, []);
  assert.equal(r.result.facts.topFolder, null);
  assert.deepEqual(r.result.files.list(), LAYOUT_FILES);
});

const LONG = 'tuf/metadata/' + 'delegated-role-with-a-very-long-name-'.repeat(4) + 'x.json';

for (const [name, type] of [
  ['pax-long.tar.gz', 'ExtendedHeader'],
  ['gnu-long.tar.gz', 'NextFileHasLongPath'],
] as const) {
  test(`${name}: a name over 100 bytes is read whole; extendedOffset points at its ${type} header`, async () => {
    const r = await read(fixture(name));
    assert.deepEqual(problemCodes(r), []);
    assert.equal(r.result.facts.complete, true);
    assert.ok(r.result.files.get(LONG)?.data?.toString().includes('"_type": "targets"'));
    const e = r.result.entries.find((x) => x.path === LONG);
    assert.ok(e);
    assert.equal(e.rawPath, `${TOP}/${LONG}`);
    assert.ok(e.extendedOffset !== undefined && e.extendedOffset < e.offset);
    // read the decompressed stream to check both offsets
    const { gunzipSync } = await import('node:zlib');
    const tar = gunzipSync(readFileSync(fixture(name)));
    assert.equal(new Header(tar.subarray(e.extendedOffset, e.extendedOffset + 512)).type, type);
    assert.equal(new Header(tar.subarray(e.offset, e.offset + 512)).type, 'File');
    // other entries carry no extendedOffset
    assert.equal(r.result.entries.find((x) => x.path === 'db/meshanics.dump')?.extendedOffset, undefined);
  });
}

test('v7 headers (no ustar magic): read, with an info finding', async () => {
  const r = await read(fixture('v7.tar.gz'));
  assert.deepEqual(problemCodes(r), []);
  const f = only(r, 'ARCHIVE_TAR_NO_MAGIC');
  assert.equal(f.severity, 'info');
  assert.deepEqual(r.result.layout, DEFAULT_LAYOUT);
});

test('not an archive: ARCHIVE_NOT_TAR naming the file; still hashed', async () => {
  const file = fixture('not-an-archive.txt');
  const r = await read(file);
  const f = only(r, 'ARCHIVE_NOT_TAR');
  assert.equal(f.location.path, file);
  assert.deepEqual(problemCodes(r), ['ARCHIVE_NOT_TAR']);
  assert.equal(r.result.facts.container, 'unknown');
  assert.equal(r.result.facts.complete, false);
  assert.equal(r.result.facts.sha256, sha256(readFileSync(file)));
  assert.deepEqual(r.result.entries, []);
});

test('gzip of something that is not tar: ARCHIVE_NOT_TAR inside gzip', async () => {
  const file = fixture('gzip-not-tar.gz');
  const r = await read(file);
  const f = only(r, 'ARCHIVE_NOT_TAR');
  assert.equal(f.location.path, file);
  assert.equal(f.detail?.['inside'], 'gzip');
  assert.equal(r.result.facts.container, 'tar.gz');
  assert.deepEqual(problemCodes(r), ['ARCHIVE_NOT_TAR']);
});

test('missing file: ARCHIVE_UNREADABLE, no crash', async () => {
  const r = await read(fixture('does-not-exist.tar'));
  const f = only(r, 'ARCHIVE_UNREADABLE');
  assert.equal(f.location.path, fixture('does-not-exist.tar'));
  assert.deepEqual(problemCodes(r), ['ARCHIVE_UNREADABLE']);
});

test('age archive without decryption: ARCHIVE_ENCRYPTED, container age, hashed', async () => {
  const file = fixture('clean.tar.gz.age');
  const r = await read(file);
  const f = only(r, 'ARCHIVE_ENCRYPTED');
  assert.equal(f.location.path, file);
  assert.deepEqual(problemCodes(r), ['ARCHIVE_ENCRYPTED']);
  assert.equal(r.result.facts.container, 'age');
  assert.equal(r.result.facts.sha256, sha256(readFileSync(file)));
  assert.deepEqual(r.dumps, []);
});

function ageDecryptor(identity: string): ArchiveDecryptor {
  return async (ciphertext) => {
    const d = new Decrypter();
    d.addIdentity(identity);
    const plain = await d.decrypt(Readable.toWeb(ciphertext) as ReadableStream<Uint8Array>);
    return Readable.fromWeb(plain as Parameters<typeof Readable.fromWeb>[0]);
  };
}

test('age archive through the decryption slot (real age): read like the plain archive', async () => {
  const identity = readFileSync(fixture('age-identity.txt'), 'utf8').trim();
  const r = await read(fixture('clean.tar.gz.age'), { decrypt: ageDecryptor(identity) });
  assert.deepEqual(r.findings.list, []);
  assert.equal(r.result.facts.container, 'age');
  assert.equal(r.result.facts.innerContainer, 'tar.gz');
  assert.equal(r.result.facts.complete, true);
  assert.deepEqual(r.result.files.list(), LAYOUT_FILES);
  assert.deepEqual(r.result.layout, DEFAULT_LAYOUT);
});

test('age archive with the wrong identity: ARCHIVE_DECRYPT_FAILED', async () => {
  const { generateIdentity } = await import('age-encryption');
  const r = await read(fixture('clean.tar.gz.age'), { decrypt: ageDecryptor(await generateIdentity()) });
  const f = only(r, 'ARCHIVE_DECRYPT_FAILED');
  assert.equal(f.location.path, fixture('clean.tar.gz.age'));
  assert.deepEqual(problemCodes(r), ['ARCHIVE_DECRYPT_FAILED']);
});
