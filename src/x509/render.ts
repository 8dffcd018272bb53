// Human-readable lines for `meshverify certs`. Colour comes from the caller's Style.
import type { CheckStatus } from '../findings/types.js';
import type { CertReport, CertSummary, CheckSummary, DeviceCertReport, TimeStatus } from './report-types.js';
import type { Style } from './style.js';

export function renderCertText(report: CertReport | DeviceCertReport, style: Style): string[] {
  return report.kind === 'devices' ? renderDevices(report, style) : renderCerts(report, style);
}

function mark(status: CheckStatus, s: Style): string {
  switch (status) {
    case 'passed':
      return s.ok('ok  ');
    case 'failed':
      return s.bad('FAIL');
    case 'warned':
      return s.warn('warn');
    default:
      return s.dim('skip');
  }
}

function when(t: TimeStatus, s: Style): string {
  if (t.status === 'expired') return s.bad(`expired ${-t.daysToExpiry} day(s) ago`);
  if (t.status === 'not-yet-valid') return s.bad(`not valid for another ${t.daysToStart} day(s)`);
  return t.daysToExpiry < 30
    ? s.warn(`valid, expires in ${t.daysToExpiry} day(s)`)
    : s.ok(`valid, expires in ${t.daysToExpiry} day(s)`);
}

function keyText(c: CertSummary): string {
  const k = c.key;
  const parts = [k.type.toUpperCase()];
  if (k.curve) parts.push(k.curve);
  if (k.bits !== undefined) parts.push(`${k.bits} bits`);
  if (k.exponent !== undefined) parts.push(`e=${k.exponent}`);
  return parts.join(' ');
}

function sanText(c: CertSummary): string {
  if (!c.san) return '(none)';
  if (c.san.length === 0) return '(empty)';
  return c.san.map((e) => `${e.type === 'ip' ? 'IP' : e.type.toUpperCase()}:${e.value}`).join(', ');
}

function certLines(c: CertSummary, s: Style, indent: string): string[] {
  const row = (k: string, v: string): string => `${indent}  ${s.dim(k.padEnd(13))}${v}`;
  const lines = [
    `${indent}${s.bold(c.ref)} ${s.dim(`(${c.role})`)}`,
    row('subject', c.subject),
    row('issuer', c.issuer),
    row('serial', c.serial),
    row('sha256', c.sha256),
    row('key', keyText(c)),
    row('signature', c.signatureAlgorithm),
    row('validity', `${c.notBefore} .. ${c.notAfter}`),
    row('at reference', when(c.atReference, s)),
    row('now', when(c.atNow, s)),
    row('SANs', sanText(c)),
  ];
  const ext: string[] = [];
  if (c.isCa) ext.push(`CA${c.pathLen !== null ? ` pathLen=${c.pathLen}` : ''}`);
  if (c.keyUsage) ext.push(`keyUsage=${c.keyUsage.join(',')}`);
  if (c.extKeyUsage) ext.push(`EKU=${c.extKeyUsage.join(',')}`);
  if (ext.length) lines.push(row('constraints', ext.join('; ')));
  return lines;
}

function checkLines(checks: CheckSummary[], s: Style): string[] {
  return checks.map((c) => {
    const tail = c.codes.length ? s.dim(` [${c.codes.join(', ')}]`) : c.reason ? s.dim(` (${c.reason})`) : '';
    return `  ${mark(c.status, s)} ${c.title}${tail}`;
  });
}

function renderCerts(r: CertReport, s: Style): string[] {
  const out: string[] = [];
  out.push(s.bold(`Certificates: ${r.source}`));
  out.push(s.dim(`  reference time ${r.referenceTime}, now ${r.now}`));
  if (r.files.foundByContent.length)
    out.push(s.warn(`  found by content: ${r.files.foundByContent.join(', ')}`));
  for (const c of r.certificates) out.push(...certLines(c, s, '  '));
  const chain = r.chain.refs.length ? r.chain.refs.join(' -> ') : '(none)';
  const verdict = r.chain.valid
    ? s.ok('valid')
    : r.chain.reachedAnchor
      ? s.bad('invalid')
      : s.bad('does not reach ca.crt');
  out.push(`  ${s.bold('chain')} ${chain}: ${verdict}`);
  for (const h of r.hosts) {
    const res = h.matched
      ? s.ok(`matches ${h.matchedBy ?? ''}`)
      : s.bad(h.kind === 'invalid' ? 'invalid address' : 'not presented');
    out.push(
      `  ${s.bold('host')} ${h.host}${h.normalized && h.normalized !== h.host ? s.dim(` (${h.normalized})`) : ''}: ${res}`,
    );
  }
  for (const k of r.keys) {
    const st =
      k.status === 'matches' ? s.ok(k.status) : k.status === 'unchecked' ? s.dim(k.status) : s.bad(k.status);
    const detail = [
      k.format,
      k.mode ? `mode ${k.mode}` : null,
      k.certificate ? `for ${k.certificate}` : null,
    ].filter((x) => x);
    out.push(`  ${s.bold('key')} ${k.path}: ${st}${detail.length ? s.dim(` (${detail.join(', ')})`) : ''}`);
  }
  out.push(`  ${s.bold('CA usable for enrollment')}: ${r.caUsableForEnrollment ? s.ok('yes') : s.bad('no')}`);
  out.push(...checkLines(r.checks, s));
  return out;
}

function renderDevices(r: DeviceCertReport, s: Style): string[] {
  const out: string[] = [];
  out.push(
    s.bold(
      `Device certificates: ${r.total} device(s), ${r.withCertificate} with a certificate, ${r.withProblems} with findings`,
    ),
  );
  out.push(
    s.dim(
      `  checked against ${r.ca ? `${r.ca.ref} (${r.ca.subject})` : 'no CA'}; reference time ${r.referenceTime}`,
    ),
  );
  for (const d of r.devices) {
    if (d.codes.length === 0) continue;
    const c = d.certificate;
    const what = c
      ? `${c.subject}, serial ${c.serial}, ${when(c.atReference, s)}`
      : s.dim('no parsable certificate');
    out.push(`  ${s.bold(`device:${d.deviceSerial}`)} ${s.dim(`(${d.status})`)} ${what}`);
    out.push(`    ${s.warn(d.codes.join(', '))}`);
  }
  out.push(...checkLines(r.checks, s));
  return out;
}
