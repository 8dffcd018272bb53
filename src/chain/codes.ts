// Audit-chain finding codes (spec 3.3) and their default severities.
export const CHAIN_CODES = {
  CHAIN_RECORD_ALTERED: [
    'error',
    "A record's content no longer matches its stored hash (edited after the fact)",
  ],
  CHAIN_LINK_BROKEN: [
    'error',
    "A record's prev_hash is not the previous record's hash (a record deleted or inserted, or a rewritten suffix)",
  ],
  CHAIN_REORDERED: [
    'error',
    "A record's prev_hash is the hash of a later record: records were moved or swapped",
  ],
  CHAIN_GAP: ['error', 'Sequence numbers are missing (from..to)'],
  CHAIN_DUPLICATE_SEQ: ['error', 'The same sequence number occurs more than once'],
  CHAIN_BAD_GENESIS: ['error', 'The chain does not start at the first seq with the genesis prev_hash'],
  CHAIN_TIME_BACKWARDS: [
    'warning',
    "A record's time is earlier than its predecessor's (clocks, not necessarily tampering)",
  ],
  CHAIN_ROW_MALFORMED: [
    'error',
    'An audit row cannot be read (wrong field count, bad seq, bad hash, bad timestamp)',
  ],
  CHAIN_EMPTY: ['warning', 'The audit table holds no records'],
  CHAIN_TABLE_MISSING: ['error', 'The dump holds no data for the audit table'],
  CHAIN_COLUMNS_MISSING: ['error', 'The audit table lacks a column the recipe needs'],
  CHAIN_INCOMPLETE: [
    'error',
    "The audit table's data was cut short: the chain after the last complete row is unverified",
  ],
  CHAIN_ANCHOR_MISMATCH: [
    'critical',
    "The record at an anchor's seq has a different hash: history was rewritten",
  ],
  CHAIN_ANCHOR_MISSING: ['error', "An anchor's seq is not in the chain (deleted)"],
  CHAIN_ANCHOR_BEYOND_HEAD: [
    'error',
    'An anchor lies beyond the head of the chain: records were cut off the end',
  ],
  CHAIN_NO_ANCHOR: [
    'info',
    'No anchor was given: truncation of the tail or a wholesale recomputation cannot be detected',
  ],
} as const;
export type ChainCode = keyof typeof CHAIN_CODES;
