// The facts of one verified archive that a receipt keeps and the next gate compares: the archive
// file, the chain head, the TUF roles and root history, the server and CA certificates (with the
// hash of their public key, which the report does not carry: computed from the archive's PEM).
import { createHash, X509Certificate } from 'node:crypto';
import { basename } from 'node:path';
import type { FileSource } from '../files/source.js';
import type { TufReport } from '../tuf/index.js';
import type { CertReport } from '../x509/index.js';
import type { VerifyContext } from '../verify/context.js';
import type { ReceiptArchive, ReceiptCertificate, ReceiptChain, ReceiptTuf } from './receipt.js';

export interface GateFacts {
  archive: ReceiptArchive | null;
  chain: ReceiptChain | null;
  tuf: ReceiptTuf | null;
  certificates: ReceiptCertificate[];
  /** The certificate folder's files were read (false: no certificate step result). */
  certificatesRead: boolean;
}

const ROOT_FILE = /^([1-9][0-9]{0,15})\.root\.json$/;
const MAX_PEM_BLOCKS = 64;

export function collectFacts(ctx: VerifyContext, archivePath: string): GateFacts {
  const a = ctx.archive;
  const archive: ReceiptArchive | null = a
    ? {
        name: basename(archivePath),
        size: a.facts.size,
        sha256: a.facts.sha256,
        container: a.facts.container,
        innerContainer: a.facts.innerContainer ?? null,
        encrypted: a.facts.container === 'age',
      }
    : null;
  const x509 = ctx.shared.get('x509.report') as CertReport | undefined;
  return {
    archive,
    chain: chainFacts(ctx),
    tuf: tufFacts(ctx.shared.get('tuf.report') as TufReport | undefined),
    certificates: x509 ? certFacts(x509, certSource(ctx)) : [],
    certificatesRead: x509 !== undefined,
  };
}

/** The chain of the (first) dump: with two dumps the archive is ambiguous and already a finding. */
function chainFacts(ctx: VerifyContext): ReceiptChain | null {
  const c = ctx.dumps.flatMap((d) => d.result.chains).find((x) => x.last !== null && x.headHash !== null);
  if (!c || c.last === null || c.headHash === null) return null;
  return {
    table: c.table,
    records: c.count,
    firstSeq: c.first,
    headSeq: c.last,
    headHash: c.headHash,
    headOccurredAt: c.headOccurredAt,
  };
}

function tufFacts(t: TufReport | undefined): ReceiptTuf | null {
  if (!t) return null;
  const roles = new Map<string, ReceiptTuf['roles'][number]>();
  for (const r of t.roles)
    if (!roles.has(r.role))
      roles.set(r.role, { role: r.role, version: r.version, expires: r.expires, sha256: r.sha256 });
  const history = new Map<number, string>();
  for (const f of t.metadataFiles) {
    const m = ROOT_FILE.exec(f.path);
    if (f.role === 'root' && m?.[1] !== undefined) history.set(Number(m[1]), f.sha256);
  }
  return {
    newestRootVersion: t.newestRootVersion,
    roles: [...roles.values()],
    rootHistory: [...history.entries()]
      .sort((x, y) => x[0] - y[0])
      .map(([version, sha256]) => ({ version, sha256 })),
  };
}

function certSource(ctx: VerifyContext): FileSource | undefined {
  const a = ctx.archive;
  const folder = a?.layout.certs;
  if (!a || folder === undefined) return undefined;
  return a.files.sub(folder, `archive ${a.facts.path}:${folder || '.'}`);
}

/** The server certificate (first in its file), its chain, and the CA certificate. */
function certFacts(r: CertReport, source: FileSource | undefined): ReceiptCertificate[] {
  const spki = spkiIndex(r, source);
  const out: ReceiptCertificate[] = [];
  const add = (role: ReceiptCertificate['role'], c: CertReport['certificates'][number]): void => {
    if (out.some((x) => x.ref === c.ref)) return;
    out.push({
      role,
      ref: c.ref,
      subject: c.subject,
      sha256: c.sha256,
      spkiSha256: spki.get(c.sha256) ?? null,
      notBefore: c.notBefore,
      notAfter: c.notAfter,
    });
  };
  const server = r.files.serverCert;
  const ca = r.files.caCert;
  for (const c of r.certificates) {
    if (server !== null && c.path === server && c.ref === `${server}#0`) add('server', c);
    else if (ca !== null && c.path === ca && c.ref === `${ca}#0`) add('ca', c);
  }
  for (const c of r.certificates) if (c.role === 'intermediate') add('intermediate', c);
  return out;
}

/** DER SHA-256 → SPKI SHA-256, for the certificates of the report's files. */
function spkiIndex(r: CertReport, source: FileSource | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!source) return out;
  const files = new Set(r.certificates.map((c) => c.path).filter((p): p is string => p !== null));
  for (const path of files) {
    const data = source.get(path)?.data;
    if (!data) continue;
    for (const der of pemCertificates(data)) {
      const sha = createHash('sha256').update(der).digest('hex');
      try {
        const key = new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
        out.set(sha, createHash('sha256').update(key).digest('hex'));
      } catch {
        // Unparsable here: the x509 step already reported it; the key hash stays unknown (null).
      }
    }
  }
  return out;
}

function pemCertificates(data: Buffer): Buffer[] {
  const text = data.toString('latin1');
  const re = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]*?)-----END CERTIFICATE-----/g;
  const out: Buffer[] = [];
  for (let m = re.exec(text); m !== null && out.length < MAX_PEM_BLOCKS; m = re.exec(text))
    out.push(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
  return out;
}
