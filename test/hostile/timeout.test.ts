// --timeout when the run does not stop by itself: 3 s after the bound the process is ended with
// a report holding RUN_TIMEOUT (exit 1), whatever is still pending. (The cooperative case, a
// run that stops at its next chunk, is the battery's `timeout` case.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { ROOT } from '../support/paths.js';

test('--timeout ends a run that never comes back, with a RUN_TIMEOUT report and exit 1', () => {
  const mod = (p: string): string => pathToFileURL(join(ROOT, 'dist', 'src', p)).href;
  const code = `
    const { armTimeout } = await import(${JSON.stringify(mod('cli/timeout.js'))});
    const { defaultVerifyOptions } = await import(${JSON.stringify(mod('verify/options.js'))});
    process.argv = [process.argv[0], 'meshverify', 'verify', 'backup.tar.gz'];
    armTimeout(300, '0.3s', defaultVerifyOptions(), (r) => {
      process.stdout.write(JSON.stringify(r));
      return r.exitCode;
    });
    setInterval(() => {}, 1000); // a run that never ends
  `;
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  const secs = (Date.now() - started) / 1000;
  assert.equal(r.status, 1, r.stderr);
  assert.ok(secs < 10, `took ${secs} s`);
  const report = JSON.parse(r.stdout) as {
    findings: Array<{ code: string; location: { path?: string } }>;
    exitCode: number;
  };
  assert.equal(report.exitCode, 1);
  assert.equal(report.findings[0]?.code, 'RUN_TIMEOUT');
  assert.equal(report.findings[0]?.location.path, 'backup.tar.gz');
});
