// meshverify gate: verify, apply the policy, check continuity with the last receipt, write a
// receipt, and say in one line (and the exit code) whether the backup may be uploaded.
// Also the archive-input options `verify` shares: --identity, --passphrase-file, --previous,
// --require-encrypted.
import { renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  AgeError,
  PolicyError,
  ReceiptError,
  addArchiveChecks,
  builtInPolicy,
  loadPolicy,
  loadReceipt,
  loadSigningKey,
  openAge,
  readIdentityFile,
  readPassphraseFile,
  runGate,
  sniffAge,
  type AgeSecrets,
  type LoadedReceipt,
} from '../gate/index.js';
import { isFailing } from '../findings/severity.js';
import { makeStyle, renderFinding } from '../report/text.js';
import type { Report } from '../report/types.js';
import type { VerifyOptions } from '../verify/options.js';
import {
  addCommonOptions,
  addTrustOptions,
  collect,
  requireArchiveFile,
  toVerifyOptions,
  UsageError,
  useColor,
  type CommonFlags,
} from './common.js';
import { finishReport } from './timeout.js';

export interface ArchiveInputFlags {
  identity?: string[];
  passphraseFile?: string;
  previous?: string;
  requireEncrypted?: boolean;
}

/** --identity / --passphrase-file: every command that reads an archive takes them. */
export function addDecryptOptions(cmd: Command): Command {
  return cmd
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
}

export function addArchiveInputOptions(cmd: Command): Command {
  return addDecryptOptions(cmd)
    .option(
      '--previous <receipt>',
      'the last passing gate receipt: the chain must pass through its head, TUF versions never go down, the root history only grows, the CA and server certificate are the same or renewed',
    )
    .option(
      '--require-encrypted',
      'a plaintext (not age-encrypted) archive is an error (GATE_PLAINTEXT_ARCHIVE)',
    );
}

/** Opens an age archive's header with the given secrets (exit 2 when they cannot), and sets the
 *  streaming decryptor. A plaintext archive needs nothing. */
export async function applyDecryption(
  path: string,
  flags: ArchiveInputFlags,
  opts: VerifyOptions,
): Promise<void> {
  const secrets: AgeSecrets = { identities: [], passphrases: [], sources: [] };
  try {
    for (const f of flags.identity ?? []) {
      secrets.identities.push(...readIdentityFile(f));
      secrets.sources.push(`identity file ${f}`);
    }
    if (flags.passphraseFile !== undefined) {
      secrets.passphrases.push(readPassphraseFile(flags.passphraseFile));
      secrets.sources.push(`passphrase file ${flags.passphraseFile}`);
    }
    const kind = sniffAge(path);
    if (kind === 'plain') return;
    opts.decrypt = (await openAge(path, kind, secrets)).decrypt;
  } catch (e) {
    if (e instanceof AgeError) throw new UsageError(e.message);
    throw e;
  }
}

export function loadPrevious(path: string | undefined): LoadedReceipt | undefined {
  if (path === undefined) return undefined;
  try {
    return loadReceipt(path);
  } catch (e) {
    if (e instanceof ReceiptError) throw new UsageError(`--previous: ${e.message}`);
    throw e;
  }
}

/** For `verify`: decryption, and the --previous / --require-encrypted checks. */
export async function applyArchiveInput(
  path: string,
  flags: ArchiveInputFlags,
  opts: VerifyOptions,
): Promise<void> {
  const previous = loadPrevious(flags.previous);
  await applyDecryption(path, flags, opts);
  if (previous || flags.requireEncrypted)
    addArchiveChecks(opts, path, {
      ...(previous ? { previous } : {}),
      requireEncrypted: flags.requireEncrypted === true,
    });
}

interface GateFlags extends CommonFlags, ArchiveInputFlags {
  receipt: string;
  policy?: string;
  signKey?: string;
}

