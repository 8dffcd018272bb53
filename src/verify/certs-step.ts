// The certificate directory (spec 5) and every device certificate in the dump, checked against
// the backup's CA. The x509 module does the work; this step finds its inputs.
import type { FileSource } from '../files/source.js';
import {
  reportJson,
  verifyCertificates,
  verifyDeviceCertificates,
  type CaHandle,
  type DeviceRecord,
} from '../x509/index.js';
import type { VerifyContext } from './context.js';
import { runStep, skipStep } from './steps.js';
import { text } from './table-rows.js';

/** A profile path ("certs/server.crt") relative to its profile folder ("certs"): the same name
 *  is looked up wherever the folder was found (default path, sniffed, or a live directory). */
export function relativeTo(folder: string, path: string): string {
  const p = folder === '' ? '' : folder + '/';
  if (p !== '' && path.startsWith(p)) return path.slice(p.length);
  const slash = path.lastIndexOf('/');
  return slash >= 0 ? path.slice(slash + 1) : path;
}

export async function verifyCertsStep(ctx: VerifyContext): Promise<void> {
  const a = ctx.archive;
  const folder = a?.layout.certs;
  if (!a || folder === undefined) {
    skipStep(
      ctx.findings,
      'x509',
      'x509',
      'Check the certificates and keys',
      'no certificate folder was found in the archive',
    );
    checkDevices(ctx, undefined);
    return;
  }
  const source = a.files.sub(folder, `archive ${a.facts.path}:${folder || '.'}`);
  await verifyCertSource(ctx, source);
}

/** Certificates from any FileSource (an archive's folder or a live node's directory). */
export function verifyCertSource(ctx: VerifyContext, source: FileSource): Promise<void> {
  const p = ctx.opts.profile.paths;
  const folder = p.certs;
  return runStep(ctx.findings, ctx.opts.strict, 'x509', 'x509', 'Check the certificates and keys', () => {
    const report = verifyCertificates(
      {
        certs: source,
        serverCertPath: relativeTo(folder, p.serverCert),
        serverKeyPath: relativeTo(folder, p.serverKey),
        caCertPath: relativeTo(folder, p.caCert),
        caKeyPath: relativeTo(folder, p.caKey),
      },
      {
        hosts: ctx.opts.hosts,
        at: ctx.opts.at,
        now: ctx.opts.now,
        ...(ctx.opts.expiringWithinMs !== undefined ? { expiringWithinMs: ctx.opts.expiringWithinMs } : {}),
        findings: ctx.findings,
        limits: ctx.opts.limits.x509,
      },
    );
    ctx.sections['certificates'] = reportJson(report);
    ctx.shared.set('x509.report', report);
    checkDevices(ctx, report.ca);
  }).then(() => undefined);
}

function checkDevices(ctx: VerifyContext, ca: CaHandle | undefined): void {
  const devicesTable = ctx.dumps.map((d) => d.result.tables.devices).find((t) => t !== undefined);
  if (!devicesTable) return;
  const devices: DeviceRecord[] = devicesTable.rows.map((r) => ({
    id: text(r['id']) ?? '',
    serial: text(r['serial']) ?? '',
    status: text(r['status']) ?? '',
    certPem: text(r['cert_pem']),
    certSha256: text(r['cert_sha256']),
  }));
  const report = verifyDeviceCertificates(devices, ca, {
    at: ctx.opts.at,
    now: ctx.opts.now,
    ...(ctx.opts.expiringWithinMs !== undefined ? { expiringWithinMs: ctx.opts.expiringWithinMs } : {}),
    findings: ctx.findings,
    limits: ctx.opts.limits.x509,
  });
  ctx.sections['devices'] = reportJson(report);
}
