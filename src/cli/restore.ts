import type { Command } from 'commander';
import { registerRestoreSections } from '../restore/render.js';
import { verifyRestore } from '../restore/restore.js';
import {
  addCommonOptions,
  addTrustOptions,
  attachProgress,
  emitReport,
  requireReadableFile,
  requireDir,
  toVerifyOptions,
} from './common.js';
import { dbTarget, progress, type DbFlags } from './db.js';
import { addDecryptOptions, applyDecryption } from './gate.js';

interface RestoreFlags extends DbFlags {
  tufDir?: string;
  certsDir?: string;
  identity?: string[];
  passphraseFile?: string;
}

export function registerRestore(program: Command, setCode: (c: number) => void): void {
  const cmd = program
    .command('restore')
    .description(
      'on a restored node: compare the database (and the TUF and certificate directories) with the backup archive',
    )
    .argument('<archive>', 'the backup archive the node was restored from')
    .option(
      '--db <url>',
      'the restored database, postgres://user@host:port/database (default: the PG* variables)',
    )
    .option('--tuf-dir <dir>', "the restored update-repository directory (the archive's tuf/ folder)")
    .option('--certs-dir <dir>', "the restored certificate directory (the archive's certs/ folder)");
  addTrustOptions(cmd);
  addDecryptOptions(cmd);
  addCommonOptions(cmd).action(async (archive: string, flags: RestoreFlags) => {
    registerRestoreSections();
    requireReadableFile(archive);
    const target = dbTarget(flags.db);
    const tufDir = requireDir(flags.tufDir, '--tuf-dir');
    const certsDir = requireDir(flags.certsDir, '--certs-dir');
    const opts = toVerifyOptions(flags);
    await applyDecryption(archive, flags, opts);
    // The archive's progress bar while it is read, then the database rows.
    const bar = attachProgress(opts, archive, flags);
    const rows = progress(flags);
    let reading = false;
    const onProgress = (p: { table: string; rows: number }): void => {
      if (!reading) {
        reading = true;
        bar.done();
      }
      rows?.(p);
    };
    const report = await verifyRestore(archive, {
      verify: opts,
      db: target,
      ...(tufDir !== undefined ? { tufDir } : {}),
      ...(certsDir !== undefined ? { certsDir } : {}),
      onProgress,
    });
    if (!reading) bar.done();
    else if (rows) process.stderr.write('\n');
    setCode(emitReport(report, flags));
  });
}
