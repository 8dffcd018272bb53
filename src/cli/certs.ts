import { addDecryptOptions, applyDecryption, type ArchiveInputFlags } from './gate.js';
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { DirectorySource } from '../files/source.js';
import { buildReport } from '../report/build.js';
import { verifyBackup } from '../verify/backup.js';
import { verifyCertSource } from '../verify/certs-step.js';
import { directoryContext } from '../verify/directory.js';
import {
  addCommonOptions,
  collect,
  emitReport,
  requireReadableFile,
  toVerifyOptions,
  type CommonFlags,
} from './common.js';

export function registerCerts(program: Command, setCode: (c: number) => void): void {
  const cmd = program
    .command('certs')
    .description(
      "check the certificate directory (server, CA, keys) of an archive or a live node, and the dump's device certificates",
    )
    .argument('<dir|archive>', 'a certificate directory, or a backup archive')
    .option(
      '--host <address>',
      'DNS name or IP address the server certificate must cover (repeatable)',
      collect,
      [],
    )
    .option('--expiring-within <duration>', 'warn about certificates that expire within, e.g. 30d');
  addDecryptOptions(cmd);
  addCommonOptions(cmd).action(async (input: string, flags: CommonFlags & ArchiveInputFlags) => {
    requireReadableFile(input);
    const opts = toVerifyOptions(flags);
    opts.steps = { chain: false, tuf: false, certs: true, cross: false };
    if (statSync(input).isDirectory()) {
      const ctx = directoryContext(opts);
      await verifyCertSource(ctx, new DirectorySource(input));
      setCode(
        emitReport(buildReport(ctx, { command: 'certs', inputPath: input, inputKind: 'directory' }), flags),
      );
      return;
    }
    await applyDecryption(input, flags, opts);
    setCode(emitReport(await verifyBackup(input, opts, 'certs'), flags));
  });
}
