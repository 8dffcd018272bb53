// The gate policy: defaults, YAML and JSON, the overrides it makes, its canonical hash, its schema,
// and the refusal of anything that would silently weaken the gate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import {
  builtInPolicy,
  DEFAULT_POLICY,
  loadPolicy,
  parsePolicy,
  policyHash,
  PolicyError,
  severityOverrides,
} from '../../src/gate/policy.js';
import { cli } from '../support/cli.js';
import { ROOT } from '../support/paths.js';
import { fixture, scratch } from './helpers.js';

const validate = new Ajv({ allErrors: true, strict: false }).compile(
  JSON.parse(readFileSync(join(ROOT, 'schema', 'policy.schema.json'), 'utf8')) as object,
);

const DOC = `# the nightly policy
version: 1
block: [TUF_ANCHOR_UNTRUSTED, CROSS_DUMP_TIME_FAR]
warn: [X509_DEVICE_*]
ignore: [CHAIN_NO_ANCHOR]
strict: false
requireEncrypted: true
validity:
  metadata: 14d
  roles: { timestamp: 0, snapshot: 36h }
  certificates: 30d
`;

test('a YAML policy: overrides, encryption, windows in seconds; the schema accepts it', () => {
  const dir = scratch();
  const file = join(dir, 'policy.yaml');
  writeFileSync(file, DOC);
  const { policy, source } = loadPolicy(file);
  assert.equal(source, file);
  assert.equal(policy.requireEncrypted, true);
  assert.deepEqual(policy.validity, {
    metadata: 14 * 86400,
    roles: { timestamp: 0, snapshot: 36 * 3600 },
    certificates: 30 * 86400,
  });
  const o = severityOverrides(policy);
  assert.equal(o['TUF_ANCHOR_UNTRUSTED'], 'error');
  assert.equal(o['CHAIN_NO_ANCHOR'], 'info');
  const lints = Object.entries(o).filter(([c]) => c.startsWith('X509_DEVICE_'));
  assert.ok(lints.length > 3 && lints.every(([, s]) => s === 'warning'));
  assert.ok(validate(parseYaml(DOC)), JSON.stringify(validate.errors));
});

test('block never lowers a critical code; exact names win over patterns', () => {
  const p = parsePolicy({ block: ['CHAIN_ANCHOR_MISMATCH', 'TUF_*'], warn: ['TUF_EXPIRED'] }, 'test');
  const o = severityOverrides(p);
  assert.equal(o['CHAIN_ANCHOR_MISMATCH'], 'critical');
  assert.equal(o['TUF_EXPIRED'], 'warning');
  assert.equal(o['TUF_FILE_UNREFERENCED'], 'error');
});

test('the built-in default: 7 days for offline roles and certificates, 0 for timestamp and snapshot', () => {
  assert.deepEqual(DEFAULT_POLICY.validity, {
    metadata: 7 * 86400,
    roles: { timestamp: 0, snapshot: 0 },
    certificates: 7 * 86400,
  });
  assert.deepEqual(parsePolicy({}, 'empty'), DEFAULT_POLICY);
  assert.equal(builtInPolicy().sha256, policyHash(DEFAULT_POLICY));
  assert.ok(validate({}));
});

test('the hash is of the canonical effective policy: order and spelling do not matter, content does', () => {
  const a = parsePolicy({ block: ['TUF_EXPIRED', 'CHAIN_GAP'], validity: { metadata: '168h' } }, 'a');
  const b = parsePolicy({ validity: { metadata: '7d' }, block: ['CHAIN_GAP', 'TUF_EXPIRED'] }, 'b');
  const c = parsePolicy({ block: ['CHAIN_GAP'] }, 'c');
  assert.equal(policyHash(a), policyHash(b));
  assert.notEqual(policyHash(a), policyHash(c));
  assert.match(policyHash(a), /^[0-9a-f]{64}$/);
});

test('refused: unknown keys, unknown codes, a code in two lists, bad durations, other versions', () => {
  const bad: unknown[] = [
    { blocks: ['CHAIN_GAP'] },
    { block: ['CHAIN_GAPS'] },
    { block: ['NOPE_*'] },
    { block: ['chain_gap'] },
    { block: ['CHAIN_GAP'], warn: ['CHAIN_GAP'] },
    { validity: { metadata: '7 days' } },
    { validity: { metadata: 7 } },
    { validity: { window: '7d' } },
    { version: 2 },
    { strict: 'yes' },
    ['CHAIN_GAP'],
  ];
  for (const doc of bad) assert.throws(() => parsePolicy(doc, 'test'), PolicyError, JSON.stringify(doc));
  // The schema agrees on the shape errors it can express.
  for (const doc of [bad[0], bad[3], bad[5], bad[6], bad[7], bad[8], bad[9], bad[10]])
    assert.equal(validate(doc), false, JSON.stringify(doc));
});

test('the gate refuses an unusable policy with exit 2', () => {
  const dir = scratch();
  const file = join(dir, 'typo.yaml');
  writeFileSync(file, 'blok: [CHAIN_GAP]\n');
  const r = cli(['gate', fixture('night3.tar.gz'), '--receipt', join(dir, 'r.json'), '--policy', file]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown key blok/);
});
