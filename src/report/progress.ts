// A progress bar on stderr for long runs: bytes done, rate, ETA. Only on a terminal, never on
// stdout, never with --quiet or --json (the caller decides), redrawn at most 5 times a second.
import chalk from 'chalk';

export interface Progress {
  update(done: number): void;
  done(): void;
}

const NONE: Progress = { update: () => undefined, done: () => undefined };

export function progressBar(total: number, label: string, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY || total <= 0) return NONE;
  const start = Date.now();
  let last = 0;
  let shown = false;
  const draw = (done: number): void => {
    const now = Date.now();
    if (now - last < 200 && done < total) return;
    last = now;
    const secs = (now - start) / 1000;
    if (secs < 1 && done < total) return; // short runs: no bar at all
    shown = true;
    const frac = Math.min(1, done / total);
    const width = 24;
    const fill = Math.round(frac * width);
    const rate = done / Math.max(secs, 0.001);
    const eta = rate > 0 ? (total - done) / rate : 0;
    const mib = (n: number): string => (n / 1048576).toFixed(0);
    const bar = chalk.green('█'.repeat(fill)) + chalk.dim('░'.repeat(width - fill));
    process.stderr.write(
      `\r${label} ${bar} ${(frac * 100).toFixed(0).padStart(3)}%  ${mib(done)}/${mib(total)} MiB  ${mib(rate)} MiB/s  ETA ${eta.toFixed(0)}s `,
    );
  };
  return {
    update: draw,
    done: () => {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}
