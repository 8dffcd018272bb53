// verifyCertificates: the certificate folder of a backup (or a live node) as a restore needs it.
// The node must present the same TLS identity (server.crt/server.key, host names), devices must be
// able to authenticate it (a path to ca.crt), and the CA must still sign enrollments (ca.crt valid
// as a CA, ca.key its private half).
import { posix } from 'node:path';
import type { Findings } from '../findings/collector.js';
import type { FileSource } from '../files/source.js';
import {
  hasKeyUsage,
  KU,
  OID,
  parseCertificate,
  signatureVerifies,
  validityAt,
  type ParsedCert,
} from './cert.js';
import { matchHost, parseHost, sanProblems } from './host.js';
import { readPrivateKey } from './keys.js';
import { withDefaults, type X509Limits } from './limits.js';
import { lintCertificate } from './lints.js';
import { buildPath, issuedBy, validatePath, type PathIssue } from './path.js';
import { CERT_LABELS, KEY_LABELS, parsePem } from './pem.js';
import {
  summarizeCert,
  type CaHandle,
  type CertReport,
  type CertSummary,
  type CheckSummary,
  type HostResult,
  type KeyResult,
} from './report-types.js';
import { octal, report, runCheck } from './run-check.js';

export interface VerifyCertificatesInput {
  certs: FileSource;
  serverCertPath?: string;
  serverKeyPath?: string;
  caCertPath?: string;
  caKeyPath?: string;
}

export interface VerifyCertificatesOptions {
  /** Addresses clients use for the node: DNS names or IP addresses (--host, repeatable). */
  hosts: string[];
  /** Reference time of every validity check (--at). */
  at: Date;
  /** The actual current time: expiry is also shown relative to it. */
  now: Date;
  /** Warn when a certificate expires within this many ms after `at` (default 30 days). */
  expiringWithinMs?: number;
  findings: Findings;
  limits?: Partial<X509Limits>;
}

export const DEFAULT_EXPIRING_WITHIN_MS = 30 * 86_400_000;

const DEFAULTS = {
  serverCert: 'server.crt',
  serverKey: 'server.key',
  caCert: 'ca.crt',
  caKey: 'ca.key',
} as const;
type Role = keyof typeof DEFAULTS;

interface CertFile {
  path: string;
  certs: ParsedCert[];
}

