// Fuzz targets: each parser with the real inputs it is fed, and the properties every run must
// keep whatever the bytes: it resolves (never throws, never rejects), it ends, and what it says
// is well formed (known codes, a message, LIMIT_EXCEEDED naming its bound, no internal error).
// Shared by the property tests (test/fuzz/*.test.ts), the saved regressions
// (test/regressions/) and the long fuzzer (scripts/fuzz.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { testAuditRows, testReplay } from '../support/chain.js';
import { MemorySource } from '../../src/files/source.js';
import { Findings } from '../../src/findings/collector.js';
import { ALL_CODES } from '../../src/findings/severity.js';
import type { Finding } from '../../src/findings/types.js';
import { loadProfile, ProfileError } from '../../src/profile/load.js';
import { verifyTuf } from '../../src/tuf/index.js';
import { verifyBackup } from '../../src/verify/backup.js';
import { verifyDumpStream } from '../../src/verify/dump-step.js';
import { defaultVerifyOptions, DEFAULT_LIMITS, type VerifyOptions } from '../../src/verify/options.js';
import { TableRowsCollector } from '../../src/verify/table-rows.js';
import { parsePem } from '../../src/x509/pem.js';
import { verifyCertificates } from '../../src/x509/index.js';
import { FIXTURES } from '../support/paths.js';
import { everyOffset, lineBoundaries, tarBoundaries } from './mutate.js';

export interface Target {
  name: string;
  /** The real inputs mutations start from. */
  seeds(): Buffer[];
  /** Offsets where the format changes meaning, for truncations at every boundary. */
  boundaries(seed: Buffer): number[];
  /** One run; throws when a property does not hold. `chunk`: input piece size for streams.
   *  Resolves with the findings of the run. */
  run(input: Buffer, chunk: number): Promise<Finding[]>;
}

const AT = new Date('2026-11-26T03:30:00Z');

function options(over: Partial<VerifyOptions> = {}): VerifyOptions {
  return defaultVerifyOptions({ at: AT, now: AT, jobs: 1, ...over });
}

/** Every finding well formed; an internal error (an exception caught by a safety net) is a bug. */
export function checkFindings(f: Findings, what: string): void {
  for (const x of f.list) {
    assert.ok(ALL_CODES[x.code] !== undefined, `${what}: unknown finding code ${x.code}`);
    assert.notEqual(
      x.code,
      'RUN_INTERNAL_ERROR',
      `${what}: internal error: ${x.message} ${JSON.stringify(x.location)}`,
    );
    assert.ok(x.message.length > 0, `${what}: ${x.code} has no message`);
    if (x.code === 'LIMIT_EXCEEDED')
      assert.ok(x.location.limit, `${what}: LIMIT_EXCEEDED without location.limit: ${x.message}`);
    // JSON-safe (the report is JSON)
    JSON.stringify(x);
  }
}

async function* pieces(b: Buffer, size: number): AsyncGenerator<Buffer> {
  const n = Math.max(1, size);
  for (let i = 0; i < b.length; i += n) yield b.subarray(i, i + n);
}

const cache = new Map<string, Buffer>();
function file(...p: string[]): Buffer {
  const key = p.join('/');
  let b = cache.get(key);
  if (!b) {
    b = readFileSync(join(FIXTURES, ...p));
    cache.set(key, b);
  }
  return b;
}

let tmp: string | undefined;
function tempFile(name: string, data: Buffer): string {
  // Under scripts/fuzz.js, inside the folder it removes at the end (its workers are terminated,
  // so their exit handlers do not run).
  tmp ??= mkdtempSync(join(process.env['MESHVERIFY_FUZZ_TMP'] ?? tmpdir(), 'meshverify-fuzz-'));
  const p = join(tmp, name);
  writeFileSync(p, data);
  return p;
}

/** Removes the targets' temporary files (call once at the end). */
export function cleanupTargets(): void {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
}

