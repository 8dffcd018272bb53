// The policy's validity window: a restore from this backup must find its TUF metadata and its
// certificates still valid for a while. Roles or certificates that expire after the reference
// time but within the window are findings (already expired ones are the TUF and x509 steps').
import type { Findings } from '../findings/collector.js';
import type { GateFacts } from './facts.js';
import { formatSeconds, type Policy } from './policy.js';

export function checkValidity(findings: Findings, facts: GateFacts, policy: Policy, at: Date): void {
  const ref = at.getTime();
  for (const r of facts.tuf?.roles ?? []) {
    const window = policy.validity.roles[r.role] ?? policy.validity.metadata;
    const exp = r.expires === null ? NaN : Date.parse(r.expires);
    if (window <= 0 || Number.isNaN(exp) || exp < ref) continue;
    const until = ref + window * 1000;
    if (exp < until)
      findings.add(
        'GATE_TUF_EXPIRES_IN_WINDOW',
        { role: r.role, ...(r.version !== null ? { version: r.version } : {}) },
        `${r.role} expires ${r.expires}, within the policy's ${formatSeconds(window)} after the reference time (needed until ${new Date(until).toISOString()})`,
        { expires: r.expires, requiredUntil: new Date(until).toISOString(), windowSeconds: window },
      );
  }
  const window = policy.validity.certificates;
  if (window <= 0) return;
  const until = ref + window * 1000;
  for (const c of facts.certificates) {
    const exp = Date.parse(c.notAfter);
    if (Number.isNaN(exp) || exp < ref || exp >= until) continue;
    findings.add(
      'GATE_CERT_EXPIRES_IN_WINDOW',
      { certificate: c.ref },
      `The ${c.role} certificate ${c.subject} expires ${c.notAfter}, within the policy's ${formatSeconds(window)} after the reference time`,
      { notAfter: c.notAfter, requiredUntil: new Date(until).toISOString(), windowSeconds: window },
    );
  }
}
