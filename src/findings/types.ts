// The findings model shared by every domain: a finding says where, what and how bad.
// Severity is never chosen by the step that reports a finding: it is looked up in
// src/findings/severity.ts from the finding's code (one place, overridable by policy).

export type Severity = 'critical' | 'error' | 'warning' | 'info';

export type Area =
  'archive' | 'dump' | 'chain' | 'tuf' | 'x509' | 'cross' | 'restore' | 'drill' | 'gate' | 'limits' | 'run';

/** Where a finding is. Every field is optional; fill in all that apply. */
export interface Location {
  /** Path of the archive entry or file (after stripping the top folder). */
  path?: string;
  /** Byte offset in the archive file, the entry or the decompressed stream (say which in `offsetOf`). */
  offset?: number;
  offsetOf?: 'archive' | 'decompressed' | 'entry' | 'dump';
  /** Database table (schema-qualified when known). */
  table?: string;
  /** 1-based row number inside a table's data, in dump order. */
  row?: number;
  /** Audit sequence number, or the first of a range. */
  seq?: number;
  /** Last audit sequence number of a range (inclusive). */
  seqTo?: number;
  /** TUF role name. */
  role?: string;
  /** TUF metadata version, root version, … */
  version?: number;
  /** Key id (TUF) or certificate fingerprint. */
  keyid?: string;
  /** Certificate (file:index, or device serial) the finding concerns. */
  certificate?: string;
  /** Device id / serial for device certificate findings. */
  device?: string;
  /** A field or column name. */
  field?: string;
  /** Name of a resource bound (see src/limits). */
  limit?: string;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

export interface Finding {
  code: string;
  severity: Severity;
  area: Area;
  location: Location;
  message: string;
  /** Facts an investigator needs (expected/found values, counts), JSON-safe. */
  detail?: { [k: string]: JsonValue };
}

export type CheckStatus = 'passed' | 'failed' | 'warned' | 'skipped';

export interface CheckResult {
  id: string;
  area: Area;
  title: string;
  status: CheckStatus;
  /** Why a check was skipped, or a short summary. */
  reason?: string;
}
