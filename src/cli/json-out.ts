// The JSON report written in pieces: byte for byte what JSON.stringify(report, null, 2) gives,
// but the findings are stringified one at a time, so a report of 100,000 findings is never one
// string (plus its Buffer copy) in memory on the way out.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Report } from '../report/types.js';

const FLUSH = 64 * 1024;

/** Indents every line after the first by `pad` (a nested value inside its parent). */
function nest(json: string, pad: string): string {
  return json.replace(/\n/g, `\n${pad}`);
}

/** The report's JSON text (2-space indent, trailing newline), in pieces. */
export function* reportJsonPieces(r: Report): Generator<string> {
  const entries = Object.entries(r)
    .map(([k, v]) => [k, v] as const)
    .filter(([, v]) => JSON.stringify(v) !== undefined);
  yield '{\n';
  for (const [i, [k, v]] of entries.entries()) {
    const sep = i < entries.length - 1 ? ',\n' : '\n';
    const head = `  ${JSON.stringify(k)}: `;
    if (Array.isArray(v) && v.length > 0) {
      yield `${head}[\n`;
      const items: unknown[] = v;
      for (const [j, item] of items.entries())
        yield `    ${nest(JSON.stringify(item, null, 2) ?? 'null', '    ')}${j < items.length - 1 ? ',\n' : '\n'}`;
      yield `  ]${sep}`;
    } else yield `${head}${nest(JSON.stringify(v, null, 2), '  ')}${sep}`;
  }
  yield '}\n';
}

/** Writes the pieces in batches of about 64 KiB through `write`. */
export function writeReportJson(r: Report, write: (s: string) => void): void {
  let buf = '';
  for (const p of reportJsonPieces(r)) {
    buf += p;
    if (buf.length >= FLUSH) {
      write(buf);
      buf = '';
    }
  }
  if (buf.length > 0) write(buf);
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes to a file descriptor synchronously, whatever it is: process.stdout queues writes to a
 * pipe in memory when the reader is slower (a 100,000-finding report would be held twice).
 * A full non-blocking pipe (EAGAIN) is waited on; a reader that went away (EPIPE) ends the
 * output quietly. Returns false once the output is gone.
 */
export function writeFdSync(fd: number, s: string): boolean {
  const b = Buffer.from(s, 'utf8');
  let off = 0;
  while (off < b.length) {
    try {
      off += writeSync(fd, b, off, b.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') Atomics.wait(pause, 0, 0, 2);
      else if (code === 'EPIPE') return false;
      else throw e;
    }
  }
  return true;
}

/** Text or JSON onto standard output, in 64 KiB slices written synchronously. */
export function writeStdout(text: string): void {
  for (let i = 0; i < text.length; i += FLUSH) if (!writeFdSync(1, text.slice(i, i + FLUSH))) return;
}

/** The JSON report onto standard output, in pieces. */
export function writeReportStdout(r: Report): void {
  let open = true;
  writeReportJson(r, (t) => {
    if (open) open = writeFdSync(1, t);
  });
}

/** The JSON report into a file (created or truncated, mode 0644). */
export function writeReportFile(r: Report, path: string): void {
  const fd = openSync(path, 'w', 0o644);
  try {
    writeReportJson(r, (s) => {
      const b = Buffer.from(s, 'utf8');
      let off = 0;
      while (off < b.length) off += writeSync(fd, b, off, b.length - off);
    });
  } finally {
    closeSync(fd);
  }
}