async function runDump(input: Buffer, chunk: number, path: string): Promise<Finding[]> {
  const opts = options({
    limits: { ...DEFAULT_LIMITS, maxLineBytes: 1 << 20, maxTocEntries: 100_000, maxTocStringBytes: 1 << 20 },
  });
  const findings = new Findings();
  const r = await verifyDumpStream(pieces(input, chunk), path, opts, findings);
  assert.ok(r.facts, 'no facts');
  checkFindings(findings, path);
  return findings.list;
}

/** The COPY text (rows only) of one table of the plain clean dump. */
export function copyBlock(table: string): Buffer {
  const sql = file('db', 'clean.sql');
  const head = sql.indexOf(`COPY public.${table} (`);
  const start = sql.indexOf(0x0a, head) + 1;
  const end = sql.indexOf('\n\\.\n', start) + 1;
  return sql.subarray(start, end);
}

const METADATA = ['tuf', 'good', 'metadata'];

function metadataSource(replace: string, data: Buffer): MemorySource {
  const src = new MemorySource('fuzz metadata');
  for (const n of [
    '1.root.json',
    '2.root.json',
    '3.root.json',
    'root.json',
    'timestamp.json',
    'snapshot.json',
    '3.snapshot.json',
    'targets.json',
    '2.targets.json',
    'gateways.json',
    '1.gateways.json',
  ]) {
    const d = n === replace ? data : file(...METADATA, n);
    src.put({ path: n, data: d, mode: 0o644, mtime: undefined, size: d.length });
  }
  return src;
}

function certSource(replace: string, data: Buffer): MemorySource {
  const src = new MemorySource('fuzz certs');
  for (const n of ['ca.crt', 'ca.key', 'server.crt', 'server.key']) {
    const d = n === replace ? data : file('certs', 'good', n);
    src.put({ path: n, data: d, mode: n.endsWith('.key') ? 0o600 : 0o644, mtime: undefined, size: d.length });
  }
  return src;
}

function tufTarget(name: string): Target {
  return {
    name: `tuf_${name}`,
    seeds: () => [file(...METADATA, name)],
    boundaries: (s) => everyOffset(s, 2048),
    run: (input) => {
      const findings = new Findings();
      const report = verifyTuf({ metadata: metadataSource(name, input) }, { at: AT, now: AT, findings });
      assert.equal(typeof report.summary.ok, 'boolean');
      JSON.stringify(report);
      checkFindings(findings, name);
      return Promise.resolve(findings.list);
    },
  };
}

function pemTarget(name: string): Target {
  return {
    name: `pem_${name}`,
    seeds: () => [file('certs', 'good', name)],
    boundaries: (s) => lineBoundaries(s),
    run: (input) => {
      const pem = parsePem(input.toString('latin1'), 64);
      assert.ok(pem.blocks.length <= 64);
      const findings = new Findings();
      verifyCertificates(
        {
          certs: certSource(name, input),
          serverCertPath: 'server.crt',
          serverKeyPath: 'server.key',
          caCertPath: 'ca.crt',
          caKeyPath: 'ca.key',
        },
        { hosts: ['node.meshanics.test'], at: AT, now: AT, findings },
      );
      checkFindings(findings, name);
      return Promise.resolve(findings.list);
    },
  };
}

