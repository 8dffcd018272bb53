// Runs the PostgreSQL command-line tools (and gzip / cat) as child processes, optionally piped.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface Step {
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

function finished(child: ChildProcess, label: string, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${label} failed (${signal ?? `exit ${String(code)}`}): ${stderr().trim()}`));
    });
  });
}

/** Runs a pipeline (step1 | step2 | ...). The last step's stdout goes to `outFile`, or is captured. */
export async function pipeline(steps: readonly Step[], outFile?: string): Promise<Buffer> {
  const fd = outFile === undefined ? undefined : openSync(outFile, 'w');
  const captured: Buffer[] = [];
  try {
    const waits: Promise<void>[] = [];
    let previous: ChildProcess | undefined;
    for (const [i, step] of steps.entries()) {
      const last = i === steps.length - 1;
      const child = spawn(step.cmd, step.args, {
        env: step.env ?? process.env,
        stdio: [previous === undefined ? 'ignore' : 'pipe', last && fd !== undefined ? fd : 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr?.on('data', (d: Buffer) => {
        if (err.length < 20000) err += d.toString('utf8');
      });
      if (previous?.stdout && child.stdin) {
        // A reader that exits early must not crash the script with EPIPE; its exit code tells.
        child.stdin.on('error', () => undefined);
        previous.stdout.pipe(child.stdin);
      }
      if (last && fd === undefined) child.stdout?.on('data', (d: Buffer) => captured.push(d));
      waits.push(finished(child, `${step.cmd} ${step.args.join(' ')}`, () => err));
      previous = child;
    }
    await Promise.all(waits);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return Buffer.concat(captured);
}

/** A shell-like rendering of a pipeline, for the manifest. */
export function describe(
  steps: readonly Step[],
  outFile: string | undefined,
  shownEnv: Record<string, string>,
): string {
  const env = Object.entries(shownEnv)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const body = steps.map((s) => [s.cmd, ...s.args].join(' ')).join(' | ');
  return `${env === '' ? '' : `${env} `}${body}${outFile === undefined ? '' : ` > ${outFile}`}`;
}
