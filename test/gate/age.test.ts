// age-encrypted archives: X25519 identities, passphrases, ASCII armor, a tampered payload, and the
// inputs that must stop the run with exit 2 (wrong secret, absurd work factor, endless header).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { armor, Encrypter } from 'age-encryption';
import { AgeError, Dearmor, readIdentityFile, sniffAge } from '../../src/gate/age.js';
import type { Report } from '../../src/report/types.js';
import { cli } from '../support/cli.js';
import { entry, fixture, IDENTITY, only, scratch } from './helpers.js';

const AT = ['--at', entry('night3.tar.gz').referenceTime, '--jobs', '1'];

function verifyJson(
  archive: string,
  args: string[],
): { code: number | null; report: Report; stderr: string } {
  const r = cli(['verify', archive, '--json', ...AT, ...args]);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

async function passphraseArchive(dir: string, logN: number): Promise<string> {
  const e = new Encrypter();
  e.setPassphrase('correct horse battery staple');
  e.setScryptWorkFactor(logN);
  const out = join(dir, 'night3.tar.gz.pass.age');
  writeFileSync(out, await e.encrypt(readFileSync(fixture('night3.tar.gz'))));
  return out;
}

test('a passphrase-encrypted archive is read with --passphrase-file', async () => {
  const dir = scratch();
  const archive = await passphraseArchive(dir, 10);
  const pass = join(dir, 'pass.txt');
  writeFileSync(pass, 'correct horse battery staple\n');
  const r = verifyJson(archive, ['--passphrase-file', pass]);
  assert.equal(r.code, 0, JSON.stringify(r.report.findings.map((f) => f.code)));
  assert.equal(r.report.archive?.container, 'age');
  assert.equal(r.report.archive?.innerContainer, 'tar.gz');
  assert.equal(r.report.chains[0]?.last, entry('night3.tar.gz').head.seq);
  // The wrong passphrase, or an identity where a passphrase is needed: exit 2, saying which.
  writeFileSync(pass, 'wrong\n');
  const wrong = cli(['verify', archive, '--passphrase-file', pass]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /cannot open this age archive \(recipients: scrypt\)/);
  const id = cli(['verify', archive, '--identity', IDENTITY]);
  assert.equal(id.code, 2);
  assert.match(id.stderr, /give --passphrase-file/);
});

test('a passphrase work factor above 2^18 is refused before scrypt runs (memory bound)', async () => {
  const dir = scratch();
  const archive = await passphraseArchive(dir, 10);
  const bytes = readFileSync(archive);
  const text = bytes.toString('latin1');
  // Same length: "10" → "22" in the scrypt stanza (the MAC no longer matches, but it is never reached).
  const edited = text.replace(/(\n-> scrypt [A-Za-z0-9+/]+ )10\n/, '$122\n');
  assert.notEqual(edited, text);
  writeFileSync(archive, Buffer.from(edited, 'latin1'));
  const pass = join(dir, 'pass.txt');
  writeFileSync(pass, 'correct horse battery staple\n');
  const r = cli(['verify', archive, '--passphrase-file', pass]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /work factor 2\^22 is above 2\^18/);
});

test('an ASCII-armored archive is de-armored while it streams', () => {
  const dir = scratch();
  const armored = join(dir, 'night1.tar.gz.age.asc');
  writeFileSync(armored, armor.encode(readFileSync(fixture('night1.tar.gz.age'))));
  assert.equal(sniffAge(armored), 'age-armor');
  const r = verifyJson(armored, ['--identity', IDENTITY, '--at', entry('night1.tar.gz.age').referenceTime]);
  assert.equal(r.code, 0, JSON.stringify(r.report.findings.map((f) => f.code)));
  assert.equal(r.report.chains[0]?.headHash, entry('night1.tar.gz.age').head.hash);
});

test('a payload altered after encryption: ARCHIVE_DECRYPT_FAILED (a verification failure, exit 1)', () => {
  const dir = scratch();
  const bytes = Buffer.from(readFileSync(fixture('night1.tar.gz.age')));
  const at = Math.floor(bytes.length / 2);
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  const file = join(dir, 'flipped.tar.gz.age');
  writeFileSync(file, bytes);
  const r = verifyJson(file, ['--identity', IDENTITY]);
  assert.equal(r.code, 1);
  const f = only(r.report, 'ARCHIVE_DECRYPT_FAILED');
  assert.equal(f.location.path, file);
});

test('an endless age header is refused with exit 2, without reading it all', () => {
  const dir = scratch();
  const file = join(dir, 'endless.age');
  writeFileSync(
    file,
    Buffer.concat([Buffer.from('age-encryption.org/v1\n-> X25519 '), Buffer.alloc(3 << 20, 0x41)]),
  );
  const r = cli(['verify', file, '--identity', IDENTITY]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot open this age archive/);
});

test('identity files: comments and several identities; anything else is refused', () => {
  const dir = scratch();
  const ids = readIdentityFile(IDENTITY);
  assert.equal(ids.length, 1);
  const two = join(dir, 'two.txt');
  writeFileSync(two, `# created: today\n\n${ids[0]}\r\n# another\n${ids[0]}\n`);
  assert.equal(readIdentityFile(two).length, 2);
  const ssh = join(dir, 'ssh.txt');
  writeFileSync(ssh, 'ssh-ed25519 AAAAC3Nza... user@host\n');
  assert.throws(() => readIdentityFile(ssh), AgeError);
  const empty = join(dir, 'empty.txt');
  writeFileSync(empty, '# nothing\n');
  assert.throws(() => readIdentityFile(empty), AgeError);
  const r = cli(['verify', fixture('night1.tar.gz.age'), '--identity', ssh]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /not an age identity/);
});

test('Dearmor: the same bytes whatever the chunking; malformed armor is refused', () => {
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff));
  const text = Buffer.from(armor.encode(data).replace(/\n/g, '\r\n'));
  for (const size of [1, 3, 64, 65, 4096]) {
    const d = new Dearmor();
    const out: Buffer[] = [];
    for (let i = 0; i < text.length; i += size) out.push(...d.push(text.subarray(i, i + size)));
    d.end();
    assert.deepEqual(Buffer.concat(out), data, `chunks of ${size}`);
  }
  const lines = armor.encode(data).split('\n');
  const broken = [
    lines.slice(1).join('\n'), // no BEGIN
    lines.slice(0, -2).join('\n'), // no END
    [lines[0], 'not*base64', ...lines.slice(1)].join('\n'),
    [lines[0], (lines[1] ?? '').slice(0, 60), ...lines.slice(1)].join('\n'), // a short line mid-body
    lines.join('\n') + 'trailing garbage\n',
  ];
  for (const b of broken) {
    const d = new Dearmor();
    assert.throws(() => {
      d.push(Buffer.from(b));
      d.end();
    }, Error);
  }
});
