// Reading the archive for a restore check: the same pass as `verify` (archive, dumps, chain
// replay), and every audit record of each dump also goes, through VerifyOptions.chainTap, into an
// external sort so the restored database can be compared with it in seq order in bounded memory.
import type { EntryInfo } from '../archive/types.js';
import { DiskBudget, SortedSpill, SpillLimitError } from '../chain/spill.js';
import type { VerifyContext } from '../verify/context.js';
import type { DumpResult } from '../verify/dump-step.js';
import { chainStatus, readBackupArchive } from '../verify/backup.js';
import { skipStep } from '../verify/steps.js';

/** One dump's audit records (seq, row, hash, content verdict), sorted on disk. */
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
  const chains = new Map<EntryInfo, ArchiveChain>();
  // The tables the row comparison needs are kept whatever steps the caller chose.
  const dumpOpts = { ...opts, steps: { chain: true, tuf: false, certs: true, cross: true } };
  const read = await readBackupArchive(ctx, path, (entry) => {
    const chain: ArchiveChain = {
      spill: new SortedSpill(opts.limits.spillMemRecords, new DiskBudget(opts.limits.maxSpillBytes)),
      maxSeq: -Infinity,
      records: 0,
      failed: false,
    };
    chains.set(entry, chain);
    const tap = (buf: Buffer, o: number, row: number): void => {
      if (chain.failed) return;
      const seq = buf.readDoubleLE(o);
      try {
        // Copied as bytes (the record's buffer is the reader's, reused): no object per record.
        chain.spill.pushBytes(buf, o, row);
        chain.records++;
        if (seq > chain.maxSeq) chain.maxSeq = seq;
      } catch (e) {
        if (!(e instanceof SpillLimitError)) throw e;
        chain.failed = true;
        findings.add(
          'LIMIT_EXCEEDED',
          { path: entry.path, seq, limit: 'maxSpillBytes' },
          `the archive's audit records filled the ${opts.limits.maxSpillBytes}-byte temporary-disk bound at seq ${seq}; the restored records cannot be compared with them`,
        );
      }
    };
    return { ...dumpOpts, chainTap: tap };
  });
  // ctx.dumps holds the surviving entry per path (a later one replaces an earlier one).
  const dumps: ArchiveDump[] = [];
  for (const r of read) {
    const chain = chains.get(r.entry);
    if (!chain) continue;
    if (ctx.dumps.some((d) => d.result === r.result))
      dumps.push({ path: r.entry.path, result: r.result, chain });
    else chain.spill.dispose();
  }
  if (dumps.length === 0) {
    skipStep(
      findings,
      'chain',
      'chain',
      'Replay the audit chain',
      'no database dump was read from the archive',
    );
  } else {
    findings.check('chain', 'chain', "Replay the archive's audit chain", chainStatus(ctx));
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
