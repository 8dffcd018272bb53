// Shared by the drill tests: run a drill in-process at the fixtures' reference time, and look up
// findings, checks and the drill section of its report.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { drillBackup } from '../../src/drill/drill.js';
import { drillOptions, type DrillOptions } from '../../src/drill/options.js';
import type { DrillSection, DrillStepEntry } from '../../src/drill/types.js';
import type { Finding } from '../../src/findings/types.js';
import type { Report } from '../../src/report/types.js';
import { defaultVerifyOptions, type VerifyOptions } from '../../src/verify/options.js';
import { FIXTURES } from '../support/paths.js';

export const AT = new Date('2026-11-26T03:00:00Z');
export const HOST = 'node.meshanics.test';
export const SAMPLE = join(FIXTURES, 'sample-backup.tar.gz');

export function crossFixture(name: string): string {
  return join(FIXTURES, 'cross', `${name}.tar.gz`);
}

export function options(
  over: Partial<Omit<DrillOptions, 'verify'>> = {},
  verify: Partial<VerifyOptions> = {},
): DrillOptions {
  return drillOptions(defaultVerifyOptions({ at: AT, hosts: [HOST], ...verify }), over);
}

export function drill(
  archive: string | undefined,
  over: Partial<Omit<DrillOptions, 'verify'>> = {},
  verify: Partial<VerifyOptions> = {},
): Promise<Report> {
  return drillBackup(archive, options(over, verify));
}

export function section(r: Report): DrillSection {
  const s = r.sections['drill'];
  assert.ok(s, 'the report has a drill section');
  return s as unknown as DrillSection;
}

export function stepOf(r: Report, id: DrillStepEntry['id']): DrillStepEntry {
  const s = section(r).steps.find((x) => x.id === id);
  assert.ok(s, `step ${id} is in the drill section`);
  return s;
}

export function checkStatus(r: Report, id: string): string | undefined {
  return r.checks.find((c) => c.id === id)?.status;
}

/** Findings of `code` whose location has every field of `loc` (and maybe more). */
export function located(r: Report, code: string, loc: Record<string, unknown>): Finding[] {
  return r.findings.filter(
    (f) =>
      f.code === code &&
      Object.entries(loc).every(([k, v]) => (f.location as Record<string, unknown>)[k] === v),
  );
}

export function assertLocated(r: Report, code: string, loc: Record<string, unknown>): Finding {
  const found = located(r, code, loc);
  assert.equal(
    found.length,
    1,
    `one ${code} at ${JSON.stringify(loc)}; findings: ${JSON.stringify(
      r.findings.map((f) => [f.code, f.location]),
    )}`,
  );
  const f = found[0];
  assert.ok(f);
  return f;
}

/** The drill steps' check statuses, by id. */
export function drillChecks(r: Report): Record<string, string | undefined> {
  return Object.fromEntries(
    ['drill.online-keys', 'drill.devices', 'drill.enrollment', 'drill.mtls'].map((id) => [
      id,
      checkStatus(r, id),
    ]),
  );
}
