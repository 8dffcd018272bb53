// Shared by the gate tests: the committed nightly fixtures, their manifest, a scratch folder,
// and a runner of the real command line that returns the JSON report and the receipt written.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/findings/types.js';
import type { Receipt } from '../../src/gate/receipt.js';
import type { Report } from '../../src/report/types.js';
import { cli, type CliResult } from '../support/cli.js';
import { FIXTURES } from '../support/paths.js';

export const GATE = join(FIXTURES, 'gate');
export const IDENTITY = join(GATE, 'age-identity.txt');

export interface ManifestEntry {
  file: string;
  sha256: string;
  night: string;
  referenceTime: string;
  head: { seq: number; hash: string };
  records: number;
  timestampVersion: number;
  seq?: number;
}

export const MANIFEST = JSON.parse(readFileSync(join(GATE, 'manifest.json'), 'utf8')) as {
  archives: ManifestEntry[];
  prefixCheck: Array<{ night: string; seq: number; hash: string }>;
};

export function entry(file: string): ManifestEntry {
  const e = MANIFEST.archives.find((a) => a.file === file);
  assert.ok(e, `fixtures/gate/manifest.json lists ${file}`);
  return e;
}

export function fixture(file: string): string {
  return join(GATE, file);
}

const scratchDirs: string[] = [];
// Each test file runs in its own process: its scratch folders go when it exits.
process.on('exit', () => {
  for (const d of scratchDirs) rmSync(d, { recursive: true, force: true });
});

export function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'meshverify-gate-test-'));
  scratchDirs.push(d);
  return d;
}

/** A fresh Ed25519 key pair as PEM files (PKCS#8 private, SPKI public). */
export function keyPair(dir: string, name = 'gate'): { priv: string; pub: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const priv = join(dir, `${name}.key`);
  const pub = join(dir, `${name}.pub`);
  writeFileSync(priv, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
  return { priv, pub };
}

export interface GateRun extends CliResult {
  report: Report;
  receipt: Receipt;
}

/** meshverify gate <archive> --json --receipt <receipt> …; the reference time is the night's. */
export function gate(archive: string, receipt: string, args: string[] = []): GateRun {
  const at = MANIFEST.archives.find((a) => archive.endsWith('/' + a.file))?.referenceTime;
  const r = cli([
    'gate',
    archive,
    '--receipt',
    receipt,
    '--json',
    '--jobs',
    '1',
    ...(at !== undefined ? ['--at', at] : []),
    ...args,
  ]);
  assert.ok(r.code === 0 || r.code === 1, `gate ran (exit ${r.code}): ${r.stderr}`);
  return {
    ...r,
    report: JSON.parse(r.stdout) as Report,
    receipt: JSON.parse(readFileSync(receipt, 'utf8')) as Receipt,
  };
}

export function findings(r: Report, code: string): Finding[] {
  return r.findings.filter((f) => f.code === code);
}

/** Exactly one finding with this code; returns it. */
export function only(r: Report, code: string): Finding {
  const list = findings(r, code);
  assert.equal(list.length, 1, `one ${code}, got ${JSON.stringify(r.findings.map((f) => f.code))}`);
  return list[0] as Finding;
}

/** Codes of the findings that block (error/critical, or warnings under strict). */
export function blocking(r: Report): string[] {
  return [
    ...new Set(
      r.findings
        .filter(
          (f) =>
            f.severity === 'critical' || f.severity === 'error' || (r.strict && f.severity === 'warning'),
        )
        .map((f) => f.code),
    ),
  ].sort();
}
