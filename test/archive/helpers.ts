// Shared helpers for the archive reader's tests: run the reader on a fixture with a dump consumer
// that hashes what it receives, pick findings, and build small tar streams at run time.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Header, type HeaderData } from 'tar';
import { readArchive, readArchiveStream } from '../../src/archive/index.js';
import {
  DEFAULT_ARCHIVE_LIMITS,
  type ArchiveLimits,
  type ArchiveOptions,
  type ArchiveResult,
} from '../../src/archive/types.js';
import { Findings } from '../../src/findings/collector.js';
import type { Finding } from '../../src/findings/types.js';
import { DEFAULT_PROFILE, type Profile } from '../../src/profile/profile.js';

export const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/archive');
export const TOP = 'meshanics-backup-20261126T030000Z';

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

export interface DumpSeen {
  path: string;
  bytes: number;
  sha256: string;
  truncated: boolean;
}

export interface Run {
  result: ArchiveResult;
  findings: Findings;
  dumps: DumpSeen[];
}

export interface RunOptions {
  limits?: Partial<ArchiveLimits>;
  profile?: Profile;
  onDump?: ArchiveOptions['onDump'];
  decrypt?: ArchiveOptions['decrypt'];
}

function options(findings: Findings, dumps: DumpSeen[], o: RunOptions): ArchiveOptions {
  const opts: ArchiveOptions = {
    findings,
    profile: o.profile ?? DEFAULT_PROFILE,
    limits: { ...DEFAULT_ARCHIVE_LIMITS, ...o.limits },
    onDump:
      o.onDump ??
      (async (entry, content) => {
        const h = createHash('sha256');
        let bytes = 0;
        for await (const c of content) {
          h.update(c);
          bytes += c.length;
        }
        dumps.push({ path: entry.path, bytes, sha256: h.digest('hex'), truncated: entry.truncated === true });
      }),
  };
  if (o.decrypt) opts.decrypt = o.decrypt;
  return opts;
}

export async function read(path: string, o: RunOptions = {}): Promise<Run> {
  const findings = new Findings();
  const dumps: DumpSeen[] = [];
  const result = await readArchive(path, options(findings, dumps, o));
  return { result, findings, dumps };
}

export async function readStream(
  input: AsyncIterable<Uint8Array>,
  name: string,
  o: RunOptions = {},
): Promise<Run> {
  const findings = new Findings();
  const dumps: DumpSeen[] = [];
  const result = await readArchiveStream(input, name, options(findings, dumps, o));
  return { result, findings, dumps };
}

/** The one finding with this code (fails when there is none or more than one). */
export function only(r: Run, code: string): Finding {
  const all = r.findings.list.filter((f) => f.code === code);
  assert.equal(all.length, 1, `expected one ${code}, got ${all.length}: ${codesOf(r).join(', ')}`);
  const f = all[0];
  assert.ok(f);
  return f;
}

export function all(r: Run, code: string): Finding[] {
  return r.findings.list.filter((f) => f.code === code);
}

export function codesOf(r: Run): string[] {
  return r.findings.list.map((f) => f.code);
}

/** The codes above info severity, sorted and de-duplicated: "nothing else went wrong". */
export function problemCodes(r: Run): string[] {
  return [...new Set(r.findings.list.filter((f) => f.severity !== 'info').map((f) => f.code))].sort();
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'meshverify-archive-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const MTIME = new Date('2026-11-26T03:00:00Z');

/** One ustar header block. */
export function header(path: string, size: number, extra: HeaderData = {}): Buffer {
  const block = Buffer.alloc(512);
  new Header({ path, mode: 0o644, uid: 0, gid: 0, size, mtime: MTIME, type: 'File', ...extra }).encode(
    block,
    0,
  );
  return block;
}

export function padding(size: number): Buffer {
  const r = size % 512;
  return Buffer.alloc(r === 0 ? 0 : 512 - r);
}

/** A whole tar stream of small entries. */
export function tarOf(entries: Array<{ path: string; data: Buffer; extra?: HeaderData }>): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) parts.push(header(e.path, e.data.length, e.extra), e.data, padding(e.data.length));
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
