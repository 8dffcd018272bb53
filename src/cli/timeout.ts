// --timeout: the run's total wall-clock bound. When it expires the verification is asked to stop
// (an AbortSignal its readers check at every chunk), the report says so with a RUN_TIMEOUT
// finding naming how far the input was read, and the exit code is 1. A run that does not stop
// by itself within a grace period is ended here, with a report made of that one finding. Exiting
// runs the temporary-folder cleanup (src/files/tempdir.ts), so nothing is left behind.
import { Findings } from '../findings/collector.js';
import type { Finding } from '../findings/types.js';
import { buildReport, sortFindings } from '../report/build.js';
import { summarize, type Report } from '../report/types.js';
import type { VerifyOptions } from '../verify/options.js';

/** Default --timeout: generous for the largest real backups, short enough for a nightly gate. */
export const DEFAULT_TIMEOUT = '6h';
/** How long a run may take to stop by itself after the timeout before it is ended. */
export const TIMEOUT_GRACE_MS = 3000;

interface Clock {
  ms: number;
  label: string;
  started: number;
  controller: AbortController;
  opts: VerifyOptions;
  bytesRead: number;
  expiredAt: number | undefined;
  timer: NodeJS.Timeout;
  grace: NodeJS.Timeout | undefined;
  emit: (r: Report) => number;
  done: boolean;
}

let clock: Clock | undefined;

/**
 * Starts the clock for this run (once per process: the CLI runs one command). `emit` prints a
 * report as the command would (used when the run has to be ended without its own report).
 */
export function armTimeout(
  ms: number,
  label: string,
  opts: VerifyOptions,
  emit: (r: Report) => number,
): void {
  if (clock) {
    // one command per process; a library user calling again starts afresh
    clearTimeout(clock.timer);
    if (clock.grace) clearTimeout(clock.grace);
    clock = undefined;
  }
  // 0 is no bound; so is anything past what a timer can hold (24.8 days)
  if (!(ms > 0) || ms > 2 ** 31 - 1) return;
  const controller = new AbortController();
  opts.signal = controller.signal;
  const prev = opts.onProgress;
  const c: Clock = {
    ms,
    label,
    started: Date.now(),
    controller,
    opts,
    bytesRead: 0,
    expiredAt: undefined,
    // unref: a run that ends on its own is not held up by the clock
    timer: setTimeout(() => expire(c), ms).unref(),
    grace: undefined,
    emit,
    done: false,
  };
  opts.onProgress = (n) => {
    c.bytesRead = n;
    prev?.(n);
  };
  clock = c;
}

function expire(c: Clock): void {
  if (c.done) return;
  c.expiredAt = Date.now();
  c.controller.abort(new Error(`--timeout ${c.label} reached`));
  // Not unref'd: if the run never comes back, this is what ends the process.
  c.grace = setTimeout(() => giveUp(c), TIMEOUT_GRACE_MS);
}

/** The run did not stop by itself: report the timeout alone and end the process. */
function giveUp(c: Clock): void {
  if (c.done) return;
  const findings = new Findings(c.opts.severityOverrides, c.opts.limits.maxFindings);
  const argv = process.argv.slice(2);
  const input = argv[1] !== undefined && !argv[1].startsWith('-') ? argv[1] : '';
  findings.add(
    'RUN_TIMEOUT',
    input ? { path: input, offset: c.bytesRead, offsetOf: 'archive' } : {},
    `${message(c, input)}; the run did not stop within ${TIMEOUT_GRACE_MS / 1000} s after that, so its partial findings are not in this report`,
    detail(c),
  );
  const report = buildReport(
    { opts: c.opts, findings, archive: undefined, dumps: [], sections: {}, shared: new Map() },
    { command: argv[0] ?? 'unknown', inputPath: input, inputKind: 'archive' },
  );
  let code = 1;
  c.done = true;
  try {
    code = c.emit(report);
  } catch (e) {
    process.stderr.write(`meshverify: could not run: ${e instanceof Error ? e.message : String(e)}\n`);
  }
  process.exit(code);
}

function message(c: Clock, path: string): string {
  const secs = (((c.expiredAt ?? Date.now()) - c.started) / 1000).toFixed(1);
  const where = path ? ` while reading ${path} (${c.bytesRead} bytes read)` : '';
  return `The --timeout ${c.label} wall-time bound was reached after ${secs} s${where}: verification stopped there and everything not yet reached is unverified`;
}

function detail(c: Clock): { [k: string]: number } {
  return { timeoutMs: c.ms, elapsedMs: (c.expiredAt ?? Date.now()) - c.started, bytesRead: c.bytesRead };
}

/** True once --timeout expired (the report must say so). */
export function timedOut(): boolean {
  return clock?.expiredAt !== undefined;
}

/**
 * Called with the finished report, before it is printed: after a timeout, adds RUN_TIMEOUT and
 * recomputes the verdict; stops the clock either way.
 */
export function finishReport(r: Report): Report {
  const c = clock;
  if (!c || c.done) return r;
  c.done = true;
  clearTimeout(c.timer);
  if (c.grace) clearTimeout(c.grace);
  if (c.expiredAt === undefined) return r;
  const f: Finding = new Findings(c.opts.severityOverrides).add(
    'RUN_TIMEOUT',
    { path: r.input.path, offset: c.bytesRead, offsetOf: 'archive' },
    message(c, r.input.path),
    { ...detail(c), stepsFinished: r.checks.length },
  );
  const findings = sortFindings([...r.findings, f]);
  const out: Report = {
    ...r,
    findings,
    summary: summarize(findings, r.summary.dropped),
    verdict: 'failed',
    exitCode: 1,
  };
  // Whatever the stopped run left pending (a file being drained, a worker) must not keep the
  // process alive past its report.
  setTimeout(() => process.exit(out.exitCode), 1000).unref();
  return out;
}
