// Exit code 2 for everything that means "could not run", with one line on stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli.js';
import { FIXTURES } from '../support/paths.js';

const SAMPLE = join(FIXTURES, 'sample-backup.tar.gz');

for (const [what, args] of [
  ['a missing file', ['verify', '/nonexistent/backup.tar.gz']],
  ['an unknown option', ['verify', SAMPLE, '--bogus']],
  ['an unknown command', ['frobnicate']],
  ['a bad --at', ['verify', SAMPLE, '--at', 'yesterday']],
  ['a bad --anchor', ['verify', SAMPLE, '--anchor', '12:xyz']],
  ['a missing profile', ['verify', SAMPLE, '--profile', '/nonexistent.json']],
  ['an unknown --limit', ['verify', SAMPLE, '--limit', 'nope=1']],
  ['a bad audit --format', ['audit', SAMPLE, '--format', 'xml']],
] as const) {
  test(`${what} exits 2 with one line and no stack trace`, () => {
    const r = cli([...args]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.stdout, '');
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
}

test('--help exits 0', () => {
  assert.equal(cli(['--help']).code, 0);
});

test('a YAML profile the parser only warns about (an unknown tag) exits 2 and names the problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mv-profile-'));
  try {
    const p = join(dir, 'profile.yaml');
    writeFileSync(p, 'database:\n  schema: !!foo public\n');
    const r = cli(['verify', SAMPLE, '--profile', p]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /profile\.yaml/);
    assert.match(r.stderr, /tag/i);
    assert.doesNotMatch(r.stderr, /YAMLWarning/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
