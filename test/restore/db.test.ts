// `meshverify db` (a live database's chain on its own), the command line's exit codes, and the
// cases where the check cannot run: those stop with exit 2 and never leave a report behind.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { verifyDatabase } from '../../src/restore/database.js';
import { CannotRunError } from '../../src/restore/errors.js';
import { verifyRestore } from '../../src/restore/restore.js';
import { BIN, ROOT } from '../support/paths.js';
import { pgServer } from '../support/pg.js';
import {
  buildArchive,
  CLEAN_HEAD,
  cleanup,
  LIVE,
  one,
  options,
  restoredDatabase,
  sql,
  status,
  tempDir,
} from './helpers.js';

after(cleanup);

const archiveP = buildArchive();

const run = promisify(execFile);
const validate = new Ajv({ allErrors: true, strict: false }).compile(
  JSON.parse(readFileSync(join(ROOT, 'schema', 'report.schema.json'), 'utf8')) as object,
);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

/** End every meshverify session on `database`, waiting until it is done (psql, next to pg_restore). */
function terminate(url: string, database: string): void {
  const r = spawnSync(
    'psql',
    [
      url,
      '-qAtc',
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}' AND application_name = 'meshverify'`,
    ],
    { encoding: 'utf8' },
  );
  if (r.error || r.status !== 0 || !r.stdout.includes('t'))
    throw new Error(`psql could not end the session: ${r.error?.message ?? r.stderr}${r.stdout}`);
}

const anchor = { seq: CLEAN_HEAD.seq, hash: Buffer.from(CLEAN_HEAD.hash, 'hex') };

test('db: the live chain verifies, and its head matches the anchor kept from the backup', async () => {
  const db = await restoredDatabase();
  const r = await verifyDatabase({
    verify: options({ anchors: [anchor] }),
    db: { url: db.url },
    batchRows: 700,
  });
  assert.equal(r.verdict, 'verified');
  assert.equal(r.input.kind, 'database');
  assert.match(r.input.path, /^postgres:\/\/[^:@/]+@/); // user@host: never the password
  const c = r.chains.find((x) => x.table === LIVE);
  assert.equal(c?.count, 3000);
  assert.deepEqual(
    c?.anchors.map((a) => a.status),
    ['matched'],
  );
});

test('cli: db prints the live head to keep as the next anchor; its JSON report follows the schema', async () => {
  const db = await restoredDatabase();
  const text = await cli(['db', '--db', db.url, '--no-color']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`--anchor ${CLEAN_HEAD.seq}:${CLEAN_HEAD.hash}`));
  const json = await cli([
    'db',
    '--db',
    db.url,
    '--json',
    '--anchor',
    `${CLEAN_HEAD.seq}:${CLEAN_HEAD.hash}`,
  ]);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as { input: { kind: string } };
  assert.equal(report.input.kind, 'database');
  assert.ok(validate(report), JSON.stringify(validate.errors, null, 2));
});

test('db: a truncated tail is caught by the anchor', async () => {
  const db = await restoredDatabase();
  await sql(
    db.server,
    db.name,
    'ALTER TABLE audit_log DISABLE TRIGGER ALL; DELETE FROM audit_log WHERE seq > 2990',
  );
  const r = await verifyDatabase({ verify: options({ anchors: [anchor] }), db: { url: db.url } });
  one(r, 'CHAIN_ANCHOR_BEYOND_HEAD', { table: LIVE, seq: 3000 });
  assert.equal(r.exitCode, 1);
});

test('db: a database without the audit table cannot be checked (CannotRunError)', async () => {
  const db = await restoredDatabase();
  await sql(db.server, db.name, 'DROP TABLE audit_log CASCADE');
  await assert.rejects(
    verifyDatabase({ verify: options(), db: { url: db.url } }),
    (e: unknown) => e instanceof CannotRunError && /public\.audit_log/.test(e.message),
  );
});

test('db: an audit table without a recipe column cannot be checked', async () => {
  const db = await restoredDatabase();
  await sql(db.server, db.name, 'ALTER TABLE audit_log DROP COLUMN subject');
  await assert.rejects(
    verifyDatabase({ verify: options(), db: { url: db.url } }),
    (e: unknown) => e instanceof CannotRunError && /subject/.test(e.message),
  );
});

