// Archive reader finding codes (spec section 2) and their default severities.
// LIMIT_EXCEEDED (run codes) is also reported here, with location.limit naming the bound.
export const ARCHIVE_CODES = {
  // The container
  ARCHIVE_UNREADABLE: ['error', 'The archive file could not be opened or read to its end'],
  ARCHIVE_NOT_TAR: ['error', 'The file (or what it decompresses to) is not a tar, tar.gz or age archive'],
  ARCHIVE_ENCRYPTED: ['error', 'The archive is age-encrypted and cannot be read without a usable identity'],
  ARCHIVE_DECRYPT_FAILED: [
    'error',
    'Decrypting the age archive failed (wrong identity, damaged or tampered data)',
  ],
  ARCHIVE_TAR_NO_MAGIC: ['info', 'The tar stream uses old (pre-POSIX) headers without the ustar magic'],
  ARCHIVE_GZIP_CORRUPT: ['error', 'The gzip stream is corrupt; the rest of the archive could not be read'],
  ARCHIVE_GZIP_TRUNCATED: ['error', 'The gzip stream ends before its end: the archive was cut short'],
  ARCHIVE_TRUNCATED: ['error', 'The tar stream ends inside an entry or without its end-of-archive marker'],
  ARCHIVE_HEADER_INVALID: [
    'error',
    'Tar header blocks are corrupt (bad checksum, bad fields) and were skipped',
  ],
  ARCHIVE_BAD_TAR: ['error', 'The tar parser reported the stream as unusable'],
  ARCHIVE_TAR_WARNING: ['warning', 'The tar parser reported a problem not covered by a more specific code'],
  ARCHIVE_EMPTY: ['error', 'The archive holds no entries'],
  ARCHIVE_LONE_ZERO_BLOCK: [
    'warning',
    'A single zero block sits between entries: GNU tar stops there, other tools read on',
  ],
  ARCHIVE_TRAILING_DATA: [
    'warning',
    'Non-zero data follows the end of the tar archive or of the gzip stream',
  ],
  // Entries
  ARCHIVE_ENTRY_UNSUPPORTED: [
    'warning',
    'An entry of an unsupported type (sparse, volume label, …) was skipped',
  ],
  ARCHIVE_META_IGNORED: [
    'warning',
    'An extended (pax/GNU) header was too large and ignored: the next entry may carry a wrong name',
  ],
  ARCHIVE_ENTRY_TOO_LARGE: [
    'warning',
    'A non-dump entry is larger than the in-memory bound and was not read',
  ],
  ARCHIVE_DUPLICATE_PATH: ['warning', 'A path occurs more than once; the later entry wins, as tar -x would'],
  ARCHIVE_ABSOLUTE_PATH: ['error', 'An entry has an absolute path (never extracted)'],
  ARCHIVE_DOTDOT_PATH: ['error', 'An entry path has a ".." component (never extracted)'],
  ARCHIVE_LINK_OUTSIDE: ['error', 'A symbolic or hard link points outside the archive (never followed)'],
  ARCHIVE_LINK_IN_TRUST_FOLDER: ['error', 'A link sits in the TUF or certificate folders (never followed)'],
  ARCHIVE_SPECIAL_FILE: ['error', 'A device node or FIFO is in the archive (never extracted)'],
  ARCHIVE_SETUID_SETGID: ['error', 'An entry has the setuid or setgid bit'],
  ARCHIVE_STICKY_BIT: ['warning', 'An entry has the sticky bit'],
  ARCHIVE_NAME_NOT_UTF8: [
    'warning',
    'An entry name is not valid UTF-8 (reported with bytes escaped as \\xNN)',
  ],
  ARCHIVE_KEY_MODE_LOOSE: ['error', 'A private key file is readable by group or others (looser than 0600)'],
  ARCHIVE_KEY_DIR_MODE_LOOSE: ['warning', 'A folder directly holding private keys is looser than 0700'],
  ARCHIVE_KEY_DIR_MODE_UNKNOWN: [
    'info',
    'A folder holding private keys has no directory entry, so its mode is unknown',
  ],
  // Layout
  ARCHIVE_MULTIPLE_DUMPS: ['warning', 'The archive holds more than one database dump (each is verified)'],
  ARCHIVE_NO_DUMP: ['error', 'The archive holds no database dump'],
  ARCHIVE_LAYOUT_SNIFFED: [
    'info',
    'A default folder was absent; the folder was found by its content instead',
  ],
  ARCHIVE_LAYOUT_MISSING: [
    'error',
    'A folder of the backup (TUF metadata, online keys, certificates) was not found',
  ],
} as const;
export type ArchiveCode = keyof typeof ARCHIVE_CODES;
