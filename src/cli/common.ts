// Options shared by every verifying command and the code that turns them into VerifyOptions,
// prints the report and picks the exit code. Only src/cli imports commander.
import { readFileSync, statSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { Anchor } from '../chain/replay.js';
import { loadProfile } from '../profile/load.js';
import type { Report } from '../report/types.js';
import { makeStyle, renderText } from '../report/text.js';
import { progressBar, type Progress } from '../report/progress.js';
import { DEFAULT_LIMITS, defaultVerifyOptions, type Limits, type VerifyOptions } from '../verify/options.js';
import { armTimeout, DEFAULT_TIMEOUT, finishReport } from './timeout.js';
import { writeReportFile, writeReportStdout, writeStdout } from './json-out.js';

/** Bad usage, a missing file, a key that does not open: exit 2 with one line. */
export class UsageError extends Error {}

export interface CommonFlags {
  at?: string;
  json?: boolean;
  report?: string;
  anchor?: string[];
  profile?: string;
  strict?: boolean;
  quiet?: boolean;
  color?: boolean;
  host?: string[];
  trustedRoot?: string;
  expiringWithin?: string;
  limit?: string[];
  jobs?: string;
  timeout?: string;
}

export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--at <time>', 'reference time (ISO-8601) for every time-based check; default: now')
    .option('--json', 'print the JSON report on stdout (nothing else goes there)')
    .option('--report <file>', 'also write the JSON report to this file')
    .option('--anchor <seq:hex>', 'the chain must pass through this (seq, hash) (repeatable)', collect, [])
    .option('--profile <file>', 'overrides of default paths, table and column names (JSON or YAML)')
    .option('--strict', 'warnings fail verification too')
    .option('--quiet', 'print only problems and the verdict')
    .option('--no-color', 'no colour (also NO_COLOR, or when stdout is not a terminal)')
    .option('--jobs <n>', 'hashing threads for the audit chain (default: the number of cores, at most 4)')
    .option(
      '--timeout <duration>',
      `total wall time, e.g. 30m or 2h; when reached: a RUN_TIMEOUT finding and exit 1 (0: no bound)`,
      DEFAULT_TIMEOUT,
    )
    .addOption(
      new Option('--limit <name=value>', 'change a resource bound, e.g. maxLineBytes=1048576 (repeatable)')
        .argParser(collect)
        .default([]),
    );
}

export function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

export function parseTime(s: string, what: string): Date {
  // Require a full date; Date.parse alone accepts too much.
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(s))
    throw new UsageError(`${what} "${s}" is not an ISO-8601 time (e.g. 2026-11-26T03:00:00Z)`);
  const d = new Date(s.length === 10 ? `${s}T00:00:00Z` : s);
  if (Number.isNaN(d.getTime())) throw new UsageError(`${what} "${s}" is not a valid time`);
  return d;
}

export function parseAnchor(s: string): Anchor {
  const m = /^(\d{1,16}):([0-9a-fA-F]{64})$/.exec(s.trim());
  if (!m || m[1] === undefined || m[2] === undefined)
    throw new UsageError(
      `--anchor "${s}" must be <seq>:<64 hex digits>, as printed by a previous verification`,
    );
  return { seq: Number(m[1]), hash: Buffer.from(m[2], 'hex') };
}

/** "14d", "12h", "30m", "90s", or plain seconds. */
export function parseDuration(s: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(d|h|m|s)?$/.exec(s.trim());
  if (!m || m[1] === undefined) throw new UsageError(`${what} "${s}" is not a duration like 14d, 12h, 30m`);
  const unit = { d: 86400, h: 3600, m: 60, s: 1 }[(m[2] ?? 's') as 'd' | 'h' | 'm' | 's'];
  return Number(m[1]) * unit * 1000;
}

/** Every bound --limit knows, by the name findings give it (location.limit). */
export function limitNames(l: Limits = DEFAULT_LIMITS): string[] {
  const flat = Object.keys(l).filter((k) => typeof (l as unknown as Record<string, unknown>)[k] === 'number');
  return [
    ...flat,
    ...Object.keys(l.tuf).map((k) => `tuf.${k}`),
    ...Object.keys(l.x509).map((k) => `x509.${k}`),
  ];
}