test('restore: a connection lost in the middle of the stream stops the check, no report', async () => {
  const { archive } = await archiveP;
  const db = await restoredDatabase();
  let killed = false;
  await assert.rejects(
    verifyRestore(archive, {
      verify: options(),
      db: { url: db.url },
      batchRows: 100,
      onProgress: () => {
        if (killed) return;
        killed = true;
        // Another session ends ours between two FETCHes (synchronously: the next FETCH fails).
        terminate(db.server.url('postgres'), db.name);
      },
    }),
    (e: unknown) => e instanceof CannotRunError && /audit_log/.test(e.message),
  );
  assert.equal(killed, true);
});

test('restore: --timeout (the options signal) mid-stream skips the unfinished checks, never judges the unread rows', async () => {
  const { archive } = await archiveP;
  const db = await restoredDatabase();
  const stop = new AbortController();
  const r = await verifyRestore(archive, {
    verify: options({ signal: stop.signal }),
    db: { url: db.url },
    batchRows: 100,
    onProgress: () => stop.abort(),
  });
  assert.equal(status(r, 'db.chain'), 'skipped');
  assert.equal(status(r, 'restore.records'), 'skipped');
  assert.equal(status(r, 'restore.tables'), 'passed');
  // 2900 records were never read: none of them may be called missing.
  assert.deepEqual(
    r.findings.filter((f) => f.code.startsWith('RESTORE_RECORD') || f.code.startsWith('CHAIN_ANCHOR')),
    [],
  );
  assert.equal(status(r, 'restore.certs-files'), 'skipped');
});

test('cli: restore exits 0 for a faithful restore, 1 for a defect, with the JSON report', async () => {
  const { archive } = await archiveP;
  const good = await restoredDatabase();
  const ok = await cli(['restore', archive, '--db', good.url, '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  const report = JSON.parse(ok.stdout) as { command: string; verdict: string };
  assert.equal(report.command, 'restore');
  assert.equal(report.verdict, 'verified');
  assert.ok(validate(report), JSON.stringify(validate.errors, null, 2));

  const bad = await restoredDatabase();
  await sql(
    bad.server,
    bad.name,
    'ALTER TABLE audit_log DISABLE TRIGGER ALL; DELETE FROM audit_log WHERE seq = 7',
  );
  const failed = await cli(['restore', archive, '--db', bad.url, '--json']);
  assert.equal(failed.code, 1, failed.stderr);
  const codes = (
    JSON.parse(failed.stdout) as { findings: Array<{ code: string; location: { seq?: number } }> }
  ).findings
    .filter((f) => f.code === 'RESTORE_RECORD_MISSING')
    .map((f) => f.location.seq);
  assert.deepEqual(codes, [7]);
});

test('cli: a database that does not exist is exit 2, with no report', async () => {
  const { archive } = await archiveP;
  const server = await pgServer();
  const reportFile = join(tempDir('report'), 'report.json');
  const r = await cli([
    'restore',
    archive,
    '--db',
    server.url('mv_no_such_database'),
    '--report',
    reportFile,
  ]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /mv_no_such_database/);
  assert.match(r.stderr, /no such database/);
  assert.equal(existsSync(reportFile), false);
});

test('cli: an unknown user is exit 2 (credentials)', async () => {
  const server = await pgServer();
  const url = server.url('postgres').replace(/^postgres:\/\/[^@]*@/, 'postgres://mv_nobody_here@');
  const r = await cli(['db', '--db', url]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /mv_nobody_here/);
});

test('cli: nothing listening is exit 2', async () => {
  const r = await cli(['db', '--db', 'postgres://postgres@127.0.0.1:1/postgres']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot connect/);
});

test('cli: db without --db or PG* variables is bad usage', async () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG')));
  let code = -1;
  try {
    await run(process.execPath, [BIN, 'db'], { env });
    code = 0;
  } catch (e) {
    code = (e as { code?: number }).code ?? -1;
  }
  assert.equal(code, 2);
});
