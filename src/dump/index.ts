// The dump reader: readDump sniffs the format from the first bytes ("PGDMP" = custom, gzip magic
// = gunzip then sniff again, text = plain), reads it natively, reports every problem as a finding
// and always consumes its whole input (a tar stream upstream waits on it) unless a bound or the
// abort signal says stop.
import { ByteReader } from './byte-reader.js';
import { ReadContext, errText } from './context.js';
import { readCustom } from './custom.js';
import { StreamInflater, bombBound, pieces } from './inflate.js';
import { readPlain } from './plain.js';
import type { DumpFacts, DumpReadOptions, DumpSink } from './types.js';

export type {
  DumpFacts,
  DumpFormat,
  DumpReadOptions,
  DumpSink,
  TableDataHandler,
  TableRef,
} from './types.js';
export { DUMP_CODES, type DumpCode } from './codes.js';
export {
  COPY_NULL,
  CopyRowSplitter,
  decodeBytea,
  decodeByteaField,
  encodeByteaHex,
  encodeCopyField,
  isNullField,
  splitFields,
  unescapeField,
  unescapeFieldInto,
} from './copy.js';
export {
  TsResult,
  compareTimestamps,
  epochMicros,
  formatRecipeTimestamp,
  newTsResult,
  tsEpochMicros,
  parseTimestamptz,
  writeRecipeTimestamp,
  RECIPE_TS_MAX_BYTES,
} from './timestamp.js';
export { parseCopyStatement, tableKey } from './copy-stmt.js';

const SNIFF = 512;

/**
 * Reads one dump from `input` (the bytes of an archive entry or a file), handing each table's
 * COPY rows to `sink`. Never throws for bad input: every problem is a finding in
 * `opts.findings`. Resolves with the facts once the whole input has been consumed.
 */
export async function readDump(
  input: AsyncIterable<Buffer>,
  opts: DumpReadOptions,
  sink: DumpSink,
): Promise<DumpFacts> {
  const facts: DumpFacts = {
    path: opts.path,
    format: 'unknown',
    outerCompression: 'none',
    rowCounts: {},
    complete: false,
  };
  const ctx = new ReadContext(opts, facts, sink);
  let raw: ByteReader | undefined;
  // Set when a bound or the signal says stop: then the rest of the input is left unread.
  let stop = false;
  try {
    raw = new ByteReader(input[Symbol.asyncIterator](), { signal: opts.signal });
    stop = await readOuter(raw, ctx);
  } catch (e) {
    // A bug here must not take the caller down, nor leave its stream stuck.
    facts.complete = false;
    ctx.add('RUN_INTERNAL_ERROR', {}, `The dump reader failed: ${errText(e)}`);
  }
  try {
    if (raw && !stop && !raw.aborted) await raw.drain();
  } catch (e) {
    ctx.add('RUN_INTERNAL_ERROR', {}, `Draining the dump input failed: ${errText(e)}`);
  }
  if (raw?.inputError !== undefined) {
    facts.complete = false;
    ctx.add(
      'DUMP_INPUT_ERROR',
      { offset: raw.offset, offsetOf: 'dump' },
      `Reading the dump failed: ${errText(raw.inputError)}`,
    );
  }
  ctx.emitFacts();
  return facts;
}

/** Reads the dump; true when reading stopped at a bound or the abort signal. */
async function readOuter(raw: ByteReader, ctx: ReadContext): Promise<boolean> {
  const head = await raw.peek(SNIFF);
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    ctx.facts.outerCompression = 'gzip';
    ctx.offsetOf = 'decompressed';
    // Stops the inner reader when the gzip stream crosses a decompression bound.
    const bomb = new AbortController();
    const signal = ctx.opts.signal ? AbortSignal.any([ctx.opts.signal, bomb.signal]) : bomb.signal;
    const gz = gunzipChunks(raw, ctx, bomb);
    try {
      const inner = new ByteReader(gz, { maxBytes: ctx.opts.maxBytes, signal });
      await readInner(inner, ctx, true);
      return inner.stopped || raw.aborted;
    } finally {
      await gz.return(undefined);
    }
  }
  // Not compressed: the bound applies to the raw bytes.
  const reader = ctx.opts.maxBytes !== undefined ? withLimit(raw, ctx.opts.maxBytes) : raw;
  await readInner(reader, ctx, false);
  return reader.stopped || raw.aborted;
}

/** A reader over the rest of `raw` that stops after `max` bytes in all. */
function withLimit(raw: ByteReader, max: number): ByteReader {
  const it: AsyncIterator<Buffer> = {
    next: async () => {
      const c = await raw.nextChunk();
      return c ? { done: false, value: c } : { done: true, value: undefined };
    },
  };
  return new ByteReader(it, { maxBytes: max });
}

