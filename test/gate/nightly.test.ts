// The nightly gate end to end on the committed fixtures (scripts/make-gate-fixtures.ts): three
// age-encrypted nights of one node pass with chained, signed receipts; then each defect, gated
// against night 2's receipt, is blocked with its own code at its place.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { canonicalBody } from '../../src/gate/receipt.js';
import { cli } from '../support/cli.js';
import { ROOT } from '../support/paths.js';
import {
  blocking,
  entry,
  findings,
  fixture,
  gate,
  IDENTITY,
  keyPair,
  MANIFEST,
  only,
  scratch,
} from './helpers.js';

let dir = '';
let keys = { priv: '', pub: '' };
let r1 = '';
let r2 = '';

const validateReceipt = new Ajv({ allErrors: true, strict: false }).compile(
  JSON.parse(readFileSync(join(ROOT, 'schema', 'receipt.schema.json'), 'utf8')) as object,
);
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

before(() => {
  dir = scratch();
  keys = keyPair(dir);
  r1 = join(dir, 'night1.receipt.json');
  r2 = join(dir, 'night2.receipt.json');
  const a = gate(fixture('night1.tar.gz.age'), r1, ['--identity', IDENTITY, '--sign-key', keys.priv]);
  assert.equal(a.code, 0, JSON.stringify(blocking(a.report)));
  const b = gate(fixture('night2.tar.gz.age'), r2, [
    '--identity',
    IDENTITY,
    '--sign-key',
    keys.priv,
    '--previous',
    r1,
  ]);
  assert.equal(b.code, 0, JSON.stringify(blocking(b.report)));
});

/** Night 3's node with one defect, gated against night 2's receipt. */
function defect(file: string, extra: string[] = []): ReturnType<typeof gate> {
  return gate(fixture(file), join(dir, `${file}.receipt.json`), [
    '--previous',
    r2,
    '--sign-key',
    keys.priv,
    ...extra,
  ]);
}

test('the fixtures: each night extends the last (PostgreSQL saw the previous head in the next chain)', () => {
  const n1 = entry('night1.tar.gz.age');
  const n2 = entry('night2.tar.gz.age');
  const n3 = entry('night3.tar.gz.age');
  assert.ok(n1.records < n2.records && n2.records < n3.records);
  assert.deepEqual(
    MANIFEST.prefixCheck.map((p) => [p.night, p.seq, p.hash]),
    [
      ['night2', n1.head.seq, n1.head.hash],
      ['night3', n2.head.seq, n2.head.hash],
    ],
  );
});

test('three nights pass with chained, signed receipts', () => {
  const r3 = join(dir, 'night3.receipt.json');
  const c = gate(fixture('night3.tar.gz.age'), r3, [
    '--identity',
    IDENTITY,
    '--sign-key',
    keys.priv,
    '--previous',
    r2,
  ]);
  assert.equal(c.code, 0, JSON.stringify(blocking(c.report)));
  assert.equal(c.report.command, 'gate');
  const receipts = [r1, r2, r3].map((p) => JSON.parse(readFileSync(p, 'utf8')) as typeof c.receipt);
  for (const [i, rc] of receipts.entries()) {
    const night = entry(`night${i + 1}.tar.gz.age`);
    assert.ok(validateReceipt(rc), JSON.stringify(validateReceipt.errors));
    assert.equal(rc.signed.verdict, 'passed');
    assert.equal(rc.signed.archive.sha256, night.sha256);
    assert.equal(rc.signed.archive.encrypted, true);
    assert.equal(rc.signed.archive.innerContainer, 'tar.gz');
    // The head PostgreSQL reported before pg_dump is the head the receipt records.
    assert.deepEqual(
      [rc.signed.chain?.headSeq, rc.signed.chain?.headHash],
      [night.head.seq, night.head.hash],
    );
    assert.equal(rc.signed.chain?.records, night.records);
    assert.equal(rc.signed.tuf?.roles.find((r) => r.role === 'timestamp')?.version, night.timestampVersion);
    assert.deepEqual(
      rc.signed.tuf?.rootHistory.map((h) => h.version),
      [1, 2, 3],
    );
    assert.deepEqual(
      rc.signed.certificates.map((x) => x.role),
      ['server', 'ca'],
    );
    assert.equal(rc.signatures.length, 1);
    // Chained: each body names the previous body's hash.
    const prev = receipts[i - 1];
    if (prev) {
      assert.equal(rc.signed.previous?.bodySha256, sha256(canonicalBody(prev.signed)));
      assert.equal(rc.signed.previous?.headSeq, prev.signed.chain?.headSeq);
    } else assert.equal(rc.signed.previous, null);
  }
  // Night 3 renewed the server certificate (same key, later expiry): information, not a block.
  const renewed = only(c.report, 'GATE_CERT_RENEWED');
  assert.equal(renewed.location.certificate, 'server.crt#0');
  assert.equal(renewed.severity, 'info');
  assert.notEqual(receipts[2]?.signed.certificates[0]?.sha256, receipts[1]?.signed.certificates[0]?.sha256);
  for (const rc of [r1, r2, r3]) assert.equal(cli(['receipt', 'verify', rc, '--key', keys.pub]).code, 0);
});

