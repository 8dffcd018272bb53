// Layout: dumps (by path, by content), key and key-folder modes, folders found by content,
// profile overrides.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EntryInfo } from '../../src/archive/types.js';
import { DEFAULT_PROFILE, type Profile } from '../../src/profile/profile.js';
import { all, fixture, only, problemCodes, read, tarOf, tempDir } from './helpers.js';

test('private keys looser than 0600: ARCHIVE_KEY_MODE_LOOSE (error) for each key', async () => {
  const r = await read(fixture('key-mode-0644.tar.gz'));
  const found = all(r, 'ARCHIVE_KEY_MODE_LOOSE');
  assert.deepEqual(found.map((f) => f.location.path).sort(), [
    'certs/ca.key',
    'certs/server.key',
    'tuf/keys/snapshot.key',
    'tuf/keys/timestamp.key',
  ]);
  for (const f of found) {
    assert.equal(f.severity, 'error');
    assert.equal(f.detail?.['mode'], '0644');
    const e = r.result.entries.find((x) => x.path === f.location.path);
    assert.equal(f.location.offset, e?.offset);
  }
  assert.deepEqual(problemCodes(r), ['ARCHIVE_KEY_MODE_LOOSE']);
});

test('key folder looser than 0700: ARCHIVE_KEY_DIR_MODE_LOOSE (warning) at the folder', async () => {
  const r = await read(fixture('key-dir-0755.tar.gz'));
  const f = only(r, 'ARCHIVE_KEY_DIR_MODE_LOOSE');
  assert.equal(f.location.path, 'tuf/keys');
  assert.equal(f.severity, 'warning');
  assert.equal(f.detail?.['mode'], '0755');
  assert.deepEqual(problemCodes(r), ['ARCHIVE_KEY_DIR_MODE_LOOSE']);
});

test('key folders without directory entries: ARCHIVE_KEY_DIR_MODE_UNKNOWN (info) for each', async () => {
  const r = await read(fixture('key-dir-nodir.tar.gz'));
  const found = all(r, 'ARCHIVE_KEY_DIR_MODE_UNKNOWN');
  assert.deepEqual(found.map((f) => f.location.path).sort(), ['certs', 'tuf/keys']);
  for (const f of found) assert.equal(f.severity, 'info');
  assert.deepEqual(problemCodes(r), []);
  assert.equal(r.result.files.dirMode('tuf/keys'), undefined);
});

test('two dumps: ARCHIVE_MULTIPLE_DUMPS; both handed to the consumer, default path first', async () => {
  const r = await read(fixture('two-dumps.tar.gz'));
  const f = only(r, 'ARCHIVE_MULTIPLE_DUMPS');
  assert.equal(f.severity, 'warning');
  assert.deepEqual(f.detail?.['dumps'], ['db/meshanics.dump', 'db/meshanics.sql']);
  assert.deepEqual(r.result.layout.dumps, ['db/meshanics.dump', 'db/meshanics.sql']);
  assert.deepEqual(r.dumps.map((d) => d.path).sort(), ['db/meshanics.dump', 'db/meshanics.sql']);
  assert.deepEqual(problemCodes(r), ['ARCHIVE_MULTIPLE_DUMPS']);
  // dumps are streamed, not kept
  assert.equal(r.result.files.get('db/meshanics.sql'), undefined);
});

test('no dump: ARCHIVE_NO_DUMP (error)', async () => {
  const r = await read(fixture('no-dump.tar.gz'));
  const f = only(r, 'ARCHIVE_NO_DUMP');
  assert.equal(f.severity, 'error');
  assert.equal(f.location.path, fixture('no-dump.tar.gz'));
  assert.deepEqual(problemCodes(r), ['ARCHIVE_NO_DUMP']);
  assert.deepEqual(r.dumps, []);
});

test('a gzip plain dump under db/ at another name is sniffed as a dump', async () => {
  const r = await read(fixture('dump-sqlgz-sniffed.tar.gz'));
  assert.deepEqual(problemCodes(r), []);
  assert.deepEqual(r.result.layout.dumps, ['db/nightly.sql.gz']);
  assert.deepEqual(
    r.dumps.map((d) => d.path),
    ['db/nightly.sql.gz'],
  );
});

test('folders absent at the default paths are found by content: ARCHIVE_LAYOUT_SNIFFED (info) each', async () => {
  const r = await read(fixture('sniffed-layout.tar.gz'));
  assert.deepEqual(r.result.layout, {
    dumps: ['database/main.dump'],
    tufMetadata: 'trust/repo',
    tufKeys: 'trust/online',
    certs: 'tls',
  });
  const found = all(r, 'ARCHIVE_LAYOUT_SNIFFED');
  assert.deepEqual(found.map((f) => [f.location.field, f.location.path]).sort(), [
    ['certs', 'tls'],
    ['tufKeys', 'trust/online'],
    ['tufMetadata', 'trust/repo'],
  ]);
  for (const f of found) assert.equal(f.severity, 'info');
  assert.deepEqual(problemCodes(r), []);
  assert.deepEqual(
    r.dumps.map((d) => d.path),
    ['database/main.dump'],
  );
});

