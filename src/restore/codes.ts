// Restore-check finding codes (`meshverify restore`, `meshverify db`) and their default severities.
// The restored database's own chain is reported with the CHAIN_* codes (table "db:<schema>.<table>").
export const RESTORE_CODES = {
  // The audit chain, record by record against the archive's
  RESTORE_RECORD_MISSING: ['error', 'Audit records of the archive are absent from the restored database'],
  RESTORE_RECORD_EXTRA: [
    'error',
    "The restored database holds audit records at seqs the archive does not have, within the archive's range",
  ],
  RESTORE_RECORD_APPENDED: [
    'warning',
    "The restored database holds audit records after the archive's head (written after the restore?)",
  ],
  RESTORE_RECORD_DIFFERS: [
    'error',
    "A restored audit record differs from the archive's record with the same seq (hash or content)",
  ],
  RESTORE_CHAIN_UNCOMPARED: [
    'error',
    "The restored audit records could not be compared with the archive's (no chain in the archive, or a bound)",
  ],
  // Tables
  RESTORE_TABLE_MISSING: ['error', 'A table of the dump is absent from the restored database'],
  RESTORE_TABLE_EXTRA: [
    'warning',
    'The restored database holds a table, in a schema the dump covers, that the dump does not have',
  ],
  RESTORE_ROW_COUNT: ['error', "A restored table's row count differs from the dump's"],
  RESTORE_COLUMN_MISSING: ['error', 'A column of the dump is absent from the restored table'],
  RESTORE_COLUMN_EXTRA: ['warning', 'The restored table has a column the dump does not have'],
  RESTORE_ROW_MISSING: ['error', 'A row of the dump (by primary key) is absent from the restored table'],
  RESTORE_ROW_EXTRA: ['error', 'The restored table holds a row (by primary key) the dump does not have'],
  RESTORE_ROW_DIFFERS: ['error', 'A restored row has a column value different from the dump'],
  RESTORE_ROWS_PARTIAL: [
    'warning',
    "The dump's rows of a compared table were not all read (cut short or over a bound): extra rows are not reported",
  ],
  RESTORE_DUMP_CHOSEN: [
    'info',
    'The archive holds several dumps; the restore was compared with the one named',
  ],
  // Restored directories
  RESTORE_FILE_MISSING: ['error', 'A file of the archive is absent from the restored directory'],
  RESTORE_FILE_EXTRA: ['warning', 'The restored directory holds a file the archive does not have'],
  RESTORE_FILE_DIFFERS: ['error', 'A restored file is not byte-identical to the archive entry'],
  RESTORE_FILE_MODE_WIDENED: [
    'error',
    'A restored file or folder grants permissions the archive entry does not (restrictive modes lost)',
  ],
  RESTORE_FILE_MODE_CHANGED: [
    'warning',
    "A restored file or folder's mode differs from the archive entry's without widening it",
  ],
  RESTORE_FILE_UNCOMPARED: [
    'warning',
    'A restored file could not be compared (unreadable, or over the per-file bound)',
  ],
  RESTORE_DIR_NOT_IN_ARCHIVE: [
    'warning',
    'A restored directory was given but the archive holds no such folder to compare it with',
  ],
} as const;

export type RestoreCode = keyof typeof RESTORE_CODES;
