// A worker of scripts/fuzz.ts: runs fuzz cases it is sent, one at a time, and answers with the
// outcome. A case that hangs or exhausts memory takes this worker down, not the fuzzer.
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { cleanupTargets, targetNamed } from '../test/fuzz/targets.js';

export interface CaseMessage {
  id: number;
  target: string;
  chunk: number;
  input: Uint8Array;
}

export interface OutcomeMessage {
  id: number;
  ok: boolean;
  ms: number;
  error?: string;
}

const port = parentPort;
if (!port) throw new Error('fuzz-worker.js runs as a worker of scripts/fuzz.js');

port.on('message', (m: CaseMessage) => {
  void (async (): Promise<void> => {
    const t0 = performance.now();
    const out: OutcomeMessage = { id: m.id, ok: true, ms: 0 };
    try {
      const t = targetNamed(m.target);
      if (!t) throw new Error(`unknown target ${m.target}`);
      await t.run(Buffer.from(m.input.buffer, m.input.byteOffset, m.input.byteLength), m.chunk);
    } catch (e) {
      out.ok = false;
      out.error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    }
    out.ms = performance.now() - t0;
    port.postMessage(out);
  })();
});

process.on('exit', cleanupTargets);
