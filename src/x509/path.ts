// Path building and the RFC 5280 section 6.1 validation loop, kept free of files and findings so
// it can be exercised on its own (tests, conformance suites). Differences from RFC 5280, on purpose:
// the trust anchor is a certificate and its own constraints apply (cA, keyCertSign, validity,
// pathLenConstraint: RFC 5937 style), and the leaf must carry the expected EKU when it has one.
// Not processed (so rejected when critical): name constraints and the policy extensions beyond
// certificatePolicies; revocation is out of scope for an offline backup check.
import type { JsonValue } from '../findings/types.js';
import { hasKeyUsage, KU, namesEqual, OID, signatureVerifies, validityAt, type ParsedCert } from './cert.js';
import type { X509Code } from './codes.js';

export interface PathIssue {
  code: X509Code;
  cert: ParsedCert;
  message: string;
  detail?: { [k: string]: JsonValue };
}

/** Extensions whose meaning this verifier applies (or that do not restrict the path when critical). */
export const UNDERSTOOD_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.subjectKeyId,
  OID.authorityKeyId,
  // With the initial policy set any-policy and no explicit policy required, certificatePolicies
  // never invalidates a path, so a critical one is understood.
  OID.certificatePolicies,
  OID.issuerAltName,
  OID.crlDistributionPoints,
  OID.authorityInfoAccess,
]);

export function issuedBy(child: ParsedCert, issuer: ParsedCert): boolean {
  return namesEqual(child.issuerDer, child.issuerNorm, issuer.subjectDer, issuer.subjectNorm);
}

export interface BuiltPath {
  /** Leaf first; the trust anchor last when `reachedAnchor`. */
  certs: ParsedCert[];
  reachedAnchor: boolean;
  /** Bundle certificates that are not on the path. */
  unused: ParsedCert[];
  /** The step bound stopped the search. */
  exhausted: boolean;
}

/**
 * Finds a path leaf → bundle certificates → anchor whose every link has a verifying signature.
 * Without one, falls back to following issuer names alone (anchor first) so validation can name
 * the exact link that fails.
 */
export function buildPath(
  leaf: ParsedCert,
  bundle: ParsedCert[],
  anchor: ParsedCert | undefined,
  maxSteps: number,
): BuiltPath {
  const sigCache = new Map<string, boolean>();
  const verifies = (c: ParsedCert, i: ParsedCert): boolean => {
    const k = `${c.sha256}>${i.sha256}`;
    let v = sigCache.get(k);
    if (v === undefined) {
      v = signatureVerifies(c, i);
      sigCache.set(k, v);
    }
    return v;
  };
  let steps = 0;
  let exhausted = false;
  const used = new Set<ParsedCert>([leaf]);
  const dfs = (cur: ParsedCert, chain: ParsedCert[]): ParsedCert[] | undefined => {
    if (++steps > maxSteps) {
      exhausted = true;
      return undefined;
    }
    if (anchor && issuedBy(cur, anchor) && verifies(cur, anchor)) return [...chain, anchor];
    for (const c of bundle) {
      if (used.has(c) || !issuedBy(cur, c) || !verifies(cur, c)) continue;
      used.add(c);
      const r = dfs(c, [...chain, c]);
      if (r) return r;
      used.delete(c);
      if (exhausted) return undefined;
    }
    return undefined;
  };
  const found = dfs(leaf, [leaf]);
  if (found)
    return { certs: found, reachedAnchor: true, unused: bundle.filter((c) => !found.includes(c)), exhausted };

  // Name-only fallback: the anchor is preferred, then bundle certificates in file order.
  const certs = [leaf];
  let reachedAnchor = false;
  for (let cur = leaf; certs.length <= bundle.length + 1;) {
    if (anchor && issuedBy(cur, anchor) && !(cur === leaf && cur.sha256 === anchor.sha256)) {
      certs.push(anchor);
      reachedAnchor = true;
      break;
    }
    const next = bundle.find((c) => !certs.includes(c) && issuedBy(cur, c));
    if (!next) break;
    certs.push(next);
    cur = next;
  }
  return { certs, reachedAnchor, unused: bundle.filter((c) => !certs.includes(c)), exhausted };
}

export interface ValidateOptions {
  at: Date;
  /** EKU OID the leaf must carry when it has an EKU extension; undefined: no EKU check. */
  leafPurpose?: string;
  /** Code for a leaf lacking the purpose. */
  leafPurposeCode?: X509Code;
  /** path[0] is a trusted certificate (the CA); false: path[0]'s issuer is unknown. */
  anchorTrusted: boolean;
  /** The path is the anchor alone (no leaf): check it as an issuer only. */
  anchorOnly?: boolean;
}