test('nothing at a default folder and nothing like it: ARCHIVE_LAYOUT_MISSING (error) for each kind', async (t) => {
  const tmp = tempDir();
  t.after(tmp.cleanup);
  const file = join(tmp.dir, 'only-dump.tar');
  writeFileSync(file, tarOf([{ path: 'db/meshanics.dump', data: Buffer.from('PGDMP fake') }]));
  const r = await read(file);
  const missing = all(r, 'ARCHIVE_LAYOUT_MISSING');
  assert.deepEqual(missing.map((f) => [f.location.field, f.location.path]).sort(), [
    ['certs', 'certs'],
    ['tufKeys', 'tuf/keys'],
    ['tufMetadata', 'tuf/metadata'],
  ]);
  for (const f of missing) assert.equal(f.severity, 'error');
  assert.deepEqual(problemCodes(r), ['ARCHIVE_LAYOUT_MISSING']);
  assert.deepEqual(r.result.layout, {
    dumps: ['db/meshanics.dump'],
    tufMetadata: undefined,
    tufKeys: undefined,
    certs: undefined,
  });
});

test('a profile path that is absent falls back to the folder found by content', async () => {
  const r = await read(fixture('clean.tar.gz'), {
    profile: { ...DEFAULT_PROFILE, paths: { ...DEFAULT_PROFILE.paths, tufMetadata: 'repository/metadata' } },
  });
  const s = only(r, 'ARCHIVE_LAYOUT_SNIFFED');
  assert.equal(s.location.path, 'tuf/metadata');
  assert.equal(s.location.field, 'tufMetadata');
  assert.equal(s.detail?.['default'], 'repository/metadata');
  assert.equal(r.result.layout.tufMetadata, 'tuf/metadata');
});

test('profile overrides: folders at the profile paths are used without a finding', async () => {
  const profile: Profile = {
    ...DEFAULT_PROFILE,
    paths: {
      ...DEFAULT_PROFILE.paths,
      dumps: ['database/main.dump'],
      tufMetadata: 'trust/repo',
      tufKeys: 'trust/online',
      certs: 'tls',
    },
  };
  const r = await read(fixture('sniffed-layout.tar.gz'), { profile });
  assert.deepEqual(r.findings.list, []);
  assert.equal(r.result.layout.certs, 'tls');
});

test('a plain SQL dump at a non-default path is sniffed by its first line', async (t) => {
  const tmp = tempDir();
  t.after(tmp.cleanup);
  const file = join(tmp.dir, 'sql.tar');
  const sql = Buffer.from('--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n');
  writeFileSync(
    file,
    tarOf([
      { path: 'exports/all.sql', data: sql },
      { path: 'notes/readme.txt', data: Buffer.from('hi\n') },
    ]),
  );
  const r = await read(file);
  assert.deepEqual(r.result.layout.dumps, ['exports/all.sql']);
  assert.deepEqual(
    r.dumps.map((d) => [d.path, d.bytes]),
    [['exports/all.sql', sql.length]],
  );
  assert.equal(r.result.files.get('exports/all.sql'), undefined, 'dumps are streamed, not kept');
});

test('private keys are recognised by a .key name or by PEM content; both need 0600', async (t) => {
  const tmp = tempDir();
  t.after(tmp.cleanup);
  const file = join(tmp.dir, 'keys.tar');
  const pem = Buffer.from('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n');
  writeFileSync(
    file,
    tarOf([
      { path: 'db/meshanics.dump', data: Buffer.from('PGDMP') },
      { path: 'extra/binary.key', data: Buffer.from([0x30, 0x2e, 0x02, 0x01]), extra: { mode: 0o640 } },
      { path: 'extra/server.pem', data: pem, extra: { mode: 0o644 } },
      {
        path: 'extra/public.pem',
        data: Buffer.from('-----BEGIN PUBLIC KEY-----\nx\n'),
        extra: { mode: 0o644 },
      },
      { path: 'extra/ok.key', data: pem, extra: { mode: 0o400 } },
    ]),
  );
  const r = await read(file);
  assert.deepEqual(
    all(r, 'ARCHIVE_KEY_MODE_LOOSE')
      .map((f) => [f.location.path, f.detail?.['mode']])
      .sort(),
    [
      ['extra/binary.key', '0640'],
      ['extra/server.pem', '0644'],
    ],
  );
  // the folder holding them has no directory entry
  assert.equal(only(r, 'ARCHIVE_KEY_DIR_MODE_UNKNOWN').location.path, 'extra');
});

test('a top folder guessed while streaming but disproved later: paths are re-mapped at the end', async (t) => {
  const tmp = tempDir();
  t.after(tmp.cleanup);
  const file = join(tmp.dir, 'late.tar');
  writeFileSync(
    file,
    tarOf([
      { path: 'backup/', data: Buffer.alloc(0), extra: { type: 'Directory', mode: 0o755 } },
      { path: 'backup/db/meshanics.dump', data: Buffer.from('PGDMP') },
      { path: 'stray.txt', data: Buffer.from('x\n') },
    ]),
  );
  let seen: EntryInfo | undefined;
  let pathDuringPass = '';
  const r = await read(file, {
    onDump: async (entry, content) => {
      seen = entry;
      pathDuringPass = entry.path;
      for await (const c of content) assert.ok(c);
    },
  });
  assert.equal(pathDuringPass, 'db/meshanics.dump', 'tentatively stripped while streaming');
  assert.equal(r.result.facts.topFolder, null);
  assert.equal(seen?.path, 'backup/db/meshanics.dump', 'the same object carries the final path');
  assert.deepEqual(r.result.layout.dumps, ['backup/db/meshanics.dump']);
  assert.ok(r.result.files.get('stray.txt'));
});
