// meshverify's command line. Exit codes: 0 verified (warnings allowed), 1 verification failed,
// 2 could not run (bad usage, unreadable input, an encrypted archive without a usable key).
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { registerSections } from '../report/sections.js';
import { UsageError } from './common.js';
import { registerVerify } from './verify.js';
import { registerAudit } from './audit.js';
import { registerCerts } from './certs.js';
import { registerTuf } from './tuf.js';
import { registerRestore } from './restore.js';
import { registerDb } from './db.js';
import { registerDrill } from './drill.js';
import { registerGate } from './gate.js';
import { registerReceipt } from './receipt.js';

export async function main(argv: string[]): Promise<void> {
  // Until a command finishes, an unexpected end of the event loop means "could not run" (2),
  // never a silent success.
  process.exitCode = 2;
  // A reader that stops early (meshverify audit … | head) is not an error of ours: stop writing.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  registerSections();
  const program = new Command();
  program
    .name('meshverify')
    .description('Prove a Meshanics node backup is whole and trustworthy.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showSuggestionAfterError();
  let code = 0;
  const setCode = (c: number): void => {
    code = c;
  };
  registerVerify(program, setCode);
  registerAudit(program, setCode);
  registerTuf(program, setCode);
  registerCerts(program, setCode);
  registerRestore(program, setCode);
  registerDb(program, setCode);
  registerDrill(program, setCode);
  registerGate(program, setCode);
  registerReceipt(program, setCode);
  try {
    await program.parseAsync(argv);
    process.exitCode = code;
  } catch (e) {
    process.exitCode = exitCodeFor(e);
  }
}

function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError) {
    // --help and --version end with code 0; every other commander error is bad usage.
    return e.exitCode === 0 ? 0 : 2;
  }
  const msg = e instanceof Error ? e.message : String(e);
  if (e instanceof UsageError) process.stderr.write(`meshverify: ${msg}\n`);
  else process.stderr.write(`meshverify: could not run: ${msg}\n`);
  return 2;
}
