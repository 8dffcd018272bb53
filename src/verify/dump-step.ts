// One database dump: read it (any format), replay the audit chain from its audit table while
// the bytes stream past, and keep the small tables the cross-checks need.
import type { Findings } from '../findings/collector.js';
import type { DumpFacts, DumpSink, TableDataHandler, TableRef } from '../dump/types.js';
import { readDump } from '../dump/index.js';
import { AuditRowsHandler, mapAuditColumns } from '../chain/audit-rows.js';
import { ChainReplay, type ChainFacts } from '../chain/replay.js';
import type { VerifyOptions } from './options.js';
import { TableRowsCollector, type CollectedTable } from './table-rows.js';

export interface DumpResult {
  facts: DumpFacts;
  chains: ChainFacts[];
  /** Small tables by role name: devices, artifacts, trustState, secrets. */
  tables: Partial<Record<'devices' | 'artifacts' | 'trustState' | 'secrets', CollectedTable>>;
}

export async function verifyDumpStream(
  content: AsyncIterable<Buffer>,
  path: string,
  opts: VerifyOptions,
  findings: Findings,
): Promise<DumpResult> {
  const p = opts.profile;
  const chains: Array<{ replay: ChainReplay; handler: AuditRowsHandler }> = [];
  const tables: DumpResult['tables'] = {};
  let auditSeen = false;
  const smallRoles = Object.entries({
    devices: p.tables.devices,
    artifacts: p.tables.artifacts,
    trustState: p.tables.trustState,
    secrets: p.tables.secrets,
  }) as Array<[keyof DumpResult['tables'], string]>;

  const sink: DumpSink = {
    table(ref: TableRef): TableDataHandler | undefined {
      if (ref.schema !== p.database.schema) return undefined;
      const qualified = `${ref.schema}.${ref.name}`;
      if (ref.name === p.tables.auditLog && opts.steps.chain) {
        auditSeen = true;
        const mapped = mapAuditColumns(ref, p);
        if ('missing' in mapped) {
          findings.add(
            'CHAIN_COLUMNS_MISSING',
            { path, table: qualified, field: mapped.missing.join(',') },
            `${qualified} has no column(s) ${mapped.missing.join(', ')} (it has ${ref.columns.join(', ')}); the chain cannot be replayed (set the column names in --profile if this release differs)`,
          );
          return undefined;
        }
        const replay = new ChainReplay({
          findings,
          table: qualified,
          genesisPrevHash: Buffer.from(p.recipe.genesisPrevHash, 'hex'),
          firstSeq: p.recipe.firstSeq,
          anchors: opts.anchors,
          window: opts.limits.reorderWindow,
          spillMemRecords: opts.limits.spillMemRecords,
          maxSpillBytes: opts.limits.maxSpillBytes,
          ...(opts.chainTap ? { tap: opts.chainTap } : {}),
        });
        const handler = new AuditRowsHandler(mapped.layout, {
          profile: p,
          replay,
          findings,
          table: qualified,
          maxLineBytes: opts.limits.maxLineBytes,
          jobs: opts.jobs,
          ...(opts.hashBlockBytes !== undefined ? { blockBytes: opts.hashBlockBytes } : {}),
        });
        chains.push({ replay, handler });
        return handler;
      }
      for (const [role, name] of smallRoles) {
        if (ref.name === name && (opts.steps.cross || opts.steps.certs)) {
          const c = new TableRowsCollector(
            ref,
            findings,
            opts.limits.maxTableRows,
            opts.limits.maxTableBytes,
          );
          tables[role] = c.table;
          return c;
        }
      }
      return undefined;
    },
  };

  const facts = await readDump(
    content,
    {
      path,
      findings,
      maxLineBytes: opts.limits.maxLineBytes,
      maxTocEntries: opts.limits.maxTocEntries,
      maxTocStringBytes: opts.limits.maxTocStringBytes,
      maxDecompressedBytes: opts.limits.maxDecompressedBytes,
      maxRatio: opts.limits.maxRatio,
      ...(opts.signal ? { signal: opts.signal } : {}),
    },
    sink,
  );

  const results: ChainFacts[] = [];
  for (const { replay } of chains) results.push(replay.finish());
  if (opts.steps.chain && !auditSeen) {
    findings.add(
      'CHAIN_TABLE_MISSING',
      { path, table: `${p.database.schema}.${p.tables.auditLog}` },
      `the dump ${path} holds no data for ${p.database.schema}.${p.tables.auditLog}: the audit chain cannot be verified`,
    );
  }
  if (opts.steps.chain && opts.anchors.length === 0 && results.length > 0) {
    findings.add(
      'CHAIN_NO_ANCHOR',
      { path, table: results[0]?.table ?? '' },
      'no --anchor given: a chain cut off at its end, or recomputed wholesale, verifies internally; keep the head below and pass it as --anchor next time',
    );
  }
  return { facts, chains: results, tables };
}
