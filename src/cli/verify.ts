import type { Command } from 'commander';
import { verifyBackup } from '../verify/backup.js';
import {
  addCommonOptions,
  addTrustOptions,
  attachProgress,
  emitReport,
  requireArchiveFile,
  toVerifyOptions,
  type CommonFlags,
} from './common.js';
import { addArchiveInputOptions, applyArchiveInput, type ArchiveInputFlags } from './gate.js';

export function registerVerify(program: Command, setCode: (c: number) => void): void {
  const cmd = program
    .command('verify')
    .description(
      'verify a whole backup archive: archive, dump, audit chain, TUF metadata, certificates, cross-checks',
    )
    .argument('<archive>', 'backup archive (tar or tar.gz, detected by content)');
  addTrustOptions(cmd);
  addArchiveInputOptions(cmd);
  addCommonOptions(cmd).action(async (archive: string, flags: CommonFlags & ArchiveInputFlags) => {
    requireArchiveFile(archive);
    const opts = toVerifyOptions(flags);
    await applyArchiveInput(archive, flags, opts);
    const bar = attachProgress(opts, archive, flags);
    const report = await verifyBackup(archive, opts, 'verify');
    bar.done();
    setCode(emitReport(report, flags));
  });
}
