// Builds fixtures/archive/: small backup archives for the archive reader's tests, one clean archive
// per container/format and one per defect. Made with real tools: GNU tar (/usr/bin/tar), the `tar`
// npm package (its Pack for one archive, its Header encoder for hostile headers GNU tar refuses to
// write), openssl for the certificates, node:crypto for the keys, age-encryption for the age file.
// Everything is byte-identical on every run (fixed seeds, dates and mtimes) except the age file and
// its identity: age always uses a fresh identity and file key.
//
// Run: npx tsc -p tsconfig.json && node dist/scripts/make-archive-fixtures.js
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey } from 'node:crypto';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { Header, create as tarCreate, type HeaderData } from 'tar';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = join(ROOT, 'fixtures/archive');
const TOP = 'meshanics-backup-20261126T030000Z';
const MTIME = new Date('2026-11-26T03:00:00Z');
const MTIME_S = String(MTIME.getTime() / 1000);
const GNU_TAR = '/usr/bin/tar';

const work = mkdtempSync(join(tmpdir(), 'meshverify-archive-fixtures-'));

/** An unencrypted PKCS#8 Ed25519 private key from a fixed seed. */
function ed25519Pem(label: string): string {
  const der = Buffer.concat([
    Buffer.from('302e020100300506032b657004220420', 'hex'),
    createHash('sha256').update(label).digest(),
  ]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    .export({ format: 'pem', type: 'pkcs8' })
    .toString();
}

function run(cmd: string, args: string[], cwd?: string): void {
  // stderr is kept: a failure's message carries it
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

// ---- the content of a backup ----

interface Material {
  keys: Record<'timestamp' | 'snapshot' | 'server' | 'ca', string>;
  caCrt: string;
  serverCrt: string;
}

// `openssl ca` (unlike `req -x509` / `x509 -req` in openssl 3.0) takes fixed validity dates, and
// Ed25519 signatures are deterministic: the certificates come out byte-identical on every run.
const CA_CONFIG = `[ca]
default_ca = fixture
[fixture]
database = index.txt
new_certs_dir = .
serial = serial
default_md = default
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:meshanics.example.net
authorityKeyIdentifier = keyid
`;

function makeMaterial(): Material {
  const dir = join(work, 'material');
  mkdirSync(dir);
  const keys = {
    timestamp: ed25519Pem('meshverify fixture timestamp key'),
    snapshot: ed25519Pem('meshverify fixture snapshot key'),
    server: ed25519Pem('meshverify fixture server key'),
    ca: ed25519Pem('meshverify fixture ca key'),
  };
  writeFileSync(join(dir, 'ca.key'), keys.ca);
  writeFileSync(join(dir, 'server.key'), keys.server);
  writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '01\n');
  const sign = (args: string[]): void =>
    run('openssl', ['ca', '-batch', '-config', 'ca.cnf', '-keyfile', 'ca.key', '-notext', ...args], dir);
  const request = (key: string, subject: string, out: string): void =>
    run('openssl', ['req', '-new', '-key', key, '-subj', subject, '-out', out], dir);
  request('ca.key', '/CN=Meshanics Device CA', 'ca.csr');
  sign([
    '-selfsign',
    '-in',
    'ca.csr',
    '-extensions',
    'ca_ext',
    '-out',
    'ca.crt',
    '-startdate',
    '20260101000000Z',
    '-enddate',
    '20360101000000Z',
  ]);
  request('server.key', '/CN=meshanics.example.net', 'server.csr');
  sign([
    '-cert',
    'ca.crt',
    '-in',
    'server.csr',
    '-extensions',
    'server_ext',
    '-out',
    'server.crt',
    '-startdate',
    '20260101000000Z',
    '-enddate',
    '20280101000000Z',
  ]);
  return {
    keys,
    caCrt: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    serverCrt: readFileSync(join(dir, 'server.crt'), 'utf8'),
  };
}

/** A stand-in for a custom-format dump: only the reader is under test, which sniffs "PGDMP".
 *  Row-like text after the magic, so it compresses like real data (and gzip damage shows early). */
function fakeCustomDump(bytes = 64): Buffer {
  const head = Buffer.from('PGDMP\x01\x0e\x00\x04\x08\x08\x01\x01');
  const rows: string[] = [];
  let len = head.length;
  for (let i = 0; len < bytes; i++) {
    const row = `${i}\t2026-11-25 22:${String(i % 60).padStart(2, '0')}:00+00\tdevice.enrolled\t${(i * 7919) % 10007}\n`;
    rows.push(row);
    len += row.length;
  }
  return Buffer.concat([head, Buffer.from(rows.join(''))]).subarray(0, bytes);
}

const PLAIN_DUMP = '--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n';

function tufDoc(type: string, version: number): string {
  return (
    JSON.stringify({ signatures: [], signed: { _type: type, spec_version: '1.0.31', version } }, null, 1) +
    '\n'
  );
}

interface LayoutOpts {
  dumps?: Array<{ path: string; data: Buffer }>;
  keyMode?: number;
  keyDirMode?: number;
  certsDirMode?: number;
  /** Extra files: path → content (mode 0644). */
  extra?: Record<string, Buffer | string>;
}

/** Writes the spec's default layout under `dir` with modes as the spec wants them. */
function writeLayout(dir: string, m: Material, o: LayoutOpts = {}): void {
  const file = (p: string, data: Buffer | string, mode = 0o644): void => {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), data);
    chmodSync(join(dir, p), mode);
  };
  for (const d of o.dumps ?? [{ path: 'db/meshanics.dump', data: fakeCustomDump() }]) file(d.path, d.data);
  file('tuf/metadata/1.root.json', tufDoc('root', 1));
  file('tuf/metadata/root.json', tufDoc('root', 1));
  file('tuf/metadata/timestamp.json', tufDoc('timestamp', 1));
  file('tuf/metadata/snapshot.json', tufDoc('snapshot', 1));
  file('tuf/metadata/targets.json', tufDoc('targets', 1));
  const km = o.keyMode ?? 0o600;
  file('tuf/keys/timestamp.key', m.keys.timestamp, km);
  file('tuf/keys/snapshot.key', m.keys.snapshot, km);
  file('certs/server.crt', m.serverCrt);
  file('certs/server.key', m.keys.server, km);
  file('certs/ca.crt', m.caCrt);
  file('certs/ca.key', m.keys.ca, km);
  for (const [p, data] of Object.entries(o.extra ?? {})) file(p, data);
  for (const d of ['db', 'tuf', 'tuf/metadata']) chmodSync(join(dir, d), 0o755);
  chmodSync(join(dir, 'tuf/keys'), o.keyDirMode ?? 0o700);
  chmodSync(join(dir, 'certs'), o.certsDirMode ?? 0o700);
  chmodSync(dir, 0o755);
}

