// `meshverify drill`: rehearse a restore from a backup archive (or restored node directories)
// without touching it: re-sign online metadata, update every pinned device, enroll a device,
// complete mutual TLS, all in memory and on loopback. One report, in verify's format.
import { Findings } from '../findings/collector.js';
import type { Report } from '../report/types.js';
import { buildReport } from '../report/build.js';
import type { CheckStatus } from '../findings/types.js';
import { relativeTo } from '../verify/certs-step.js';
import type { VerifyContext } from '../verify/context.js';
import { runStep, skipStep } from '../verify/steps.js';
import { verifyCertificates, type CertReport } from '../x509/index.js';
import { scratchFindings, tufRun, type DrillRun } from './context.js';
import { drillDevices } from './devices.js';
import { drillEnrollment } from './enroll.js';
import { drillInput, readDrillArchive, type DrillInput } from './input.js';
import { drillMutualTls, tlsInput } from './mtls.js';
import { drillOnlineKeys } from './online-keys.js';
import type { DrillOptions } from './options.js';
import { toJson, type DrillSection, type DrillStepEntry } from './types.js';
import type { IssuedDevice } from './issue.js';
import type { FileSource } from '../files/source.js';

const TITLES = {
  'drill.online-keys': 'Online keys re-sign a fresh timestamp (and snapshot) that devices accept',
  'drill.devices': 'Every pinned device can update to the newest root and resolve its targets',
  'drill.enrollment': 'The CA key enrolls a new device the CA certificate accepts',
  'drill.mtls': 'A device and the server complete mutual TLS on loopback',
} as const;
type StepId = keyof typeof TITLES;

/** Drill a backup archive and/or restored directories; never writes, never touches the archive. */
export async function drillBackup(archivePath: string | undefined, o: DrillOptions): Promise<Report> {
  const ctx: VerifyContext = {
    opts: o.verify,
    findings: new Findings(o.verify.severityOverrides, o.verify.limits.maxFindings),
    archive: undefined,
    dumps: [],
    sections: {},
    shared: new Map(),
  };
  if (archivePath !== undefined) await readDrillArchive(ctx, archivePath);
  const input = drillInput(ctx, {
    ...(o.tufDir !== undefined ? { tufDir: o.tufDir } : {}),
    ...(o.certsDir !== undefined ? { certsDir: o.certsDir } : {}),
  });
  await runDrill(ctx, input, o);
  const dirs = [o.tufDir, o.certsDir].filter((d): d is string => d !== undefined);
  return buildReport(ctx, {
    command: 'drill',
    inputPath: archivePath ?? dirs.join(', '),
    inputKind: archivePath !== undefined ? 'archive' : 'directory',
  });
}

/** The four drill steps over prepared inputs; fills ctx.sections.drill and returns it. */
export async function runDrill(
  ctx: VerifyContext,
  input: DrillInput,
  o: DrillOptions,
): Promise<DrillSection> {
  const run: DrillRun = { ctx, o, at: ctx.opts.at, input };
  const section: DrillSection = {
    kind: 'drill',
    at: ctx.opts.at.toISOString(),
    hosts: ctx.opts.hosts,
    input: {
      metadata: input.metadata?.description ?? null,
      keys: input.keys?.description ?? null,
      certs: input.certs?.description ?? null,
      artifacts: input.artifacts ? `${input.artifacts.ref.schema}.${input.artifacts.ref.name}` : null,
    },
    steps: [],
  };
  const step = async (
    id: StepId,
    fn: () =>
      | Promise<{ summary: string; result: DrillStepEntry['result'] }>
      | { summary: string; result: DrillStepEntry['result'] },
  ): Promise<CheckStatus> => {
    let entry: { summary: string; result: DrillStepEntry['result'] } = {
      summary: 'stopped unexpectedly',
      result: null,
    };
    const status = await runStep(ctx.findings, ctx.opts.strict, id, 'drill', TITLES[id], async () => {
      entry = await fn();
    });
    section.steps.push({ id, title: TITLES[id], status, ...entry });
    return status;
  };
  const skip = (id: StepId, reason: string): void => {
    skipStep(ctx.findings, id, 'drill', TITLES[id], reason);
    section.steps.push({
      id,
      title: TITLES[id],
      status: 'skipped',
      summary: `skipped: ${reason}`,
      result: null,
    });
  };

  await tufSteps(run, step, skip);
  await certSteps(run, step, skip);
  ctx.sections['drill'] = toJson(section);
  return section;
}

type StepFn = (
  id: StepId,
  fn: () =>
    | Promise<{ summary: string; result: DrillStepEntry['result'] }>
    | { summary: string; result: DrillStepEntry['result'] },
) => Promise<CheckStatus>;

