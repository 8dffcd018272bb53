// `meshverify restore` against a real PostgreSQL: the fixture dump restored with the real
// pg_restore verifies clean against an archive holding it; then one defect per test, applied to
// the restored database as a superuser would (triggers disabled) or to a restored directory.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { x as tarExtract } from 'tar';
import { FIXTURES } from '../support/paths.js';
import { verifyRestore } from '../../src/restore/restore.js';
import type { Report } from '../../src/report/types.js';
import {
  buildArchive,
  cleanup,
  errorsOf,
  findings,
  LIVE,
  one,
  options,
  restoredCopy,
  restoredDatabase,
  sql,
  status,
  tempDir,
} from './helpers.js';

after(cleanup);

const archiveP = buildArchive();

/** A fresh restore of clean.dump with `tamper` applied (superuser, triggers off), checked. */
async function check(
  tamper: string | undefined,
  dirs: { tufDir?: string; certsDir?: string } = {},
): Promise<Report> {
  const { archive } = await archiveP;
  const db = await restoredDatabase();
  if (tamper)
    await sql(
      db.server,
      db.name,
      `ALTER TABLE audit_log DISABLE TRIGGER ALL; ${tamper}; ALTER TABLE audit_log ENABLE TRIGGER ALL;`,
    );
  return verifyRestore(archive, { verify: options(), db: { url: db.url }, ...dirs });
}

test('a faithful restore of the fixture dump verifies clean', async () => {
  const r = await check(undefined);
  assert.deepEqual(errorsOf(r), []);
  assert.equal(r.verdict, 'verified');
  assert.equal(r.exitCode, 0);
  const s = r.sections['restore'] as { records: Record<string, number>; tables: unknown[]; rows: unknown[] };
  assert.deepEqual(s.records, {
    same: 3000,
    missing: 0,
    extra: 0,
    appended: 0,
    differs: 0,
    archive: 3000,
    restored: 3000,
  });
  assert.equal(s.tables.length, 7);
  assert.equal(s.rows.length, 4);
  for (const id of ['restore.tables', 'restore.rows', 'db.chain', 'restore.records'])
    assert.equal(status(r, id), 'passed', id);
  for (const id of ['restore.tuf-files', 'tuf', 'restore.certs-files', 'x509'])
    assert.equal(status(r, id), 'skipped', id);
  const live = r.chains.find((c) => c.table === LIVE);
  assert.equal(live?.last, 3000);
  assert.equal(live?.headHash, '85a0d06c64e92f29112258de02ce8a879683baaaa0e3fa749c34771c8c36ea76');
  assert.equal(live?.intact, true);
  // Nothing of the restore area at all (timestamptz compared as instants across time zones).
  assert.deepEqual(
    r.findings.filter((f) => f.area === 'restore').map((f) => f.code),
    [],
  );
});

test('a dropped audit row: missing at its seq, a gap in the live chain', async () => {
  const r = await check('DELETE FROM audit_log WHERE seq = 1200');
  const f = one(r, 'RESTORE_RECORD_MISSING', { table: LIVE, seq: 1200 });
  assert.equal(f.location.seqTo, undefined);
  assert.equal(one(r, 'CHAIN_GAP', { table: LIVE, seq: 1200 }).location.seqTo, undefined);
  one(r, 'RESTORE_ROW_COUNT', { table: 'public.audit_log' });
  assert.equal(status(r, 'restore.records'), 'failed');
  assert.equal(r.exitCode, 1);
});

test('an edited audit row (hash left alone): differs in content, altered in the live chain', async () => {
  const r = await check("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1500");
  const f = one(r, 'RESTORE_RECORD_DIFFERS', { table: LIVE, seq: 1500 });
  assert.equal(f.detail?.['reason'], 'content');
  one(r, 'CHAIN_RECORD_ALTERED', { table: LIVE, seq: 1500 });
  assert.equal(findings(r, 'RESTORE_RECORD_MISSING').length, 0);
});

