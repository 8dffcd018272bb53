// Dump reader finding codes and their default severities (see src/findings/severity.ts).
// Bounds reached while reading a dump use the shared LIMIT_EXCEEDED code (src/findings/run-codes.ts).
export const DUMP_CODES = {
  DUMP_UNRECOGNIZED: ['error', 'The file is not a pg_dump custom, plain or gzip-plain dump'],
  DUMP_UNSUPPORTED_FORMAT: [
    'error',
    'The dump is a pg_dump tar or directory archive (or a piece of one), which this verifier does not read',
  ],
  DUMP_VERSION_UNSUPPORTED: [
    'error',
    'The custom dump has an archive version outside 1.12–1.16; its layout is unknown, so it was not read',
  ],
  DUMP_HEADER_INVALID: ['error', 'The custom dump header is malformed (integer or offset size, format byte)'],
  DUMP_TOC_INVALID: [
    'error',
    'The custom dump table of contents is malformed (absurd entry count, bad string length, bad entry id)',
  ],
  DUMP_UNSUPPORTED_COMPRESSION: [
    'error',
    'A table’s data is compressed with an algorithm this verifier cannot decompress (lz4, zstd, unknown)',
  ],
  DUMP_TRUNCATED: ['error', 'The dump ends early: its header, table of contents or trailer is missing'],
  DUMP_COPY_TRUNCATED: [
    'error',
    'A table’s COPY data is cut short; only the rows up to the named row were read whole',
  ],
  DUMP_ZLIB_CORRUPT: [
    'error',
    'A table’s zlib-compressed data block is corrupt; rows after the named row are lost',
  ],
  DUMP_GZIP_CORRUPT: [
    'error',
    'The gzip compression around a plain dump is corrupt; the rest of the dump is lost',
  ],
  DUMP_INPUT_ERROR: [
    'error',
    'Reading the dump’s bytes failed (an I/O or upstream error); the rest was not read',
  ],
  DUMP_BLOCK_INVALID: [
    'error',
    'A custom dump data block is malformed (unknown type or entry, duplicate, or data after the end of COPY)',
  ],
  DUMP_DATA_OFFSET_INVALID: [
    'error',
    'A TOC data offset does not point at its data block (past the end, into the header, or elsewhere)',
  ],
  DUMP_TABLE_DATA_MISSING: [
    'error',
    'The TOC lists data for a table but the dump holds no data block for it',
  ],
  DUMP_COPY_STATEMENT_INVALID: [
    'error',
    'A COPY statement could not be parsed; that table’s data was not read',
  ],
  DUMP_TABLE_NOT_COPY: [
    'error',
    'A table’s data is stored as INSERT statements (pg_dump --inserts), which this verifier does not read',
  ],
  DUMP_TABLE_DUPLICATE: [
    'warning',
    'A table’s data appears more than once in the dump; row counts were added up',
  ],
  DUMP_COPY_ROW_UNTERMINATED: ['error', 'A table’s COPY data ends with a row that has no line end'],
  DUMP_PLAIN_HEADER_MISSING: ['warning', 'A plain dump lacks pg_dump’s "PostgreSQL database dump" header'],
} as const;
export type DumpCode = keyof typeof DUMP_CODES;