let stageCount = 0;
/** A fresh staging folder holding `<TOP>/` with the layout; returns the folder. */
function stage(m: Material, o: LayoutOpts = {}, top: string = TOP): string {
  const s = join(work, `stage-${stageCount++}`);
  mkdirSync(join(s, top), { recursive: true });
  writeLayout(join(s, top), m, o);
  return s;
}

function gnuTar(cwd: string, items: string[], extra: string[] = []): Buffer {
  const out = join(work, `gnu-${stageCount++}.tar`);
  run(
    GNU_TAR,
    [
      '--create',
      '--file',
      out,
      '--blocking-factor=1',
      '--sort=name',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      `--mtime=@${MTIME_S}`,
      ...extra,
      ...items,
    ],
    cwd,
  );
  return readFileSync(out);
}

const PAX = ['--format=pax', '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime'];

// ---- hand-made headers (for what GNU tar will not write) ----

interface RawEntry {
  path: string;
  type?: HeaderData['type'];
  mode: number;
  body?: Buffer;
  linkpath?: string;
  devmaj?: number;
  devmin?: number;
  /** Name bytes written as is (e.g. not UTF-8). */
  rawName?: Buffer;
}

function setChecksum(block: Buffer): void {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
}

function rawHeader(e: RawEntry): Buffer {
  const block = Buffer.alloc(512);
  const h = new Header({
    path: e.path,
    mode: e.mode,
    uid: 0,
    gid: 0,
    size: e.body?.length ?? 0,
    mtime: MTIME,
    type: e.type ?? 'File',
    linkpath: e.linkpath,
    uname: 'root',
    gname: 'root',
    devmaj: e.devmaj ?? 0,
    devmin: e.devmin ?? 0,
  });
  h.encode(block, 0);
  if (e.rawName) {
    block.fill(0, 0, 100);
    e.rawName.copy(block, 0, 0, 100);
    setChecksum(block);
  }
  return block;
}

