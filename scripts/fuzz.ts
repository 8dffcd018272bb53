// The long fuzzer (issue 8): mutates the real fixtures for every parser, for as long as asked,
// in worker threads with a memory cap; a case that throws, breaks a property, hangs or runs out
// of memory is saved under test/regressions/inputs/ (replayed by npm test from then on).
//
//   npm run build && node dist/scripts/fuzz.js --minutes 10 [--seed N] [--targets a,b] [--workers N]
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { caseFor } from '../test/fuzz/generate.js';
import { TARGETS, type Target } from '../test/fuzz/targets.js';
import { REGRESSIONS, saveRegression } from '../test/regressions/store.js';
import type { CaseMessage, OutcomeMessage } from './fuzz-worker.js';

interface Args {
  minutes: number;
  seed: number;
  targets: Target[];
  workers: number;
  caseTimeoutMs: number;
  memoryMb: number;
  dir: string | undefined;
}

function usage(msg: string): never {
  process.stderr.write(
    `fuzz: ${msg}\nusage: node dist/scripts/fuzz.js --minutes N [--seed N] [--targets ${TARGETS.map((t) => t.name).join(',')}] [--workers N] [--case-timeout S] [--memory MB] [--out DIR]\n`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    minutes: 5,
    seed: Date.now() % 2 ** 31,
    targets: TARGETS,
    workers: Math.max(1, availableParallelism()),
    caseTimeoutMs: 30_000,
    memoryMb: 1024,
    dir: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    const num = (): number => {
      const n = Number(v);
      if (v === undefined || !Number.isFinite(n) || n < 0) usage(`${k} needs a number`);
      i++;
      return n;
    };
    if (k === '--minutes') a.minutes = num();
    else if (k === '--seed') a.seed = Math.floor(num());
    else if (k === '--workers') a.workers = Math.max(1, Math.floor(num()));
    else if (k === '--case-timeout') a.caseTimeoutMs = num() * 1000;
    else if (k === '--memory') a.memoryMb = num();
    else if (k === '--out') {
      if (v === undefined) usage('--out needs a folder');
      a.dir = v;
      i++;
    } else if (k === '--targets') {
      const names = (v ?? '').split(',').filter((x) => x !== '');
      const picked = TARGETS.filter((t) => names.some((n) => t.name === n || t.name.startsWith(n)));
      if (picked.length === 0) usage(`no target matches ${v ?? ''}`);
      a.targets = picked;
      i++;
    } else usage(`unknown argument ${k ?? ''}`);
  }
  return a;
}

interface Pending {
  id: number;
  target: Target;
  n: number;
  input: Buffer;
  chunk: number;
  recipe: unknown;
  timer: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  busy: Pending | undefined;
}

