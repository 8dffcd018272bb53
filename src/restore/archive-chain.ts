// Reading the archive for a restore check: the same pass as `verify` (archive, dumps, chain
// replay), and every audit record of each dump also goes, through VerifyOptions.chainTap, into an
// external sort so the restored database can be compared with it in seq order in bounded memory.
import { readArchive } from '../archive/index.js';
import type { EntryInfo } from '../archive/types.js';
import type { ChainRecord } from '../chain/record.js';
import { DiskBudget, SortedSpill, SpillLimitError } from '../chain/spill.js';
import { isFailing } from '../findings/severity.js';
import type { VerifyContext } from '../verify/context.js';
import { verifyDumpStream, type DumpResult } from '../verify/dump-step.js';
import { runStep, skipStep } from '../verify/steps.js';

/** One dump's audit records, sorted on disk. */
export interface ArchiveChain {
  spill: SortedSpill;
  /** Highest seq seen (-Infinity when none). */
  maxSeq: number;
  records: number;
  /** The spill reached its bound: the records cannot be compared. */
  failed: boolean;
}

export interface ArchiveDump {
  path: string;
  result: DumpResult;
  chain: ArchiveChain;
}

/** Read the archive into ctx (archive, dumps) and return each dump with its sorted records. */
export async function readArchiveForRestore(ctx: VerifyContext, path: string): Promise<ArchiveDump[]> {
  const { opts, findings } = ctx;
  const read: Array<{ entry: EntryInfo; result: DumpResult; chain: ArchiveChain }> = [];
  // The tables the row comparison needs are kept whatever steps the caller chose.
  const dumpOpts = { ...opts, steps: { chain: true, tuf: false, certs: true, cross: true } };
  await runStep(
    findings,
    opts.strict,
    'archive',
    'archive',
    'Read the archive and every database dump in it',
    async () => {
      ctx.archive = await readArchive(path, {
        findings,
        profile: opts.profile,
        limits: opts.limits,
        onDump: async (entry, content) => {
          const chain: ArchiveChain = {
            spill: new SortedSpill(opts.limits.spillMemRecords, new DiskBudget(opts.limits.maxSpillBytes)),
            maxSeq: -Infinity,
            records: 0,
            failed: false,
          };
          const tap = (r: ChainRecord): void => {
            if (chain.failed) return;
            try {
              chain.spill.push(r);
              chain.records++;
              if (r.seq > chain.maxSeq) chain.maxSeq = r.seq;
            } catch (e) {
              if (!(e instanceof SpillLimitError)) throw e;
              chain.failed = true;
              findings.add(
                'LIMIT_EXCEEDED',
                { path: entry.path, seq: r.seq, limit: 'maxSpillBytes' },
                `the archive's audit records filled the ${opts.limits.maxSpillBytes}-byte temporary-disk bound at seq ${r.seq}; the restored records cannot be compared with them`,
              );
            }
          };
          const result = await verifyDumpStream(
            content,
            entry.path,
            { ...dumpOpts, chainTap: tap },
            findings,
          );
          read.push({ entry, result, chain });
        },
      });
    },
  );
  // Final entry paths are known now; as tar -x would restore it, a later entry replaces an earlier one.
  const byPath = new Map<string, ArchiveDump>();
  for (const r of read) {
    const old = byPath.get(r.entry.path);
    if (old) old.chain.spill.dispose();
    byPath.set(r.entry.path, { path: r.entry.path, result: r.result, chain: r.chain });
  }
  const dumps = [...byPath.values()];
  ctx.dumps = dumps.map((d) => ({ path: d.path, result: d.result }));
  if (dumps.length === 0) {
    skipStep(
      findings,
      'chain',
      'chain',
      'Replay the audit chain',
      'no database dump was read from the archive',
    );
  } else {
    const chain = findings.list.filter((f) => f.area === 'chain');
    const status = chain.some((f) => isFailing(f.severity, opts.strict))
      ? 'failed'
      : chain.some((f) => f.severity === 'warning')
        ? 'warned'
        : 'passed';
    findings.check('chain', 'chain', "Replay the archive's audit chain", status);
  }
  return dumps;
}

/** The dump the restore is compared with: the first the layout names (default paths first). */
export function chooseDump(ctx: VerifyContext, dumps: ArchiveDump[]): ArchiveDump | undefined {
  if (dumps.length === 0) return undefined;
  const order = ctx.archive?.layout.dumps ?? [];
  const pick = order.map((p) => dumps.find((d) => d.path === p)).find((d) => d !== undefined) ?? dumps[0];
  if (pick && dumps.length > 1)
    ctx.findings.add(
      'RESTORE_DUMP_CHOSEN',
      { path: pick.path },
      `the archive holds ${dumps.length} dumps; the restored database is compared with ${pick.path}`,
      { dumps: dumps.map((d) => d.path) },
    );
  return pick;
}
