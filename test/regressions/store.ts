// Saved failing inputs: each is the input bytes (gzip-compressed) and a note saying which
// target it breaks, what happened and what fixed it. They are replayed by regressions.test.ts
// as permanent tests; scripts/fuzz.ts saves new ones here.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ROOT } from '../support/paths.js';

export const REGRESSIONS = join(ROOT, 'test', 'regressions', 'inputs');

export interface RegressionNote {
  /** Fuzz target name (test/fuzz/targets.ts). */
  target: string;
  /** Stream piece size the input was fed in. */
  chunk: number;
  /** What went wrong (the failing property, the error). */
  problem: string;
  /** How it was found: "scripts/fuzz.ts seed S case N", "hostile battery", … */
  found: string;
  /** The fix (file and what changed), or why it is still open. */
  fixed?: string;
  /** The recipe that made it (for the curious; the bytes are what is replayed). */
  recipe?: unknown;
  /** Findings the fixed code must give for it (code, and location.limit for LIMIT_EXCEEDED). */
  expect?: Array<{ code: string; limit?: string }>;
}

export interface Regression {
  name: string;
  input: Buffer;
  note: RegressionNote;
}

/** Saves an input (once per content); returns its file name stem. The note is written the way
 *  prettier writes JSON, so `npm run lint` stays clean after a fuzzing session. */
export async function saveRegression(
  input: Buffer,
  note: RegressionNote,
  dir = REGRESSIONS,
): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const stem = `${note.target}-${createHash('sha256').update(input).digest('hex').slice(0, 12)}`;
  const data = join(dir, `${stem}.bin.gz`);
  if (!existsSync(data)) writeFileSync(data, gzipSync(input, { level: 9 }));
  const { format } = await import('prettier');
  const text = await format(JSON.stringify(note), { parser: 'json', printWidth: 110 });
  writeFileSync(join(dir, `${stem}.json`), text);
  return stem;
}

export function loadRegressions(dir = REGRESSIONS): Regression[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.json'.length);
      const note = JSON.parse(readFileSync(join(dir, f), 'utf8')) as RegressionNote;
      const input = gunzipSync(readFileSync(join(dir, `${name}.bin.gz`)));
      return { name, input, note };
    });
}