test('the one stdout line a shell script reads, and exit 0', () => {
  const out = join(dir, 'line.receipt.json');
  const n3 = entry('night3.tar.gz.age');
  const r = cli([
    'gate',
    fixture('night3.tar.gz.age'),
    '--identity',
    IDENTITY,
    '--receipt',
    out,
    '--previous',
    r2,
    '--at',
    n3.referenceTime,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n').filter((l) => l !== '').length, 1);
  assert.equal(
    r.stdout,
    `PASSED night3.tar.gz.age sha256 ${n3.sha256} head ${n3.head.seq}:${n3.head.hash} receipt ${out}\n`,
  );
});

test('tail truncated between nights: GATE_CHAIN_TRUNCATED at the previous head', () => {
  const r = defect('truncated.tar.gz');
  assert.equal(r.code, 1);
  const f = only(r.report, 'GATE_CHAIN_TRUNCATED');
  assert.deepEqual(f.location, { table: 'public.audit_log', seq: entry('night2.tar.gz.age').head.seq });
  assert.equal(f.detail?.['head'], entry('truncated.tar.gz').head.seq);
  assert.match(r.stdout, /"verdict": "failed"/);
  assert.equal(r.receipt.signed.verdict, 'failed');
});

test('chain recomputed after an edit: GATE_HISTORY_REWRITTEN at the previous head', () => {
  const r = defect('recomputed.tar.gz');
  assert.equal(r.code, 1);
  const f = only(r.report, 'GATE_HISTORY_REWRITTEN');
  const n2 = entry('night2.tar.gz.age');
  assert.deepEqual(f.location, { table: 'public.audit_log', seq: n2.head.seq });
  assert.equal(f.detail?.['expected'], n2.head.hash);
  assert.match(String(f.detail?.['found']), /^[0-9a-f]{64}$/);
  assert.notEqual(f.detail?.['found'], n2.head.hash);
  // On its own the recomputed chain verifies: only the previous receipt exposes it.
  assert.deepEqual(
    r.report.findings.filter((x) => x.area === 'chain' && x.severity !== 'info').map((x) => x.code),
    ['CHAIN_ANCHOR_MISMATCH'],
  );
});

test('TUF version rolled back: GATE_TUF_ROLLBACK for timestamp, nothing else blocks', () => {
  const r = defect('tuf-rollback.tar.gz');
  assert.equal(r.code, 1);
  const f = only(r.report, 'GATE_TUF_ROLLBACK');
  assert.deepEqual(f.location, { role: 'timestamp', version: entry('night1.tar.gz.age').timestampVersion });
  assert.equal(f.detail?.['previousVersion'], entry('night2.tar.gz.age').timestampVersion);
  assert.deepEqual(blocking(r.report), ['GATE_TUF_ROLLBACK']);
});

test('root history shortened: GATE_ROOT_HISTORY_SHRANK for 1.root.json', () => {
  const r = defect('root-shrunk.tar.gz');
  assert.equal(r.code, 1);
  const f = only(r.report, 'GATE_ROOT_HISTORY_SHRANK');
  assert.deepEqual(f.location, { role: 'root', version: 1, path: '1.root.json' });
});

test('CA silently replaced (same name, other key): GATE_CA_REPLACED on ca.crt', () => {
  const r = defect('ca-replaced.tar.gz');
  assert.equal(r.code, 1);
  const f = only(r.report, 'GATE_CA_REPLACED');
  assert.deepEqual(f.location, { certificate: 'ca.crt#0' });
  assert.equal(f.detail?.['sameKey'], false);
  assert.equal(f.detail?.['subject'], f.detail?.['previousSubject']);
  // The server certificate kept its key and subject: that part is a renewal, not a replacement.
  assert.equal(findings(r.report, 'GATE_SERVER_CERT_REPLACED').length, 0);
});

test('the same archive submitted twice: GATE_SAME_ARCHIVE', () => {
  const r = gate(fixture('night2.tar.gz.age'), join(dir, 'again.receipt.json'), [
    '--identity',
    IDENTITY,
    '--previous',
    r2,
  ]);
  assert.equal(r.code, 1);
  const f = only(r.report, 'GATE_SAME_ARCHIVE');
  assert.equal(f.location.path, fixture('night2.tar.gz.age'));
  assert.deepEqual(blocking(r.report), ['GATE_SAME_ARCHIVE']);
});

test('policy violation: metadata expiring within the policy window blocks', () => {
  // The fixtures' offline roles expire 2030-01-01, 1130 days after night 3: a 1200-day window fails.
  const policy = join(dir, 'long-window.yaml');
  writeFileSync(policy, 'version: 1\nvalidity:\n  metadata: 1200d\n  certificates: 7d\n');
  const r = defect('night3.tar.gz.age', ['--identity', IDENTITY, '--policy', policy]);
  assert.equal(r.code, 1);
  const roles = findings(r.report, 'GATE_TUF_EXPIRES_IN_WINDOW').map((f) => f.location);
  assert.deepEqual(roles, [
    { role: 'root', version: 3 },
    { role: 'targets', version: 2 },
    { role: 'gateways', version: 1 },
  ]);
  assert.deepEqual(blocking(r.report), ['GATE_TUF_EXPIRES_IN_WINDOW']);
  // Another policy, another hash in the receipt; the change itself is recorded.
  const before = JSON.parse(readFileSync(r2, 'utf8')) as typeof r.receipt;
  assert.notEqual(r.receipt.signed.policy.sha256, before.signed.policy.sha256);
  assert.equal(r.receipt.signed.policy.source, 'long-window.yaml');
  assert.equal(only(r.report, 'GATE_POLICY_CHANGED').severity, 'info');
});

test('a policy can block a warning code and ignore an error code', () => {
  const policy = join(dir, 'overrides.json');
  writeFileSync(policy, JSON.stringify({ block: ['TUF_ANCHOR_UNTRUSTED'], ignore: ['GATE_TUF_ROLLBACK'] }));
  const r = defect('tuf-rollback.tar.gz', ['--policy', policy]);
  assert.equal(r.code, 1);
  assert.equal(only(r.report, 'GATE_TUF_ROLLBACK').severity, 'info');
  assert.deepEqual(blocking(r.report), ['TUF_ANCHOR_UNTRUSTED']);
});

test('tampered previous receipt: receipt verify exits 1, and the gate reports GATE_PREVIOUS_SIGNATURE_INVALID', () => {
  const tampered = join(dir, 'tampered.receipt.json');
  const doc = JSON.parse(readFileSync(r2, 'utf8')) as { signed: { chain: { headSeq: number } } };
  // Pretend the previous night ended earlier, so a truncated chain would look continuous.
  doc.signed.chain.headSeq = entry('truncated.tar.gz').head.seq;
  writeFileSync(tampered, JSON.stringify(doc, null, 2));
  const v = cli(['receipt', 'verify', tampered, '--key', keys.pub]);
  assert.equal(v.code, 1);
  assert.match(v.stdout, /^INVALID /);
  const r = gate(fixture('night3.tar.gz.age'), join(dir, 'after-tamper.receipt.json'), [
    '--identity',
    IDENTITY,
    '--previous',
    tampered,
    '--sign-key',
    keys.priv,
  ]);
  assert.equal(r.code, 1);
  assert.deepEqual(only(r.report, 'GATE_PREVIOUS_SIGNATURE_INVALID').location, { path: tampered });
});

test('a failed receipt is no baseline: GATE_PREVIOUS_FAILED', () => {
  const failed = join(dir, 'truncated.tar.gz.receipt.json');
  defect('truncated.tar.gz');
  const r = gate(fixture('night3.tar.gz.age'), join(dir, 'after-failed.receipt.json'), [
    '--identity',
    IDENTITY,
    '--previous',
    failed,
  ]);
  assert.equal(r.code, 1);
  assert.deepEqual(only(r.report, 'GATE_PREVIOUS_FAILED').location, { path: failed });
});

test('wrong age identity: exit 2 with a clear message, no receipt', async () => {
  const { generateIdentity } = await import('age-encryption');
  const wrong = join(dir, 'wrong-identity.txt');
  writeFileSync(wrong, (await generateIdentity()) + '\n');
  const out = join(dir, 'wrong.receipt.json');
  const r = cli(['gate', fixture('night1.tar.gz.age'), '--identity', wrong, '--receipt', out]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /cannot open this age archive.*no identity matched/);
  assert.throws(() => readFileSync(out));
});

test('no identity for an encrypted archive: exit 2 naming --identity', () => {
  const r = cli(['verify', fixture('night1.tar.gz.age')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /age-encrypted \(recipients: X25519\): give --identity/);
});

test('plaintext archive with --require-encrypted: GATE_PLAINTEXT_ARCHIVE', () => {
  const r = defect('night3.tar.gz', ['--require-encrypted']);
  assert.equal(r.code, 1);
  assert.deepEqual(only(r.report, 'GATE_PLAINTEXT_ARCHIVE').location, { path: fixture('night3.tar.gz') });
  assert.deepEqual(blocking(r.report), ['GATE_PLAINTEXT_ARCHIVE']);
  // Without the requirement the same archive passes.
  assert.equal(defect('night3.tar.gz').code, 0);
});

test('the policy can require encryption too', () => {
  const policy = join(dir, 'encrypted.yaml');
  writeFileSync(policy, 'requireEncrypted: true\n');
  const r = defect('night3.tar.gz', ['--policy', policy]);
  assert.equal(r.code, 1);
  assert.equal(only(r.report, 'GATE_PLAINTEXT_ARCHIVE').location.path, fixture('night3.tar.gz'));
});

test('verify --previous performs the same continuity checks outside the gate', () => {
  const n3 = entry('night3.tar.gz.age');
  const r = cli([
    'verify',
    fixture('truncated.tar.gz'),
    '--previous',
    r2,
    '--at',
    n3.referenceTime,
    '--json',
  ]);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout) as ReturnType<typeof gate>['report'];
  assert.equal(report.command, 'verify');
  assert.deepEqual(only(report, 'GATE_CHAIN_TRUNCATED').location, {
    table: 'public.audit_log',
    seq: entry('night2.tar.gz.age').head.seq,
  });
  // verify --identity decrypts, and --previous passes for the real next night.
  const ok = cli([
    'verify',
    fixture('night3.tar.gz.age'),
    '--identity',
    IDENTITY,
    '--previous',
    r2,
    '--at',
    n3.referenceTime,
  ]);
  assert.equal(ok.code, 0, ok.stdout);
  assert.match(ok.stdout, new RegExp(`anchor seq ${entry('night2.tar.gz.age').head.seq}: matched`));
});

test('--receipt may not overwrite --previous (exit 2)', () => {
  const copy = join(dir, 'copy.receipt.json');
  copyFileSync(r2, copy);
  const r = cli(['gate', fixture('night3.tar.gz'), '--receipt', copy, '--previous', copy]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /must not overwrite --previous/);
});

test('a run cut short by --timeout never passes the gate: RUN_TIMEOUT, exit 1, a failed receipt', () => {
  const r = gate(fixture('night3.tar.gz'), join(dir, 'timeout.receipt.json'), ['--timeout', '0.001s']);
  assert.equal(r.code, 1);
  assert.equal(only(r.report, 'RUN_TIMEOUT').location.path, fixture('night3.tar.gz'));
  assert.equal(r.receipt.signed.verdict, 'failed');
});
