// Human-readable lines for a TufReport (the CLI colours them through `style`).
import type { RoleReport, TufReport } from './report.js';
import type { Style } from './style.js';

const short = (k: string): string => (k.length > 12 ? k.slice(0, 12) : k);

export function renderTufText(report: TufReport, style: Style): string[] {
  const out: string[] = [];
  out.push(style.bold(`TUF repository: ${report.source}`));
  out.push(
    `  reference time ${report.at}; now ${report.now}; consistent snapshots: ${
      report.consistentSnapshot === null ? 'unknown' : report.consistentSnapshot ? 'yes' : 'no'
    }`,
  );
  const a = report.anchor;
  out.push(
    '  anchor: ' +
      (a.kind === 'trusted-root'
        ? style.ok(a.description)
        : a.kind === 'none'
          ? style.bad(a.description)
          : style.warn(a.description)),
  );

  // Root path
  const steps: string[] = [a.version !== null ? `v${a.version}` : '?'];
  for (const l of report.rootPath) {
    if (l.missingBeforeCount > 0)
      steps.push(style.bad(`✗ ${rangeText(l.missingBefore, l.missingBeforeCount)} missing`));
    const label = `v${l.version}`;
    steps.push(l.ok ? style.ok(label) : style.bad(`${label}${linkProblem(l)}`));
  }
  out.push(
    `  root path: ${steps.join(' → ')}  ` +
      (report.rootChainIntact
        ? style.ok('intact')
        : style.bad('BROKEN: devices on the anchor cannot reach the newest root')),
  );

  // Roles
  out.push(style.bold('  roles:'));
  const w = Math.max(9, ...report.roles.map((r) => r.role.length));
  for (const r of report.roles) out.push(...roleLines(r, w, style));

  // Delegations
  if (report.delegations.length > 0) {
    out.push(style.bold('  delegations:'));
    for (const d of report.delegations) {
      const scope = d.paths
        ? `paths ${d.paths.join(', ') || '(none)'}`
        : d.pathHashPrefixes
          ? `hash prefixes ${d.pathHashPrefixes.join(', ')}`
          : 'no paths';
      const sig = `${d.validSigners.length}/${d.threshold ?? '?'}`;
      out.push(
        `    ${d.delegator} → ${d.name}: ${scope}${d.terminating ? ', terminating' : ''}; signatures ${
          d.thresholdMet ? style.ok(sig) : style.bad(sig + ' (threshold not met)')
        }`,
      );
    }
  }

  // Targets
  const byRole = new Map<string, number>();
  for (const t of report.targets) byRole.set(t.role, (byRole.get(t.role) ?? 0) + 1);
  const unverified = report.targets.filter((t) => !t.verified).length;
  out.push(
    `  targets: ${report.targetsCount} resolved` +
      (byRole.size > 0 ? ` (${[...byRole].map(([r, n]) => `${r}: ${n}`).join(', ')})` : '') +
      (unverified > 0 ? style.bad(`; ${unverified} through unverified metadata`) : '') +
      (report.targetsTruncated ? style.warn(' (list truncated)') : ''),
  );

  // Keys
  if (report.keys) {
    out.push(style.bold('  keys:'));
    if (report.keys.length === 0) out.push(style.dim('    (no private key files)'));
    for (const k of report.keys) {
      const roles = k.matches.filter((m) => m.current).map((m) => `${m.role} ${short(m.keyid)}`);
      const hist = k.matches.filter((m) => !m.current).map((m) => `${m.role}@root v${m.rootVersion ?? '?'}`);
      let text: string;
      switch (k.status) {
        case 'online':
          text = style.ok(`online key of ${roles.join(', ')}`);
          break;
        case 'offline-leak':
          text = style.bad(`LEAKED OFFLINE KEY: ${roles.join(', ')}`);
          break;
        case 'historic':
          text = style.warn(`key of an older root: ${hist.join(', ')}`);
          break;
        case 'wrong-role':
          text = style.bad(
            `named for ${k.intendedRole ?? '?'} but ${roles.length > 0 ? `is ${roles.join(', ')}` : hist.length > 0 ? `is ${hist.join(', ')}` : 'belongs to no role'}`,
          );
          break;
        case 'unknown':
          text = style.warn('belongs to no TUF role');
          break;
        case 'encrypted':
          text = style.warn('encrypted (not checked)');
          break;
        case 'unreadable':
          text = style.warn('not a readable private key');
          break;
        case 'not-tuf':
          text = style.dim('not a TUF key');
          break;
      }
      out.push(`    ${k.path}: ${text}`);
    }
    for (const o of report.onlineRoles ?? [])
      out.push(
        `    ${o.role}: ${o.keysPresent} of threshold ${o.threshold ?? '?'} private key(s) present ` +
          (o.ok ? style.ok('ok') : style.bad('— the restored node cannot sign it')),
      );
  }
  if (report.unreferencedFiles.length > 0)
    out.push(
      style.dim(
        `  unreferenced files: ${report.unreferencedFiles.slice(0, 10).join(', ')}${report.unreferencedFiles.length > 10 ? ', …' : ''}`,
      ),
    );
  const s = report.summary;
  const line = `  summary: ${s.critical} critical, ${s.errors} error(s), ${s.warnings} warning(s)`;
  out.push(
    s.critical > 0 || s.errors > 0 ? style.bad(line) : s.warnings > 0 ? style.warn(line) : style.ok(line),
  );
  return out;
}

function rangeText(list: number[], count: number): string {
  if (count <= 0) return '';
  const first = list[0] ?? 0;
  return count === 1 ? `v${first}` : `v${first}…v${first + count - 1}`;
}

function linkProblem(l: TufReport['rootPath'][number]): string {
  const p: string[] = [];
  if (!l.versionMatches) p.push('wrong version');
  if (l.signedByPrevious === false) p.push('not signed by previous');
  if (!l.selfSigned) p.push('not self-signed');
  if (p.length === 0 && l.missingBeforeCount > 0) p.push('after a gap');
  return p.length > 0 ? ` (${p.join(', ')})` : '';
}

function roleLines(r: RoleReport, w: number, style: Style): string[] {
  const name = r.role.padEnd(w);
  if (r.path === null) return [`    ${name} ${style.bad('missing or unreadable')}`];
  const ver = `v${r.version ?? '?'}`.padEnd(6);
  let exp = r.expires ?? 'expiry unknown';
  if (r.expiredAtRef) exp = style.bad(`expired ${exp}`);
  else if (r.expiredNow)
    exp =
      r.kind === 'timestamp' || r.kind === 'snapshot'
        ? style.dim(`expired by now ${exp}`)
        : style.warn(`expired by now ${exp}`);
  else if (r.expiringSoon) exp = style.warn(`expires soon ${exp}`);
  else exp = `expires ${exp}`;
  const sig = `${r.validSigners.length}/${r.threshold ?? '?'}`;
  const sigText = r.thresholdMet ? style.ok(`signed ${sig}`) : style.bad(`signed ${sig} (threshold not met)`);
  const verdict = r.verified ? style.ok('ok') : style.bad('NOT VERIFIED');
  const lines = [`    ${name} ${ver} ${exp}  ${sigText}  ${verdict}  ${style.dim(r.path)}`];
  if (r.validSigners.length > 0)
    lines.push(style.dim(`      valid: ${r.validSigners.map(short).join(', ')}`));
  for (const f of r.failedSigners) lines.push(style.dim(`      ${short(f.keyid)}: ${f.reason}`));
  return lines;
}