export function verifyCertificates(
  input: VerifyCertificatesInput,
  opts: VerifyCertificatesOptions,
): CertReport {
  const limits = withDefaults(opts.limits);
  const f = opts.findings;
  const src = input.certs;
  const checks: CheckSummary[] = [];
  const expiringWithinMs = opts.expiringWithinMs ?? DEFAULT_EXPIRING_WITHIN_MS;

  // 1. Files: explicit paths must exist; absent defaults are looked for by content.
  const paths: Record<Role, string | undefined> = {
    serverCert: undefined,
    serverKey: undefined,
    caCert: undefined,
    caKey: undefined,
  };
  const foundByContent: string[] = [];
  let serverFile: CertFile | undefined;
  let caFile: CertFile | undefined;
  runCheck(f, checks, 'x509.files', 'Certificate and key files present and readable', () => {
    const explicit: Record<Role, string | undefined> = {
      serverCert: input.serverCertPath,
      serverKey: input.serverKeyPath,
      caCert: input.caCertPath,
      caKey: input.caKeyPath,
    };
    const missingDefaults: Role[] = [];
    for (const role of Object.keys(DEFAULTS) as Role[]) {
      const p = explicit[role] ?? DEFAULTS[role];
      if (src.get(p)) paths[role] = p;
      else if (explicit[role] !== undefined)
        report(f, 'X509_FILE_MISSING', { path: p }, `${p} is missing (given explicitly)`, { role });
      else missingDefaults.push(role);
    }
    if (missingDefaults.length) findByContent(src, paths, missingDefaults, limits, f, foundByContent);
    if (paths.serverCert) serverFile = readCertFile(src, paths.serverCert, limits, f);
    if (paths.caCert) caFile = readCertFile(src, paths.caCert, limits, f);
    if (caFile && caFile.certs.length > 1)
      report(
        f,
        'X509_PEM_UNEXPECTED_BLOCK',
        { path: caFile.path },
        `${caFile.path} holds ${caFile.certs.length} certificates; only the first is the device CA`,
        {
          certificates: caFile.certs.length,
        },
      );
    return undefined;
  });

  const leaf = serverFile?.certs[0];
  const anchor = caFile?.certs[0];
  const at = opts.at;

  // 2. The path server.crt → bundled intermediates → ca.crt (RFC 5280 6.1).
  let chainRefs: string[] = [];
  let reachedAnchor = false;
  const issuerOf = new Map<ParsedCert, ParsedCert>();
  const roles = new Map<ParsedCert, CertSummary['role']>();
  const pathCerts: ParsedCert[] = [];
  const chainCheck = runCheck(
    f,
    checks,
    'x509.chain',
    'server.crt chains to ca.crt (RFC 5280 path validation)',
    () => {
      const emit = (issues: PathIssue[]): void => {
        for (const i of issues) report(f, i.code, locOf(i.cert), `${i.cert.ref}: ${i.message}`, i.detail);
      };
      if (!leaf) {
        if (anchor) {
          roles.set(anchor, 'anchor');
          pathCerts.push(anchor);
          emit(validatePath([anchor], { at, anchorTrusted: true, anchorOnly: true }));
        }
        return 'no server certificate';
      }
      let bundle = serverFile?.certs.slice(1) ?? [];
      if (anchor) {
        const copies = bundle.filter((c) => c.sha256 === anchor.sha256);
        for (const c of copies)
          report(f, 'X509_BUNDLE_INCLUDES_ANCHOR', locOf(c), `${c.ref} is ca.crt itself`, {
            anchor: anchor.ref,
          });
        bundle = bundle.filter((c) => c.sha256 !== anchor.sha256);
      }
      const built = buildPath(leaf, bundle, anchor, limits.maxPathSteps);
      if (built.exhausted)
        report(
          f,
          'LIMIT_EXCEEDED',
          { path: serverFile?.path, limit: 'x509.maxPathSteps' },
          'path search stopped at its step bound',
          {
            steps: limits.maxPathSteps,
          },
        );
      chainRefs = built.certs.map((c) => c.ref);
      reachedAnchor = built.reachedAnchor;
      for (const c of built.certs)
        roles.set(c, c === leaf ? 'leaf' : c === anchor ? 'anchor' : 'intermediate');
      for (const c of built.unused) roles.set(c, 'unused');
      pathCerts.push(...built.certs);
      built.certs.forEach((c, i) => {
        const next = built.certs[i + 1];
        if (next) issuerOf.set(c, next);
      });
      const anchorFirst = [...built.certs].reverse();
      let issues: PathIssue[];
      if (anchor && !built.reachedAnchor) {
        // The anchor still has to be a usable CA for enrollments; check it on its own.
        roles.set(anchor, 'anchor');
        pathCerts.push(anchor);
        issues = [
          ...validatePath(anchorFirst, { at, anchorTrusted: false, leafPurpose: OID.serverAuth }),
          ...validatePath([anchor], { at, anchorTrusted: true, anchorOnly: true }),
        ];
      } else {
        issues = validatePath(anchorFirst, {
          at,
          anchorTrusted: anchor !== undefined,
          leafPurpose: OID.serverAuth,
          leafPurposeCode: 'X509_LEAF_NO_SERVER_AUTH',
        });
        // Without ca.crt (already reported missing) the top certificate's issuer is not news.
        if (!anchor) issues = issues.filter((i) => i.code !== 'X509_CHAIN_NO_ISSUER');
      }
      emit(issues);
      for (const c of built.unused)
        report(f, 'X509_BUNDLE_UNUSED', locOf(c), `${c.ref} ("${c.subject}") is not on the path to ca.crt`);
      return anchor ? undefined : 'no CA certificate';
    },
  );

  // 3. Expiry: the warning window after the reference time, and now.
  runCheck(f, checks, 'x509.expiry', 'Certificates stay valid after the reference time and now', () => {
    for (const c of pathCerts) {
      if (validityAt(c, at) !== 'valid') continue;
      const left = c.notAfter.getTime() - at.getTime();
      if (left <= expiringWithinMs)
        report(f, 'X509_EXPIRING_SOON', locOf(c), `${c.ref} expires on ${c.notAfter.toISOString()}`, {
          notAfter: c.notAfter.toISOString(),
          daysLeft: Math.floor(left / 86_400_000),
        });
      if (opts.now.getTime() > at.getTime() && validityAt(c, opts.now) === 'expired')
        report(
          f,
          'X509_EXPIRED_BY_NOW',
          locOf(c),
          `${c.ref} was valid at the reference time but expired on ${c.notAfter.toISOString()}`,
          {
            notAfter: c.notAfter.toISOString(),
            now: opts.now.toISOString(),
          },
        );
    }
    return pathCerts.length ? undefined : 'no certificate';
  });

  // 4. Host names against the leaf's subjectAltName.
  const hosts: HostResult[] = [];
  runCheck(f, checks, 'x509.host', 'The node address is in server.crt subjectAltName', () => {
    if (!leaf) return 'no server certificate';
    for (const p of sanProblems(leaf.san ?? []))
      report(f, p.code, locOf(leaf), `${leaf.ref}: ${p.reason}`, {
        type: p.entry.type,
        value: p.entry.value,
      });
    if (opts.hosts.length === 0) {
      report(f, 'X509_HOST_UNCHECKED', locOf(leaf), 'no --host given; the server name was not checked');
      return 'no --host given';
    }
    for (const h of opts.hosts) {
      const ref = parseHost(h);
      if (ref.kind === 'invalid') {
        report(f, 'X509_HOST_INVALID', { ...locOf(leaf), field: 'host' }, `--host "${h}": ${ref.reason}`, {
          host: h,
        });
        hosts.push({ host: h, kind: 'invalid', normalized: null, matched: false, matchedBy: null });
        continue;
      }
      const by = matchHost(ref, leaf.san);
      const normalized = ref.kind === 'ip' ? ref.text : ref.name;
      hosts.push({ host: h, kind: ref.kind, normalized, matched: by !== undefined, matchedBy: by ?? null });
      if (by === undefined)
        report(
          f,
          'X509_HOST_MISMATCH',
          locOf(leaf),
          `${leaf.ref} does not present ${ref.kind === 'ip' ? 'IP address' : 'DNS name'} ${normalized}`,
          {
            host: h,
            normalized,
            san: (leaf.san ?? []).map((e) => `${e.type === 'ip' ? 'IP' : e.type.toUpperCase()}:${e.value}`),
          },
        );
    }
    return undefined;
  });

  // 5. Keys: each the private half of its certificate, strong, and not readable by others.
  const keys: KeyResult[] = [];
  runCheck(
    f,
    checks,
    'x509.keys',
    'Private keys match their certificates; key strength and file modes',
    () => {
      const dirsReported = new Set<string>();
      const pairs: Array<['server' | 'ca', string | undefined, ParsedCert | undefined, Role]> = [
        ['server', paths.serverKey, leaf, 'serverKey'],
        ['ca', paths.caKey, anchor, 'caKey'],
      ];
      for (const [role, p, cert, r] of pairs) {
        const path = p ?? input[`${r}Path` as const] ?? DEFAULTS[r];
        const res: KeyResult = {
          role,
          path,
          status: 'missing',
          mode: null,
          format: null,
          key: null,
          certificate: cert?.ref ?? null,
        };
        keys.push(res);
        if (!p) continue;
        checkKeyFile(src, p, res, cert, limits, f, dirsReported);
      }
      for (const c of new Set(pathCerts)) {
        if (c.key.strength === 'weak')
          report(f, 'X509_KEY_WEAK', locOf(c), `${c.ref}: ${c.key.reason ?? 'weak key'}`, keyDetail(c));
        else if (c.key.strength === 'unsupported')
          report(
            f,
            'X509_KEY_TYPE_UNSUPPORTED',
            locOf(c),
            `${c.ref}: ${c.key.reason ?? 'unsupported key'}`,
            keyDetail(c),
          );
      }
      return undefined;
    },
  );

  // 6. Lints for a private CA.
  runCheck(f, checks, 'x509.lints', 'Certificate profile lints for a private CA', () => {
    for (const c of new Set(pathCerts)) {
      const issuer = c === anchor ? (c.selfIssued ? c : undefined) : issuerOf.get(c);
      for (const i of lintCertificate(c, c === leaf ? 'leaf' : 'issuer', issuer))
        report(f, i.code, locOf(i.cert), `${i.cert.ref}: ${i.message}`, i.detail);
    }
    return pathCerts.length ? undefined : 'no certificate';
  });

  const caKey = keys.find((k) => k.role === 'ca');
  const caUsableForEnrollment =
    anchor !== undefined &&
    anchor.basicConstraints?.ca === true &&
    hasKeyUsage(anchor, KU.keyCertSign) &&
    validityAt(anchor, at) === 'valid' &&
    caKey?.status === 'matches' &&
    (!anchor.selfIssued || signatureVerifies(anchor, anchor));

  const certificates: CertSummary[] = [];
  const seen = new Set<ParsedCert>();
  for (const file of [serverFile, caFile]) {
    for (const c of file?.certs ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      const role = roles.get(c) ?? (c === anchor ? 'anchor' : c === leaf ? 'leaf' : 'unused');
      certificates.push(summarizeCert(c, role, file?.path ?? null, at, opts.now));
    }
  }

  const out: CertReport = {
    kind: 'certificates',
    source: src.description,
    referenceTime: at.toISOString(),
    now: opts.now.toISOString(),
    expiringWithinMs,
    files: {
      serverCert: paths.serverCert ?? null,
      serverKey: paths.serverKey ?? null,
      caCert: paths.caCert ?? null,
      caKey: paths.caKey ?? null,
      foundByContent,
    },
    certificates,
    chain: { refs: chainRefs, reachedAnchor, valid: reachedAnchor && chainCheck.status !== 'failed' },
    hosts,
    keys,
    caUsableForEnrollment,
    checks,
  };
  if (anchor) {
    const handle: CaHandle = { ref: anchor.ref, cert: anchor };
    Object.defineProperty(out, 'ca', { value: handle, enumerable: false });
  }
  return out;
}