test('a rewritten suffix with recomputed hashes: the live chain is intact, the comparison is not', async () => {
  const r = await check(`DO $$
    DECLARE rec public.audit_log; prev bytea;
    BEGIN
      SELECT hash INTO prev FROM public.audit_log WHERE seq = 1499;
      FOR rec IN SELECT * FROM public.audit_log WHERE seq >= 1500 ORDER BY seq LOOP
        IF rec.seq = 1500 THEN rec.actor := 'mallory'; END IF;
        rec.prev_hash := prev;
        rec.hash := sha256(prev || public.audit_record_bytes(rec));
        UPDATE public.audit_log SET actor = rec.actor, prev_hash = rec.prev_hash, hash = rec.hash WHERE seq = rec.seq;
        prev := rec.hash;
      END LOOP;
    END $$`);
  const f = one(r, 'RESTORE_RECORD_DIFFERS', { table: LIVE, seq: 1500, seqTo: 3000 });
  assert.equal(f.detail?.['reason'], 'hash');
  assert.equal(f.detail?.['records'], 1501);
  assert.deepEqual(
    r.findings.filter((x) => x.area === 'chain' && x.location.table === LIVE && x.severity !== 'info'),
    [],
  );
  assert.equal(r.chains.find((c) => c.table === LIVE)?.intact, true);
});

test('a truncated tail: one ranged missing finding that only the comparison can see', async () => {
  const r = await check('DELETE FROM audit_log WHERE seq > 2990');
  one(r, 'RESTORE_RECORD_MISSING', { table: LIVE, seq: 2991, seqTo: 3000 });
  assert.deepEqual(
    r.findings.filter((x) => x.area === 'chain' && x.location.table === LIVE && x.severity === 'error'),
    [],
  );
  one(r, 'RESTORE_ROW_COUNT', { table: 'public.audit_log' });
});

test('records appended after the restore are a warning, and the extended chain is replayed', async () => {
  const r = await check(
    "ALTER TABLE audit_log ENABLE TRIGGER ALL; INSERT INTO audit_log (occurred_at, actor, action, subject, payload) VALUES ('infinity', 'node', 'boot', NULL, '{}')",
  );
  one(r, 'RESTORE_RECORD_APPENDED', { table: LIVE, seq: 3001 });
  assert.equal(findings(r, 'RESTORE_RECORD_EXTRA').length, 0);
  assert.equal(r.chains.find((c) => c.table === LIVE)?.last, 3001);
  assert.equal(r.chains.find((c) => c.table === LIVE)?.intact, true);
});

test('a missing table', async () => {
  const r = await check('DROP TABLE public.rollouts');
  const f = one(r, 'RESTORE_TABLE_MISSING', { table: 'public.rollouts' });
  assert.equal(f.detail?.['dumpRows'], 3);
  assert.equal(status(r, 'restore.tables'), 'failed');
});

test('a changed trust_state row: the column, located by role', async () => {
  const r = await check("UPDATE trust_state SET version = version + 1 WHERE role = 'targets'");
  const f = one(r, 'RESTORE_ROW_DIFFERS', { table: 'public.trust_state', role: 'targets', field: 'version' });
  assert.notEqual(f.detail?.['dump'], f.detail?.['restored']);
  assert.equal(findings(r, 'RESTORE_ROW_DIFFERS').length, 1);
  assert.equal(status(r, 'restore.rows'), 'failed');
});

test('a deleted device row: missing, located by device id', async () => {
  const r = await check(
    "DELETE FROM enrollments WHERE device_id = '882badd0-2ce6-4c5d-9340-6f4f1cc491bc'; DELETE FROM devices WHERE serial = 'MX-0001'",
  );
  one(r, 'RESTORE_ROW_MISSING', { table: 'public.devices', device: '882badd0-2ce6-4c5d-9340-6f4f1cc491bc' });
});

test('an artifact row the dump does not have: extra', async () => {
  const r = await check(
    "INSERT INTO artifacts VALUES ('00000000-0000-4000-8000-000000000001', 'firmware/evil.bin', repeat('0', 64), 1, now())",
  );
  const f = one(r, 'RESTORE_ROW_EXTRA', { table: 'public.artifacts' });
  assert.deepEqual(f.detail?.['key'], { target_path: 'firmware/evil.bin' });
});

test('a restored certificate directory with a lost file', async () => {
  const { staging } = await archiveP;
  const certs = restoredCopy(join(staging, 'certs'), 'certs');
  rmSync(join(certs, 'server.key'));
  const r = await check(undefined, { certsDir: certs });
  const f = one(r, 'RESTORE_FILE_MISSING', { path: 'certs/server.key' });
  assert.equal(f.detail?.['restored'], join(certs, 'server.key'));
  assert.equal(status(r, 'restore.certs-files'), 'failed');
});

