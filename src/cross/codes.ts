// Cross-check codes (spec 6): the database, the TUF metadata and the certificates of one backup
// must agree, so that a restore gives a self-consistent node.
export const CROSS_CODES = {
  CROSS_TRUST_STATE_AHEAD: [
    'error',
    'trust_state names a newer metadata version than the backup holds: the database references trust material the backup lacks',
  ],
  CROSS_TRUST_STATE_BEHIND: [
    'warning',
    'trust_state names an older metadata version than the files: the files were copied after the dump',
  ],
  CROSS_TRUST_STATE_SHA_MISMATCH: [
    'error',
    "trust_state's sha256 is not the SHA-256 of that version's metadata file",
  ],
  CROSS_TRUST_STATE_UNCHECKABLE: [
    'info',
    "trust_state's sha256 cannot be checked: that version's file is not in the backup",
  ],
  CROSS_TRUST_STATE_ROLE_MISSING: ['warning', 'trust_state has no row for a top-level role'],
  CROSS_TRUST_STATE_ROLE_UNKNOWN: [
    'info',
    'trust_state has a row for a role that is not a top-level role (ignored)',
  ],
  CROSS_TRUST_STATE_ROW_INVALID: ['error', 'a trust_state row cannot be read (version, sha256)'],
  CROSS_ARTIFACT_NO_TARGET: ['error', 'an artifact row has no target in the (delegated) targets metadata'],
  CROSS_TARGET_NO_ARTIFACT: ['error', 'a signed target has no artifact row'],
  CROSS_ARTIFACT_SHA_MISMATCH: ['error', "an artifact's sha256 differs from its target's signed sha256"],
  CROSS_ARTIFACT_LENGTH_MISMATCH: ['error', "an artifact's length differs from its target's signed length"],
  CROSS_ARTIFACT_ROW_INVALID: ['error', 'an artifact row cannot be read (path, sha256, length)'],
  CROSS_SECRET_NOT_ENVELOPE: [
    'error',
    'a secrets row is not an MSE1 envelope: plaintext would travel offsite with the backup',
  ],
  CROSS_SECRET_ENVELOPE_SHORT: [
    'warning',
    'a secrets row starts with MSE1 but is too short to hold a nonce and a tag',
  ],
  CROSS_CLOCK_SKEW: [
    'warning',
    'the metadata or certificate files were copied long before or after the newest audit record: the three were not taken together',
  ],
  CROSS_DUMP_TIME_FAR: [
    'warning',
    "the custom dump's creation time is more than a day from the newest audit record",
  ],
  CROSS_DUMP_TIME_UNKNOWN: ['info', 'a plain dump carries no creation time: the dump age cannot be bounded'],
  CROSS_TABLE_MISSING: ['warning', 'a table the cross-checks read is not in the dump'],
} as const;
export type CrossCode = keyof typeof CROSS_CODES;
