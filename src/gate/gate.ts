// meshverify gate: the whole verification, the gate's own checks (continuity with the previous
// receipt, encryption, the policy's validity window) as extra steps on the same run, and a
// receipt. The gate passes exactly when the report's exit code is 0 under the policy's severities.
import { createHash, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { JsonValue, Severity } from '../findings/types.js';
import type { Report } from '../report/types.js';
import { verifyBackup } from '../verify/backup.js';
import type { VerifyContext } from '../verify/context.js';
import type { VerifyOptions } from '../verify/options.js';
import { runStep } from '../verify/steps.js';
import { VERSION } from '../version.js';
import { checkContinuity, previousAnchor } from './continuity.js';
import { collectFacts, type GateFacts } from './facts.js';
import { severityOverrides, type LoadedPolicy } from './policy.js';
import {
  RECEIPT_FORMAT,
  signReceipt,
  type LoadedReceipt,
  type Receipt,
  type ReceiptBody,
} from './receipt.js';
import { checkValidity } from './validity.js';

export interface ArchiveChecks {
  /** The last receipt: continuity is checked against it. */
  previous?: LoadedReceipt;
  /** A plaintext archive is GATE_PLAINTEXT_ARCHIVE. */
  requireEncrypted?: boolean;
  /** The gate key: the previous receipt must be signed by it. */
  signKey?: KeyObject;
  /** The gate's policy: its validity window is checked, and its hash compared with the previous. */
  policy?: LoadedPolicy;
  /** Told the facts collected from the verified archive (for the receipt). */
  onFacts?: (facts: GateFacts) => void;
}

/**
 * Adds the gate's checks to a verification: the previous head as a chain anchor, and steps that
 * run after the built-in ones. Used by `gate`, and by `verify --previous / --require-encrypted`.
 */
export function addArchiveChecks(opts: VerifyOptions, path: string, c: ArchiveChecks): void {
  const anchor = c.previous ? previousAnchor(c.previous) : undefined;
  if (anchor) opts.anchors = [...opts.anchors, anchor];
  opts.extraSteps = [...(opts.extraSteps ?? []), (ctx) => gateSteps(ctx, path, c)];
}

async function gateSteps(ctx: VerifyContext, path: string, c: ArchiveChecks): Promise<void> {
  const strict = ctx.opts.strict;
  const facts = collectFacts(ctx, path);
  c.onFacts?.(facts);
  if (c.requireEncrypted)
    await runStep(ctx.findings, strict, 'gate.encryption', 'gate', 'The archive is age-encrypted', () => {
      const container = ctx.archive?.facts.container ?? 'unknown';
      if (container !== 'age')
        ctx.findings.add(
          'GATE_PLAINTEXT_ARCHIVE',
          { path: ctx.archive?.facts.path ?? path },
          `The archive is ${container === 'unknown' ? 'not an age file' : `a plaintext ${container}`}; encryption is required`,
        );
    });
  const title = 'Continuity with the previous receipt: chain head, TUF versions, root history, certificates';
  const prev = c.previous;
  if (prev)
    await runStep(ctx.findings, strict, 'gate.continuity', 'gate', title, () =>
      checkContinuity(ctx, facts, prev, {
        ...(c.signKey ? { signKey: c.signKey } : {}),
        ...(c.policy ? { policySha256: c.policy.sha256 } : {}),
      }),
    );
  else if (c.policy) {
    ctx.findings.add(
      'GATE_NO_PREVIOUS',
      {},
      'No --previous receipt: this is a first night (continuity with the last backup is not checked)',
    );
    ctx.findings.check('gate.continuity', 'gate', title, 'skipped', 'no --previous receipt');
  }
  const policy = c.policy?.policy;
  if (policy)
    await runStep(
      ctx.findings,
      strict,
      'gate.validity',
      'gate',
      "Metadata and certificates stay valid for the policy's window",
      () => checkValidity(ctx.findings, facts, policy, ctx.opts.at),
    );
}

export interface GateOptions {
  policy: LoadedPolicy;
  previous?: LoadedReceipt;
  requireEncrypted?: boolean;
  /** Ed25519 private key: the receipt is signed, and the previous receipt must verify with it. */
  signKey?: KeyObject;
  /** Last word on the report before the verdict is taken (the CLI's --timeout adds RUN_TIMEOUT). */
  finishReport?: (r: Report) => Report;
}

export interface GateResult {
  report: Report;
  receipt: Receipt;
  passed: boolean;
}

/** Runs the gate on an archive. `opts` as for verifyBackup (decrypt set for an age archive). */
export async function runGate(path: string, opts: VerifyOptions, g: GateOptions): Promise<GateResult> {
  const policy = g.policy.policy;
  const o: VerifyOptions = {
    ...opts,
    strict: opts.strict || policy.strict,
    severityOverrides: { ...opts.severityOverrides, ...severityOverrides(policy) },
  };
  let facts: GateFacts | undefined;
  addArchiveChecks(o, path, {
    ...(g.previous ? { previous: g.previous } : {}),
    requireEncrypted: g.requireEncrypted === true || policy.requireEncrypted,
    ...(g.signKey ? { signKey: g.signKey } : {}),
    policy: g.policy,
    onFacts: (f) => {
      facts = f;
    },
  });
  const verified = await verifyBackup(path, o, 'gate');
  const report = g.finishReport ? g.finishReport(verified) : verified;
  const passed = report.exitCode === 0;
  const body = await receiptBody(report, facts, path, g);
  const receipt = signReceipt(body, g.signKey);
  report.sections['gate'] = JSON.parse(
    JSON.stringify({
      passed,
      policy: { source: g.policy.source, sha256: g.policy.sha256, effective: policy },
      previous: g.previous ? { path: g.previous.path, bodySha256: g.previous.bodySha256 } : null,
      receipt,
    }),
  ) as JsonValue;
  return { report, receipt, passed };
}

async function receiptBody(
  report: Report,
  facts: GateFacts | undefined,
  path: string,
  g: GateOptions,
): Promise<ReceiptBody> {
  const counts = new Map<string, { severity: Severity; count: number }>();
  for (const f of report.findings) {
    const c = counts.get(f.code);
    if (c) c.count++;
    else counts.set(f.code, { severity: f.severity, count: 1 });
  }
  const prev = g.previous;
  return {
    format: RECEIPT_FORMAT,
    tool: { name: 'meshverify', version: VERSION },
    createdAt: report.generatedAt,
    referenceTime: report.referenceTime,
    verdict: report.exitCode === 0 ? 'passed' : 'failed',
    archive: facts?.archive ?? (await fallbackArchive(path)),
    chain: facts?.chain ?? null,
    tuf: facts?.tuf ?? null,
    certificates: facts?.certificates ?? [],
    policy: {
      source: g.policy.source === 'built-in' ? 'built-in' : basename(g.policy.source),
      sha256: g.policy.sha256,
    },
    previous: prev
      ? {
          bodySha256: prev.bodySha256,
          archiveSha256: prev.receipt.signed.archive.sha256,
          headSeq: prev.receipt.signed.chain?.headSeq ?? null,
        }
      : null,
    findings: [...counts.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([code, c]) => ({ code, severity: c.severity, count: c.count })),
  };
}

/** Only when the archive step itself failed unexpectedly: the receipt still names the file. */
async function fallbackArchive(path: string): Promise<ReceiptBody['archive']> {
  const h = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(path)) {
      const b = chunk as Buffer;
      size += b.length;
      h.update(b);
    }
  } catch {
    // unreadable now: the report says why
  }
  return {
    name: basename(path),
    size,
    sha256: h.digest('hex'),
    container: 'unknown',
    innerContainer: null,
    encrypted: false,
  };
}