function locOf(c: ParsedCert): { path?: string; certificate: string } {
  const hash = c.ref.lastIndexOf('#');
  return hash > 0 ? { path: c.ref.slice(0, hash), certificate: c.ref } : { certificate: c.ref };
}

function keyDetail(c: ParsedCert): { [k: string]: string | number } {
  const d: { [k: string]: string | number } = { type: c.key.type };
  if (c.key.bits !== undefined) d['bits'] = c.key.bits;
  if (c.key.curve !== undefined) d['curve'] = c.key.curve;
  if (c.key.exponent !== undefined) d['exponent'] = c.key.exponent;
  return d;
}

/** Reads a PEM certificate bundle; every certificate that parses, the rest as findings. */
function readCertFile(src: FileSource, path: string, limits: X509Limits, f: Findings): CertFile | undefined {
  const file = src.get(path);
  if (!file) return undefined;
  if (!file.data) {
    report(f, 'X509_FILE_UNREADABLE', { path }, `${path} could not be read: ${file.error ?? 'no data'}`);
    return undefined;
  }
  if (file.data.length > limits.maxPemBytes) {
    report(
      f,
      'LIMIT_EXCEEDED',
      { path, limit: 'x509.maxPemBytes' },
      `${path} is larger than ${limits.maxPemBytes} bytes; not read`,
      {
        size: file.data.length,
        bound: limits.maxPemBytes,
      },
    );
    return undefined;
  }
  const pem = parsePem(file.data.toString('latin1'), limits.maxCertsPerPem);
  if (pem.truncated)
    report(
      f,
      'LIMIT_EXCEEDED',
      { path, limit: 'x509.maxCertsPerPem' },
      `${path} holds more than ${limits.maxCertsPerPem} PEM blocks; the rest was not read`,
      {
        bound: limits.maxCertsPerPem,
      },
    );
  for (const p of pem.problems)
    report(f, 'X509_PEM_INVALID', { path }, `${path} line ${p.line}: ${p.message}`, { line: p.line });
  const certs: ParsedCert[] = [];
  let k = 0;
  for (const b of pem.blocks) {
    if (!CERT_LABELS.has(b.label)) {
      const isKey = KEY_LABELS.has(b.label);
      report(
        f,
        'X509_PEM_UNEXPECTED_BLOCK',
        { path },
        `${path} line ${b.line}: ${isKey ? 'private key material in a certificate file' : `unexpected "${b.label}" block`}`,
        {
          label: b.label,
          line: b.line,
        },
      );
      continue;
    }
    const ref = `${path}#${k++}`;
    const r = parseCertificate(b.der, ref);
    if (r.ok) certs.push(r.cert);
    else
      report(f, 'X509_CERT_UNPARSABLE', { path, certificate: ref }, `${ref}: ${r.error}`, { line: b.line });
  }
  if (certs.length === 0 && pem.problems.length === 0 && k === 0)
    report(f, 'X509_PEM_INVALID', { path }, `${path} holds no PEM certificate`);
  return { path, certs };
}

