// The hostile-archive battery (issue 8): every case is built at run time and run through the
// real CLI (node bin/meshverify verify … --json) the way a nightly gate runs it. Each must end
// with exit 0, 1 or 2, no stack trace, the expected finding (code, bound, place), peak RSS under
// the documented ceiling, nothing left in its temporary folder or working directory, and the
// input unchanged. The measured table is printed at the end (node --test shows diagnostics).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Finding } from '../../src/findings/types.js';
import { CASES, type Expect } from './cases.js';
import { looksLikeCrash, runCli } from './run.js';

/** The documented ceiling of peak memory on hostile input (README, "Hostile input"). */
export const CEILING_MB = 300;

const dir = mkdtempSync(join(tmpdir(), 'meshverify-hostile-'));
const rows: string[] = [];
after(() => {
  rmSync(dir, { recursive: true, force: true });
  const head = '| case | peak RSS MB | seconds | exit | codes |\n|---|---|---|---|---|';
  console.log(`\nhostile battery (ceiling ${CEILING_MB} MB)\n${head}\n${rows.join('\n')}\n`);
});

function fingerprint(file: string): string {
  const st = statSync(file);
  // Large inputs: size and mtime (hashing 100 MB per case would slow the battery down).
  if (st.size > 16 * 1024 * 1024) return `${st.size}:${st.mtimeMs}`;
  return `${st.size}:${st.mtimeMs}:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
}

function matches(f: Finding, e: Expect): boolean {
  if (f.code !== e.code) return false;
  if (e.limit !== undefined && f.location.limit !== e.limit) return false;
  for (const [k, v] of Object.entries(e.where ?? {})) {
    const got = (f.location as Record<string, unknown>)[k];
    if (got === undefined) return false;
    if (v !== true && got !== v) return false;
  }
  return true;
}

for (const c of CASES) {
  test(`hostile: ${c.name} (${c.what})`, async (t) => {
    const input = await c.build(dir);
    const before = fingerprint(input);
    const o = await runCli(['verify', input, '--json', ...(c.args ?? [])], c.timeoutMs ?? 60_000);
    try {
      const codes = [
        ...new Set(
          (o.report?.findings ?? [])
            .filter((f) => f.severity !== 'info')
            .map((f) => f.code + (f.location.limit ? `(${f.location.limit})` : '')),
        ),
      ];
      rows.push(
        `| ${c.name} | ${o.peakMB.toFixed(0)} | ${o.seconds.toFixed(1)} | ${o.code ?? o.signal ?? '?'} | ${codes.join(', ')} |`,
      );
      t.diagnostic(`peak ${o.peakMB.toFixed(0)} MB, ${o.seconds.toFixed(1)} s, exit ${o.code}`);
      assert.equal(o.killed, false, `no end within ${c.timeoutMs ?? 60_000} ms (a hang)`);
      assert.ok(o.code === 0 || o.code === 1 || o.code === 2, `exit code ${o.code} (signal ${o.signal})`);
      assert.ok((c.exits ?? [1]).includes(o.code ?? -1), `exit ${o.code}; stderr: ${o.stderr}`);
      assert.ok(!looksLikeCrash(o.stderr), `stack trace on stderr:\n${o.stderr}`);
      assert.ok(o.stderr.trim().split('\n').length <= 1, `more than one line on stderr:\n${o.stderr}`);
      assert.ok(o.report, `no JSON report on stdout: ${o.stdout.slice(0, 300)}`);
      for (const e of c.expect) {
        const hit = o.report.findings.find((f) => matches(f, e));
        assert.ok(
          hit,
          `expected ${e.code}${e.limit ? ` (${e.limit})` : ''} at ${JSON.stringify(e.where ?? {})}; got ${o.report.findings
            .map(
              (f) =>
                `${f.code}${f.location.limit ? `(${f.location.limit})` : ''} ${JSON.stringify(f.location)}`,
            )
            .join('; ')}`,
        );
      }
      assert.ok(o.peakMB > 0, 'peak memory was not measured');
      assert.ok(o.peakMB < CEILING_MB, `peak RSS ${o.peakMB.toFixed(0)} MB is over ${CEILING_MB} MB`);
      assert.deepEqual(o.leftovers, [], 'files left behind');
      assert.equal(fingerprint(input), before, 'the input was modified');
    } finally {
      rmSync(input, { force: true });
    }
  });
}

test('hostile: SIGTERM in the middle of a reorder spill leaves no temporary file', async () => {
  const c = CASES.find((x) => x.name === 'spill-bound');
  assert.ok(c);
  const input = await c.build(dir);
  let sawTemp = false;
  try {
    const o = await runCli(
      ['verify', input, '--json', '--limit', 'reorderWindow=100', '--limit', 'spillMemRecords=100'],
      60_000,
      {
        during: (pid, tmp) => {
          const poll = setInterval(() => {
            if (readdirSync(tmp).some((f) => f.startsWith('meshverify-'))) {
              sawTemp = true;
              clearInterval(poll);
              // tempdir.ts hooks the signals just after creating the folder: give it a moment
              setTimeout(() => process.kill(pid, 'SIGTERM'), 50);
            }
          }, 5);
          setTimeout(() => clearInterval(poll), 30_000).unref();
        },
      },
    );
    assert.ok(sawTemp, 'the run never created its temporary folder (nothing was spilled)');
    // tempdir.ts re-raises the signal's conventional status after removing the folder
    assert.equal(o.code, 143, `exit ${o.code} ${o.signal}; stderr: ${o.stderr}`);
    assert.ok(!looksLikeCrash(o.stderr), o.stderr);
    assert.deepEqual(o.leftovers, [], 'files left behind');
  } finally {
    rmSync(input, { force: true });
  }
});
