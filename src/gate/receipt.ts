// The gate's receipt (schema/receipt.schema.json): what was verified, the verdict, and the facts the
// next night's gate checks continuity against. `signed` is the body; a signature is Ed25519 over
// the OLPC canonical JSON of `signed` (the form TUF signs, src/tuf/canonical.ts), so any
// re-serialisation of the file verifies the same and any change to a fact does not.
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { Severity } from '../findings/types.js';
import { canonicalize } from '../tuf/canonical.js';

export const RECEIPT_FORMAT = 'meshverify-receipt/1';
const MAX_RECEIPT_BYTES = 16 * 1024 * 1024;

export class ReceiptError extends Error {}

export interface ReceiptArchive {
  /** File name (no directory). */
  name: string;
  size: number;
  sha256: string;
  container: string;
  /** What an age archive held (tar or tar.gz), or null. */
  innerContainer: string | null;
  encrypted: boolean;
}

export interface ReceiptChain {
  table: string;
  records: number;
  firstSeq: number | null;
  headSeq: number;
  headHash: string;
  headOccurredAt: string | null;
}

export interface ReceiptRole {
  role: string;
  version: number | null;
  expires: string | null;
  /** SHA-256 of the role's metadata file bytes. */
  sha256: string | null;
}

export interface ReceiptTuf {
  newestRootVersion: number | null;
  roles: ReceiptRole[];
  /** Every N.root.json in the archive, by version. */
  rootHistory: Array<{ version: number; sha256: string }>;
}

export interface ReceiptCertificate {
  role: 'server' | 'ca' | 'intermediate';
  ref: string;
  subject: string;
  /** SHA-256 of the certificate's DER. */
  sha256: string;
  /** SHA-256 of its SubjectPublicKeyInfo DER (the key, whatever certificate carries it). */
  spkiSha256: string | null;
  notBefore: string;
  notAfter: string;
}

export interface ReceiptBody {
  format: typeof RECEIPT_FORMAT;
  tool: { name: 'meshverify'; version: string };
  createdAt: string;
  referenceTime: string;
  verdict: 'passed' | 'failed';
  archive: ReceiptArchive;
  chain: ReceiptChain | null;
  tuf: ReceiptTuf | null;
  certificates: ReceiptCertificate[];
  policy: { source: string; sha256: string };
  /** The receipt this one continues (null on the first night). */
  previous: { bodySha256: string; archiveSha256: string; headSeq: number | null } | null;
  /** Every finding code of the run, with its severity (after the policy) and count. */
  findings: Array<{ code: string; severity: Severity; count: number }>;
}

export interface ReceiptSignature {
  alg: 'ed25519';
  /** SHA-256 (hex) of the signing key's SubjectPublicKeyInfo DER. */
  keyid: string;
  /** Base64 signature over canonical(signed). */
  sig: string;
}

export interface Receipt {
  signed: ReceiptBody;
  signatures: ReceiptSignature[];
}

/** A receipt read from a file: its body as typed, and the raw `signed` object the signature covers. */
export interface LoadedReceipt {
  path: string;
  receipt: Receipt;
  /** The `signed` object exactly as parsed (unknown fields kept). */
  rawSigned: unknown;
  /** SHA-256 (hex) of canonical(rawSigned). */
  bodySha256: string;
}

export function canonicalBody(signed: unknown): Buffer {
  const c = canonicalize(signed);
  if (!c.ok) throw new ReceiptError(`the receipt body cannot be canonicalized: ${c.field}: ${c.reason}`);
  return c.bytes;
}

