// Shared helpers of the certificate tests: fixture sets as MemorySources, and finding assertions.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Findings } from '../../src/findings/collector.js';
import type { Finding, Location } from '../../src/findings/types.js';
import { MemorySource } from '../../src/files/source.js';
import type { DeviceRecord } from '../../src/x509/devices.js';
import { verifyCertificates, type VerifyCertificatesOptions } from '../../src/x509/verify.js';
import type { CertReport } from '../../src/x509/report-types.js';

export const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/certs');
/** The reference time the fixtures are made for. */
export const AT = new Date('2026-11-26T00:00:00Z');
export const HOST = 'node.meshanics.test';

export function readSet(name: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const n of readdirSync(join(FIXTURES, name)))
    if (!n.endsWith('.json')) out[n] = readFileSync(join(FIXTURES, name, n));
  return out;
}

/** The good set overlaid with a defect's files, keys 0600 and the folder 0700 unless told. */
export function source(
  defect?: string,
  o: {
    modes?: Record<string, number>;
    dirMode?: number;
    rename?: Record<string, string>;
    drop?: string[];
    extra?: Record<string, Buffer | string>;
  } = {},
): MemorySource {
  const files = { ...readSet('good'), ...(defect ? readSet(defect) : {}) };
  for (const [k, v] of Object.entries(o.extra ?? {})) files[k] = Buffer.isBuffer(v) ? v : Buffer.from(v);
  const src = new MemorySource(`fixture ${defect ?? 'good'}`);
  src.putDir('', o.dirMode ?? 0o700);
  for (const [n, data] of Object.entries(files)) {
    if (o.drop?.includes(n)) continue;
    const path = o.rename?.[n] ?? n;
    const mode = o.modes?.[n] ?? (n.endsWith('.key') ? 0o600 : 0o644);
    src.put({ path, data, mode, mtime: undefined, size: data.length });
  }
  return src;
}

export function run(
  src: MemorySource,
  o: Partial<Omit<VerifyCertificatesOptions, 'findings'>> & { input?: Record<string, string> } = {},
): { report: CertReport; findings: Findings } {
  const findings = new Findings();
  const report = verifyCertificates(
    { certs: src, ...o.input },
    {
      hosts: o.hosts ?? [HOST],
      at: o.at ?? AT,
      now: o.now ?? AT,
      findings,
      expiringWithinMs: o.expiringWithinMs,
      limits: o.limits,
    },
  );
  return { report, findings };
}

/** Asserts a finding with this code whose location has (at least) these fields. */
export function expectFinding(findings: Findings, code: string, loc: Location): Finding {
  const hit = findings.list.find(
    (f) =>
      f.code === code &&
      Object.entries(loc).every(([k, v]) => (f.location as Record<string, unknown>)[k] === v),
  );
  assert.ok(
    hit,
    `expected ${code} at ${JSON.stringify(loc)}; got:\n${findings.list.map((f) => `  ${f.code} ${JSON.stringify(f.location)}`).join('\n')}`,
  );
  return hit;
}

export function noFinding(findings: Findings, code: string): void {
  const hit = findings.list.filter((f) => f.code === code);
  assert.equal(hit.length, 0, `unexpected ${code}: ${JSON.stringify(hit.map((f) => f.location))}`);
}

/** Nothing at warning level or above. */
export function clean(findings: Findings): void {
  const bad = findings.list.filter((f) => f.severity !== 'info');
  assert.deepEqual(
    bad.map((f) => `${f.code} ${JSON.stringify(f.location)}`),
    [],
  );
}

interface DeviceRow {
  id: string;
  serial: string;
  status: string;
  cert_pem: string | null;
  cert_sha256: string | null;
}

export function devices(file: string): DeviceRecord[] {
  const rows = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as DeviceRow[];
  return rows.map((r) => ({
    id: r.id,
    serial: r.serial,
    status: r.status,
    certPem: r.cert_pem,
    certSha256: r.cert_sha256,
  }));
}
