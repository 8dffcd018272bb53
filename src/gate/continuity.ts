// Continuity with the last receipt (--previous): the chain still passes through the previous head,
// TUF versions never go down, the root history only grows, the CA and server certificate are the
// same or renewed, and the archive is a new one. Each problem is a finding against what it concerns.
import type { KeyObject } from 'node:crypto';
import type { Findings } from '../findings/collector.js';
import type { Anchor } from '../chain/replay.js';
import type { VerifyContext } from '../verify/context.js';
import type { GateFacts } from './facts.js';
import { checkSignature, type LoadedReceipt, type ReceiptCertificate } from './receipt.js';

/** The anchor the chain replay checks: the previous receipt's head. */
export function previousAnchor(prev: LoadedReceipt): Anchor | undefined {
  const c = prev.receipt.signed.chain;
  return c ? { seq: c.headSeq, hash: Buffer.from(c.headHash, 'hex') } : undefined;
}

export interface ContinuityOptions {
  /** The gate's signing key: the previous receipt must carry a valid signature by it. */
  signKey?: KeyObject;
  /** Hash of the policy in force now (GATE_POLICY_CHANGED when it differs). */
  policySha256?: string;
}

export function checkContinuity(
  ctx: VerifyContext,
  facts: GateFacts,
  prev: LoadedReceipt,
  opts: ContinuityOptions = {},
): void {
  const f = ctx.findings;
  const p = prev.receipt.signed;
  const at = { path: prev.path };
  if (opts.signKey) {
    const s = checkSignature(prev, opts.signKey);
    if (s.status === 'unsigned')
      f.add(
        'GATE_PREVIOUS_UNSIGNED',
        at,
        `The previous receipt ${prev.path} is not signed; its facts are taken on trust`,
      );
    else if (s.status === 'invalid')
      f.add(
        'GATE_PREVIOUS_SIGNATURE_INVALID',
        at,
        `The previous receipt ${prev.path} does not verify with the gate key: ${s.reason}`,
      );
  }
  if (p.verdict !== 'passed')
    f.add(
      'GATE_PREVIOUS_FAILED',
      at,
      `The previous receipt ${prev.path} records a failed gate (${p.archive.name})`,
    );
  if (opts.policySha256 !== undefined && opts.policySha256 !== p.policy.sha256)
    f.add('GATE_POLICY_CHANGED', at, `The policy changed since the previous receipt`, {
      previous: p.policy.sha256,
      now: opts.policySha256,
    });

  if (facts.archive && facts.archive.sha256 === p.archive.sha256)
    f.add(
      'GATE_SAME_ARCHIVE',
      { path: ctx.archive?.facts.path ?? facts.archive.name },
      `This archive is byte-identical to the one of the previous receipt (${p.archive.name}, ${p.createdAt}): no new backup was made`,
      { sha256: p.archive.sha256 },
    );

  checkChain(ctx, facts, prev);
  checkTuf(f, facts, prev);
  checkCertificates(f, facts, prev);
}

function checkChain(ctx: VerifyContext, facts: GateFacts, prev: LoadedReceipt): void {
  const c = prev.receipt.signed.chain;
  if (!c) return;
  const f = ctx.findings;
  const loc = { table: c.table, seq: c.headSeq };
  const detail = { expected: c.headHash, previousReceipt: prev.path };
  const results = ctx.dumps
    .flatMap((d) => d.result.chains)
    .flatMap((ch) => ch.anchors.map((a) => ({ table: ch.table, ...a })))
    .filter((a) => a.seq === c.headSeq && a.expected === c.headHash);
  if (results.length === 0) {
    f.add(
      'GATE_CONTINUITY_UNCHECKED',
      { ...loc, field: 'chain' },
      `The previous receipt's head ${c.headSeq}:${c.headHash.slice(0, 16)}… could not be checked: this archive's audit chain was not replayed`,
      detail,
    );
    return;
  }
  for (const a of results) {
    const l = { table: a.table, seq: a.seq };
    if (a.status === 'mismatched')
      f.add(
        'GATE_HISTORY_REWRITTEN',
        l,
        `History was rewritten: seq ${a.seq} no longer has the hash the previous receipt recorded (the chain was recomputed after an edit at or before it)`,
        { ...detail, found: a.found ?? null },
      );
    else if (a.status === 'missing')
      f.add(
        'GATE_HISTORY_REWRITTEN',
        l,
        `History was rewritten: the record at seq ${a.seq}, the previous receipt's head, is gone from the chain`,
        detail,
      );
    else if (a.status === 'beyond-head')
      f.add(
        'GATE_CHAIN_TRUNCATED',
        l,
        `The chain was truncated: it ends at seq ${facts.chain?.headSeq ?? 'none'}, before the previous receipt's head at seq ${a.seq}`,
        {
          ...detail,
          head: facts.chain?.headSeq ?? null,
          missingRecords: a.seq - (facts.chain?.headSeq ?? 0),
        },
      );
  }
}

