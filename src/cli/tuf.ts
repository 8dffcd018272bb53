import { addDecryptOptions, applyDecryption, type ArchiveInputFlags } from './gate.js';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DirectorySource } from '../files/source.js';
import { buildReport } from '../report/build.js';
import { verifyBackup } from '../verify/backup.js';
import { directoryContext } from '../verify/directory.js';
import { verifyTufSource } from '../verify/tuf-step.js';
import {
  addCommonOptions,
  emitReport,
  requireReadableFile,
  toVerifyOptions,
  type CommonFlags,
} from './common.js';

interface TufFlags extends CommonFlags {
  keys?: string;
}

export function registerTuf(program: Command, setCode: (c: number) => void): void {
  const cmd = program
    .command('tuf')
    .description(
      "verify TUF metadata as a device would (an archive's, or a live node's repository directory), and account for every key",
    )
    .argument(
      '<dir|archive>',
      'a metadata directory (or a repository directory holding metadata/ and keys/), or a backup archive',
    )
    .option('--keys <dir>', 'the online key directory (default: keys/ beside metadata/, when present)')
    .option('--trusted-root <root.json>', 'the root devices were provisioned with (kept outside the backup)')
    .option('--expiring-within <duration>', 'warn about metadata that expires within, e.g. 14d');
  addDecryptOptions(cmd);
  addCommonOptions(cmd).action(async (input: string, flags: TufFlags & ArchiveInputFlags) => {
    requireReadableFile(input);
    const opts = toVerifyOptions(flags);
    opts.steps = { chain: false, tuf: true, certs: false, cross: false };
    if (!statSync(input).isDirectory()) {
      await applyDecryption(input, flags, opts);
      setCode(emitReport(await verifyBackup(input, opts, 'tuf'), flags));
      return;
    }
    // A repository directory (metadata/ + keys/) or the metadata directory itself.
    const meta = existsSync(join(input, 'metadata')) ? join(input, 'metadata') : input;
    const keysDir = flags.keys ?? (existsSync(join(input, 'keys')) ? join(input, 'keys') : undefined);
    if (keysDir !== undefined) requireReadableFile(keysDir);
    const ctx = directoryContext(opts);
    await verifyTufSource(
      ctx,
      new DirectorySource(meta),
      keysDir !== undefined ? new DirectorySource(keysDir) : undefined,
    );
    setCode(
      emitReport(buildReport(ctx, { command: 'tuf', inputPath: input, inputKind: 'directory' }), flags),
    );
  });
}