/** Checks every certificate needs, whatever its place: structure, times, critical extensions. */
export function certificateIssues(c: ParsedCert, at: Date): PathIssue[] {
  const out: PathIssue[] = [];
  for (const e of c.extensions)
    if (e.error !== undefined)
      out.push({
        cert: c,
        code: 'X509_EXTENSION_UNPARSABLE',
        message: `extension ${e.oid} does not parse: ${e.error}`,
        detail: { oid: e.oid },
      });
  for (const oid of c.duplicateExtensions)
    out.push({
      cert: c,
      code: 'X509_EXTENSION_DUPLICATE',
      message: `extension ${oid} occurs more than once`,
      detail: { oid },
    });
  if (!c.signatureAlgorithmsAgree)
    out.push({
      cert: c,
      code: 'X509_SIGNATURE_ALGORITHM_MISMATCH',
      message: 'the signed and the outer signature algorithm identifiers differ',
    });
  const v = validityAt(c, at);
  const window = {
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    at: at.toISOString(),
  };
  if (v === 'expired')
    out.push({ cert: c, code: 'X509_EXPIRED', message: `expired on ${window.notAfter}`, detail: window });
  if (v === 'not-yet-valid')
    out.push({
      cert: c,
      code: 'X509_NOT_YET_VALID',
      message: `not valid before ${window.notBefore}`,
      detail: window,
    });
  for (const e of c.extensions)
    if (e.critical && !UNDERSTOOD_EXTENSIONS.has(e.oid))
      out.push({
        cert: c,
        code: 'X509_CRITICAL_EXTENSION_UNKNOWN',
        message: `critical extension ${e.oid} is not processed`,
        detail: { oid: e.oid },
      });
  return out;
}

/** RFC 5280 6.1 over `path`, anchor first and leaf last. Returns every issue, never stops early. */
export function validatePath(path: ParsedCert[], o: ValidateOptions): PathIssue[] {
  const out: PathIssue[] = [];
  const n = path.length;
  const leafIndex = o.anchorOnly ? -1 : n - 1;
  let maxPathLength = Number.POSITIVE_INFINITY;
  let constrainedBy: ParsedCert | undefined;
  for (let i = 0; i < n; i++) {
    const c = path[i];
    if (!c) continue;
    const prev = i > 0 ? path[i - 1] : undefined;
    // (a)(1) the signature, checked with the issuer's key: matching names prove nothing
    if (!prev) {
      if (!o.anchorTrusted) {
        out.push({
          cert: c,
          code: 'X509_CHAIN_NO_ISSUER',
          message: `no issuer found for "${c.issuer}"`,
          detail: { issuer: c.issuer },
        });
      } else if (c.selfIssued) {
        if (!signatureVerifies(c, c))
          out.push({
            cert: c,
            code: 'X509_CA_SELF_SIGNATURE_INVALID',
            message: 'the self-signature does not verify with its own key',
          });
      } else {
        out.push({
          cert: c,
          code: 'X509_CA_NOT_SELF_SIGNED',
          message: `issued by "${c.issuer}", trusted as it is`,
          detail: { issuer: c.issuer },
        });
      }
    } else if (!signatureVerifies(c, prev)) {
      out.push({
        cert: c,
        code: 'X509_SIGNATURE_INVALID',
        message: `signature does not verify with the key of ${prev.ref}`,
        detail: { issuer: prev.ref, issuerSubject: prev.subject },
      });
    }
    // (a)(2) validity, (o) unknown critical extensions, and structural soundness
    out.push(...certificateIssues(c, o.at));
    if (i !== leafIndex) {
      // 6.1.4: preparation for the next certificate, i.e. c acts as an issuer
      if (c.version !== 3)
        out.push({
          cert: c,
          code: 'X509_VERSION_NOT_V3',
          message: `version ${c.version} certificate used as an issuer`,
        });
      if (!c.basicConstraints?.ca)
        out.push({
          cert: c,
          code: 'X509_ISSUER_NOT_CA',
          message: c.basicConstraints ? 'basicConstraints cA is false' : 'no basicConstraints extension',
        });
      if (i > 0 && !c.selfIssued) {
        if (maxPathLength <= 0)
          out.push({
            cert: c,
            code: 'X509_PATH_LENGTH_EXCEEDED',
            message: `pathLenConstraint of ${constrainedBy?.ref ?? 'an issuer'} allows no further intermediate`,
            detail: { constrainedBy: constrainedBy?.ref ?? null },
          });
        maxPathLength--;
      }
      const pl = c.basicConstraints?.pathLen;
      if (pl !== undefined && pl < maxPathLength) {
        maxPathLength = pl;
        constrainedBy = c;
      }
      if (!hasKeyUsage(c, KU.keyCertSign))
        out.push({ cert: c, code: 'X509_ISSUER_NO_KEY_CERT_SIGN', message: 'keyUsage lacks keyCertSign' });
    } else {
      if (c.basicConstraints?.ca)
        out.push({ cert: c, code: 'X509_LEAF_IS_CA', message: 'the end-entity certificate has cA=true' });
      if (o.leafPurpose && c.extKeyUsage && !c.extKeyUsage.includes(o.leafPurpose))
        out.push({
          cert: c,
          code: o.leafPurposeCode ?? 'X509_LEAF_NO_SERVER_AUTH',
          message: `extendedKeyUsage lacks ${o.leafPurpose}`,
          detail: { extKeyUsage: c.extKeyUsage },
        });
    }
  }
  return out;
}
