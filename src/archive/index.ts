// The archive reader: one streaming pass over a backup archive. The raw bytes are hashed as they
// are read; the container is recognised by its magic bytes (tar, gzip, age); the tar stream is
// parsed with node-tar, entry by entry, with nothing written to disk. Dumps are streamed to the
// caller's consumer (the pass waits for it); other small files are kept in memory.
//
//   file ─▶ hash ─▶ [age decrypt: opts.decrypt] ─▶ [GzipReader] ─▶ bounds ─▶ TarDriver ─▶ EntryCollector
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { EntryCollector } from './collector.js';
import { GzipError, GzipReader } from './gzip.js';
import { ChunkSource } from './source.js';
import { TarDriver, classifyFirstBlock, wrapperFormat, type TarEnd } from './tar-driver.js';
import type { ArchiveFacts, ArchiveOptions, ArchiveResult, Container } from './types.js';

export {
  DEFAULT_ARCHIVE_LIMITS,
  type ArchiveDecryptor,
  type ArchiveFacts,
  type ArchiveLayout,
  type ArchiveLimits,
  type ArchiveOptions,
  type ArchiveResult,
  type Container,
  type DumpEntryHandler,
  type EntryInfo,
  type EntryKind,
} from './types.js';
export { ARCHIVE_CODES, type ArchiveCode } from './codes.js';

/** Raw read size: large reads keep a multi-GB archive fast. */
const RAW_CHUNK = 1024 * 1024;
/** The compression ratio is only judged after this much output (small files compress oddly). */
const RATIO_AFTER = 1024 * 1024;
const HEAD = 512;

/** Read the archive at `path` (never modified). Resolves with what was found; never throws for bad input. */
export async function readArchive(path: string, opts: ArchiveOptions): Promise<ArchiveResult> {
  return readArchiveStream(createReadStream(path, { highWaterMark: RAW_CHUNK }), path, opts);
}

