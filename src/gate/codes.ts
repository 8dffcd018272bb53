// Finding codes of the upload gate (meshverify gate, verify --previous) and their default
// severities. A gate policy may override any of them (block / warn / ignore).
export const GATE_CODES = {
  // Continuity with the previous night's receipt (--previous)
  GATE_NO_PREVIOUS: [
    'info',
    'No previous receipt was given: continuity with the last backup was not checked',
  ],
  GATE_HISTORY_REWRITTEN: [
    'critical',
    "The chain no longer passes through the previous receipt's head (same seq, other hash, or the record is gone): history was rewritten",
  ],
  GATE_CHAIN_TRUNCATED: [
    'error',
    "The chain ends before the previous receipt's head: records were cut off the end",
  ],
  GATE_TUF_ROLLBACK: ['error', 'A TUF role has a lower version than in the previous receipt (rollback)'],
  GATE_TUF_VERSION_REUSED: [
    'error',
    'A TUF role has the same version as in the previous receipt but different bytes (two metadata, one version)',
  ],
  GATE_ROOT_HISTORY_SHRANK: [
    'error',
    'A root version the previous receipt listed is no longer in the archive',
  ],
  GATE_ROOT_HISTORY_CHANGED: [
    'error',
    'A root version the previous receipt listed is in the archive with other bytes',
  ],
  GATE_CA_REPLACED: [
    'error',
    'The CA certificate differs from the previous receipt and is not a renewal (other subject, or other key without a later expiry)',
  ],
  GATE_CA_REKEYED: [
    'warning',
    'The CA was renewed with a new key: devices enrolled under the old key no longer chain to it',
  ],
  GATE_SERVER_CERT_REPLACED: [
    'error',
    'The server certificate differs from the previous receipt and is not a renewal',
  ],
  GATE_CERT_RENEWED: [
    'info',
    'A certificate was renewed since the previous receipt (same subject, same key or a later expiry)',
  ],
  GATE_SAME_ARCHIVE: [
    'error',
    "The archive is byte-identical to the previous receipt's (no new backup was made)",
  ],
  GATE_CONTINUITY_UNCHECKED: [
    'error',
    'The previous receipt holds facts (chain head, TUF roles, certificates) this archive does not: continuity cannot be shown',
  ],
  GATE_PREVIOUS_FAILED: [
    'error',
    'The previous receipt records a failed gate: a failed night is no baseline (use the last passing receipt)',
  ],
  GATE_PREVIOUS_UNSIGNED: ['warning', 'The previous receipt carries no signature by the gate key'],
  GATE_PREVIOUS_SIGNATURE_INVALID: [
    'error',
    "The previous receipt's signature does not verify with the gate key: the baseline was altered",
  ],
  GATE_POLICY_CHANGED: ['info', 'The policy differs from the one the previous receipt was made under'],
  // This night's archive on its own
  GATE_PLAINTEXT_ARCHIVE: ['error', 'The archive is not age-encrypted, and the policy requires encryption'],
  GATE_TUF_EXPIRES_IN_WINDOW: [
    'error',
    "A TUF role expires within the policy's validity window after the reference time",
  ],
  GATE_CERT_EXPIRES_IN_WINDOW: [
    'error',
    "The server or CA certificate expires within the policy's validity window after the reference time",
  ],
} as const;
export type GateCode = keyof typeof GATE_CODES;
