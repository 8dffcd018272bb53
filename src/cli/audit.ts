import { addDecryptOptions, applyDecryption, type ArchiveInputFlags } from './gate.js';
import type { Command } from 'commander';
import type { Finding } from '../findings/types.js';
import { verifyBackup } from '../verify/backup.js';
import { verifyDumpFile } from '../verify/dump-file.js';
import { sniffInput } from '../verify/sniff.js';
import { makeStyle, renderFinding } from '../report/text.js';
import type { Report } from '../report/types.js';
import {
  addCommonOptions,
  attachProgress,
  emitReport,
  requireArchiveFile,
  toVerifyOptions,
  UsageError,
  useColor,
  type CommonFlags,
} from './common.js';
import { finishReport } from './timeout.js';

interface AuditFlags extends CommonFlags {
  from?: string;
  to?: string;
  format?: string;
}

export function registerAudit(program: Command, setCode: (c: number) => void): void {
  const cmd = program
    .command('audit')
    .description('replay the audit chain alone, in forensic detail (every break with its seq range and kind)')
    .argument('<input>', 'backup archive or database dump file (custom, plain or plain-gzip)')
    .option('--from <seq>', 'show breaks from this seq on')
    .option('--to <seq>', 'show breaks up to this seq')
    .option('--format <format>', 'export the breaks as text, json or csv', 'text');
  addDecryptOptions(cmd);
  addCommonOptions(cmd).action(async (input: string, flags: AuditFlags & ArchiveInputFlags) => {
    requireArchiveFile(input);
    const format = flags.format ?? 'text';
    if (!['text', 'json', 'csv'].includes(format))
      throw new UsageError(`--format must be text, json or csv, not ${format}`);
    const from = seqFlag(flags.from, '--from');
    const to = seqFlag(flags.to, '--to');
    const opts = toVerifyOptions(flags);
    opts.steps = { chain: true, tuf: false, certs: false, cross: false };
    await applyDecryption(input, flags, opts);
    const bar = attachProgress(opts, input, { ...flags, json: flags.json === true || format !== 'text' });
    const report = finishReport(
      sniffInput(input) === 'dump'
        ? await verifyDumpFile(input, opts, 'audit')
        : await verifyBackup(input, opts, 'audit'),
    );
    bar.done();
    const breaks = report.findings.filter((f) => f.area === 'chain' && inWindow(f, from, to));
    if (flags.json || flags.report) {
      const code = emitReport(report, { ...flags, json: flags.json, quiet: true });
      if (flags.json) {
        setCode(code);
        return;
      }
    }
    if (format === 'json') process.stdout.write(JSON.stringify(auditJson(report, breaks), null, 2) + '\n');
    else if (format === 'csv') process.stdout.write(toCsv(breaks));
    else {
      const st = makeStyle(useColor(flags));
      for (const c of report.chains)
        process.stdout.write(
          `${c.table}: ${c.count} records, seq ${c.first ?? '-'}..${c.last ?? '-'}, head ${c.last ?? '-'}:${c.headHash ?? '-'}\n`,
        );
      const window =
        from !== undefined || to !== undefined ? ` in seq ${from ?? 'start'}..${to ?? 'end'}` : '';
      process.stdout.write(`${breaks.length} chain finding(s)${window}\n`);
      for (const f of breaks) process.stdout.write(renderFinding(f, st) + '\n');
      const other = report.findings.filter((f) => f.area !== 'chain' && f.severity !== 'info');
      for (const f of other) process.stdout.write(renderFinding(f, st) + '\n');
      process.stdout.write(report.verdict === 'verified' ? 'VERIFIED\n' : 'FAILED\n');
    }
    setCode(report.exitCode);
  });
}

function seqFlag(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,16}$/.test(v)) throw new UsageError(`${what} must be a sequence number`);
  return Number(v);
}

function inWindow(f: Finding, from: number | undefined, to: number | undefined): boolean {
  const s = f.location.seq;
  if (s === undefined) return true;
  const e = f.location.seqTo ?? s;
  return (from === undefined || e >= from) && (to === undefined || s <= to);
}

function auditJson(r: Report, breaks: Finding[]): unknown {
  return {
    input: r.input,
    referenceTime: r.referenceTime,
    chains: r.chains,
    breaks: breaks.map((f) => ({
      code: f.code,
      severity: f.severity,
      seq: f.location.seq ?? null,
      seqTo: f.location.seqTo ?? f.location.seq ?? null,
      row: f.location.row ?? null,
      table: f.location.table ?? null,
      message: f.message,
      detail: f.detail ?? {},
    })),
    verdict: r.verdict,
  };
}

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toCsv(breaks: Finding[]): string {
  const rows = [['code', 'severity', 'seq', 'seq_to', 'row', 'occurred_at', 'table', 'message']];
  for (const f of breaks) {
    const d = f.detail ?? {};
    rows.push([
      f.code,
      f.severity,
      String(f.location.seq ?? ''),
      String(f.location.seqTo ?? f.location.seq ?? ''),
      String(f.location.row ?? ''),
      typeof d['occurredAt'] === 'string' ? d['occurredAt'] : '',
      f.location.table ?? '',
      f.message,
    ]);
  }
  return rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}