/** The same, over any byte stream (a pipe, stdin, a generated stream); `name` names it in findings. */
export async function readArchiveStream(
  input: AsyncIterable<Uint8Array>,
  name: string,
  opts: ArchiveOptions,
): Promise<ArchiveResult> {
  const hash = createHash('sha256');
  let readBytes = 0;
  const raw = new ChunkSource(input, (b) => {
    hash.update(b);
    readBytes += b.length;
    opts.onProgress?.(readBytes);
  });
  const col = new EntryCollector(opts, name);
  const facts: ArchiveFacts = {
    path: name,
    size: 0,
    sha256: '',
    container: 'unknown',
    topFolder: null,
    entryCount: 0,
    complete: false,
    tarBytes: 0,
  };
  const pass = new Pass(opts, name, raw, col, facts);
  let parsed = false;
  try {
    parsed = await pass.run();
  } catch (e) {
    if (raw.error === undefined)
      opts.findings.add(
        'RUN_INTERNAL_ERROR',
        { path: name },
        `Reading the archive failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`,
      );
  }
  // The whole file is hashed even when the pass stopped early (a limit, a corrupt stream);
  // not after --timeout, which bounds the whole run (the hash is then left empty).
  const aborted = opts.signal?.aborted === true;
  if (aborted) await raw.close();
  else await raw.drain();
  if (raw.error !== undefined)
    opts.findings.add(
      'ARCHIVE_UNREADABLE',
      { path: name, offset: raw.bytes, offsetOf: 'archive' },
      `The archive could not be read: ${raw.error instanceof Error ? raw.error.message : String(raw.error)}`,
    );
  facts.size = raw.bytes;
  facts.sha256 = aborted ? '' : hash.digest('hex');
  const fin = col.finalize(parsed, !facts.complete);
  facts.topFolder = fin.topFolder;
  facts.entryCount = fin.entries.length;
  return { facts, files: fin.files, layout: fin.layout, entries: fin.entries };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

class Pass {
  constructor(
    private readonly opts: ArchiveOptions,
    private readonly name: string,
    private readonly raw: ChunkSource,
    private readonly col: EntryCollector,
    private readonly facts: ArchiveFacts,
  ) {}

  private add(
    code: string,
    message: string,
    detail?: Parameters<ArchiveOptions['findings']['add']>[3],
  ): void {
    this.opts.findings.add(code, { path: this.name }, message, detail);
  }

  /** Resolves true when a tar stream was reached (entries can be reported). */
  async run(): Promise<boolean> {
    const head = await this.raw.peek(HEAD);
    const wrapped = wrapperFormat(head);
    if (wrapped === 'gzip') {
      this.facts.container = 'tar.gz';
      return this.tar(this.raw.chunks(), 'tar.gz', undefined);
    }
    if (wrapped === 'age') {
      this.facts.container = 'age';
      return this.age();
    }
    const fb = classifyFirstBlock(head);
    if (fb.kind === 'not-tar') {
      if (this.raw.error !== undefined) return false;
      this.add(
        'ARCHIVE_NOT_TAR',
        `Not a tar, tar.gz or age archive: ${fb.reason} (it starts with ${hexStart(head)})`,
        {
          format: wrapped ?? 'unknown',
          size: this.raw.bytes,
        },
      );
      return false;
    }
    this.facts.container = 'tar';
    return this.tar(this.raw.chunks(), 'tar', undefined);
  }

  private async age(): Promise<boolean> {
    const decrypt = this.opts.decrypt;
    if (!decrypt) {
      this.add(
        'ARCHIVE_ENCRYPTED',
        'The archive is age-encrypted; decryption is not available in this reader yet, so its content was not read',
      );
      return false;
    }
    let plainIt: AsyncIterable<Uint8Array>;
    try {
      plainIt = await decrypt(Readable.from(this.raw.chunks(), { objectMode: false }));
    } catch (e) {
      if (this.raw.error === undefined)
        this.add('ARCHIVE_DECRYPT_FAILED', `Decryption failed: ${messageOf(e)}`);
      return false;
    }
    const plain = new ChunkSource(plainIt);
    let head: Buffer;
    try {
      head = await plain.peek(HEAD);
    } catch (e) {
      if (this.raw.error === undefined)
        this.add('ARCHIVE_DECRYPT_FAILED', `Decryption failed: ${messageOf(e)}`);
      await plain.close();
      return false;
    }
    let inner: Container = 'unknown';
    if (wrapperFormat(head) === 'gzip') inner = 'tar.gz';
    else if (classifyFirstBlock(head).kind !== 'not-tar') inner = 'tar';
    this.facts.innerContainer = inner;
    if (inner === 'unknown') {
      this.add('ARCHIVE_NOT_TAR', `The decrypted archive is not tar or tar.gz: ${firstReason(head)}`, {
        format: wrapperFormat(head) ?? 'unknown',
        inside: 'age',
      });
      await plain.close();
      return false;
    }
    const ok = await this.tar(plain.chunks(), inner, plain);
    await plain.close();
    return ok;
  }

  private async tar(
    src: AsyncIterable<Buffer>,
    kind: 'tar' | 'tar.gz',
    decrypted: ChunkSource | undefined,
  ): Promise<boolean> {
    const col = this.col;
    const limits = this.opts.limits;
    col.offsetOf = kind === 'tar' && !decrypted ? 'archive' : 'decompressed';
    const gz = kind === 'tar.gz' ? new GzipReader() : undefined;
    const stream: AsyncIterable<Buffer> = gz ? gz.decode(src) : src;
    const driver = new TarDriver(col);
    let tarBytes = 0;
    let limitHit = false;
    let streamErr: unknown;
    let failed = false;
    try {
      for await (const chunk of stream) {
        let c = chunk;
        let over = false;
        if (tarBytes + c.length > limits.maxDecompressedBytes) {
          c = c.subarray(0, Math.max(0, limits.maxDecompressedBytes - tarBytes));
          over = true;
        }
        tarBytes += c.length;
        if (c.length > 0) await driver.write(c);
        if (over) {
          limitHit = true;
          this.limit(
            col,
            driver,
            'maxDecompressedBytes',
            `More than maxDecompressedBytes (${limits.maxDecompressedBytes}) bytes after decompression`,
            {
              maxDecompressedBytes: limits.maxDecompressedBytes,
            },
          );
          break;
        }
        if (gz && tarBytes > RATIO_AFTER) {
          const compressed = Math.max(1, gz.consumed);
          const ratio = tarBytes / compressed;
          if (ratio > limits.maxRatio) {
            limitHit = true;
            this.limit(
              col,
              driver,
              'maxRatio',
              `Decompression ratio ${ratio.toFixed(0)}:1 (${tarBytes} bytes from ${compressed}) is above maxRatio ${limits.maxRatio}:1 (a decompression bomb?)`,
              {
                maxRatio: limits.maxRatio,
                ratio: Math.round(ratio),
                compressedBytes: compressed,
                decompressedBytes: tarBytes,
              },
            );
            break;
          }
        }
        if (driver.stopped) break;
        if (this.opts.signal?.aborted === true) {
          // --timeout: not a truncation, not a limit of the archive; the run's report says it
          limitHit = true;
          break;
        }
      }
    } catch (e) {
      streamErr = e;
      failed = true;
    }
    const stoppedByLimit = limitHit || col.stopRequested;
    const end = await driver.end();
    this.facts.tarBytes = tarBytes;
    if (col.notTar !== undefined) {
      this.add(
        'ARCHIVE_NOT_TAR',
        `The ${decrypted ? 'decrypted' : 'decompressed'} data is not a tar stream: ${col.notTar}`,
        {
          inside: decrypted ? (kind === 'tar.gz' ? 'age+gzip' : 'age') : 'gzip',
        },
      );
      return false;
    }
    if (col.firstBlock?.kind === 'tar-nomagic')
      this.add('ARCHIVE_TAR_NO_MAGIC', 'The tar headers carry no ustar magic (an old v7 tar)');

    let streamOk = !failed;
    if (failed) {
      if (this.raw.error !== undefined) {
        // reported by the caller as ARCHIVE_UNREADABLE
      } else if (decrypted && decrypted.error !== undefined) {
        this.add(
          'ARCHIVE_DECRYPT_FAILED',
          `Decryption failed after ${decrypted.bytes} bytes: ${messageOf(decrypted.error)}`,
          {
            plaintextOffset: decrypted.bytes,
          },
        );
      } else if (streamErr instanceof GzipError) {
        this.gzipError(streamErr, end, driver);
        streamOk = false;
      } else
        this.opts.findings.add(
          'RUN_INTERNAL_ERROR',
          { path: this.name },
          `The archive pass failed: ${messageOf(streamErr)}`,
        );
    }
    if (gz?.trailingAt !== undefined && !stoppedByLimit)
      col.pend(
        'ARCHIVE_TRAILING_DATA',
        undefined,
        { path: this.name, offset: gz.trailingAt, offsetOf: 'archive' },
        `Non-zero data follows the end of the gzip stream at byte ${gz.trailingAt} (ignored by gzip and tar)`,
        { gzipMembers: gz.members },
      );
    if (streamOk && !stoppedByLimit && end.truncated) this.truncated(end);
    this.facts.complete = end.eof && streamOk && !stoppedByLimit && !col.corrupt;
    return true;
  }

  private limit(
    col: EntryCollector,
    driver: TarDriver,
    limit: string,
    message: string,
    detail: { [k: string]: number },
  ): void {
    col.pend(
      'LIMIT_EXCEEDED',
      undefined,
      { path: this.name, limit, offset: driver.offset, offsetOf: 'decompressed' },
      message + ': the read stopped there',
      { ...detail, entry: col.recs.at(-1)?.info.rawPath ?? null },
      true,
    );
  }

  /** Reports a gzip failure: data cut short, or corrupt (then the offset starts the failing slice). */
  private gzipError(e: GzipError, end: TarEnd, driver: TarDriver): void {
    const col = this.col;
    const cut = col.currentRecOf(end.cutEntry);
    const loc = { path: cut ? undefined : this.name, offset: e.offset, offsetOf: 'archive' as const };
    const detail = { zlib: e.zlibCode ?? null, tarOffset: driver.offset };
    if (e.kind === 'truncated')
      col.pend(
        'ARCHIVE_GZIP_TRUNCATED',
        cut,
        loc,
        `The gzip stream ends after ${e.offset} compressed bytes, before its end (${e.message})`,
        detail,
        true,
      );
    else
      col.pend(
        'ARCHIVE_GZIP_CORRUPT',
        cut,
        loc,
        `The gzip stream is corrupt at or after compressed byte ${e.offset} (${e.message})`,
        detail,
        true,
      );
  }

  private truncated(end: TarEnd): void {
    const col = this.col;
    const cut = col.currentRecOf(end.cutEntry);
    const where =
      end.cutIn === 'body'
        ? `inside an entry's data (${end.missing} more bytes were due)`
        : end.cutIn === 'extended-header'
          ? 'inside an extended header'
          : end.cutIn === 'header'
            ? 'inside a header block'
            : 'without the end-of-archive marker';
    col.pend(
      'ARCHIVE_TRUNCATED',
      cut,
      { path: cut ? undefined : this.name, offset: end.endOffset, offsetOf: col.offsetOf },
      `The tar stream ends at offset ${end.endOffset} ${where}`,
      { cutIn: end.cutIn ?? null, missing: end.missing },
      true,
    );
  }
}

/** The first bytes, in hex, for a person to recognise the format. */
function hexStart(head: Buffer): string {
  return head.length === 0
    ? 'nothing'
    : `${head
        .subarray(0, 16)
        .toString('hex')
        .replace(/(..)(?!$)/g, '$1 ')}`;
}

function firstReason(head: Buffer): string {
  const fb = classifyFirstBlock(head);
  return fb.kind === 'not-tar' ? fb.reason : 'unknown';
}