function pad(b: Buffer): Buffer {
  const r = b.length % 512;
  return r === 0 ? b : Buffer.concat([b, Buffer.alloc(512 - r)]);
}

function rawBlocks(entries: RawEntry[]): Buffer {
  return Buffer.concat(entries.flatMap((e) => [rawHeader(e), pad(e.body ?? Buffer.alloc(0))]));
}

const EOF = Buffer.alloc(1024);

/** The layout of a staging folder as raw entries (dirs then files, sorted), paths relative to it. */
function rawLayout(dir: string, rel = ''): RawEntry[] {
  const out: RawEntry[] = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const p = rel === '' ? name : `${rel}/${name}`;
    const st = lstatSync(join(dir, p));
    if (st.isDirectory()) {
      out.push({ path: p + '/', type: 'Directory', mode: st.mode & 0o7777 });
      out.push(...rawLayout(dir, p));
    } else if (st.isFile()) out.push({ path: p, mode: st.mode & 0o7777, body: readFileSync(join(dir, p)) });
  }
  return out;
}

// ---- writing ----

const made: Array<{ name: string; bytes: number; what: string }> = [];
function emit(name: string, data: Buffer | Uint8Array, what: string): void {
  writeFileSync(join(OUT, name), data);
  made.push({ name, bytes: data.length, what });
}
const gz = (b: Buffer): Buffer => gzipSync(b, { level: 9 });

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const m = makeMaterial();

  // Clean archives
  const clean = gnuTar(stage(m), [TOP]);
  emit('clean.tar.gz', gz(clean), 'spec layout under a top folder, GNU tar + gzip');
  emit('clean.tar', clean, 'the same, uncompressed');
  emit(
    'clean-notop.tar.gz',
    gz(gnuTar(join(stage(m), TOP), ['.'], ['--format=ustar'])),
    "no top folder, './' prefixes, ustar",
  );
  {
    const s = join(stage(m), TOP);
    const out = join(work, 'nodetar.tar');
    await tarCreate({ cwd: s, file: out, portable: true, mtime: MTIME }, ['db', 'tuf', 'certs']);
    emit('nodetar.tar.gz', gz(readFileSync(out)), 'no top folder, made by the tar npm package');
  }
  const LONG = 'tuf/metadata/' + 'delegated-role-with-a-very-long-name-'.repeat(4) + 'x.json';
  emit(
    'pax-long.tar.gz',
    gz(gnuTar(stage(m, { extra: { [LONG]: tufDoc('targets', 1) } }), [TOP], PAX)),
    'pax format with a name over 100 bytes',
  );
  emit(
    'gnu-long.tar.gz',
    gz(gnuTar(stage(m, { extra: { [LONG]: tufDoc('targets', 1) } }), [TOP], ['--format=gnu'])),
    'GNU format with a name over 100 bytes (././@LongLink)',
  );
  emit(
    'v7.tar.gz',
    gz(gnuTar(join(stage(m), TOP), ['db', 'tuf', 'certs'], ['--format=v7'])),
    'old v7 headers (no ustar magic)',
  );
  emit(
    'dump-sqlgz-sniffed.tar.gz',
    gz(
      gnuTar(stage(m, { dumps: [{ path: 'db/nightly.sql.gz', data: gz(Buffer.from(PLAIN_DUMP)) }] }), [TOP]),
    ),
    'a gzip plain dump under db/ at a non-default name',
  );
  {
    const s = join(work, 'sniffed');
    mkdirSync(join(s, TOP), { recursive: true });
    const t = join(s, TOP);
    const f = (p: string, d: string | Buffer, mode = 0o644): void => {
      mkdirSync(dirname(join(t, p)), { recursive: true, mode: 0o700 });
      writeFileSync(join(t, p), d);
      chmodSync(join(t, p), mode);
    };
    f('database/main.dump', fakeCustomDump());
    f('trust/repo/1.root.json', tufDoc('root', 1));
    f('trust/repo/2.root.json', tufDoc('root', 2));
    f('trust/repo/timestamp.json', tufDoc('timestamp', 2));
    f('trust/online/timestamp.key', m.keys.timestamp, 0o600);
    f('trust/online/snapshot.key', m.keys.snapshot, 0o600);
    f('tls/server.crt', m.serverCrt);
    f('tls/server.key', m.keys.server, 0o600);
    f('tls/ca.crt', m.caCrt);
    f('tls/ca.key', m.keys.ca, 0o600);
    emit('sniffed-layout.tar.gz', gz(gnuTar(s, [TOP])), 'non-default folders, found by content');
  }

  // One defect each (GNU tar)
  {
    const s = stage(m);
    const out = join(work, 'dup.tar');
    writeFileSync(out, gnuTar(s, [TOP]));
    // append a second, different root.json as `tar -r` does; tar -x keeps the later one
    const root = join(s, TOP, 'tuf/metadata/root.json');
    writeFileSync(root, tufDoc('root', 2));
    run(
      GNU_TAR,
      [
        '--append',
        '--file',
        out,
        '--blocking-factor=1',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        `--mtime=@${MTIME_S}`,
        `${TOP}/tuf/metadata/root.json`,
      ],
      s,
    );
    emit('dup-path.tar.gz', gz(readFileSync(out)), 'tuf/metadata/root.json twice (tar -r)');
  }
  {
    const s = stage(m);
    symlinkSync('../../etc/passwd', join(s, TOP, 'db/passwd'));
    emit('symlink-outside.tar.gz', gz(gnuTar(s, [TOP])), 'db/passwd -> ../../etc/passwd');
  }
  {
    const s = stage(m);
    symlinkSync('server.crt', join(s, TOP, 'certs/current.crt'));
    emit(
      'link-in-certs.tar.gz',
      gz(gnuTar(s, [TOP])),
      'certs/current.crt -> server.crt (inside, but in certs/)',
    );
  }
  {
    const s = stage(m);
    run('mkfifo', [join(s, TOP, 'db/pipe')]);
    chmodSync(join(s, TOP, 'db/pipe'), 0o644);
    emit('fifo.tar.gz', gz(gnuTar(s, [TOP])), 'a FIFO db/pipe');
  }
  {
    const s = stage(m, { extra: { 'db/restore-helper': '#!/bin/sh\n' } });
    chmodSync(join(s, TOP, 'db/restore-helper'), 0o4755);
    emit('setuid.tar.gz', gz(gnuTar(s, [TOP])), 'db/restore-helper mode 4755');
  }
  emit(
    'key-mode-0644.tar.gz',
    gz(gnuTar(stage(m, { keyMode: 0o644 }), [TOP])),
    'every private key mode 0644',
  );
  emit('key-dir-0755.tar.gz', gz(gnuTar(stage(m, { keyDirMode: 0o755 }), [TOP])), 'tuf/keys/ mode 0755');
  {
    // files only, no directory entries: the key folders' modes are unknown
    const s = join(stage(m), TOP);
    const files = rawLayout(s)
      .filter((e) => e.type === undefined)
      .map((e) => e.path);
    emit('key-dir-nodir.tar.gz', gz(gnuTar(s, files, ['--no-recursion'])), 'no directory entries at all');
  }
  emit(
    'two-dumps.tar.gz',
    gz(
      gnuTar(
        stage(m, {
          dumps: [
            { path: 'db/meshanics.dump', data: fakeCustomDump() },
            { path: 'db/meshanics.sql', data: Buffer.from(PLAIN_DUMP) },
          ],
        }),
        [TOP],
      ),
    ),
    'db/meshanics.dump and db/meshanics.sql',
  );
  {
    const s = stage(m);
    rmSync(join(s, TOP, 'db'), { recursive: true });
    emit('no-dump.tar.gz', gz(gnuTar(s, [TOP])), 'no db/ at all');
  }
  {
    const s = stage(m, {
      extra: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`misc/note-${i}.txt`, `${i}\n`])),
    });
    emit('many-entries.tar.gz', gz(gnuTar(s, [TOP])), 'the layout plus 40 small files');
  }

  // Damaged streams. The dump is 256 KiB so the cuts fall inside its data.
  {
    const big = gnuTar(
      stage(m, { dumps: [{ path: 'db/meshanics.dump', data: fakeCustomDump(256 * 1024) }] }),
      [TOP],
    );
    // the dump's data starts after its header; cut 10000 bytes into it
    const at = big.indexOf(Buffer.from('PGDMP'));
    emit('truncated.tar', big.subarray(0, at + 10000), 'cut 10000 bytes into the dump data');
    const z = gz(big);
    emit('truncated.tar.gz', z.subarray(0, Math.floor(z.length / 2)), 'gzip cut in half (inside the dump)');
    const bad = Buffer.from(z);
    // flip bytes in the middle of the compressed data
    for (let i = 0; i < 16; i++)
      bad[Math.floor(z.length / 2) + i] = (bad[Math.floor(z.length / 2) + i] ?? 0) ^ 0x5a;
    emit('gzip-corrupt.tar.gz', bad, 'gzip with 16 bytes flipped in the middle');
  }
  {
    const t = Buffer.from(clean);
    // spoil the mode field of tuf/metadata/root.json's header: its checksum no longer matches
    const name = Buffer.from(`${TOP}/tuf/metadata/root.json\0`);
    const at = t.indexOf(name);
    t.write('0000777', at + 100, 'latin1');
    emit('bad-checksum.tar', t, "tuf/metadata/root.json's header checksum is wrong");
  }
  emit(
    'trailing-data.tar',
    Buffer.concat([clean, Buffer.from('TRAILING GARBAGE\n')]),
    'non-zero bytes after the end marker',
  );

  // Hand-made headers, on the layout without a top folder
  const base = rawLayout(join(stage(m), TOP));
  const withExtra = (extra: RawEntry[]): Buffer => gz(Buffer.concat([rawBlocks([...base, ...extra]), EOF]));
  emit(
    'absolute.tar.gz',
    withExtra([{ path: '/etc/meshverify-evil', mode: 0o644, body: Buffer.from('x\n') }]),
    'an absolute path',
  );
  emit(
    'dotdot.tar.gz',
    withExtra([{ path: 'db/../../evil', mode: 0o644, body: Buffer.from('x\n') }]),
    "a '..' path",
  );
  emit(
    'hardlink-outside.tar.gz',
    withExtra([{ path: 'db/shadow', type: 'Link', mode: 0o644, linkpath: '../etc/shadow' }]),
    'a hard link to ../etc/shadow',
  );
  emit(
    'device.tar.gz',
    withExtra([{ path: 'db/null', type: 'CharacterDevice', mode: 0o666, devmaj: 1, devmin: 3 }]),
    'a character device db/null (1,3)',
  );
  emit(
    'non-utf8.tar.gz',
    withExtra([
      {
        path: 'db/notes.txt',
        rawName: Buffer.from('db/caf\xe9.txt', 'latin1'),
        mode: 0o644,
        body: Buffer.from('x\n'),
      },
    ]),
    'a name with a Latin-1 byte',
  );
  emit(
    'unsupported-type.tar.gz',
    withExtra([{ path: 'db/label', type: 'TapeVolumeHeader', mode: 0o644 }]),
    'a tape volume header entry',
  );
  emit(
    'lone-zero.tar.gz',
    gz(
      Buffer.concat([
        rawBlocks(base),
        Buffer.alloc(512),
        rawBlocks([{ path: 'db/hidden.txt', mode: 0o644, body: Buffer.from('x\n') }]),
        EOF,
      ]),
    ),
    'a single zero block, then one more entry',
  );

  // Not archives
  emit('not-an-archive.txt', Buffer.from('This is not a backup archive.\n'.repeat(40)), 'plain text');
  emit('gzip-not-tar.gz', gz(Buffer.from('This is not a tar stream.\n'.repeat(40))), 'gzip of plain text');

  // age: a real encryption of clean.tar.gz; the identity sits next to it for the decryption tests
  {
    const identity = await generateIdentity();
    const e = new Encrypter();
    e.addRecipient(await identityToRecipient(identity));
    emit('clean.tar.gz.age', await e.encrypt(gz(clean)), 'clean.tar.gz encrypted with age (X25519)');
    emit(
      'age-identity.txt',
      Buffer.from(identity + '\n'),
      'the age identity for clean.tar.gz.age (test only)',
    );
  }

  const width = Math.max(...made.map((x) => x.name.length));
  for (const x of made) console.log(`${x.name.padEnd(width)}  ${String(x.bytes).padStart(7)}  ${x.what}`);
}

try {
  await main();
} finally {
  rmSync(work, { recursive: true, force: true });
}
