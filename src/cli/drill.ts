import { addDecryptOptions, applyDecryption, type ArchiveInputFlags } from './gate.js';
import type { Command } from 'commander';
import { drillBackup } from '../drill/drill.js';
import { drillOptions } from '../drill/options.js';
import { registerDrillSections } from '../drill/render.js';
import {
  addCommonOptions,
  collect,
  emitReport,
  parseDuration,
  requireDir,
  requireReadableFile,
  toVerifyOptions,
  UsageError,
  type CommonFlags,
} from './common.js';

interface DrillFlags extends CommonFlags {
  target?: string[];
  tufDir?: string;
  certsDir?: string;
  timestampLifetime?: string;
  snapshotLifetime?: string;
  tlsTimeout?: string;
}

export function registerDrill(program: Command, setCode: (c: number) => void): void {
  const cmd = program
    .command('drill')
    .description(
      'rehearse a restore without touching the backup: re-sign online metadata, update every pinned device, enroll a device, mutual TLS on loopback',
    )
    .argument(
      '[archive]',
      'backup archive (tar or tar.gz, detected by content); optional with --tuf-dir/--certs-dir',
    )
    .requiredOption(
      '--host <address>',
      'DNS name or IP address devices connect to; the server certificate must cover it (repeatable)',
      collect,
      [],
    )
    .option(
      '--target <path>',
      'a target path devices must be able to install (repeatable; default: every artifact)',
      collect,
      [],
    )
    .option(
      '--tuf-dir <dir>',
      "a restored update-repository directory (metadata/ and keys/), instead of the archive's",
    )
    .option('--certs-dir <dir>', "a restored certificate directory, instead of the archive's")
    .option('--trusted-root <root.json>', 'the root devices were provisioned with (kept outside the backup)')
    .option('--timestamp-lifetime <duration>', 'lifetime of the re-signed timestamp', '1d')
    .option('--snapshot-lifetime <duration>', 'lifetime of the re-signed snapshot', '7d')
    .option('--tls-timeout <duration>', 'bound on each loopback TLS handshake', '10s');
  addDecryptOptions(cmd);
  addCommonOptions(cmd).action(async (archive: string | undefined, flags: DrillFlags & ArchiveInputFlags) => {
    registerDrillSections();
    if (archive !== undefined) requireReadableFile(archive);
    const tufDir = requireDir(flags.tufDir, '--tuf-dir');
    const certsDir = requireDir(flags.certsDir, '--certs-dir');
    if (archive === undefined && tufDir === undefined && certsDir === undefined)
      throw new UsageError('drill needs an archive, or --tuf-dir and/or --certs-dir');
    if ((flags.host ?? []).length === 0) throw new UsageError('drill needs --host <address>');
    const verifyOpts = toVerifyOptions(flags);
    if (archive !== undefined) await applyDecryption(archive, flags, verifyOpts);
    const o = drillOptions(verifyOpts, {
      targets: flags.target ?? [],
      ...(tufDir !== undefined ? { tufDir } : {}),
      ...(certsDir !== undefined ? { certsDir } : {}),
      timestampLifetimeMs: parseDuration(flags.timestampLifetime ?? '1d', '--timestamp-lifetime'),
      snapshotLifetimeMs: parseDuration(flags.snapshotLifetime ?? '7d', '--snapshot-lifetime'),
      tlsTimeoutMs: parseDuration(flags.tlsTimeout ?? '10s', '--tls-timeout'),
    });
    setCode(emitReport(await drillBackup(archive, o), flags));
  });
}
