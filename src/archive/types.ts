// The archive reader's contract. One streaming pass over the archive file: the raw bytes are
// hashed, decrypted (age, through ArchiveOptions.decrypt), decompressed (gzip) and parsed as tar.
// Nothing is ever extracted to disk. Database dumps are streamed to a consumer while the pass
// goes on; every other entry small enough is kept in memory as a MemorySource.
import type { Findings } from '../findings/collector.js';
import type { MemorySource } from '../files/source.js';
import type { Profile } from '../profile/profile.js';
import type { Readable } from 'node:stream';

export interface ArchiveLimits {
  /** Bytes after decompression before the read stops with LIMIT_EXCEEDED (a bomb). */
  maxDecompressedBytes: number;
  /** Decompressed/compressed ratio above which the read stops (checked after the first MiB). */
  maxRatio: number;
  /** Entries in the archive. */
  maxEntries: number;
  /** Largest non-dump entry kept in memory (metadata, certificates, keys). */
  maxEntryBytes: number;
  /** Total bytes of non-dump entries kept in memory. */
  maxTotalSmallBytes: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxDecompressedBytes: 64 * 1024 ** 3,
  maxRatio: 200,
  maxEntries: 100_000,
  maxEntryBytes: 8 * 1024 * 1024,
  // Real metadata, certificates and keys take a few MB. Each kept byte of TUF metadata costs
  // about five in memory while it is verified (copy, canonical form, parse), so this bound is
  // what keeps peak memory under 300 MB on hostile input.
  maxTotalSmallBytes: 32 * 1024 * 1024,
};

export type EntryKind =
  'file' | 'directory' | 'symlink' | 'hardlink' | 'chardev' | 'blockdev' | 'fifo' | 'unsupported';

export interface EntryInfo {
  /** Path after stripping the common top folder, '/'-separated, no leading './'.
   *  While the pass runs (e.g. inside onDump) the top folder is only tentative: the final path is
   *  written into this same object before readArchive resolves. '' is the top folder itself.
   *  Absolute entries keep their leading '/'; names that are not UTF-8 are escaped (\xNN). */
  path: string;
  /** Path as written in the archive (not UTF-8: bytes escaped as \xNN). */
  rawPath: string;
  size: number;
  mode: number;
  mtime: Date | undefined;
  /** 0-based index of the entry in the archive. */
  index: number;
  /** Byte offset of the entry's header in the decompressed tar stream. */
  offset: number;
  /** Offset of the first pax / GNU long-name header that belongs to this entry, if any. */
  extendedOffset?: number;
  kind?: EntryKind;
  /** Target of a symbolic or hard link, as written. */
  linkpath?: string;
  /** Set (before its content stream ends) when the archive ended or was cut inside this entry. */
  truncated?: boolean;
}

export interface DumpEntryHandler {
  /** Consume the whole stream (the archive pass waits for it: backpressure).
   *  Must never throw for bad content: report findings instead. */
  (entry: EntryInfo, content: AsyncIterable<Buffer>): Promise<void>;
}

export interface ArchiveOptions {
  findings: Findings;
  profile: Profile;
  limits: ArchiveLimits;
  /** When aborted (--timeout) the pass stops at its next chunk and the rest is not hashed. */
  signal?: AbortSignal;
  /** Told the raw bytes read so far, as the pass goes (a progress bar). */
  onProgress?: (bytesRead: number) => void;
  /** Receives each database dump entry (by default path or by content sniffing). */
  onDump: DumpEntryHandler;
  /** Slot for age decryption (the gate issue): given the raw archive bytes (which start with the
   *  age header), return the plaintext. Without it an age archive gives ARCHIVE_ENCRYPTED.
   *  A rejection or a stream error gives ARCHIVE_DECRYPT_FAILED. */
  decrypt?: ArchiveDecryptor;
}

export type ArchiveDecryptor = (ciphertext: Readable) => Promise<AsyncIterable<Uint8Array>>;

export type Container = 'tar' | 'tar.gz' | 'age' | 'unknown';

export interface ArchiveFacts {
  path: string;
  size: number;
  sha256: string;
  container: Container;
  /** The common top folder that was stripped, or null when entries had none. */
  topFolder: string | null;
  entryCount: number;
  /** True when the tar stream ended properly (end-of-archive, no truncation or corruption). */
  complete: boolean;
  /** For an age archive that was decrypted: what the plaintext was. */
  innerContainer?: Container;
  /** Bytes of tar stream read (after decryption and decompression). */
  tarBytes?: number;
}

export interface ArchiveLayout {
  /** Paths of the dump entries found (default paths first, then sniffed ones). */
  dumps: string[];
  /** Folder holding the TUF metadata (undefined when not found; '' is the archive root). */
  tufMetadata: string | undefined;
  tufKeys: string | undefined;
  certs: string | undefined;
}

export interface ArchiveResult {
  facts: ArchiveFacts;
  /** Every non-dump regular file entry kept in memory (latest entry wins on duplicates). */
  files: MemorySource;
  layout: ArchiveLayout;
  /** Every entry seen, in archive order (for modes, mtimes, cross-checks). */
  entries: EntryInfo[];
}