async function tufSteps(
  run: DrillRun,
  step: StepFn,
  skip: (id: StepId, reason: string) => void,
): Promise<void> {
  const metadata = run.input.metadata;
  const f = run.ctx.findings;
  if (!metadata) {
    await step('drill.online-keys', () => {
      f.add(
        'DRILL_INPUT_MISSING',
        { path: run.ctx.opts.profile.paths.tufMetadata },
        'no TUF metadata folder: there is nothing to re-sign or to update devices from',
      );
      return { summary: 'no TUF metadata', result: null };
    });
    skip('drill.devices', 'no TUF metadata');
    return;
  }
  // The repository as backed up, with its key custody: which key file holds which role's key.
  const baseline = tufRun(run, metadata, run.ctx.opts.trustedRoot, run.input.keys);
  let resigned: FileSource | undefined;
  await step('drill.online-keys', () => {
    const r = drillOnlineKeys(run, metadata, baseline);
    resigned = r.resigned;
    const fresh = r.result.fresh;
    const summary =
      fresh.length === 0
        ? 'nothing could be re-signed'
        : fresh.every((x) => x.accepted)
          ? `${fresh.map((x) => `${x.role} v${x.version}`).join(' and ')} re-signed and accepted by a client trusting root ${r.result.trustedRootVersion ?? '?'}`
          : `${fresh
              .filter((x) => !x.accepted)
              .map((x) => x.role)
              .join(
                ' and ',
              )} re-signed but REJECTED by a client trusting root ${r.result.trustedRootVersion ?? '?'}`;
    return { summary, result: r.result };
  });
  await step('drill.devices', () => {
    const d = drillDevices(
      run,
      resigned ?? metadata,
      resigned !== undefined,
      baseline.report.newestRootVersion,
    );
    const ok = d.pinned.filter((p) => p.status === 'can-update').map((p) => p.pinnedRoot);
    const blocked = d.pinned.filter((p) => p.status === 'blocked').map((p) => p.pinnedRoot);
    const badTargets = d.targets.filter((t) => !t.ok).length;
    const parts = [
      ok.length ? `root ${ok.join(', ')} can update` : 'no pinned device can update',
      ...(blocked.length ? [`root ${blocked.join(', ')} cannot`] : []),
      `${d.targets.length - badTargets} of ${d.targets.length} targets resolve`,
      `metadata ${d.metadata}`,
    ];
    return { summary: parts.join('; '), result: d };
  });
}

async function certSteps(
  run: DrillRun,
  step: StepFn,
  skip: (id: StepId, reason: string) => void,
): Promise<void> {
  const certs = run.input.certs;
  const f = run.ctx.findings;
  if (!certs) {
    await step('drill.enrollment', () => {
      f.add(
        'DRILL_INPUT_MISSING',
        { path: run.ctx.opts.profile.paths.certs },
        'no certificate folder: there is no CA to enroll with and no server identity',
      );
      return { summary: 'no certificate folder', result: null };
    });
    skip('drill.mtls', 'no certificate folder');
    return;
  }
  const p = run.ctx.opts.profile.paths;
  const scratch = scratchFindings(run);
  const report: CertReport = verifyCertificates(
    {
      certs,
      serverCertPath: relativeTo(p.certs, p.serverCert),
      serverKeyPath: relativeTo(p.certs, p.serverKey),
      caCertPath: relativeTo(p.certs, p.caCert),
      caKeyPath: relativeTo(p.certs, p.caKey),
    },
    {
      hosts: run.ctx.opts.hosts,
      at: run.at,
      now: run.at,
      findings: scratch,
      limits: run.ctx.opts.limits.x509,
    },
  );
  let device: IssuedDevice | undefined;
  await step('drill.enrollment', () => {
    const e = drillEnrollment(run, report, scratch.list);
    device = e.device;
    const d = e.result.device;
    return {
      summary: e.result.accepted
        ? `${d?.subject ?? 'a device'} issued by ${e.result.ca.certificate ?? 'the CA'} and accepted`
        : d
          ? `${d.subject} issued with ${e.result.ca.keyPath ?? 'the CA key'} but REJECTED`
          : 'no device certificate could be issued',
      result: e.result,
    };
  });
  const dev = device;
  if (!dev) {
    skip('drill.mtls', 'no enrolled device certificate (enrollment failed)');
    return;
  }
  if (run.ctx.opts.hosts.length === 0) {
    skip('drill.mtls', 'no --host: the server identity devices check is unknown');
    return;
  }
  await step('drill.mtls', async () => {
    const inp = tlsInput(run, report);
    if (!inp) return { summary: 'the server certificate or key is missing', result: null };
    const r = await drillMutualTls(run, inp, dev);
    const ok = r.handshakes.filter((h) => h.ok);
    return {
      summary:
        ok.length === r.handshakes.length && ok.length > 0
          ? `${ok.length} of ${ok.length} handshakes completed (${[...new Set(ok.map((h) => `${h.protocol ?? '?'} ${h.cipher ?? '?'}`))].join(', ')})`
          : r.handshakes.length === 0
            ? 'no handshake: the server did not start'
            : `${r.handshakes.length - ok.length} of ${r.handshakes.length} handshakes FAILED`,
      result: r,
    };
  });
}