export function parseLimits(list: string[]): Limits {
  const out: Limits = { ...DEFAULT_LIMITS, tuf: { ...DEFAULT_LIMITS.tuf }, x509: { ...DEFAULT_LIMITS.x509 } };
  for (const item of list) {
    const m = /^((?:tuf\.|x509\.)?\w+)=(\d+(?:\.\d+)?(?:e\d+)?)$/i.exec(item.trim());
    const value = Number(m?.[2]);
    if (!m || m[1] === undefined || !Number.isFinite(value))
      throw new UsageError(`--limit "${item}" must be name=number, e.g. maxLineBytes=1048576`);
    const name = m[1];
    const dot = name.indexOf('.');
    const group = dot < 0 ? out : name.startsWith('tuf.') ? out.tuf : out.x509;
    const key = name.slice(dot + 1);
    const bag = group as unknown as Record<string, unknown>;
    if (typeof bag[key] !== 'number')
      throw new UsageError(`--limit: unknown bound ${name} (known: ${limitNames(out).join(', ')})`);
    bag[key] = value;
  }
  return out;
}

export function toVerifyOptions(f: CommonFlags): VerifyOptions {
  const now = new Date();
  const opts = defaultVerifyOptions({
    at: f.at ? parseTime(f.at, '--at') : now,
    now,
    strict: f.strict === true,
    anchors: (f.anchor ?? []).map(parseAnchor),
    hosts: f.host ?? [],
    limits: parseLimits(f.limit ?? []),
  });
  if (f.profile) {
    try {
      opts.profile = loadProfile(f.profile);
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
  }
  if (f.jobs !== undefined) {
    if (!/^\d{1,3}$/.test(f.jobs) || Number(f.jobs) < 1)
      throw new UsageError(`--jobs must be a positive number, not ${f.jobs}`);
    opts.jobs = Number(f.jobs);
  }
  if (f.expiringWithin) opts.expiringWithinMs = parseDuration(f.expiringWithin, '--expiring-within');
  if (f.trustedRoot)
    opts.trustedRoot = { path: f.trustedRoot, data: readInputFile(f.trustedRoot, 16 * 1024 * 1024) };
  const timeout = f.timeout ?? DEFAULT_TIMEOUT;
  armTimeout(parseDuration(timeout, '--timeout'), timeout, opts, (r) => emitReport(r, f));
  return opts;
}

export function requireReadableFile(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new UsageError(
      `cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (!st.isFile() && !st.isDirectory()) throw new UsageError(`${path} is not a regular file or directory`);
}

/** An archive or dump argument: a readable regular file (a folder is bad usage, said plainly). */
export function requireArchiveFile(path: string): void {
  requireReadableFile(path);
  if (statSync(path).isDirectory())
    throw new UsageError(`${path} is a directory: give the backup archive (or dump) file itself`);
}

export function readInputFile(path: string, max: number): Buffer {
  requireReadableFile(path);
  const st = statSync(path);
  if (st.size > max) throw new UsageError(`${path} is larger than ${max} bytes`);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function useColor(f: CommonFlags): boolean {
  if (f.color === false) return false;
  if (process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '') return false;
  return process.stdout.isTTY === true;
}

/** Print the report (text or JSON), write --report, return the exit code. */
export function emitReport(report: Report, f: CommonFlags): number {
  const r = finishReport(report);
  if (f.report) {
    try {
      writeReportFile(r, f.report);
    } catch (e) {
      throw new UsageError(
        `cannot write --report ${f.report}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  // In pieces, written synchronously: a report of 100,000 findings is never one string, nor
  // queued in memory behind a slow reader.
  if (f.json) writeReportStdout(r);
  else writeStdout(renderText(r, makeStyle(useColor(f)), { quiet: f.quiet === true }));
  return r.exitCode;
}

/** A progress bar on stderr for the input (terminal only; never with --json or --quiet). */
export function attachProgress(opts: VerifyOptions, path: string, f: CommonFlags): Progress {
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    size = 0;
  }
  const bar = progressBar(size, 'meshverify', f.json !== true && f.quiet !== true);
  const prev = opts.onProgress;
  opts.onProgress = (n) => {
    prev?.(n);
    bar.update(n);
  };
  return bar;
}

/** An optional directory flag (--tuf-dir, --certs-dir): absent, or an existing directory. */
export function requireDir(path: string | undefined, flag: string): string | undefined {
  if (path === undefined) return undefined;
  let ok = false;
  try {
    ok = statSync(path).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new UsageError(`${flag} ${path} is not a directory`);
  return path;
}

/** --host, --trusted-root, --expiring-within: the commands that verify TUF and certificates. */
export function addTrustOptions(cmd: Command): Command {
  return cmd
    .option(
      '--host <address>',
      'DNS name or IP address the server certificate must cover (repeatable)',
      collect,
      [],
    )
    .option('--trusted-root <root.json>', 'the root devices were provisioned with (kept outside the backup)')
    .option(
      '--expiring-within <duration>',
      'warn about metadata and certificates that expire within, e.g. 14d',
    );
}
