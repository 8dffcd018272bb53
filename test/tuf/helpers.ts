// Shared helpers of the TUF tests: locate the repository, load fixtures into MemorySources (as an
// archive would present them), run the verifier, and query findings.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemorySource } from '../../src/files/source.js';
import { Findings } from '../../src/findings/collector.js';
import type { Finding, Location } from '../../src/findings/types.js';
import { verifyTuf, type TufReport } from '../../src/tuf/index.js';
import type { TufLimits } from '../../src/tuf/limits.js';
import { loadOrCreateKey } from '../../scripts/tuf/keys.js';
import type { FixtureKeys } from '../../scripts/tuf/repo.js';

/** The repository root (tests run from dist/test/tuf). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FIXTURES = join(REPO_ROOT, 'fixtures', 'tuf');
export const AT = new Date('2026-01-01T00:00:00Z');

export function sourceFromDir(dir: string, mode: number): MemorySource {
  const s = new MemorySource(`fixture ${dir}`);
  if (!existsSync(dir)) return s;
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (!statSync(p).isFile()) continue;
    const data = readFileSync(p);
    s.put({ path: n, data, mode, mtime: undefined, size: data.length });
  }
  return s;
}

export function sourceFromMap(files: Map<string, Buffer>, mode = 0o644): MemorySource {
  const s = new MemorySource('in-memory');
  for (const [path, data] of files) s.put({ path, data, mode, mtime: undefined, size: data.length });
  return s;
}

export interface Run {
  report: TufReport;
  findings: Finding[];
}

export interface RunOptions {
  at?: Date;
  now?: Date;
  expiringWithinMs?: number;
  limits?: Partial<TufLimits>;
  trustedRoot?: { path: string; data: Buffer };
  keys?: MemorySource;
  extraPrivateKeys?: Array<{ path: string; data: Buffer }>;
}

export function runSources(metadata: MemorySource, o: RunOptions = {}): Run {
  const findings = new Findings();
  const report = verifyTuf(
    {
      metadata,
      ...(o.keys ? { keys: o.keys } : {}),
      ...(o.trustedRoot ? { trustedRoot: o.trustedRoot } : {}),
      ...(o.extraPrivateKeys ? { extraPrivateKeys: o.extraPrivateKeys } : {}),
    },
    {
      at: o.at ?? AT,
      now: o.now ?? o.at ?? AT,
      findings,
      ...(o.expiringWithinMs !== undefined ? { expiringWithinMs: o.expiringWithinMs } : {}),
      ...(o.limits ? { limits: o.limits } : {}),
    },
  );
  return { report, findings: findings.list };
}

/** Run a committed fixture case (metadata as 0644, keys as 0600, trusted-root.json when present). */
export function runCase(name: string, o: RunOptions = {}): Run {
  const dir = join(FIXTURES, name);
  if (!existsSync(join(dir, 'metadata')))
    throw new Error(`fixture ${name} is missing: run node dist/scripts/make-tuf-fixtures.js`);
  const tr = join(dir, 'trusted-root.json');
  return runSources(sourceFromDir(join(dir, 'metadata'), 0o644), {
    keys: sourceFromDir(join(dir, 'keys'), 0o600),
    ...(existsSync(tr) ? { trustedRoot: { path: 'trusted-root.json', data: readFileSync(tr) } } : {}),
    ...o,
  });
}

export function fixtureFiles(name: string): Map<string, Buffer> {
  const dir = join(FIXTURES, name, 'metadata');
  const m = new Map<string, Buffer>();
  for (const n of readdirSync(dir)) m.set(n, readFileSync(join(dir, n)));
  return m;
}

/** Findings with this code whose location has every given field. */
export function matching(findings: Finding[], code: string, loc: Partial<Location> = {}): Finding[] {
  return findings.filter(
    (f) =>
      f.code === code &&
      Object.entries(loc).every(([k, v]) => (f.location as Record<string, unknown>)[k] === v),
  );
}

export function codes(
  findings: Finding[],
  severities: string[] = ['critical', 'error', 'warning'],
): string[] {
  return findings.filter((f) => severities.includes(f.severity)).map((f) => f.code);
}

export function fixtureKeys(): FixtureKeys {
  const store = join(FIXTURES, '_keystore');
  return {
    rootA: loadOrCreateKey(store, 'root-a', 'ed25519'),
    rootB: loadOrCreateKey(store, 'root-b', 'ecdsa'),
    rootC: loadOrCreateKey(store, 'root-c', 'rsa'),
    targets: loadOrCreateKey(store, 'targets', 'ecdsa'),
    snapshot: loadOrCreateKey(store, 'snapshot', 'ed25519'),
    timestampOld: loadOrCreateKey(store, 'timestamp-1', 'ecdsa'),
    timestamp: loadOrCreateKey(store, 'timestamp', 'rsa'),
    gateways: loadOrCreateKey(store, 'gateways', 'ed25519'),
    gateways2: loadOrCreateKey(store, 'gateways-2', 'ecdsa'),
    stranger: loadOrCreateKey(store, 'stranger', 'ed25519'),
  };
}