function checkKeyFile(
  src: FileSource,
  path: string,
  res: KeyResult,
  cert: ParsedCert | undefined,
  limits: X509Limits,
  f: Findings,
  dirsReported: Set<string>,
): void {
  const file = src.get(path);
  if (!file) return;
  res.mode = octal(file.mode);
  if ((file.mode & 0o077) !== 0)
    report(
      f,
      'X509_KEY_MODE_LOOSE',
      { path },
      `${path} has mode ${octal(file.mode)}; a restore would expose the key (0600 or stricter)`,
      {
        mode: octal(file.mode),
      },
    );
  const dir = posix.dirname(path) === '.' ? '' : posix.dirname(path);
  const dm = src.dirMode(dir);
  if (dm !== undefined && (dm & 0o077) !== 0 && !dirsReported.has(dir)) {
    dirsReported.add(dir);
    report(
      f,
      'X509_KEY_DIR_MODE_LOOSE',
      { path: dir === '' ? '.' : dir },
      `the folder holding ${path} has mode ${octal(dm)} (0700 or stricter)`,
      {
        mode: octal(dm),
      },
    );
  }
  if (!file.data) {
    res.status = 'unreadable';
    report(f, 'X509_FILE_UNREADABLE', { path }, `${path} could not be read: ${file.error ?? 'no data'}`);
    return;
  }
  if (file.data.length > limits.maxPemBytes) {
    res.status = 'unreadable';
    report(
      f,
      'LIMIT_EXCEEDED',
      { path, limit: 'x509.maxPemBytes' },
      `${path} is larger than ${limits.maxPemBytes} bytes; not read`,
      {
        size: file.data.length,
      },
    );
    return;
  }
  const k = readPrivateKey(file.data, limits.maxCertsPerPem);
  if (k.status === 'encrypted') {
    res.status = 'encrypted';
    res.format = k.format;
    report(
      f,
      'X509_KEY_ENCRYPTED',
      { path, ...(cert ? { certificate: cert.ref } : {}) },
      `${path} is encrypted (${k.format}); its pairing cannot be checked`,
      {
        format: k.format,
      },
    );
    return;
  }
  if (k.status === 'unparsable') {
    res.status = 'unparsable';
    report(f, 'X509_KEY_UNPARSABLE', { path }, `${path}: ${k.reason}`);
    return;
  }
  res.format = k.format;
  res.key = k.facts;
  if (k.extraBlocks.length)
    report(
      f,
      'X509_PEM_UNEXPECTED_BLOCK',
      { path },
      `${path} also holds ${k.extraBlocks.join(', ')} blocks`,
      { labels: k.extraBlocks },
    );
  if (!cert || !cert.publicKeySpki) {
    res.status = 'unchecked';
    return;
  }
  if (k.publicSpki.equals(cert.publicKeySpki)) {
    res.status = 'matches';
  } else {
    res.status = 'mismatch';
    report(
      f,
      'X509_KEY_MISMATCH',
      { path, certificate: cert.ref },
      `${path} is not the private key of ${cert.ref}`,
      {
        keyType: k.facts.type,
        certificateKeyType: cert.key.type,
      },
    );
  }
}