export function registerGate(program: Command, setCode: (c: number) => void): void {
  const cmd = program
    .command('gate')
    .description(
      'the nightly upload gate: verify the archive, apply the policy, check continuity with the last receipt, write a receipt; exit 0 only when the upload may go ahead',
    )
    .argument('<archive>', 'backup archive (tar, tar.gz, or either age-encrypted; detected by content)')
    .requiredOption('--receipt <file>', 'write the receipt (JSON, schema/receipt.schema.json) here')
    .option(
      '--policy <file>',
      'gate policy (YAML or JSON, schema/policy.schema.json); default: the built-in policy',
    )
    .option(
      '--sign-key <pem>',
      'Ed25519 private key (PKCS#8 PEM): sign the receipt; the --previous receipt must verify with it',
    );
  addTrustOptions(cmd);
  addArchiveInputOptions(cmd);
  addCommonOptions(cmd).action(async (archive: string, flags: GateFlags) => {
    requireArchiveFile(archive);
    const receiptPath = resolve(flags.receipt);
    if (flags.previous !== undefined && resolve(flags.previous) === receiptPath)
      throw new UsageError(
        '--receipt must not overwrite --previous: keep the last passing receipt until a new one passes',
      );
    requireDirectory(dirname(receiptPath));
    let policy;
    let signKey;
    try {
      policy = flags.policy !== undefined ? loadPolicy(flags.policy) : builtInPolicy();
      signKey = flags.signKey !== undefined ? loadSigningKey(flags.signKey) : undefined;
    } catch (e) {
      if (e instanceof PolicyError || e instanceof ReceiptError) throw new UsageError(e.message);
      throw e;
    }
    const previous = loadPrevious(flags.previous);
    const opts = toVerifyOptions(flags);
    await applyDecryption(archive, flags, opts);
    const result = await runGate(archive, opts, {
      policy,
      ...(previous ? { previous } : {}),
      requireEncrypted: flags.requireEncrypted === true,
      ...(signKey ? { signKey } : {}),
      finishReport,
    });
    writeAtomically(receiptPath, JSON.stringify(result.receipt, null, 2) + '\n', '--receipt');
    const reportJson = JSON.stringify(result.report, null, 2) + '\n';
    if (flags.report !== undefined) writeAtomically(resolve(flags.report), reportJson, '--report');
    if (flags.json) process.stdout.write(reportJson);
    else {
      process.stdout.write(gateLine(result.report, result.passed, flags.receipt) + '\n');
      if (!result.passed && flags.quiet !== true) {
        const st = makeStyle(useColor(flags) && process.stderr.isTTY === true);
        const bad = result.report.findings.filter((f) => isFailing(f.severity, result.report.strict));
        for (const f of bad.slice(0, 50)) process.stderr.write(renderFinding(f, st) + '\n');
        if (bad.length > 50) process.stderr.write(`  … and ${bad.length - 50} more (see --report)\n`);
      }
    }
    setCode(result.passed ? 0 : 1);
  });
}

/** The one line a shell script reads. */
export function gateLine(r: Report, passed: boolean, receipt: string): string {
  const name = r.input.path.split('/').pop() ?? r.input.path;
  if (passed) {
    const c = r.chains.find((x) => x.headHash !== null && x.last !== null);
    const head = c ? ` head ${c.last}:${c.headHash}` : '';
    return `PASSED ${name} sha256 ${r.archive?.sha256 ?? '-'}${head} receipt ${receipt}`;
  }
  const bad = r.findings.filter((f) => isFailing(f.severity, r.strict));
  const codes = [...new Set(bad.map((f) => f.code))];
  const list = codes.slice(0, 6).join(', ') + (codes.length > 6 ? ', …' : '');
  return `BLOCKED ${name}: ${bad.length} blocking finding(s): ${list} receipt ${receipt}`;
}

function requireDirectory(dir: string): void {
  let ok = false;
  try {
    ok = statSync(dir).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new UsageError(`--receipt: the directory ${dir} does not exist`);
}

/** Write to a temporary name, then rename: a crash never leaves half a receipt. */
function writeAtomically(path: string, text: string, what: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    throw new UsageError(`cannot write ${what} ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
