// A chain replay and an audit-rows handler as `verify` builds them, for tests that feed COPY
// text or records straight in.
import assert from 'node:assert/strict';
import { AuditRowsHandler, mapAuditColumns } from '../../src/chain/audit-rows.js';
import { ChainReplay } from '../../src/chain/replay.js';
import type { Findings } from '../../src/findings/collector.js';
import { DEFAULT_PROFILE } from '../../src/profile/profile.js';

export const AUDIT_TABLE = 'public.audit_log';

/** A replay of the default profile's chain (genesis all zeros, first seq 1). */
export function testReplay(findings: Findings, window = 16_384, spillMemRecords = 32_768): ChainReplay {
  return new ChainReplay({
    findings,
    table: AUDIT_TABLE,
    genesisPrevHash: Buffer.alloc(32),
    firstSeq: 1,
    anchors: [],
    window,
    spillMemRecords,
    maxSpillBytes: 1 << 30,
  });
}

/** A handler of the default audit table's COPY rows, feeding `replay`. */
export function testAuditRows(
  replay: ChainReplay,
  findings: Findings,
  o: { jobs: number; maxLineBytes: number; blockBytes?: number },
): AuditRowsHandler {
  const ref = {
    schema: 'public',
    name: 'audit_log',
    columns: ['seq', 'occurred_at', 'actor', 'action', 'subject', 'payload', 'prev_hash', 'hash'],
  };
  const mapped = mapAuditColumns(ref, DEFAULT_PROFILE);
  assert.ok('layout' in mapped);
  return new AuditRowsHandler(mapped.layout, {
    profile: DEFAULT_PROFILE,
    replay,
    findings,
    table: AUDIT_TABLE,
    maxLineBytes: o.maxLineBytes,
    jobs: o.jobs,
    ...(o.blockBytes !== undefined ? { blockBytes: o.blockBytes } : {}),
  });
}
