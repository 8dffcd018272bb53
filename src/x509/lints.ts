// Warnings worth raising for a private CA: none of these breaks a path on its own, but each marks
// a certificate made by hand or by old tooling, or one that strict clients reject.
import type { ParsedCert } from './cert.js';
import type { PathIssue } from './path.js';

export type LintRole = 'leaf' | 'issuer' | 'device';

export function lintCertificate(c: ParsedCert, role: LintRole, issuer: ParsedCert | undefined): PathIssue[] {
  const out: PathIssue[] = [];
  const isCa = c.basicConstraints?.ca === true;
  if (isCa && c.basicConstraints && !c.basicConstraints.critical)
    out.push({
      cert: c,
      code: 'X509_BASIC_CONSTRAINTS_NOT_CRITICAL',
      message: 'basicConstraints of a CA certificate is not critical',
    });
  // RFC 5280 4.2.1.2: SKI MUST appear in CA certificates (SHOULD in others: not flagged).
  if ((isCa || role === 'issuer') && c.subjectKeyId === undefined)
    out.push({ cert: c, code: 'X509_SKI_MISSING', message: 'no subjectKeyIdentifier' });
  const selfSigned = c.selfIssued && (issuer === undefined || issuer === c);
  if (!selfSigned && c.authorityKeyId === undefined)
    out.push({ cert: c, code: 'X509_AKI_MISSING', message: 'no authorityKeyIdentifier keyIdentifier' });
  if (
    issuer &&
    issuer !== c &&
    c.authorityKeyId !== undefined &&
    issuer.subjectKeyId !== undefined &&
    c.authorityKeyId !== issuer.subjectKeyId
  )
    out.push({
      cert: c,
      code: 'X509_AKI_SKI_MISMATCH',
      message: `authorityKeyIdentifier differs from the subjectKeyIdentifier of ${issuer.ref}`,
      detail: { authorityKeyId: c.authorityKeyId, issuerSubjectKeyId: issuer.subjectKeyId },
    });
  if (c.signatureHash === 'sha1')
    out.push({
      cert: c,
      code: 'X509_SHA1_SIGNATURE',
      message: `signed with ${c.signatureAlgorithm}`,
      detail: { algorithm: c.signatureAlgorithm },
    });
  if (c.signatureHash === 'md5' || c.signatureHash === 'md2')
    out.push({
      cert: c,
      code: 'X509_BROKEN_SIGNATURE_ALGORITHM',
      message: `signed with ${c.signatureAlgorithm}`,
      detail: { algorithm: c.signatureAlgorithm },
    });
  const s = c.serialBytes;
  const negative = s.length > 0 && ((s[0] ?? 0) & 0x80) !== 0;
  const zero = s.every((b) => b === 0);
  if (negative || zero || s.length > 20)
    out.push({
      cert: c,
      code: 'X509_SERIAL_INVALID',
      message: negative
        ? 'serial number is negative'
        : zero
          ? 'serial number is zero'
          : `serial number is ${s.length} octets (> 20)`,
      detail: { serialHex: s.toString('hex') },
    });
  if (role === 'leaf' && (!c.san || c.san.length === 0))
    out.push({ cert: c, code: 'X509_SAN_EMPTY', message: 'no subjectAltName entries' });
  for (const [which, d, enc] of [
    ['notBefore', c.notBefore, c.notBeforeEncoding],
    ['notAfter', c.notAfter, c.notAfterEncoding],
  ] as const) {
    const want = d.getUTCFullYear() < 2050 ? 'utc' : 'generalized';
    if (enc !== want)
      out.push({
        cert: c,
        code: 'X509_TIME_ENCODING',
        message: `${which} ${d.toISOString()} is encoded as ${enc === 'utc' ? 'UTCTime' : 'GeneralizedTime'}`,
        detail: { field: which, encoding: enc },
      });
  }
  return out;
}
