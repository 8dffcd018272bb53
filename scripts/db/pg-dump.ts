// Writes the dumps with the real pg_dump, reads back the audit rows' physical order from them, and
// restores each dump into a scratch database to prove it holds what PostgreSQL verified.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ServerConfig } from './connection.js';
import { toolEnv } from './connection.js';
import type { Step } from './run-tool.js';
import { describe, pipeline } from './run-tool.js';

export type DumpFormat = 'custom' | 'plain' | 'plain-gzip';

export interface DumpSpec {
  file: string;
  format: DumpFormat;
  /** The dumping session's zone: timestamptz values are written in it. */
  pgTz: string;
  /** Custom format: -Z0 (uncompressed data blocks). */
  uncompressed?: boolean;
  /** Custom format through a pipe: pg_dump cannot seek back, so the TOC has no data offsets. */
  pipe?: boolean;
  /** Server-side bytea_output (the escape form instead of hex in COPY text). */
  byteaOutput?: 'escape';
}

export interface DumpInfo {
  pgTz: string;
  compression: 'zlib (default)' | 'none (-Z0)' | 'none' | 'gzip -n (outer)';
  dataOffsets: boolean;
  byteaOutput: 'hex' | 'escape';
  command: string;
}

// A fixed \restrict key keeps plain dumps byte-for-byte reproducible (pg_dump picks a random one).
const RESTRICT_KEY = 'meshverifyfixture';

export async function writeDump(
  cfg: ServerConfig,
  db: string,
  path: string,
  spec: DumpSpec,
): Promise<DumpInfo> {
  const shown: Record<string, string> = { PGTZ: spec.pgTz };
  const extra: Record<string, string> = { PGTZ: spec.pgTz };
  if (spec.byteaOutput !== undefined) {
    extra.PGOPTIONS = `-c bytea_output=${spec.byteaOutput}`;
    shown.PGOPTIONS = `'${extra.PGOPTIONS}'`;
  }
  const env = toolEnv(cfg, extra);
  const args = spec.format === 'custom' ? ['-Fc'] : ['-Fp', `--restrict-key=${RESTRICT_KEY}`];
  if (spec.uncompressed === true) args.push('-Z0');
  args.push('-d', db);
  const steps: Step[] = [{ cmd: 'pg_dump', args, env }];
  const name = basename(path);
  let command: string;
  if (spec.format === 'plain-gzip') {
    steps.push({ cmd: 'gzip', args: ['-n'] });
    command = describe(steps, name, shown);
    await pipeline(steps, path);
  } else if (spec.pipe === true) {
    steps.push({ cmd: 'cat', args: [] });
    command = describe(steps, name, shown);
    await pipeline(steps, path);
  } else {
    args.push('-f', path);
    command = describe([{ cmd: 'pg_dump', args: [...args.slice(0, -1), name] }], undefined, shown);
    await pipeline(steps);
  }
  return {
    pgTz: spec.pgTz,
    compression:
      spec.format === 'plain-gzip'
        ? 'gzip -n (outer)'
        : spec.format === 'plain'
          ? 'none'
          : spec.uncompressed === true
            ? 'none (-Z0)'
            : 'zlib (default)',
    dataOffsets: spec.format === 'custom' && spec.pipe !== true,
    byteaOutput: spec.byteaOutput ?? 'hex',
    command,
  };
}

/** The plain SQL text of a dump (pg_restore turns a custom dump into it). */
async function plainText(cfg: ServerConfig, path: string, format: DumpFormat): Promise<string> {
  if (format === 'plain') return readFileSync(path, 'utf8');
  if (format === 'plain-gzip') return gunzipSync(readFileSync(path)).toString('utf8');
  const out = await pipeline([
    {
      cmd: 'pg_restore',
      args: ['-a', '-n', 'public', '-t', 'audit_log', '-f', '-', path],
      env: toolEnv(cfg),
    },
  ]);
  return out.toString('utf8');
}

export interface RowOrder {
  /** audit_log rows in the dump. */
  rows: number;
  /** Rows come out in non-decreasing seq order. */
  inSeqOrder: boolean;
  /** Places where a row's seq is smaller than the row before it. */
  descents: number;
  /** Largest distance between a row's position in the dump and its position in seq order. */
  maxDisplacement: number;
}

/** The seqs of public.audit_log in the order the dump holds them. */
export async function dumpSeqOrder(cfg: ServerConfig, path: string, format: DumpFormat): Promise<number[]> {
  const text = await plainText(cfg, path, format);
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('COPY public.audit_log ('));
  if (start < 0) throw new Error(`${path}: no COPY public.audit_log`);
  const seqs: number[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '\\.') break;
    seqs.push(Number(line.slice(0, line.indexOf('\t'))));
  }
  return seqs;
}

export function rowOrder(seqs: readonly number[]): RowOrder {
  let descents = 0;
  for (let i = 1; i < seqs.length; i++) if ((seqs[i] ?? 0) < (seqs[i - 1] ?? 0)) descents++;
  const sorted = seqs.map((seq, pos) => ({ seq, pos })).sort((a, b) => a.seq - b.seq || a.pos - b.pos);
  let maxDisplacement = 0;
  sorted.forEach((e, rank) => {
    maxDisplacement = Math.max(maxDisplacement, Math.abs(e.pos - rank));
  });
  return { rows: seqs.length, inSeqOrder: descents === 0, descents, maxDisplacement };
}

/** Restores a dump into an empty database (which must exist). */
export async function restoreDump(
  cfg: ServerConfig,
  path: string,
  format: DumpFormat,
  db: string,
): Promise<void> {
  const env = toolEnv(cfg);
  const psql: Step = { cmd: 'psql', args: ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db, '-f', '-'], env };
  if (format === 'custom') {
    await pipeline([{ cmd: 'pg_restore', args: ['--exit-on-error', '-d', db, path], env }]);
  } else if (format === 'plain') {
    await pipeline([{ cmd: 'cat', args: [path] }, psql]);
  } else {
    await pipeline([{ cmd: 'gzip', args: ['-dc', path] }, psql]);
  }
}