async function readInner(r: ByteReader, ctx: ReadContext, gzipped: boolean): Promise<void> {
  const head = await r.peek(SNIFF);
  const kind = sniffDump(head);
  if (r.stopped && (kind === 'empty' || kind === 'unknown')) {
    // Stopped (bound or abort) before the format could be told: nothing to say about the content.
  } else if (kind === 'empty') {
    ctx.damaged = true;
    ctx.add(
      'DUMP_UNRECOGNIZED',
      { offset: 0 },
      gzipped ? 'The gzip file holds no data' : 'The dump file is empty',
      {
        reason: 'empty',
      },
    );
  } else if (kind === 'custom') {
    await readCustom(r, ctx);
  } else if (kind === 'plain' || kind === 'plain-no-header') {
    await readPlain(r, ctx, kind === 'plain');
  } else if (kind === 'tar') {
    ctx.facts.format = 'tar';
    ctx.damaged = true;
    ctx.add(
      'DUMP_UNSUPPORTED_FORMAT',
      { offset: 0 },
      'This is a pg_dump tar-format archive (-Ft), which is not read here',
      {
        format: 'tar',
      },
    );
  } else {
    ctx.damaged = true;
    ctx.add(
      'DUMP_UNRECOGNIZED',
      { offset: 0 },
      kind === 'gzip'
        ? 'The gzip file holds another gzip stream, not a dump'
        : 'The file is neither a pg_dump custom archive nor a plain SQL dump',
      {
        reason: kind === 'gzip' ? 'nested-gzip' : 'unknown-content',
        magic: head.subarray(0, 8).toString('hex'),
      },
    );
  }
  if (r.limited) {
    ctx.facts.complete = false;
    ctx.add(
      'LIMIT_EXCEEDED',
      { offset: r.offset, limit: 'maxBytes' },
      `The dump is larger than maxBytes (${ctx.opts.maxBytes ?? 0}); reading stopped there`,
    );
  }
}

export type Sniffed = 'empty' | 'custom' | 'gzip' | 'tar' | 'plain' | 'plain-no-header' | 'unknown';

/** What the first bytes say (pg_backup_archiver.c _discoverArchiveFormat, plus gzip and text). */
export function sniffDump(head: Buffer): Sniffed {
  if (head.length === 0) return 'empty';
  if (head.length >= 5 && head.toString('latin1', 0, 5) === 'PGDMP') return 'custom';
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar') return 'tar';
  let i = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  // Text: no control bytes other than tab, CR, LF, FF.
  for (let j = i; j < head.length; j++) {
    const c = head[j] ?? 0;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0x7f) return 'unknown';
  }
  while (i < head.length && isBlank(head[i] ?? 0)) i++;
  // pg_dump's header: "--\n-- PostgreSQL database dump\n--" (pg_dumpall: "... cluster dump").
  const text = head.toString('latin1', i);
  const lines = text.split('\n', 4);
  for (const line of lines) {
    const t = line.replace(/\r$/, '');
    if (/^-- PostgreSQL database (cluster )?dump\s*$/.test(t)) return 'plain';
    if (!t.startsWith('--')) break;
  }
  return i < head.length && SQL_START.test(text) ? 'plain-no-header' : 'unknown';
}

/** How a SQL script without pg_dump's header may begin: a comment, a psql meta-command, or a keyword. */
const SQL_START =
  /^(?:--|\/\*|\\[a-z]+\b|(?:SET|CREATE|COPY|BEGIN|START|SELECT|INSERT|ALTER|DROP|COMMENT|GRANT|REVOKE)\b)/i;

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c;
}

/**
 * Gunzips the rest of `raw`, pulled chunk by chunk. A gzip error ends the stream with a finding
 * (the raw rest is drained by readDump).
 */
async function* gunzipChunks(
  raw: ByteReader,
  ctx: ReadContext,
  bomb: AbortController,
): AsyncGenerator<Buffer, void, undefined> {
  const inf = new StreamInflater('gzip');
  let out = 0;
  /** Compressed bytes handed to zlib (the ratio's denominator: what produced the output). */
  let zin = 0;
  /** True (after reporting it) when the output crossed a decompression bound. */
  const over = (): boolean => {
    const bound = bombBound(ctx.opts, ctx.inflated, zin, out);
    if (!bound) return false;
    const compressed = zin;
    ctx.damaged = true;
    ctx.facts.complete = false;
    ctx.add(
      'LIMIT_EXCEEDED',
      { offset: out, offsetOf: 'decompressed', limit: bound },
      bound === 'maxRatio'
        ? `The gzip data of ${ctx.opts.path} inflates ${Math.round(out / Math.max(1, compressed))}:1 after ${out} bytes, above maxRatio ${ctx.opts.maxRatio ?? 0}:1 (a decompression bomb?): the rest of the dump was not read`
        : `The gzip data of ${ctx.opts.path} inflates past maxDecompressedBytes (${ctx.opts.maxDecompressedBytes ?? 0} bytes): the rest of the dump was not read`,
      { compressedBytes: compressed, decompressedBytes: out, bound: ctx.opts[bound] ?? null },
    );
    bomb.abort();
    return true;
  };
  const count = (o: Buffer): void => {
    out += o.length;
    ctx.inflated += o.length;
  };
  // One piece in flight while the consumer works on the output of the previous one.
  let inflight: Promise<void> | null = null;
  try {
    while (inf.open) {
      const c = await raw.nextChunk();
      if (!c) break;
      for (const piece of pieces(c)) {
        if (!inf.open) break;
        zin += piece.length;
        const next = inf.startWrite(piece);
        if (inflight) {
          await inflight;
          for (const o of inf.take()) {
            count(o);
            if (over()) return;
            yield o;
          }
        }
        inflight = next;
      }
    }
    if (inflight) await inflight;
    for (const o of inf.take()) {
      count(o);
      if (over()) return;
      yield o;
    }
    if (inf.open) {
      for (const o of await inf.finish()) {
        count(o);
        if (over()) return;
        yield o;
      }
    }
    if (inf.error) {
      ctx.damaged = true;
      ctx.add(
        'DUMP_GZIP_CORRUPT',
        { offset: out, offsetOf: 'decompressed' },
        `The gzip stream is corrupt after ${out} decompressed bytes: ${inf.error.message}`,
        { compressedOffset: raw.offset },
      );
    }
  } finally {
    inf.destroy();
  }
}
