// Bounded reading of one metadata file: size bound from the FileSource, strict UTF-8, a nesting
// depth scan BEFORE JSON.parse (100,000 nested arrays would overflow the parser's stack), then
// JSON.parse. Every failure is a finding naming the file; nothing throws.
import { createHash } from 'node:crypto';
import type { Location } from '../findings/types.js';
import type { TufContext } from './context.js';

export interface LoadedFile {
  path: string;
  bytes: Buffer;
  sha256: string;
  value: unknown;
}

export type ReadResult = { kind: 'ok'; file: LoadedFile } | { kind: 'missing' } | { kind: 'failed' };

/** Read and parse `path` from the metadata source. 'missing' is left for the caller to report. */
export function readMetadataFile(ctx: TufContext, path: string, loc: Location): ReadResult {
  const f = ctx.src.get(path);
  if (!f) return { kind: 'missing' };
  ctx.used.add(path);
  if (f.size > ctx.limits.maxMetadataBytes) {
    ctx.limit('maxMetadataBytes', { ...loc, path }, `${path} is ${f.size} bytes`);
    return { kind: 'failed' };
  }
  if (!f.data) {
    ctx.add('TUF_FILE_UNREADABLE', { ...loc, path }, `${path} could not be read: ${f.error ?? 'no data'}`);
    return { kind: 'failed' };
  }
  if (f.data.length > ctx.limits.maxMetadataBytes) {
    ctx.limit('maxMetadataBytes', { ...loc, path }, `${path} is ${f.data.length} bytes`);
    return { kind: 'failed' };
  }
  const value = parseJsonBytes(ctx, f.data, { ...loc, path });
  if (value === FAILED) return { kind: 'failed' };
  return { kind: 'ok', file: { path, bytes: f.data, sha256: sha256Hex(f.data), value } };
}

export const FAILED: unique symbol = Symbol('json-failed');

export function parseJsonBytes(ctx: TufContext, bytes: Buffer, loc: Location): unknown {
  const where = loc.path ?? 'metadata';
  let text: string;
  // ignoreBOM keeps a byte-order mark in the text, so JSON.parse rejects it as clients do.
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    ctx.add('TUF_JSON_INVALID', loc, `${where} is not valid UTF-8`);
    return FAILED;
  }
  const deep = depthExceeded(bytes, ctx.limits.maxJsonDepth);
  if (deep >= 0) {
    ctx.limit(
      'maxJsonDepth',
      { ...loc, offset: deep, offsetOf: 'entry' },
      `${where} nests JSON deeper than allowed at byte ${deep}`,
    );
    return FAILED;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    ctx.add(
      'TUF_JSON_INVALID',
      loc,
      `${where} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
    return FAILED;
  }
}

/**
 * Byte offset at which `[`/`{` nesting first exceeds `max` (outside strings), or -1.
 * Linear, allocation-free; unbalanced input is left for JSON.parse to reject.
 */
export function depthExceeded(buf: Uint8Array, max: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}

export function sha256Hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}
