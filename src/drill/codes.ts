// Drill codes: what the rehearsal of a restore found. Each says which restore task would fail
// (re-signing, device updates, enrollment, mutual TLS); the underlying TUF/X.509 findings are in
// the detail as `causes`.
export const DRILL_CODES = {
  DRILL_INPUT_MISSING: [
    'error',
    'A part the drill needs (TUF metadata, online keys folder, certificate folder) is not in the input',
  ],
  DRILL_ONLINE_KEY_MISSING: [
    'error',
    'No private key of an online role (timestamp, snapshot) is available: the restored node cannot re-sign it',
  ],
  DRILL_ONLINE_KEY_UNUSABLE: [
    'error',
    'An online key file cannot sign (encrypted, unreadable, or an unsupported key type)',
  ],
  DRILL_ONLINE_KEY_NOT_TRUSTED: [
    'error',
    'The key the restored node would sign an online role with is not one the newest root lists for that role',
  ],
  DRILL_METADATA_UNAVAILABLE: [
    'error',
    'Metadata the restored node re-signs from (newest root, timestamp, current snapshot) cannot be read',
  ],
  DRILL_FRESH_METADATA_REJECTED: [
    'error',
    'The freshly re-signed timestamp (or snapshot) is rejected by a client trusting the newest root',
  ],
  DRILL_DEVICE_UPDATE_BLOCKED: [
    'error',
    'Devices pinned to these root versions cannot update; located at the first problem on their path',
  ],
  DRILL_PINNED_ROOT_UNAVAILABLE: [
    'warning',
    'A root version is not in the input: devices pinned to it cannot be checked',
  ],
  DRILL_TARGET_UNRESOLVED: [
    'error',
    'A target devices need does not resolve to verified signed metadata (not listed, unreachable, or its role fails)',
  ],
  DRILL_TARGET_ARTIFACT_MISMATCH: [
    'error',
    "An artifact row's sha256 or length differs from its signed target: devices reject the download",
  ],
  DRILL_NO_TARGETS: ['warning', 'No target to resolve: no artifact rows, no --target and no signed targets'],
  DRILL_ENROLL_NO_CA: ['error', 'No CA certificate or CA key: the restored node cannot enroll devices'],
  DRILL_ENROLL_CA_KEY_UNUSABLE: [
    'error',
    'The CA key cannot sign a certificate (encrypted, unreadable, or an unsupported key type)',
  ],
  DRILL_ENROLLMENT_REJECTED: [
    'error',
    'A device certificate issued with the CA key is not accepted against the CA certificate',
  ],
  DRILL_TLS_SERVER_SETUP_FAILED: [
    'error',
    'The server certificate and key cannot be loaded into a TLS server (missing, unreadable, or not a pair)',
  ],
  DRILL_TLS_HOST_REJECTED: [
    'error',
    'A device rejects the server: its certificate does not name the --host address',
  ],
  DRILL_TLS_SERVER_REJECTED: [
    'error',
    'A device rejects the server certificate chain against the CA certificate',
  ],
  DRILL_TLS_CLIENT_REJECTED: [
    'error',
    'The server rejects the freshly enrolled device certificate (mutual TLS fails)',
  ],
  DRILL_TLS_HANDSHAKE_FAILED: ['error', 'The loopback mutual-TLS handshake failed for another reason'],
  DRILL_TLS_TIMEOUT: ['error', 'The loopback mutual-TLS handshake did not finish within its time bound'],
  DRILL_TLS_REAL_CLOCK: [
    'info',
    'The TLS handshake judged certificate validity at the real clock, not at --at',
  ],
} as const;

export type DrillCode = keyof typeof DRILL_CODES;