export const TARGETS: Target[] = [
  {
    name: 'archive_tar',
    seeds: () => [gunzipSync(file('sample-backup.tar.gz'))],
    boundaries: (s) => tarBoundaries(s),
    run: async (input) => {
      const r = await verifyBackup(tempFile('input.tar', input), options());
      assert.ok([0, 1].includes(r.exitCode));
      JSON.stringify(r);
      const f = new Findings();
      for (const x of r.findings) f.list.push(x);
      checkFindings(f, 'archive');
      return r.findings;
    },
  },
  {
    name: 'archive_gz',
    seeds: () => [file('sample-backup.tar.gz')],
    boundaries: (s) => everyOffset(s, 1024),
    run: async (input) => {
      const r = await verifyBackup(tempFile('input.tar.gz', input), options());
      assert.ok([0, 1].includes(r.exitCode));
      const f = new Findings();
      for (const x of r.findings) f.list.push(x);
      checkFindings(f, 'archive');
      return r.findings;
    },
  },
  {
    name: 'dump_custom',
    seeds: () => [
      file('dump', 'custom.dump'),
      file('dump', 'custom-z0.dump'),
      file('dump', 'built-1.12.dump'),
      file('dump', 'built-1.14.dump'),
      file('dump', 'custom-pipe.dump'),
    ],
    boundaries: (s) => everyOffset(s, 4096),
    run: (input, chunk) => runDump(input, chunk, 'db/meshanics.dump'),
  },
  {
    name: 'dump_plain',
    seeds: () => [file('dump', 'plain.sql'), file('dump', 'plain-create.sql')],
    boundaries: (s) => lineBoundaries(s),
    run: (input, chunk) => runDump(input, chunk, 'db/meshanics.sql'),
  },
  {
    name: 'dump_plain_gz',
    seeds: () => [gzipSync(file('dump', 'plain.sql'))],
    boundaries: (s) => everyOffset(s, 512),
    run: (input, chunk) => runDump(input, chunk, 'db/meshanics.sql.gz'),
  },
  {
    name: 'audit_rows',
    seeds: () => [copyBlock('audit_log').subarray(0, 64 * 1024)],
    boundaries: (s) => lineBoundaries(s),
    run: async (input, chunk) => {
      const findings = new Findings();
      const replay = testReplay(findings, 64, 64);
      const h = testAuditRows(replay, findings, { jobs: 1, maxLineBytes: 4096 });
      for await (const c of pieces(input, chunk)) await h.data(Buffer.from(c));
      await h.end(true);
      replay.finish();
      checkFindings(findings, 'audit rows');
      return findings.list;
    },
  },
  {
    name: 'table_rows',
    seeds: () => [copyBlock('devices')],
    boundaries: (s) => lineBoundaries(s),
    run: async (input, chunk) => {
      const findings = new Findings();
      const ref = {
        schema: 'public',
        name: 'devices',
        columns: ['id', 'serial', 'status', 'enrolled_at', 'cert_pem', 'cert_sha256'],
      };
      const c = new TableRowsCollector(ref, findings, 1000, 1 << 20);
      for await (const piece of pieces(input, chunk)) c.data(Buffer.from(piece));
      c.end(true);
      assert.ok(c.table.rows.length <= 1000);
      checkFindings(findings, 'table rows');
      return findings.list;
    },
  },
  tufTarget('root.json'),
  tufTarget('1.root.json'),
  tufTarget('timestamp.json'),
  tufTarget('snapshot.json'),
  tufTarget('2.targets.json'),
  tufTarget('1.gateways.json'),
  pemTarget('server.crt'),
  pemTarget('ca.crt'),
  pemTarget('server.key'),
  {
    name: 'profile',
    seeds: () => [
      Buffer.from(JSON.stringify({ paths: { certs: 'etc/certs' }, tables: { auditLog: 'audit' } })),
      Buffer.from('paths:\n  tufMetadata: repo/metadata\nrecipe:\n  firstSeq: 1\n'),
    ],
    boundaries: (s) => everyOffset(s, 256),
    run: (input) => {
      try {
        const p = loadProfile(tempFile('profile.yaml', input));
        assert.equal(typeof p.paths.certs, 'string');
      } catch (e) {
        assert.ok(
          e instanceof ProfileError,
          `not a ProfileError: ${e instanceof Error ? e.stack : String(e)}`,
        );
      }
      return Promise.resolve([]);
    },
  },
];

export function targetNamed(name: string): Target | undefined {
  return TARGETS.find((t) => t.name === name);
}
