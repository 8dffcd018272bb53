// Options shared by every verifying command, with the documented defaults of every bound.
import type { Anchor, RecordTap } from '../chain/replay.js';
import { defaultJobs } from '../chain/audit-rows.js';
import { DEFAULT_REPLAY_TUNING } from '../chain/replay.js';
import type { ArchiveDecryptor, ArchiveLimits } from '../archive/types.js';
import { DEFAULT_ARCHIVE_LIMITS } from '../archive/types.js';
import type { SeverityOverrides } from '../findings/severity.js';
import type { Profile } from '../profile/profile.js';
import { DEFAULT_PROFILE } from '../profile/profile.js';
import type { VerifyContext } from './context.js';
import { DEFAULT_TUF_LIMITS, type TufLimits } from '../tuf/limits.js';
import { DEFAULT_X509_LIMITS, type X509Limits } from '../x509/limits.js';

export interface Limits extends ArchiveLimits {
  /** Longest COPY line (one row) read, bytes. */
  maxLineBytes: number;
  maxTocEntries: number;
  maxTocStringBytes: number;
  /** Reorder window of the chain replay, records. */
  reorderWindow: number;
  /** Records per spill run kept in memory. */
  spillMemRecords: number;
  /** Temporary disk for the reorder spill, bytes. */
  maxSpillBytes: number;
  /** Rows kept per cross-checked table (devices, artifacts, trust_state, secrets). */
  maxTableRows: number;
  maxTableBytes: number;
  /** Findings stored per run (the rest are counted). */
  maxFindings: number;
  /** TUF metadata bounds (--limit tuf.<name>=<n>; findings name them tuf.<name>). */
  tuf: TufLimits;
  /** Certificate bounds (--limit x509.<name>=<n>). */
  x509: X509Limits;
}

export const DEFAULT_LIMITS: Limits = {
  ...DEFAULT_ARCHIVE_LIMITS,
  maxLineBytes: 64 * 1024 * 1024,
  maxTocEntries: 1_000_000,
  maxTocStringBytes: 64 * 1024 * 1024,
  reorderWindow: DEFAULT_REPLAY_TUNING.window,
  spillMemRecords: DEFAULT_REPLAY_TUNING.spillMemRecords,
  maxSpillBytes: DEFAULT_REPLAY_TUNING.maxSpillBytes,
  // The cross-checked tables (devices, artifacts, trust_state, secrets) are held in memory.
  maxTableRows: 100_000,
  maxTableBytes: 16 * 1024 * 1024,
  // Each stored finding costs memory (and a line of text output); beyond, they are counted and
  // the verification fails closed (LIMIT_EXCEEDED maxFindings).
  maxFindings: 50_000,
  tuf: { ...DEFAULT_TUF_LIMITS },
  x509: { ...DEFAULT_X509_LIMITS },
};

export interface VerifyOptions {
  /** Reference time of every time-based check. */
  at: Date;
  /** The real current time (expiry "by now", for restores). */
  now: Date;
  strict: boolean;
  profile: Profile;
  anchors: Anchor[];
  hosts: string[];
  trustedRoot?: { path: string; data: Buffer };
  expiringWithinMs?: number;
  limits: Limits;
  severityOverrides?: SeverityOverrides;
  /** Sees every audit record of the archive's chain in dump order (restore compares with it). */
  chainTap?: RecordTap;
  /** Told the input bytes read so far (progress bar). */
  onProgress?: (bytesRead: number) => void;
  /** Aborted when --timeout expires: readers stop at their next chunk, later steps are skipped. */
  signal?: AbortSignal;
  /** Decrypts an age-encrypted archive while it is read (--identity; src/gate/age.ts). */
  decrypt?: ArchiveDecryptor;
  /** Steps run after the built-in ones on the same context (--previous continuity, the gate policy). */
  extraSteps?: Array<(ctx: VerifyContext) => Promise<void>>;
  /** Hashing threads for the audit chain (--jobs); 1 hashes in the main thread. */
  jobs: number;
  /** Size of the blocks of audit rows handed to a hasher (default 1 MiB; tests use small ones
   *  so that a small fixture is shared between this thread and the workers). */
  hashBlockBytes?: number;
  /** Which steps run (audit runs the chain alone). */
  steps: { chain: boolean; tuf: boolean; certs: boolean; cross: boolean };
}

export function defaultVerifyOptions(over: Partial<VerifyOptions> = {}): VerifyOptions {
  const now = new Date();
  return {
    at: now,
    now,
    strict: false,
    profile: DEFAULT_PROFILE,
    anchors: [],
    hosts: [],
    limits: DEFAULT_LIMITS,
    jobs: defaultJobs(),
    steps: { chain: true, tuf: true, certs: true, cross: true },
    ...over,
  };
}
