// Runs the real CLI (node bin/meshverify) on one input the way a nightly gate does, with a
// wall-clock bound, and measures what it cost: peak RSS (GNU time's %M, the kernel's maxrss of
// the node process; else VmHWM polled from /proc), seconds, exit code, and whether it left
// anything in its temporary folder or working directory.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../src/report/types.js';
import { BIN } from '../support/paths.js';

const GNU_TIME = '/usr/bin/time';

export interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  report: Report | undefined;
  /** Peak resident memory of the node process, MB. */
  peakMB: number;
  seconds: number;
  /** The wall-clock bound was reached and the process group was killed. */
  killed: boolean;
  /** Files left behind in the run's TMPDIR or working directory. */
  leftovers: string[];
}

export interface RunOptions {
  /** Called once the process runs, with its pid and TMPDIR (e.g. to signal it); then the
   *  process is spawned directly (no GNU time in between to take the signal). */
  during?: (pid: number, tmp: string) => void;
}

/** Spawns `node bin/meshverify ...args` in an empty working directory with its own TMPDIR. */
export async function runCli(args: string[], timeoutMs: number, o: RunOptions = {}): Promise<Outcome> {
  const box = mkdtempSync(join(tmpdir(), 'meshverify-hostile-run-'));
  const tmp = join(box, 'tmp');
  const cwd = join(box, 'cwd');
  for (const d of [tmp, cwd]) rmSync(d, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => Promise.all([fs.mkdir(tmp), fs.mkdir(cwd)]));
  const timeOut = join(box, 'time.txt');
  const useTime = existsSync(GNU_TIME) && o.during === undefined;
  const argv = useTime
    ? [GNU_TIME, ['-f', '%M', '-o', timeOut, process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]];
  const started = process.hrtime.bigint();
  const child = spawn(argv[0] as string, argv[1] as string[], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (o.during && child.pid !== undefined) o.during(child.pid, tmp);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  let polledKb = 0;
  // Without GNU time: poll the high-water mark of the node process itself.
  const poll = useTime
    ? undefined
    : setInterval(() => {
        try {
          const st = readFileSync(`/proc/${child.pid ?? 0}/status`, 'latin1');
          const m = /VmHWM:\s+(\d+)/.exec(st);
          if (m?.[1]) polledKb = Math.max(polledKb, Number(m[1]));
        } catch {
          // gone
        }
      }, 10);
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    try {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
    } catch {
      // already gone
    }
  }, timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  );
  clearTimeout(timer);
  if (poll) clearInterval(poll);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  let peakKb = polledKb;
  if (useTime && existsSync(timeOut)) {
    const lines = readFileSync(timeOut, 'utf8').trim().split('\n');
    peakKb = Number(lines[lines.length - 1]) || 0;
  }
  const stdout = Buffer.concat(out).toString('utf8');
  let report: Report | undefined;
  try {
    report = JSON.parse(stdout) as Report;
  } catch {
    report = undefined;
  }
  const leftovers = [
    ...readdirSync(tmp).map((f) => `TMPDIR/${f}`),
    ...readdirSync(cwd).map((f) => `cwd/${f}`),
  ];
  rmSync(box, { recursive: true, force: true });
  return {
    code,
    signal,
    stdout,
    stderr: Buffer.concat(err).toString('utf8'),
    report,
    peakMB: peakKb / 1024,
    seconds,
    killed,
    leftovers,
  };
}

/** A stack trace or an uncaught-error banner on stderr. */
export function looksLikeCrash(stderr: string): boolean {
  return (
    /^\s+at .+:\d+:\d+\)?$/m.test(stderr) ||
    /Uncaught|UnhandledPromiseRejection|FATAL ERROR|node:internal/.test(stderr)
  );
}
