// Receipts: the signature covers the canonical body (any re-serialisation verifies, any change to
// a fact does not), and `meshverify receipt verify` exits 0 / 1 / 2 as documented.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkSignature,
  loadReceipt,
  loadSigningKey,
  ReceiptError,
  signReceipt,
  type Receipt,
} from '../../src/gate/receipt.js';
import { cli } from '../support/cli.js';
import { fixture, gate, IDENTITY, keyPair, scratch } from './helpers.js';

let dir = '';
let keys = { priv: '', pub: '' };
let signed = '';
let receipt: Receipt;

before(() => {
  dir = scratch();
  keys = keyPair(dir);
  signed = join(dir, 'night1.receipt.json');
  receipt = gate(fixture('night1.tar.gz.age'), signed, [
    '--identity',
    IDENTITY,
    '--sign-key',
    keys.priv,
  ]).receipt;
});

function write(name: string, doc: unknown, indent = 2): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(doc, null, indent));
  return p;
}

test('a signed receipt verifies: exit 0 and one VALID line naming the key', () => {
  const r = cli(['receipt', 'verify', signed, '--key', keys.pub]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`^VALID ${signed} signed by ${receipt.signatures[0]?.keyid ?? 'x'} `));
  // The private key works as the verification key too.
  assert.equal(cli(['receipt', 'verify', signed, '--key', keys.priv]).code, 0);
});

test('re-indented and key-reordered, the receipt still verifies (canonical body)', () => {
  const reordered = {
    signatures: receipt.signatures,
    signed: Object.fromEntries(Object.entries(receipt.signed).reverse()),
  };
  const p = write('reordered.json', reordered, 0);
  assert.equal(cli(['receipt', 'verify', p, '--key', keys.pub]).code, 0);
});

test('one fact changed after signing: exit 1', () => {
  const doc = structuredClone(receipt);
  doc.signed.archive.sha256 = '0'.repeat(64);
  const r = cli(['receipt', 'verify', write('altered.json', doc), '--key', keys.pub]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^INVALID .*altered after signing/);
});

test('a forged signature value: exit 1', () => {
  const doc = structuredClone(receipt);
  const s = doc.signatures[0];
  assert.ok(s);
  s.sig = Buffer.alloc(64, 7).toString('base64');
  assert.equal(cli(['receipt', 'verify', write('forged.json', doc), '--key', keys.pub]).code, 1);
});

test('signed by another key: exit 1', () => {
  const other = keyPair(dir, 'other');
  const r = cli(['receipt', 'verify', signed, '--key', other.pub]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /signed by key .* not by /);
});

test('an unsigned receipt is not valid: exit 1', () => {
  const doc = { ...receipt, signatures: [] };
  const r = cli(['receipt', 'verify', write('unsigned.json', doc), '--key', keys.pub]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /carries no signature/);
});

test('unusable input is exit 2: not JSON, not a receipt, not an Ed25519 key, no file', () => {
  const notJson = join(dir, 'not.json');
  writeFileSync(notJson, 'nope');
  assert.equal(cli(['receipt', 'verify', notJson, '--key', keys.pub]).code, 2);
  assert.equal(
    cli(['receipt', 'verify', write('report.json', { verdict: 'verified' }), '--key', keys.pub]).code,
    2,
  );
  const ec = join(dir, 'ec.pub');
  writeFileSync(
    ec,
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }),
  );
  const r = cli(['receipt', 'verify', signed, '--key', ec]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /receipts are signed with Ed25519/);
  assert.equal(cli(['receipt', 'verify', join(dir, 'missing.json'), '--key', keys.pub]).code, 2);
});

test('library: signReceipt / checkSignature round trip, and the shape check of loadReceipt', () => {
  const key = loadSigningKey(keys.priv);
  const again = signReceipt(receipt.signed, key);
  const p = write('again.json', again);
  const loaded = loadReceipt(p);
  assert.deepEqual(checkSignature(loaded, createPublicKey(createPrivateKey(readFileSync(keys.priv)))), {
    status: 'valid',
    keyid: again.signatures[0]?.keyid,
  });
  const bad = structuredClone(receipt) as unknown as { signed: { chain: { headHash: string } } };
  bad.signed.chain.headHash = 'not hex';
  assert.throws(() => loadReceipt(write('bad-shape.json', bad)), ReceiptError);
  assert.throws(() => loadSigningKey(keys.pub), ReceiptError);
});

test('the gate refuses an unusable --previous or --sign-key with exit 2', () => {
  const out = join(dir, 'x.receipt.json');
  const notJson = join(dir, 'not-a-receipt.txt');
  writeFileSync(notJson, '{');
  const r = cli(['gate', fixture('night3.tar.gz'), '--receipt', out, '--previous', notJson]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--previous: receipt .* is not JSON/);
  const s = cli(['gate', fixture('night3.tar.gz'), '--receipt', out, '--sign-key', keys.pub]);
  assert.equal(s.code, 2);
  assert.match(s.stderr, /not an unencrypted PKCS#8 PEM private key/);
});