export function keyIdOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(pub.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** An Ed25519 private key, PKCS#8 PEM (unencrypted). Throws ReceiptError. */
export function loadSigningKey(path: string): KeyObject {
  const pem = readSmall(path, 64 * 1024, 'signing key');
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw new ReceiptError(
      `${path} is not an unencrypted PKCS#8 PEM private key: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new ReceiptError(
      `${path} is a ${key.asymmetricKeyType ?? 'unknown'} key; receipts are signed with Ed25519`,
    );
  return key;
}

/** An Ed25519 public key (SPKI PEM), or the private key it belongs to. Throws ReceiptError. */
export function loadVerifyKey(path: string): KeyObject {
  const pem = readSmall(path, 64 * 1024, 'public key');
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (e) {
    throw new ReceiptError(`${path} is not a PEM public key: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new ReceiptError(
      `${path} is a ${key.asymmetricKeyType ?? 'unknown'} key; receipts are signed with Ed25519`,
    );
  return key;
}

export function signReceipt(body: ReceiptBody, key: KeyObject | undefined): Receipt {
  if (!key) return { signed: body, signatures: [] };
  const sig = sign(null, canonicalBody(body), key).toString('base64');
  return { signed: body, signatures: [{ alg: 'ed25519', keyid: keyIdOf(key), sig }] };
}

export type SignatureStatus =
  { status: 'valid'; keyid: string } | { status: 'unsigned' } | { status: 'invalid'; reason: string };

/** Does a signature by `key` over canonical(signed) verify? Never throws. */
export function checkSignature(r: LoadedReceipt, key: KeyObject): SignatureStatus {
  return verifyReceiptDocument({ signed: r.rawSigned, signatures: r.receipt.signatures }, key);
}

/** The same on a parsed receipt document of any shape (receipt verify checks the signature
 *  before, and independently of, the body's shape). Never throws. */
export function verifyReceiptDocument(doc: unknown, key: KeyObject): SignatureStatus {
  const keyid = keyIdOf(key);
  const o = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>) : {};
  const sigs = Array.isArray(o['signatures']) ? (o['signatures'] as unknown[]) : [];
  if (sigs.length === 0) return { status: 'unsigned' };
  const entries = sigs.map((x) => {
    const g = typeof x === 'object' && x !== null ? (x as Record<string, unknown>) : {};
    return {
      alg: g['alg'],
      keyid: typeof g['keyid'] === 'string' ? g['keyid'] : '',
      sig: typeof g['sig'] === 'string' ? g['sig'] : '',
    };
  });
  const mine = entries.filter((s) => s.keyid === keyid && s.alg === 'ed25519');
  if (mine.length === 0)
    return {
      status: 'invalid',
      reason: `signed by key ${entries.map((s) => s.keyid.slice(0, 16) || '?').join(', ')}, not by ${keyid.slice(0, 16)}`,
    };
  let body: Buffer;
  try {
    body = canonicalBody(o['signed']);
  } catch (e) {
    return { status: 'invalid', reason: e instanceof Error ? e.message : String(e) };
  }
  for (const s of mine) {
    const sig = Buffer.from(s.sig, 'base64');
    if (sig.length === 64 && verify(null, body, key, sig)) return { status: 'valid', keyid };
  }
  return {
    status: 'invalid',
    reason: 'the signature does not match the receipt body (altered after signing)',
  };
}

function readSmall(path: string, max: number, what: string): Buffer {
  try {
    if (statSync(path).size > max) throw new ReceiptError(`${what} ${path} is larger than ${max} bytes`);
    return readFileSync(path);
  } catch (e) {
    if (e instanceof ReceiptError) throw e;
    throw new ReceiptError(`cannot read ${what} ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Reads and checks the shape of a receipt. Throws ReceiptError for anything unusable. */
export function loadReceipt(path: string): LoadedReceipt {
  const text = readSmall(path, MAX_RECEIPT_BYTES, 'receipt').toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ReceiptError(`receipt ${path} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseReceipt(doc, path);
}

export function parseReceipt(doc: unknown, path: string): LoadedReceipt {
  const bad = (field: string, want: string): ReceiptError =>
    new ReceiptError(`receipt ${path}: ${field} must be ${want}`);
  const o = obj(doc, 'the receipt', bad);
  const s = obj(o['signed'], 'signed', bad);
  if (s['format'] !== RECEIPT_FORMAT) throw bad('signed.format', `"${RECEIPT_FORMAT}"`);
  const tool = obj(s['tool'], 'signed.tool', bad);
  const a = obj(s['archive'], 'signed.archive', bad);
  const chainV = s['chain'];
  const tufV = s['tuf'];
  const prevV = s['previous'];
  const pol = obj(s['policy'], 'signed.policy', bad);
  const body: ReceiptBody = {
    format: RECEIPT_FORMAT,
    tool: { name: 'meshverify', version: str(tool['version'], 'signed.tool.version', bad) },
    createdAt: str(s['createdAt'], 'signed.createdAt', bad),
    referenceTime: str(s['referenceTime'], 'signed.referenceTime', bad),
    verdict: oneOf(s['verdict'], ['passed', 'failed'] as const, 'signed.verdict', bad),
    archive: {
      name: str(a['name'], 'signed.archive.name', bad),
      size: int(a['size'], 'signed.archive.size', bad),
      sha256: hex64(a['sha256'], 'signed.archive.sha256', bad),
      container: str(a['container'], 'signed.archive.container', bad),
      innerContainer: nullable(a['innerContainer'], (v) => str(v, 'signed.archive.innerContainer', bad)),
      encrypted: boolean(a['encrypted'], 'signed.archive.encrypted', bad),
    },
    chain: nullable(chainV, (v) => {
      const c = obj(v, 'signed.chain', bad);
      return {
        table: str(c['table'], 'signed.chain.table', bad),
        records: int(c['records'], 'signed.chain.records', bad),
        firstSeq: nullable(c['firstSeq'], (x) => int(x, 'signed.chain.firstSeq', bad)),
        headSeq: int(c['headSeq'], 'signed.chain.headSeq', bad),
        headHash: hex64(c['headHash'], 'signed.chain.headHash', bad),
        headOccurredAt: nullable(c['headOccurredAt'], (x) => str(x, 'signed.chain.headOccurredAt', bad)),
      };
    }),
    tuf: nullable(tufV, (v) => {
      const t = obj(v, 'signed.tuf', bad);
      return {
        newestRootVersion: nullable(t['newestRootVersion'], (x) =>
          int(x, 'signed.tuf.newestRootVersion', bad),
        ),
        roles: arr(t['roles'], 'signed.tuf.roles', bad).map((x, i) => {
          const r = obj(x, `signed.tuf.roles[${i}]`, bad);
          return {
            role: str(r['role'], `signed.tuf.roles[${i}].role`, bad),
            version: nullable(r['version'], (y) => int(y, `signed.tuf.roles[${i}].version`, bad)),
            expires: nullable(r['expires'], (y) => str(y, `signed.tuf.roles[${i}].expires`, bad)),
            sha256: nullable(r['sha256'], (y) => hex64(y, `signed.tuf.roles[${i}].sha256`, bad)),
          };
        }),
        rootHistory: arr(t['rootHistory'], 'signed.tuf.rootHistory', bad).map((x, i) => {
          const r = obj(x, `signed.tuf.rootHistory[${i}]`, bad);
          return {
            version: int(r['version'], `signed.tuf.rootHistory[${i}].version`, bad),
            sha256: hex64(r['sha256'], `signed.tuf.rootHistory[${i}].sha256`, bad),
          };
        }),
      };
    }),
    certificates: arr(s['certificates'], 'signed.certificates', bad).map((x, i) => {
      const c = obj(x, `signed.certificates[${i}]`, bad);
      const at = `signed.certificates[${i}]`;
      return {
        role: oneOf(c['role'], ['server', 'ca', 'intermediate'] as const, `${at}.role`, bad),
        ref: str(c['ref'], `${at}.ref`, bad),
        subject: str(c['subject'], `${at}.subject`, bad),
        sha256: hex64(c['sha256'], `${at}.sha256`, bad),
        spkiSha256: nullable(c['spkiSha256'], (y) => hex64(y, `${at}.spkiSha256`, bad)),
        notBefore: str(c['notBefore'], `${at}.notBefore`, bad),
        notAfter: str(c['notAfter'], `${at}.notAfter`, bad),
      };
    }),
    policy: {
      source: str(pol['source'], 'signed.policy.source', bad),
      sha256: hex64(pol['sha256'], 'signed.policy.sha256', bad),
    },
    previous: nullable(prevV, (v) => {
      const p = obj(v, 'signed.previous', bad);
      return {
        bodySha256: hex64(p['bodySha256'], 'signed.previous.bodySha256', bad),
        archiveSha256: hex64(p['archiveSha256'], 'signed.previous.archiveSha256', bad),
        headSeq: nullable(p['headSeq'], (y) => int(y, 'signed.previous.headSeq', bad)),
      };
    }),
    findings: arr(s['findings'], 'signed.findings', bad).map((x, i) => {
      const f = obj(x, `signed.findings[${i}]`, bad);
      return {
        code: str(f['code'], `signed.findings[${i}].code`, bad),
        severity: oneOf(
          f['severity'],
          ['critical', 'error', 'warning', 'info'] as const,
          `signed.findings[${i}].severity`,
          bad,
        ),
        count: int(f['count'], `signed.findings[${i}].count`, bad),
      };
    }),
  };
  const signatures = arr(o['signatures'] ?? [], 'signatures', bad).map((x, i) => {
    const g = obj(x, `signatures[${i}]`, bad);
    return {
      alg: oneOf(g['alg'], ['ed25519'] as const, `signatures[${i}].alg`, bad),
      keyid: hex64(g['keyid'], `signatures[${i}].keyid`, bad),
      sig: str(g['sig'], `signatures[${i}].sig`, bad),
    };
  });
  let bodySha256: string;
  try {
    bodySha256 = createHash('sha256').update(canonicalBody(o['signed'])).digest('hex');
  } catch (e) {
    throw new ReceiptError(`receipt ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { path, receipt: { signed: body, signatures }, rawSigned: o['signed'], bodySha256 };
}

type Bad = (field: string, want: string) => ReceiptError;

function obj(v: unknown, field: string, bad: Bad): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(field, 'an object');
  return v as Record<string, unknown>;
}
function arr(v: unknown, field: string, bad: Bad): unknown[] {
  if (!Array.isArray(v)) throw bad(field, 'a list');
  return v;
}
function str(v: unknown, field: string, bad: Bad): string {
  if (typeof v !== 'string') throw bad(field, 'a string');
  return v;
}
function int(v: unknown, field: string, bad: Bad): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad(field, 'a non-negative integer');
  return v;
}
function boolean(v: unknown, field: string, bad: Bad): boolean {
  if (typeof v !== 'boolean') throw bad(field, 'true or false');
  return v;
}
function hex64(v: unknown, field: string, bad: Bad): string {
  if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v)) throw bad(field, '64 lowercase hex digits');
  return v;
}
function oneOf<T extends string>(v: unknown, options: readonly T[], field: string, bad: Bad): T {
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v))
    throw bad(field, `one of ${options.join(', ')}`);
  return v as T;
}
function nullable<T>(v: unknown, f: (v: unknown) => T): T | null {
  return v === null || v === undefined ? null : f(v);
}
