// The dump reader's contract. The reader is a push parser fed with the bytes of one dump file
// (an archive entry or a file on disk); it reports facts about the dump and hands the COPY
// data of each table, as raw COPY-text chunks, to whoever asked for that table.
import type { Findings } from '../findings/collector.js';

/** 'unknown' when the input is not recognised as a dump (a DUMP_UNRECOGNIZED finding says why). */
export type DumpFormat = 'custom' | 'plain' | 'directory' | 'tar' | 'unknown';

export interface DumpFacts {
  /** Path of the dump (archive entry path or file path). */
  path: string;
  format: DumpFormat;
  /** 'gzip' for a .sql.gz plain dump (outer compression), else 'none'. */
  outerCompression: 'none' | 'gzip';
  /** Custom format: "1.14" etc. */
  archiveVersion?: string;
  /** Custom format: data block compression ('none' | 'zlib' | 'lz4' | 'zstd'), with level when known
   *  ("zlib:6"; plain "zlib" is zlib's default level). */
  compression?: string;
  /** Server version the dump was taken from ("15.20 (Debian …)"). */
  dumpedFrom?: string;
  /** pg_dump version that wrote it. */
  dumpedBy?: string;
  database?: string;
  /** Custom format: creation time as written (local time of the dumping machine, no zone),
   *  "YYYY-MM-DD HH:MM:SS". Plain dumps carry none. */
  createdLocal?: string;
  /** Rows per table, counted from the COPY data. The key is schema and table name joined by "."
   *  as they are (no quoting): "public.audit_log", 'public.Weird "Name"'. A table cut short has
   *  its complete rows; a table whose data could not be read at all (unsupported compression,
   *  unparseable COPY statement, INSERT form) is absent. Rows end at newlines not escaped by a
   *  backslash, as COPY FROM reads them (copy.ts CopyRowSplitter splits them the same way). */
  rowCounts: Record<string, number>;
  /** TOC entry count (custom) or statement-level facts. */
  tocEntries?: number;
  /** True when the dump was read to its proper end (trailer seen, all blocks read) and every
   *  table's data was read whole; false after any finding about damage or unreadable data. */
  complete: boolean;
}

export interface TableRef {
  schema: string;
  name: string;
  /** Column names, in COPY order, from the COPY statement. */
  columns: string[];
}

/** Receives one table's COPY text. `data` chunks are arbitrary slices (lines may span chunks).
 *  The chunks hold the COPY rows only: no COPY statement and no terminating "\." line. */
export interface TableDataHandler {
  data(chunk: Buffer): void | Promise<void>;
  /** `complete` is false when the data was cut short (truncation, corrupt block). */
  end(complete: boolean): void | Promise<void>;
}

export interface DumpSink {
  /** Called once the header / format is known (before any table data). */
  onFacts?(facts: DumpFacts): void;
  /** Return a handler to receive this table's data, or undefined to only count rows. */
  table(ref: TableRef): TableDataHandler | undefined;
}

export interface DumpReadOptions {
  /** Path to name in findings. */
  path: string;
  findings: Findings;
  /** Longest COPY line accepted before a LIMIT_EXCEEDED finding (bytes). */
  maxLineBytes: number;
  /** Largest TOC entry count / string accepted from a custom dump header. */
  maxTocEntries: number;
  maxTocStringBytes: number;
  /** Optional bound on the dump bytes read (after an outer gzip): past it a LIMIT_EXCEEDED finding
   *  and reading STOPS (the caller must discard the rest of its input itself). */
  maxBytes?: number;
  /** Optional: when aborted, reading stops at the next chunk (the rest of the input is not read). */
  signal?: AbortSignal;
  /** Bounds on the dump's own compression (gzip around a plain dump, zlib data blocks of a custom
   *  dump), against decompression bombs: bytes inflated in all, and the inflated/compressed
   *  ratio (judged once a stream has inflated more than RATIO_AFTER bytes). Past either: a
   *  LIMIT_EXCEEDED finding naming it; a gzip dump stops there, a zlib block's rest is skipped. */
  maxDecompressedBytes?: number;
  maxRatio?: number;
}
