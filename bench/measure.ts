// Runs one command and measures it: wall time, exit status, stdout, and the peak resident set
// of the command and everything it waited for (GNU time's %M), or, without /usr/bin/time, the
// child's VmHWM polled from /proc.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measured {
  seconds: number;
  status: number | null;
  /** Peak RSS in KiB, or null when it could not be measured. */
  peakKiB: number | null;
  stdout: string;
  stderr: string;
}

let gnuTime: boolean | undefined;

function haveGnuTime(): boolean {
  if (gnuTime === undefined) {
    const r = spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' });
    gnuTime = r.status === 0 && /^\d+\s*$/.test(r.stderr.trim().split('\n').pop() ?? '');
  }
  return gnuTime;
}

function vmHwm(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] !== undefined ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Keep at most this much stdout (the JSON report); the rest is dropped. */
  stdoutLimit?: number;
}

/** Runs `cmd args` (no shell unless cmd is "sh") and measures it. */
export function measure(cmd: string, args: string[], opts: RunOptions = {}): Promise<Measured> {
  const limit = opts.stdoutLimit ?? 64 << 20;
  const timeFile = join(
    tmpdir(),
    `meshverify-bench-time-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  );
  const useTime = haveGnuTime();
  const [file, argv] = useTime ? ['/usr/bin/time', ['-f', '%M', '-o', timeFile, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, argv, { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => {
      if (outBytes < limit) out.push(b);
      outBytes += b.length;
    });
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 1000) err.push(b);
    });
    let polled: number | null = null;
    const poll =
      useTime || child.pid === undefined
        ? undefined
        : setInterval(() => {
            const v = child.pid !== undefined ? vmHwm(child.pid) : null;
            if (v !== null) polled = Math.max(polled ?? 0, v);
          }, 25);
    child.on('error', (e) => {
      if (poll) clearInterval(poll);
      reject(e);
    });
    child.on('close', (status) => {
      if (poll) clearInterval(poll);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      let peakKiB = polled;
      if (useTime && existsSync(timeFile)) {
        const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
        peakKiB = /^\d+$/.test(last) ? Number(last) : null;
        rmSync(timeFile, { force: true });
      }
      resolve({
        seconds,
        status,
        peakKiB,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}
