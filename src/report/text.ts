// The report for people: facts, the checks, every finding grouped by area, the verdict last.
// The only module (with progress.ts) that imports chalk.
import { Chalk, type ChalkInstance } from 'chalk';
import type { Finding, Location, Severity } from '../findings/types.js';
import type { Report } from './types.js';

export interface TextStyle {
  ok(s: string): string;
  bad(s: string): string;
  warn(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export function makeStyle(color: boolean): TextStyle {
  const c: ChalkInstance = new Chalk({ level: color ? 1 : 0 });
  return {
    ok: (s) => c.green(s),
    bad: (s) => c.red(s),
    warn: (s) => c.yellow(s),
    dim: (s) => c.dim(s),
    bold: (s) => c.bold(s),
  };
}

/** Renderers of per-domain sections (TUF, certificates…), registered by name. */
export type SectionRenderer = (section: unknown, style: TextStyle) => string[];
const sectionRenderers = new Map<string, SectionRenderer>();
export function registerSectionRenderer(name: string, r: SectionRenderer): void {
  sectionRenderers.set(name, r);
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

export function formatLocation(l: Location): string {
  const parts: string[] = [];
  if (l.path !== undefined) parts.push(l.path);
  if (l.table !== undefined) parts.push(l.table);
  if (l.seq !== undefined) parts.push(l.seqTo !== undefined ? `seq ${l.seq}..${l.seqTo}` : `seq ${l.seq}`);
  if (l.row !== undefined) parts.push(`row ${l.row}`);
  if (l.role !== undefined) parts.push(`role ${l.role}`);
  if (l.version !== undefined) parts.push(`v${l.version}`);
  if (l.keyid !== undefined) parts.push(`key ${l.keyid.slice(0, 16)}`);
  if (l.certificate !== undefined) parts.push(l.certificate);
  if (l.device !== undefined) parts.push(`device ${l.device}`);
  if (l.field !== undefined) parts.push(`field ${l.field}`);
  if (l.offset !== undefined) parts.push(`offset ${l.offset}${l.offsetOf ? ` (${l.offsetOf})` : ''}`);
  if (l.limit !== undefined) parts.push(`bound ${l.limit}`);
  return parts.join(' · ');
}

function sevLabel(s: Severity, st: TextStyle): string {
  switch (s) {
    case 'critical':
      return st.bad(st.bold('CRITICAL'));
    case 'error':
      return st.bad('ERROR   ');
    case 'warning':
      return st.warn('WARNING ');
    default:
      return st.dim('info    ');
  }
}

export function renderFinding(f: Finding, st: TextStyle): string {
  const loc = formatLocation(f.location);
  return `  ${sevLabel(f.severity, st)} ${st.bold(f.code)}${loc ? `  ${st.dim(loc)}` : ''}\n           ${f.message}`;
}

export function renderText(r: Report, st: TextStyle, opts: { quiet?: boolean } = {}): string {
  const out: string[] = [];
  const line = (s = ''): void => {
    out.push(s);
  };
  if (!opts.quiet) {
    line(
      st.bold(`meshverify ${r.command} ${r.input.path}`) + st.dim(`  (reference time ${r.referenceTime})`),
    );
    const a = r.archive;
    if (a) {
      line(
        `${st.bold('Archive ')} ${a.container}, ${formatBytes(a.size)}, ${a.entryCount} entries${a.topFolder ? `, top folder ${a.topFolder}/` : ''}${a.complete ? '' : st.bad(', INCOMPLETE')}`,
      );
      line(`         sha256 ${a.sha256}`);
    }
    for (const d of r.dumps) {
      const ver = d.archiveVersion ? ` ${d.archiveVersion}` : '';
      const comp = d.compression ? `, ${d.compression}` : '';
      const outer = d.outerCompression === 'gzip' ? ' (gzip)' : '';
      line(
        `${st.bold('Dump    ')} ${d.path}: ${d.format}${ver}${outer}${comp}${d.complete ? '' : st.bad(', INCOMPLETE')}`,
      );
      const from = d.dumpedFrom ? `from PostgreSQL ${d.dumpedFrom}` : '';
      const by = d.dumpedBy ? ` by pg_dump ${d.dumpedBy}` : '';
      const db = d.database ? `, database ${d.database}` : '';
      const when = d.createdLocal ? `, created ${d.createdLocal} (dumping machine's local time)` : '';
      if (from || by || db || when) line(`         ${from}${by}${db}${when}`);
      const counts = Object.entries(d.rowCounts)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ');
      if (counts) line(`         rows: ${counts}`);
    }
    for (const c of r.chains) {
      const range = c.first !== null && c.last !== null ? `seq ${c.first}..${c.last}` : 'no records';
      line(
        `${st.bold('Chain   ')} ${c.table}: ${c.count} records, ${range}${c.lateRecords ? `, ${c.lateRecords} rows merged from far out of order` : ''}`,
      );
      if (c.headHash !== null && c.last !== null) {
        const mark = c.intact ? st.ok('verified head') : st.bad('head (chain NOT intact)');
        line(
          `         ${mark}: --anchor ${c.last}:${c.headHash}${c.headOccurredAt ? st.dim(`  (${c.headOccurredAt})`) : ''}`,
        );
      }
      for (const an of c.anchors) {
        const s = an.status === 'matched' ? st.ok('matched') : st.bad(an.status);
        line(`         anchor seq ${an.seq}: ${s}`);
      }
    }
    for (const [name, section] of Object.entries(r.sections)) {
      const render = sectionRenderers.get(name);
      if (render) for (const l of render(section, st)) line(l);
    }
    line();
    line(st.bold('Checks'));
    for (const c of r.checks) {
      const mark =
        c.status === 'passed'
          ? st.ok('✓')
          : c.status === 'failed'
            ? st.bad('✗')
            : c.status === 'warned'
              ? st.warn('!')
              : st.dim('-');
      line(`  ${mark} ${c.title}${c.reason ? st.dim(` (${c.reason})`) : ''}`);
    }
  }
  const shown = opts.quiet ? r.findings.filter((f) => f.severity !== 'info') : r.findings;
  if (shown.length) {
    line();
    line(st.bold('Findings'));
    const areas = [...new Set(shown.map((f) => f.area))];
    for (const area of areas) {
      if (!opts.quiet) line(st.dim(` ${area}`));
      for (const f of shown.filter((x) => x.area === area)) line(renderFinding(f, st));
    }
  }
  if (r.summary.dropped)
    line(st.warn(`  … and ${r.summary.dropped} more findings not stored (maxFindings bound)`));
  line();
  const s = r.summary;
  const counts = `${s.critical} critical, ${s.error} errors, ${s.warning} warnings`;
  const head = r.chains.find((c) => c.headHash !== null);
  const anchor = head && head.last !== null ? `; head ${head.last}:${head.headHash}` : '';
  line(
    r.verdict === 'verified'
      ? st.ok(st.bold(`VERIFIED`)) + ` — ${counts}${anchor}`
      : st.bad(st.bold(`FAILED`)) +
          ` — ${counts}${r.strict && s.critical + s.error === 0 ? ' (--strict: warnings fail)' : ''}${anchor}`,
  );
  return out.join('\n') + '\n';
}
