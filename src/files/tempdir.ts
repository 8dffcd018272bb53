// One temporary folder per run, for spills. Removed at exit, also on SIGINT/SIGTERM, so nothing
// is left behind and nothing is ever written outside it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let current: string | undefined;
let hooked = false;

function cleanup(): void {
  if (current !== undefined) {
    try {
      rmSync(current, { recursive: true, force: true });
    } catch {
      // Best effort: the OS temp cleaner gets anything left.
    }
    current = undefined;
  }
}

function onSignal(sig: NodeJS.Signals): void {
  cleanup();
  // Re-raise with the conventional exit status for the signal.
  process.exit(sig === 'SIGINT' ? 130 : 143);
}

/** The run's temporary folder, created on first use. */
export function runTempDir(): string {
  if (current === undefined) {
    // Handlers first: a signal between creating the folder and hooking would leave it behind.
    if (!hooked) {
      hooked = true;
      process.once('exit', cleanup);
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    }
    current = mkdtempSync(join(tmpdir(), 'meshverify-'));
  }
  return current;
}

/** Remove the run's temporary folder now (tests, long-lived library users). */
export function removeRunTempDir(): void {
  cleanup();
}
