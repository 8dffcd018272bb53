import type { Command } from 'commander';
import { registerRestoreSections } from '../restore/render.js';
import { verifyRestore } from '../restore/restore.js';
import {
  addCommonOptions,
  attachProgress,
  collect,
  emitReport,
  requireReadableFile,
  requireDir,
  toVerifyOptions,
} from './common.js';
import { dbTarget, progress, type DbFlags } from './db.js';
import { applyDecryption } from './gate.js';

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
    .option('--certs-dir <dir>', "the restored certificate directory (the archive's certs/ folder)")
    .option(
      '--host <address>',
      'DNS name or IP address the server certificate must cover (repeatable)',
      collect,
      [],
    )
    .option('--trusted-root <root.json>', 'the root devices were provisioned with (kept outside the backup)')
    .option(
      '--expiring-within <duration>',
      'warn about metadata and certificates that expire within, e.g. 14d',
    )
    .option(
      '--identity <file>',
      'age identity file (AGE-SECRET-KEY-1…) to decrypt an age-encrypted archive while it is read (repeatable)',
      collect,
      [],
    )
    .option(
      '--passphrase-file <file>',
      'file whose first line is the passphrase of an age-encrypted archive',
    );
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
