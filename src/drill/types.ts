// The drill's report section (sections.drill): plain JSON, one entry per step.
import type { CheckStatus, JsonValue, Location } from '../findings/types.js';

/** An underlying finding that explains a drill failure (from a TUF or X.509 run). */
export interface Cause {
  code: string;
  location: Location;
  message: string;
}

export interface SignerUse {
  role: string;
  /** Key file, relative to the keys folder. */
  path: string;
  keyid: string;
  /** Listed by the newest root for this role. */
  trusted: boolean;
}

export interface FreshRole {
  role: 'timestamp' | 'snapshot';
  path: string;
  version: number;
  expires: string;
  signers: SignerUse[];
  accepted: boolean;
}

export interface OnlineKeysResult {
  /** Root version the checking client trusts (the newest). */
  trustedRootVersion: number | null;
  fresh: FreshRole[];
  /** The snapshot was re-signed too (its key is online), or only the timestamp. */
  snapshotResigned: boolean;
  causes: Cause[];
}

export type UpdateStep = 'root' | 'timestamp' | 'snapshot' | 'targets' | 'delegations' | 'target';

export interface PinnedResult {
  pinnedRoot: number;
  /** Last version of a range of versions the input does not hold (null: one version). */
  pinnedRootTo: number | null;
  /** Where the pinned root came from: the input's N.root.json, or the operator's --trusted-root. */
  source: string | null;
  /** 'unchecked' when the input does not hold that root version. */
  status: 'can-update' | 'blocked' | 'unchecked';
  failedStep: UpdateStep | null;
  reason: string | null;
  causes: Cause[];
}

export interface TargetResult {
  path: string;
  /** Where the request came from: an artifacts row, --target, or the signed targets. */
  from: 'artifact' | 'option' | 'metadata';
  row: number | null;
  role: string | null;
  length: number | null;
  hashes: Record<string, string>;
  ok: boolean;
  failedStep: UpdateStep | null;
  reason: string | null;
}

export interface DevicesResult {
  /** 're-signed': with the fresh timestamp/snapshot of step 1; 'as backed up': step 1 failed. */
  metadata: 're-signed' | 'as backed up';
  newestRootVersion: number | null;
  pinned: PinnedResult[];
  targets: TargetResult[];
  targetsTruncated: boolean;
}

export interface EnrollmentResult {
  ca: { path: string | null; certificate: string | null; keyPath: string | null };
  device: {
    serial: string;
    subject: string;
    keyType: string;
    signatureAlgorithm: string;
    sha256: string;
    notBefore: string;
    notAfter: string;
  } | null;
  accepted: boolean;
  causes: Cause[];
}

export interface HandshakeResult {
  host: string;
  ok: boolean;
  protocol: string | null;
  cipher: string | null;
  /** The certificate the server presented (SHA-256 of its DER, colon-free lowercase hex). */
  serverCertificate: string | null;
  error: string | null;
  errorCode: string | null;
  /** What the server saw (its tlsClientError), when it saw one. */
  serverError: string | null;
  ms: number;
}

export interface TlsResult {
  /** Loopback address and port the server listened on (closed when the step ends). */
  address: string;
  port: number | null;
  closed: boolean;
  handshakes: HandshakeResult[];
}

export interface DrillStepEntry {
  id: 'drill.online-keys' | 'drill.devices' | 'drill.enrollment' | 'drill.mtls';
  title: string;
  status: CheckStatus;
  summary: string;
  result: OnlineKeysResult | DevicesResult | EnrollmentResult | TlsResult | null;
}

export interface DrillSection {
  kind: 'drill';
  at: string;
  hosts: string[];
  input: { metadata: string | null; keys: string | null; certs: string | null; artifacts: string | null };
  steps: DrillStepEntry[];
}

export function toJson(v: unknown): JsonValue {
  return JSON.parse(JSON.stringify(v)) as JsonValue;
}
