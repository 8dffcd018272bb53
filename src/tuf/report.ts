// The TUF verification report: plain JSON-safe data (no Dates, Maps or class instances), so the
// CLI can print it as JSON and the lead's cross-checks can read it.

export interface SignerFailure {
  keyid: string;
  reason: string;
}

export interface RoleReport {
  /** 'root', 'timestamp', 'snapshot', 'targets' or a delegated role name. */
  role: string;
  kind: 'root' | 'timestamp' | 'snapshot' | 'targets' | 'delegated';
  /** File the role was read from, relative to the metadata folder (null when absent). */
  path: string | null;
  version: number | null;
  /** ISO 8601 UTC, normalised (null when absent or unparseable). */
  expires: string | null;
  /** Expired at the reference time `at` (null when unknown). */
  expiredAtRef: boolean | null;
  /** Expired by `now` (null when unknown). Information for a restore, not a tamper sign. */
  expiredNow: boolean | null;
  /** Expires after `now` but within `expiringWithinMs` (null when no window was asked for). */
  expiringSoon: boolean | null;
  /** Threshold of the role as defined by its delegator (newest root, or the delegating targets). */
  threshold: number | null;
  /** Number of keyids the delegator lists for the role. */
  keyCount: number;
  /** Keyids whose signature verified and counted (distinct key material). */
  validSigners: string[];
  failedSigners: SignerFailure[];
  thresholdMet: boolean;
  /** Loaded, parsed, threshold met, version/hash/length agree with the reference, unexpired at `at`. */
  verified: boolean;
  /** Delegating role for delegated roles (first delegator in pre-order). */
  delegatedBy: string | null;
  /** SHA-256 (hex) and length of the file bytes. */
  sha256: string | null;
  length: number | null;
}

export interface RootLink {
  version: number;
  path: string;
  /** Signed by a threshold of the previous root's root keys (null: no previous root to check against). */
  signedByPrevious: boolean | null;
  selfSigned: boolean;
  /** The file holds the version its name says (5.3.5). */
  versionMatches: boolean;
  /** Versions missing just before this one (a gap in the history). */
  missingBefore: number[];
  /** Count of missing versions before this one (missingBefore is capped). */
  missingBeforeCount: number;
  /** Top-level roles whose keys or threshold changed from the previous root (5.3.11). */
  rotated: string[];
  validSignersPrevious: string[];
  validSignersOwn: string[];
  /** This link is sound: no gap, right version, both thresholds met. */
  ok: boolean;
}

export interface AnchorInfo {
  kind: 'trusted-root' | 'oldest-in-archive' | 'none';
  path: string | null;
  version: number | null;
  /** A plain sentence for the report. */
  description: string;
}

export interface DelegationReport {
  /** Delegating role. */
  delegator: string;
  /** Delegated role name. */
  name: string;
  threshold: number | null;
  keyids: string[];
  terminating: boolean;
  paths: string[] | null;
  pathHashPrefixes: string[] | null;
  /** Whether the delegated role's metadata met this delegation's threshold. */
  thresholdMet: boolean;
  validSigners: string[];
  failedSigners: SignerFailure[];
}

export interface ResolvedTarget {
  path: string;
  length: number;
  /** Algorithm → lowercase hex. */
  hashes: Record<string, string>;
  /** The role a device's search resolves this path to. */
  role: string;
  /** Every role on the way verified: root history, timestamp, snapshot, targets, delegations down to `role`. */
  verified: boolean;
}

export interface MetadataFileHash {
  path: string;
  role: string;
  version: number | null;
  sha256: string;
  length: number;
}

export interface KeyRoleMatch {
  role: string;
  keyid: string;
  /** Root version that lists the key (null for delegated roles). */
  rootVersion: number | null;
  /** Delegating role for delegated roles. */
  delegatedBy: string | null;
  /** Listed by the newest root or the current delegations (false: only by an older root). */
  current: boolean;
}

export interface KeyCustody {
  /** Path as given (relative to the key folder, or the caller's path for extra keys). */
  path: string;
  source: 'keys' | 'extra';
  status:
    | 'online'
    | 'offline-leak'
    | 'historic'
    | 'wrong-role'
    | 'unknown'
    | 'encrypted'
    | 'unreadable'
    | 'not-tuf';
  keyType: string | null;
  /** SHA-256 over the public key's JWK parameters (stable across PEM/hex encodings). */
  fingerprint: string | null;
  matches: KeyRoleMatch[];
  /** The role the file name says it holds (timestamp/snapshot), when it says one. */
  intendedRole: string | null;
}

export interface OnlineRoleCustody {
  role: string;
  threshold: number | null;
  /** Distinct private keys of the role found in the archive. */
  keysPresent: number;
  ok: boolean;
}

export interface TufReport {
  source: string;
  at: string;
  now: string;
  expiringWithinMs: number | null;
  anchor: AnchorInfo;
  newestRootVersion: number | null;
  /** From the anchor to the newest root, one entry per root version after the anchor. */
  rootPath: RootLink[];
  /** A device holding the anchor reaches the newest root through sound links only. */
  rootChainIntact: boolean;
  consistentSnapshot: boolean | null;
  roles: RoleReport[];
  delegations: DelegationReport[];
  /** Resolved targets, sorted by path (capped at limits.maxTargets). */
  targets: ResolvedTarget[];
  targetsCount: number;
  targetsTruncated: boolean;
  /** Every metadata file read, with its bytes' SHA-256 (for cross-checks). */
  metadataFiles: MetadataFileHash[];
  /** Private keys examined; null when neither a key folder nor extra keys were given. */
  keys: KeyCustody[] | null;
  onlineRoles: OnlineRoleCustody[] | null;
  unreferencedFiles: string[];
  /** Counts of this run's findings; `dropped` were over the collector's cap (severity unknown). */
  summary: {
    critical: number;
    errors: number;
    warnings: number;
    infos: number;
    dropped: number;
    ok: boolean;
  };
}