function checkTuf(f: Findings, facts: GateFacts, prev: LoadedReceipt): void {
  const t = prev.receipt.signed.tuf;
  if (!t) return;
  const now = facts.tuf;
  if (!now) {
    f.add(
      'GATE_CONTINUITY_UNCHECKED',
      { field: 'tuf' },
      'The previous receipt lists TUF roles, but no TUF metadata was verified in this archive',
    );
    return;
  }
  const roles = new Map(now.roles.map((r) => [r.role, r]));
  for (const old of t.roles) {
    const cur = roles.get(old.role);
    if (!cur) {
      // A delegated role may be removed on purpose; a top-level role cannot.
      if (['root', 'timestamp', 'snapshot', 'targets'].includes(old.role))
        f.add(
          'GATE_CONTINUITY_UNCHECKED',
          { role: old.role, field: 'tuf' },
          `The previous receipt lists ${old.role} v${old.version ?? '?'}; this archive's metadata has no verified ${old.role}`,
        );
      continue;
    }
    if (old.version === null || cur.version === null) continue;
    if (cur.version < old.version)
      f.add(
        'GATE_TUF_ROLLBACK',
        { role: old.role, version: cur.version },
        `${old.role} went back from version ${old.version} (previous receipt) to ${cur.version}: a rollback`,
        { previousVersion: old.version, version: cur.version },
      );
    else if (
      cur.version === old.version &&
      old.sha256 !== null &&
      cur.sha256 !== null &&
      cur.sha256 !== old.sha256
    )
      f.add(
        'GATE_TUF_VERSION_REUSED',
        { role: old.role, version: cur.version },
        `${old.role} version ${cur.version} has other bytes than the previous receipt recorded for the same version`,
        { previousSha256: old.sha256, sha256: cur.sha256 },
      );
  }
  const history = new Map(now.rootHistory.map((h) => [h.version, h.sha256]));
  for (const old of t.rootHistory) {
    const sha = history.get(old.version);
    const path = `${old.version}.root.json`;
    if (sha === undefined)
      f.add(
        'GATE_ROOT_HISTORY_SHRANK',
        { role: 'root', version: old.version, path },
        `${path} was in the previous backup and is missing now: the root history shrank (devices pinned to version ${old.version} cannot be walked forward)`,
      );
    else if (sha !== old.sha256)
      f.add(
        'GATE_ROOT_HISTORY_CHANGED',
        { role: 'root', version: old.version, path },
        `${path} has other bytes than in the previous backup`,
        { previousSha256: old.sha256, sha256: sha },
      );
  }
}

function checkCertificates(f: Findings, facts: GateFacts, prev: LoadedReceipt): void {
  const before = prev.receipt.signed.certificates;
  for (const role of ['ca', 'server'] as const) {
    const old = before.find((c) => c.role === role);
    if (!old) continue;
    const cur = facts.certificates.find((c) => c.role === role);
    if (!cur) {
      f.add(
        'GATE_CONTINUITY_UNCHECKED',
        { certificate: old.ref, field: 'certificates' },
        `The previous receipt lists the ${role === 'ca' ? 'CA' : 'server'} certificate ${old.subject}; this archive has none that could be read`,
      );
      continue;
    }
    compareCert(f, role, old, cur);
  }
}

function compareCert(
  f: Findings,
  role: 'ca' | 'server',
  old: ReceiptCertificate,
  cur: ReceiptCertificate,
): void {
  if (cur.sha256 === old.sha256) return;
  const name = role === 'ca' ? 'CA' : 'server';
  const loc = { certificate: cur.ref };
  const sameSubject = cur.subject === old.subject;
  const sameKey = cur.spkiSha256 !== null && cur.spkiSha256 === old.spkiSha256;
  const later = Date.parse(cur.notAfter) > Date.parse(old.notAfter);
  const detail = {
    previousSha256: old.sha256,
    sha256: cur.sha256,
    previousSubject: old.subject,
    subject: cur.subject,
    previousNotAfter: old.notAfter,
    notAfter: cur.notAfter,
    sameKey,
  };
  if (sameSubject && (sameKey || later)) {
    f.add(
      'GATE_CERT_RENEWED',
      loc,
      `The ${name} certificate was renewed (${sameKey ? 'same key' : 'new key'}, expires ${cur.notAfter}, was ${old.notAfter})`,
      detail,
    );
    if (role === 'ca' && !sameKey)
      f.add(
        'GATE_CA_REKEYED',
        loc,
        `The CA certificate ${cur.subject} now carries another key: device certificates issued under the old key do not chain to it`,
        detail,
      );
    return;
  }
  const why = !sameSubject
    ? `its subject changed from "${old.subject}" to "${cur.subject}"`
    : `it carries another key and does not expire later (${cur.notAfter}, was ${old.notAfter})`;
  f.add(
    role === 'ca' ? 'GATE_CA_REPLACED' : 'GATE_SERVER_CERT_REPLACED',
    loc,
    `The ${name} certificate was replaced, not renewed: ${why}`,
    detail,
  );
}
