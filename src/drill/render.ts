// Text of the drill section: one block per step, one line per pinned root version.
import type { TextStyle } from '../report/text.js';
import { registerSectionRenderer } from '../report/text.js';
import type {
  DevicesResult,
  DrillSection,
  DrillStepEntry,
  EnrollmentResult,
  OnlineKeysResult,
  TlsResult,
} from './types.js';

let registered = false;
/** Register the 'drill' section renderer with the text report (idempotent). */
export function registerDrillSections(): void {
  if (registered) return;
  registered = true;
  registerSectionRenderer('drill', (s, st) => renderDrillText(s as DrillSection, st));
}

export function renderDrillText(s: DrillSection, st: TextStyle): string[] {
  const out: string[] = [];
  out.push(`${st.bold('Drill   ')} restore rehearsed at ${s.at}, on loopback, in memory (nothing written)`);
  const inputs = [
    s.input.metadata && `metadata ${s.input.metadata}`,
    s.input.keys && `keys ${s.input.keys}`,
    s.input.certs && `certificates ${s.input.certs}`,
    s.input.artifacts && `artifacts ${s.input.artifacts}`,
  ].filter((x): x is string => typeof x === 'string' && x !== '');
  if (inputs.length) out.push(st.dim(`         ${inputs.join('; ')}`));
  for (const step of s.steps) {
    out.push(`  ${mark(step, st)} ${step.title}: ${step.summary}`);
    for (const l of details(step, st)) out.push(`      ${l}`);
  }
  return out;
}

function mark(step: DrillStepEntry, st: TextStyle): string {
  switch (step.status) {
    case 'passed':
      return st.ok('✓');
    case 'failed':
      return st.bad('✗');
    case 'warned':
      return st.warn('!');
    default:
      return st.dim('-');
  }
}

function details(step: DrillStepEntry, st: TextStyle): string[] {
  const r = step.result;
  if (!r) return [];
  switch (step.id) {
    case 'drill.online-keys':
      return onlineLines(r as OnlineKeysResult, st);
    case 'drill.devices':
      return deviceLines(r as DevicesResult, st);
    case 'drill.enrollment':
      return enrollLines(r as EnrollmentResult, st);
    case 'drill.mtls':
      return tlsLines(r as TlsResult, st);
  }
}

function onlineLines(r: OnlineKeysResult, st: TextStyle): string[] {
  return r.fresh.map((x) => {
    const by = x.signers.map((s) => `${s.path}${s.trusted ? '' : st.bad(' (not trusted)')}`).join(', ');
    const verdict = x.accepted ? st.ok('accepted') : st.bad('REJECTED');
    return `${x.role} v${x.version} (${x.path}), expires ${x.expires}, signed with ${by || 'nothing'}: ${verdict}`;
  });
}

function deviceLines(r: DevicesResult, st: TextStyle): string[] {
  const out: string[] = [];
  for (const p of r.pinned) {
    const v = p.pinnedRootTo !== null ? `${p.pinnedRoot}..${p.pinnedRootTo}` : `${p.pinnedRoot}`;
    const what =
      p.status === 'can-update'
        ? st.ok('can update')
        : p.status === 'unchecked'
          ? st.warn(`unchecked: ${p.reason ?? ''}`)
          : st.bad(`CANNOT update at the ${p.failedStep ?? '?'} step: ${p.reason ?? ''}`);
    out.push(`pinned to root ${v}: ${what}`);
  }
  const bad = r.targets.filter((t) => !t.ok);
  for (const t of bad.slice(0, 20))
    out.push(st.bad(`target ${t.path}: ${t.failedStep ?? '?'} step: ${t.reason ?? ''}`));
  if (bad.length > 20) out.push(st.bad(`… and ${bad.length - 20} more targets`));
  return out;
}

function enrollLines(r: EnrollmentResult, st: TextStyle): string[] {
  const d = r.device;
  if (!d) return [];
  return [
    `device ${d.subject} (${d.keyType}), serial ${d.serial}, ${d.signatureAlgorithm} by ${r.ca.certificate ?? '?'}: ${r.accepted ? st.ok('accepted') : st.bad('REJECTED')}`,
  ];
}

function tlsLines(r: TlsResult, st: TextStyle): string[] {
  const out = r.handshakes.map((h) =>
    h.ok
      ? `${h.host}: ${st.ok(`${h.protocol ?? '?'} ${h.cipher ?? '?'}`)} in ${h.ms} ms`
      : `${h.host}: ${st.bad(`FAILED: ${h.error ?? '?'}`)}${h.serverError ? st.dim(` (server: ${h.serverError})`) : ''}`,
  );
  if (r.port !== null)
    out.push(st.dim(`server ${r.address}:${r.port} ${r.closed ? 'closed' : 'DID NOT CLOSE'}`));
  return out;
}
