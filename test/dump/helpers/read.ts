// Runs readDump over an in-memory dump, cut into chunks, and collects what a sink sees.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Findings } from '../../../src/findings/collector.js';
import type { Finding } from '../../../src/findings/types.js';
import { readDump } from '../../../src/dump/index.js';
import type { DumpFacts, DumpReadOptions, TableRef } from '../../../src/dump/types.js';

/** fixtures/dump, from the compiled test (dist/test/dump/helpers) or the sources. */
export const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'dump');

export function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

export interface TableSeen {
  ref: TableRef;
  data: Buffer;
  chunks: number;
  /** undefined until end() was called. */
  complete: boolean | undefined;
  endCalls: number;
}

export interface ReadResult {
  facts: DumpFacts;
  findings: Finding[];
  tables: Map<string, TableSeen>;
  /** Bytes the reader pulled from the input. */
  consumed: number;
  factsCalls: number;
}

export interface ReadOpts {
  chunk?: number;
  options?: Partial<DumpReadOptions>;
  /** Return no handler for these tables. */
  skip?: string[];
}

/** Yields buf in pieces of `size` bytes, counting what was taken. */
export async function* chunked(buf: Buffer, size: number, taken: { n: number }): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) {
    const c = buf.subarray(i, Math.min(buf.length, i + size));
    taken.n += c.length;
    yield c;
  }
}

export async function readBuf(buf: Buffer, o: ReadOpts = {}): Promise<ReadResult> {
  const findings = new Findings();
  const tables = new Map<string, TableSeen>();
  const taken = { n: 0 };
  let factsCalls = 0;
  const facts = await readDump(
    chunked(buf, o.chunk ?? 64 * 1024, taken),
    {
      path: 'db/meshanics.dump',
      findings,
      maxLineBytes: 1 << 20,
      maxTocEntries: 100_000,
      maxTocStringBytes: 1 << 20,
      ...o.options,
    },
    {
      onFacts: () => {
        factsCalls++;
      },
      table(ref) {
        const key = ref.schema === '' ? ref.name : `${ref.schema}.${ref.name}`;
        if (o.skip?.includes(key)) return undefined;
        const seen: TableSeen = { ref, data: Buffer.alloc(0), chunks: 0, complete: undefined, endCalls: 0 };
        const parts: Buffer[] = [];
        tables.set(key, seen);
        return {
          data(c) {
            parts.push(Buffer.from(c));
            seen.chunks++;
          },
          end(complete) {
            seen.data = Buffer.concat(parts);
            seen.complete = complete;
            seen.endCalls++;
          },
        };
      },
    },
  );
  return { facts, findings: findings.list, tables, consumed: taken.n, factsCalls };
}

/** The findings with this code. */
export function withCode(r: ReadResult, code: string): Finding[] {
  return r.findings.filter((f) => f.code === code);
}

/** Codes of all findings, sorted (for "exactly these" assertions). */
export function codes(r: ReadResult): string[] {
  return r.findings.map((f) => f.code).sort();
}