test('a restored certificate directory whose key lost its restrictive mode', async () => {
  const { staging } = await archiveP;
  const certs = restoredCopy(join(staging, 'certs'), 'certs');
  chmodSync(join(certs, 'ca.key'), 0o644);
  const r = await check(undefined, { certsDir: certs });
  const f = one(r, 'RESTORE_FILE_MODE_WIDENED', { path: 'certs/ca.key' });
  assert.equal(f.detail?.['archiveMode'], '0600');
  assert.equal(f.detail?.['restoredMode'], '0644');
  assert.equal(findings(r, 'RESTORE_FILE_MISSING').length, 0);
});

test('a restored certificate folder opened to everyone', async () => {
  const { staging } = await archiveP;
  const certs = restoredCopy(join(staging, 'certs'), 'certs');
  chmodSync(certs, 0o755);
  const r = await check(undefined, { certsDir: certs });
  const f = one(r, 'RESTORE_FILE_MODE_WIDENED', { path: 'certs' });
  assert.equal(f.detail?.['kind'], 'directory');
});

test('a restored certificate that is not byte-identical, and a file the archive does not hold', async () => {
  const { staging } = await archiveP;
  const certs = restoredCopy(join(staging, 'certs'), 'certs');
  appendFileSync(join(certs, 'server.crt'), '\n');
  writeFileSync(join(certs, 'notes.txt'), 'left over\n');
  const r = await check(undefined, { certsDir: certs });
  one(r, 'RESTORE_FILE_DIFFERS', { path: 'certs/server.crt' });
  one(r, 'RESTORE_FILE_EXTRA', { path: 'certs/notes.txt' });
});

test('a restored TUF directory with a lost metadata file (then verified as a device would)', async () => {
  const { staging } = await archiveP;
  const tuf = restoredCopy(join(staging, 'tuf'), 'tuf');
  rmSync(join(tuf, 'metadata', 'timestamp.json'));
  const r = await check(undefined, { tufDir: tuf });
  one(r, 'RESTORE_FILE_MISSING', { path: 'tuf/metadata/timestamp.json' });
  assert.equal(status(r, 'restore.tuf-files'), 'failed');
  // The TUF verification ran on the restored directory (and fails without timestamp.json).
  assert.notEqual(status(r, 'tuf'), 'skipped');
  assert.ok(r.findings.some((f) => f.area === 'tuf' && f.severity === 'error'));
});

test('a faithful restore of directories: files, bytes and modes identical', async () => {
  const { staging } = await archiveP;
  const certs = restoredCopy(join(staging, 'certs'), 'certs');
  const tuf = restoredCopy(join(staging, 'tuf'), 'tuf');
  const r = await check(undefined, { certsDir: certs, tufDir: tuf });
  assert.deepEqual(
    r.findings.filter((f) => f.area === 'restore').map((f) => `${f.code} ${JSON.stringify(f.location)}`),
    [],
  );
  assert.equal(status(r, 'restore.certs-files'), 'passed');
  assert.equal(status(r, 'restore.tuf-files'), 'passed');
  const s = r.sections['restore'] as { directories: Array<{ files: number }> };
  assert.deepEqual(
    s.directories.map((d) => d.files),
    [4, 13],
  );
});

test('the post-restore procedure on the sample backup: restore everything, then every check passes', async () => {
  const archive = join(FIXTURES, 'sample-backup.tar.gz');
  // As an operator restores it: extract with modes (tar -xp), pg_restore the dump.
  const node = tempDir('node');
  await tarExtract({ file: archive, cwd: node, chmod: true, processUmask: 0o022 });
  const top = join(node, readdirSync(node)[0] ?? '');
  const db = await restoredDatabase(join(top, 'db', 'meshanics.dump'));
  const r = await verifyRestore(archive, {
    verify: options(),
    db: { url: db.url },
    tufDir: join(top, 'tuf'),
    certsDir: join(top, 'certs'),
  });
  assert.deepEqual(errorsOf(r), []);
  assert.equal(r.verdict, 'verified');
  for (const id of [
    'restore.tables',
    'restore.rows',
    'db.chain',
    'restore.records',
    'restore.certs-files',
    'restore.tuf-files',
    'x509',
  ])
    assert.equal(status(r, id), 'passed', id);
  assert.notEqual(status(r, 'tuf'), 'skipped');
  assert.ok(r.sections['certificates'] !== undefined && r.sections['tuf'] !== undefined);
});
