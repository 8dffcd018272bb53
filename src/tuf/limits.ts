// Resource bounds of the TUF verifier. Hostile metadata must end in a finding, never in a
// hang, a stack overflow or unbounded memory. Each bound reached is reported as LIMIT_EXCEEDED
// with `limit: 'tuf.<name>'`.
export interface TufLimits {
  /** Largest metadata file read, in bytes (default 8 MiB; real targets files are far smaller). */
  maxMetadataBytes: number;
  /** Deepest JSON nesting accepted, checked by a byte scan before JSON.parse (default 64; TUF needs < 10). */
  maxJsonDepth: number;
  /** Most root versions walked (default 1024, the spec's example "Y = 2^10" in 5.3.3). */
  maxRootVersions: number;
  /** Most distinct delegated roles loaded from the whole delegation graph (default 1000). */
  maxDelegatedRoles: number;
  /** Most roles visited in one target search (default 32, as python-tuf and tuf-js; 5.6.7.1). */
  maxDelegationSearch: number;
  /** Most key objects read from one metadata file (default 1024). */
  maxKeysPerFile: number;
  /** Most signature entries read from one metadata file (default 256). */
  maxSignaturesPerFile: number;
  /** Most target entries read over all targets metadata (default 100000). */
  maxTargets: number;
  /** Largest private key file read, in bytes (default 64 KiB). */
  maxKeyFileBytes: number;
  /** Most private key files examined (default 256). */
  maxKeyFiles: number;
}

export const DEFAULT_TUF_LIMITS: Readonly<TufLimits> = Object.freeze({
  maxMetadataBytes: 8 * 1024 * 1024,
  maxJsonDepth: 64,
  maxRootVersions: 1024,
  maxDelegatedRoles: 1000,
  maxDelegationSearch: 32,
  maxKeysPerFile: 1024,
  maxSignaturesPerFile: 256,
  maxTargets: 100_000,
  maxKeyFileBytes: 64 * 1024,
  maxKeyFiles: 256,
});