/**
 * Fills absent default files by content: a self-signed CA certificate, a leaf it issued, and the
 * private keys of both. Bounded by limits.maxScanFiles.
 */
function findByContent(
  src: FileSource,
  paths: Record<Role, string | undefined>,
  missing: Role[],
  limits: X509Limits,
  f: Findings,
  foundByContent: string[],
): void {
  const taken = new Set(Object.values(paths).filter((p): p is string => p !== undefined));
  const certs: Array<{ path: string; cert: ParsedCert }> = [];
  const keys: Array<{ path: string; spki: Buffer }> = [];
  const all = src.list();
  const files = all.filter((p) => !taken.has(p)).slice(0, limits.maxScanFiles);
  if (all.length - taken.size > limits.maxScanFiles)
    report(
      f,
      'LIMIT_EXCEEDED',
      { limit: 'x509.maxScanFiles' },
      `only the first ${limits.maxScanFiles} files were searched for certificates`,
      {
        files: all.length,
      },
    );
  for (const p of files) {
    const file = src.get(p);
    if (!file?.data || file.data.length > limits.maxPemBytes) continue;
    const text = file.data.toString('latin1');
    if (!text.includes('-----BEGIN ')) continue;
    const pem = parsePem(text, limits.maxCertsPerPem);
    const first = pem.blocks.find((b) => CERT_LABELS.has(b.label));
    if (first) {
      const r = parseCertificate(first.der, `${p}#0`);
      if (r.ok) certs.push({ path: p, cert: r.cert });
    } else if (pem.blocks.some((b) => KEY_LABELS.has(b.label))) {
      const k = readPrivateKey(file.data, limits.maxCertsPerPem);
      if (k.status === 'ok') keys.push({ path: p, spki: k.publicSpki });
    }
  }
  const certAt = (p: string | undefined): ParsedCert | undefined => {
    if (!p) return undefined;
    const d = src.get(p)?.data;
    const b = d ? parsePem(d.toString('latin1'), 1).blocks[0] : undefined;
    const r = b ? parseCertificate(b.der, `${p}#0`) : undefined;
    return r?.ok ? r.cert : undefined;
  };
  const use = (role: Role, p: string | undefined): void => {
    if (p === undefined) return;
    paths[role] = p;
    foundByContent.push(role);
    report(
      f,
      'X509_FOUND_BY_CONTENT',
      { path: p },
      `${DEFAULTS[role]} is absent; using ${p}, found by its content`,
      { role, expected: DEFAULTS[role] },
    );
  };
  const isCa = (c: ParsedCert): boolean =>
    c.basicConstraints?.ca === true && c.selfIssued && signatureVerifies(c, c);
  const issued = (child: ParsedCert, ca: ParsedCert): boolean =>
    issuedBy(child, ca) && signatureVerifies(child, ca);
  const keyFor = (c: ParsedCert | undefined): string | undefined =>
    c?.publicKeySpki ? keys.find((k) => c.publicKeySpki?.equals(k.spki))?.path : undefined;

  let ca = certAt(paths.caCert);
  let leaf = certAt(paths.serverCert);
  if (missing.includes('caCert')) {
    const cands = certs.filter((c) => isCa(c.cert));
    const pick =
      cands.find((c) =>
        leaf ? issued(leaf, c.cert) : certs.some((l) => l !== c && issued(l.cert, c.cert)),
      ) ?? cands[0];
    use('caCert', pick?.path);
    ca = pick?.cert ?? ca;
  }
  if (missing.includes('serverCert')) {
    const cands = certs.filter((c) => c.cert.basicConstraints?.ca !== true && (!ca || issued(c.cert, ca)));
    const pick =
      cands.find(
        (c) =>
          keyFor(c.cert) !== undefined || (paths.serverKey !== undefined && !missing.includes('serverKey')),
      ) ?? cands[0];
    use('serverCert', pick?.path);
    leaf = pick?.cert ?? leaf;
  }
  if (missing.includes('serverKey')) use('serverKey', keyFor(leaf));
  if (missing.includes('caKey')) use('caKey', keyFor(ca));
  for (const role of missing)
    if (paths[role] === undefined)
      report(
        f,
        'X509_FILE_MISSING',
        { path: DEFAULTS[role] },
        `${DEFAULTS[role]} is missing and no file holds it`,
        { role },
      );
}