/** The same failure found twice is saved once: the first line of its message, numbers blanked. */
function signature(target: string, error: string): string {
  const first = error.split('\n').find((l) => l.trim() !== '') ?? error;
  return `${target}|${first.replace(/\d+/g, 'N').slice(0, 200)}`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const deadline = Date.now() + args.minutes * 60_000;
  const seeds = new Map(args.targets.map((t) => [t.name, t.seeds()]));
  const bounds = new Map(
    args.targets.map((t) => [t.name, (seeds.get(t.name) ?? []).map((s) => t.boundaries(s))]),
  );
  const runs = new Map<string, number>();
  const seen = new Map<string, number>();
  const saved: Array<{ stem: string; kind: string; problem: string }> = [];
  let n = 0;
  let done = 0;
  let slowest = { ms: 0, target: '' };
  process.stdout.write(
    `fuzz: seed ${args.seed}, ${args.minutes} min, ${args.workers} worker(s), targets ${args.targets.map((t) => t.name).join(' ')}\n`,
  );

  const writes: Array<Promise<void>> = [];
  const fail = (p: Pending, kind: string, error: string): void => {
    const sig = signature(p.target.name, `${kind}: ${error}`);
    const count = (seen.get(sig) ?? 0) + 1;
    seen.set(sig, count);
    if (count > 2) return; // already saved twice
    const problem = `${kind}: ${error.split('\n')[0] ?? error}`.slice(0, 300);
    const note = {
      target: p.target.name,
      chunk: p.chunk,
      problem,
      found: `scripts/fuzz.ts --seed ${args.seed}, case ${p.n}`,
      fixed: 'not yet',
      recipe: p.recipe,
    };
    writes.push(
      saveRegression(p.input, note, args.dir).then((stem) => {
        saved.push({ stem, kind, problem });
        process.stdout.write(`fuzz: FAILURE ${stem}: ${problem}\n`);
      }),
    );
  };

  const slots: Slot[] = [];
  let finish: (() => void) | undefined;
  const allDone = new Promise<void>((resolve) => {
    finish = resolve;
  });

  // The workers' temporary files go under one folder, removed at the end.
  const scratchBase = mkdtempSync(join(tmpdir(), 'meshverify-fuzz-run-'));
  process.env['MESHVERIFY_FUZZ_TMP'] = scratchBase;
  const spawn = (): Slot => {
    const slot: Slot = {
      worker: new Worker(new URL('./fuzz-worker.js', import.meta.url), {
        resourceLimits: { maxOldGenerationSizeMb: args.memoryMb },
        stdout: true,
        stderr: true,
      }),
      busy: undefined,
    };
    slot.worker.stdout.resume();
    slot.worker.stderr.resume();
    slot.worker.on('message', (m: OutcomeMessage) => {
      const p = slot.busy;
      if (!p || p.id !== m.id) return;
      clearTimeout(p.timer);
      slot.busy = undefined;
      done++;
      if (m.ms > slowest.ms) slowest = { ms: m.ms, target: p.target.name };
      if (!m.ok) fail(p, 'property', m.error ?? 'unknown error');
      next(slot);
    });
    slot.worker.on('error', (e) => {
      const p = slot.busy;
      slot.busy = undefined;
      if (p) {
        clearTimeout(p.timer);
        done++;
        fail(
          p,
          (e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'worker',
          String(e),
        );
      }
      replace(slot);
    });
    return slot;
  };

  const replace = (slot: Slot): void => {
    void slot.worker.terminate();
    const i = slots.indexOf(slot);
    const fresh = spawn();
    if (i >= 0) slots[i] = fresh;
    next(fresh);
  };

  const next = (slot: Slot): void => {
    if (Date.now() >= deadline) {
      if (slots.every((s) => s.busy === undefined)) finish?.();
      return;
    }
    const target = args.targets[n % args.targets.length] as Target;
    const c = caseFor(target, seeds.get(target.name) ?? [], bounds.get(target.name) ?? [], args.seed, n);
    runs.set(target.name, (runs.get(target.name) ?? 0) + 1);
    const p: Pending = {
      id: n,
      target,
      n,
      input: c.input,
      chunk: c.chunk,
      recipe: c.recipe,
      timer: setTimeout(() => {
        if (slot.busy !== p) return;
        slot.busy = undefined;
        done++;
        fail(p, 'hang', `no end within ${args.caseTimeoutMs / 1000} s (${c.input.length} bytes)`);
        replace(slot);
      }, args.caseTimeoutMs),
    };
    n++;
    slot.busy = p;
    const msg: CaseMessage = {
      id: p.id,
      target: target.name,
      chunk: c.chunk,
      input: new Uint8Array(c.input),
    };
    slot.worker.postMessage(msg);
  };

  const progress = setInterval(() => {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    process.stdout.write(`fuzz: ${done} cases, ${saved.length} saved failure(s), ${left} s left\n`);
  }, 30_000);

  for (let i = 0; i < args.workers; i++) slots.push(spawn());
  for (const s of slots) next(s);
  await allDone;
  clearInterval(progress);
  await Promise.all(writes);
  await Promise.all(slots.map((s) => s.worker.terminate()));
  rmSync(scratchBase, { recursive: true, force: true });

  process.stdout.write(
    `fuzz: ${done} cases in ${args.minutes} min (seed ${args.seed}); slowest ${slowest.ms.toFixed(0)} ms (${slowest.target})\n`,
  );
  for (const [t, k] of runs) process.stdout.write(`  ${t}: ${k}\n`);
  if (saved.length === 0) process.stdout.write('fuzz: no failures\n');
  else {
    process.stdout.write(`fuzz: ${saved.length} failure(s) saved under ${args.dir ?? REGRESSIONS}:\n`);
    for (const s of saved) process.stdout.write(`  ${s.stem}: ${s.problem}\n`);
  }
  process.exitCode = saved.length === 0 ? 0 : 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`fuzz: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 2;
});
