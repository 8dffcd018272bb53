import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePem } from '../../src/x509/pem.js';

const block = (label: string, body: string, headers = ''): string =>
  `-----BEGIN ${label}-----\n${headers}${body}\n-----END ${label}-----\n`;

test('reads blocks with text around them and CRLF line ends', () => {
  const r = parsePem(
    `intro\r\n${block('CERTIFICATE', 'AQID').replace(/\n/g, '\r\n')}between\n${block('PRIVATE KEY', 'BAUG')}`,
    10,
  );
  assert.deepEqual(
    r.blocks.map((b) => [b.label, b.der.toString('hex'), b.index]),
    [
      ['CERTIFICATE', '010203', 0],
      ['PRIVATE KEY', '040506', 1],
    ],
  );
  assert.deepEqual(r.problems, []);
});

test('keeps RFC 1421 headers of legacy encrypted keys', () => {
  const r = parsePem(
    block('RSA PRIVATE KEY', 'AQID', 'Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\n'),
    10,
  );
  assert.equal(r.blocks[0]?.headers['Proc-Type'], '4,ENCRYPTED');
});

test('malformed blocks become problems with their line', () => {
  const r = parsePem(
    `-----BEGIN CERTIFICATE-----\nAQ$D\n-----END CERTIFICATE-----\n-----BEGIN A-----\nAQID\n-----END B-----\n-----BEGIN C-----\nAQID\n`,
    10,
  );
  assert.equal(r.blocks.length, 0);
  assert.deepEqual(
    r.problems.map((p) => p.line),
    [1, 6, 7],
  );
});

test('stops at the block bound', () => {
  const r = parsePem(block('CERTIFICATE', 'AQID').repeat(5), 3);
  assert.equal(r.blocks.length, 3);
  assert.equal(r.truncated, true);
});

test('linear on hostile input: many BEGIN lines without END', () => {
  const text = '-----BEGIN CERTIFICATE-----\n'.repeat(40_000);
  const t0 = Date.now();
  const r = parsePem(text, 1_000_000);
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(r.blocks.length, 0);
  assert.equal(r.problems.length, 40_000);
});
