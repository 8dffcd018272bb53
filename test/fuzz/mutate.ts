// Mutations of real inputs, as fast-check arbitraries: byte flips, truncations anywhere and at
// the format's own boundaries, duplicated / swapped / deleted sections, oversized or negative
// length fields, invalid UTF-8, NUL bytes, CR/LF mixes. Positions are drawn as plain numbers and
// taken modulo the length when applied, so one mutation list applies to any input (and prints
// as a readable counterexample).
import fc from 'fast-check';

export type Mutation =
  | { op: 'flip'; at: number; value: number }
  | { op: 'truncate'; at: number }
  | { op: 'cut'; boundary: number; delta: number }
  | { op: 'dup'; from: number; len: number; to: number }
  | { op: 'swap'; a: number; b: number; len: number }
  | { op: 'delete'; at: number; len: number }
  | { op: 'write'; at: number; bytes: number[] }
  | { op: 'insert'; at: number; bytes: number[] }
  | { op: 'newline'; at: number; kind: 'crlf' | 'cr' | 'lflf' };

/** Length fields as the formats write them, at their most hostile. */
const HOSTILE_INTS: number[][] = [
  [0xff, 0xff, 0xff, 0xff], // 2^32-1 (LE or BE)
  [0xff, 0xff, 0xff, 0x7f], // INT_MAX
  [0x00, 0x00, 0x00, 0x80], // INT_MIN / 2^31
  [0x01, 0xff, 0xff, 0xff, 0xff], // pg_dump ReadInt: negative 2^32-1
  [0x00, 0xff, 0xff, 0xff, 0x7f], // pg_dump ReadInt: INT_MAX
  [0x00, 0x00, 0x00, 0x00, 0x80], // pg_dump ReadInt: 2^31
  [0x01, 0x01, 0x00, 0x00, 0x00], // pg_dump ReadInt: -1
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // 8-byte offset 2^64-1
  [...Buffer.from('77777777777\0', 'latin1')], // tar octal size 8 GiB
  [0x80, 0, 0, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0], // tar base-256 size 10 TB
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // tar base-256 -1
  [...Buffer.from('99999999999999999999', 'latin1')], // decimal overflow
  [...Buffer.from('-1', 'latin1')],
  [...Buffer.from('1e400', 'latin1')],
];

/** Bytes that break text: invalid UTF-8, NUL, lone surrogates, BOM, control characters. */
const HOSTILE_TEXT: number[][] = [
  [0x00],
  [0xff],
  [0xc0, 0x80], // overlong NUL
  [0xed, 0xa0, 0x80], // a UTF-16 surrogate in UTF-8
  [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
  [0x80],
  [0xef, 0xbb, 0xbf], // BOM
  [0x5c], // a lone backslash (COPY escape)
  [0x5c, 0x2e, 0x0a], // "\.\n" end of COPY data
  [0x09], // tab: one field more
  [0x0d],
  [0x22], // a quote
  [0x5b, 0x5b, 0x5b, 0x5b], // [[[[
];

const pos = fc.nat({ max: 1 << 30 });

export function mutationArb(): fc.Arbitrary<Mutation> {
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({ op: fc.constant('flip' as const), at: pos, value: fc.nat({ max: 255 }) }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('truncate' as const), at: pos }) },
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('cut' as const),
        boundary: fc.nat({ max: 10_000 }),
        delta: fc.integer({ min: -2, max: 2 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('dup' as const),
        from: pos,
        len: fc.integer({ min: 1, max: 4096 }),
        to: pos,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('swap' as const),
        a: pos,
        b: pos,
        len: fc.integer({ min: 1, max: 2048 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('delete' as const),
        at: pos,
        len: fc.integer({ min: 1, max: 1024 }),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('write' as const),
        at: pos,
        bytes: fc.constantFrom(...HOSTILE_INTS),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('insert' as const),
        at: pos,
        bytes: fc.constantFrom(...HOSTILE_TEXT),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('newline' as const),
        at: pos,
        kind: fc.constantFrom('crlf' as const, 'cr' as const, 'lflf' as const),
      }),
    },
  );
}

export function mutationsArb(max = 4): fc.Arbitrary<Mutation[]> {
  return fc.array(mutationArb(), { minLength: 1, maxLength: max });
}

/**
 * Applies mutations in order. `boundaries` are offsets where the format changes meaning (tar
 * header blocks, TOC fields, COPY lines): the `cut` mutation truncates at one of them ± delta.
 */
export function applyMutations(
  base: Buffer,
  muts: readonly Mutation[],
  boundaries: readonly number[] = [],
): Buffer {
  let b: Buffer = Buffer.from(base);
  for (const m of muts) b = apply(b, m, boundaries);
  return b;
}

function apply(b: Buffer, m: Mutation, boundaries: readonly number[]): Buffer {
  const n = b.length;
  const at = (x: number): number => (n === 0 ? 0 : x % (n + 1));
  switch (m.op) {
    case 'flip': {
      if (n === 0) return b;
      const out = Buffer.from(b);
      out[m.at % n] = m.value;
      return out;
    }
    case 'truncate':
      return b.subarray(0, at(m.at));
    case 'cut': {
      const bound =
        boundaries.length > 0 ? (boundaries[m.boundary % boundaries.length] ?? n) : at(m.boundary);
      return b.subarray(0, Math.max(0, Math.min(n, bound + m.delta)));
    }
    case 'dup': {
      const from = at(m.from);
      const piece = b.subarray(from, Math.min(n, from + m.len));
      const to = at(m.to);
      return Buffer.concat([b.subarray(0, to), piece, b.subarray(to)]);
    }
    case 'swap': {
      if (n === 0) return b;
      let a = at(m.a);
      let c = at(m.b);
      if (a > c) [a, c] = [c, a];
      const len = Math.min(m.len, c - a, n - c);
      if (len <= 0) return b;
      const out = Buffer.from(b);
      b.copy(out, a, c, c + len);
      b.copy(out, c, a, a + len);
      return out;
    }
    case 'delete': {
      const x = at(m.at);
      return Buffer.concat([b.subarray(0, x), b.subarray(Math.min(n, x + m.len))]);
    }
    case 'write': {
      const x = at(m.at);
      const out = Buffer.from(b);
      for (let i = 0; i < m.bytes.length && x + i < n; i++) out[x + i] = m.bytes[i] ?? 0;
      return out;
    }
    case 'insert': {
      const x = at(m.at);
      return Buffer.concat([b.subarray(0, x), Buffer.from(m.bytes), b.subarray(x)]);
    }
    case 'newline': {
      const lf = b.indexOf(0x0a, at(m.at));
      if (lf < 0) return b;
      const rep = m.kind === 'crlf' ? [0x0d, 0x0a] : m.kind === 'cr' ? [0x0d] : [0x0a, 0x0a];
      return Buffer.concat([b.subarray(0, lf), Buffer.from(rep), b.subarray(lf + 1)]);
    }
  }
}

/** Offsets of the header blocks of a tar stream (and the end of each entry's data). */
export function tarBoundaries(tar: Buffer): number[] {
  const out: number[] = [];
  for (let off = 0; off + 512 <= tar.length;) {
    out.push(off);
    const h = tar.subarray(off, off + 512);
    if (h.every((x) => x === 0)) break;
    const size = parseInt(h.toString('latin1', 124, 136).replace(/\0.*$/s, '').trim() || '0', 8) || 0;
    out.push(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  out.push(tar.length);
  return out;
}

/** Offsets just after each newline (COPY lines, SQL statements, PEM lines). */
export function lineBoundaries(text: Buffer, max = 10_000): number[] {
  const out: number[] = [0];
  for (let i = text.indexOf(0x0a); i >= 0 && out.length < max; i = text.indexOf(0x0a, i + 1)) out.push(i + 1);
  return out;
}

/** Every offset of a small input (each field boundary of a custom dump's header and TOC). */
export function everyOffset(b: Buffer, upTo = 4096): number[] {
  return Array.from({ length: Math.min(b.length, upTo) + 1 }, (_, i) => i);
}

// ---- structure-aware mutations ----

/** An edit of one tar header field (the checksum is recomputed, so the parser believes it). */
export interface HeaderEdit {
  entry: number;
  field: 'size' | 'type' | 'mode' | 'name' | 'linkname' | 'magic' | 'pax' | 'longname';
  value: number;
}

const SIZES: Array<number | string> = [
  0,
  1,
  511,
  512,
  513,
  2 ** 33,
  10 * 1024 ** 4,
  -1,
  -512,
  'zz?',
  '1e400',
];
const TYPES = [
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  'g',
  'x',
  'L',
  'K',
  'S',
  'V',
  'M',
  'N',
  'D',
  '\0',
  'Z',
];
const MODES = [0o4777, 0o7777, 0, 0o644, 0o600, -1];
const NAMES: Array<string | number[]> = [
  '../../etc/passwd',
  '/etc/passwd',
  '',
  'a/./b//c/',
  'x'.repeat(100),
  [0xff, 0xfe, 0x2f, 0xc0, 0x80],
  'tuf/metadata/root.json',
  'db/meshanics.dump',
  'certs/server.key',
  '.',
  '..',
];
const PAX: Array<Array<[string, string]>> = [
  [['path', 'tuf/metadata/root.json']],
  [['size', '99999999999999999999']],
  [['size', '-5']],
  [['size', '1e400']],
  [['linkpath', '../../../x']],
  [['path', 'a'.repeat(5000)]],
  [['mtime', 'NaN']],
  [['uid', '-1']],
];

export function headerEditsArb(): fc.Arbitrary<HeaderEdit[]> {
  return fc.array(
    fc.record({
      entry: fc.nat({ max: 1000 }),
      field: fc.constantFrom(
        'size' as const,
        'type' as const,
        'mode' as const,
        'name' as const,
        'linkname' as const,
        'magic' as const,
        'pax' as const,
        'longname' as const,
      ),
      value: fc.nat({ max: 1000 }),
    }),
    { minLength: 1, maxLength: 3 },
  );
}

function putNumber(b: Buffer, off: number, len: number, v: number | string): void {
  b.fill(0, off, off + len);
  if (typeof v === 'string') b.write(v, off, len, 'latin1');
  else if (v < 0 || v > 8 ** (len - 1) - 1) {
    // GNU base-256
    let x = BigInt(v);
    if (x < 0n) x = (1n << BigInt(8 * len)) + x;
    for (let i = len - 1; i >= 0; i--) {
      b[off + i] = Number(x & 0xffn);
      x >>= 8n;
    }
    b[off] = (b[off] ?? 0) | 0x80;
  } else b.write(v.toString(8).padStart(len - 1, '0') + '\0', off, len, 'latin1');
}

function fixChecksum(h: Buffer): void {
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of h) sum += x;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
}

function extHeader(type: 'x' | 'L', body: Buffer): Buffer {
  const h = Buffer.alloc(512);
  h.write(type === 'x' ? 'PaxHeader' : '././@LongLink', 0, 100, 'latin1');
  putNumber(h, 100, 8, 0o644);
  putNumber(h, 124, 12, body.length);
  h.write(type, 156, 1, 'latin1');
  h.write('ustar\u000000', 257, 8, 'latin1');
  fixChecksum(h);
  const pad = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Buffer.concat([h, body, pad]);
}

function paxBody(records: Array<[string, string]>): Buffer {
  return Buffer.from(
    records
      .map(([k, v]) => {
        const rest = ` ${k}=${v}\n`;
        let n = Buffer.byteLength(rest) + 1;
        while (String(n).length + Buffer.byteLength(rest) !== n) n++;
        return `${n}${rest}`;
      })
      .join(''),
  );
}

/** Applies header edits to a tar stream (entries found by walking the headers). */
export function applyHeaderEdits(tar: Buffer, edits: readonly HeaderEdit[]): Buffer {
  const heads = tarBoundaries(tar).filter((_, i, a) => i % 3 === 0 && i < a.length - 1);
  let out = Buffer.from(tar);
  const inserts: Array<{ at: number; data: Buffer }> = [];
  for (const e of edits) {
    if (heads.length === 0) break;
    const at = heads[e.entry % heads.length] ?? 0;
    if (at + 512 > out.length) continue;
    const h = out.subarray(at, at + 512);
    if (h.every((x) => x === 0)) continue;
    const pick = <T>(list: readonly T[]): T => list[e.value % list.length] as T;
    switch (e.field) {
      case 'size':
        putNumber(h, 124, 12, pick(SIZES));
        break;
      case 'type':
        h.write(pick(TYPES), 156, 1, 'latin1');
        break;
      case 'mode':
        putNumber(h, 100, 8, pick(MODES));
        break;
      case 'name': {
        const n = pick(NAMES);
        h.fill(0, 0, 100);
        h.fill(0, 345, 500);
        Buffer.from(typeof n === 'string' ? Buffer.from(n) : n).copy(h, 0, 0, 100);
        break;
      }
      case 'linkname': {
        const n = pick(NAMES);
        h.fill(0, 157, 257);
        Buffer.from(typeof n === 'string' ? Buffer.from(n) : n).copy(h, 157, 0, 100);
        break;
      }
      case 'magic':
        h.write(
          pick([
            'ustar\u000000',
            'ustar  \u0000',
            '\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000',
            'USTAR\u000000',
          ]),
          257,
          8,
          'latin1',
        );
        break;
      case 'pax':
        inserts.push({ at, data: extHeader('x', paxBody(pick(PAX))) });
        break;
      case 'longname':
        inserts.push({
          at,
          data: extHeader(
            'L',
            Buffer.from(pick(['b'.repeat(300), 'c'.repeat(70_000), '../' + 'd'.repeat(200), ''])),
          ),
        });
        break;
    }
    fixChecksum(h);
  }
  inserts.sort((a, b) => b.at - a.at);
  for (const i of inserts) out = Buffer.concat([out.subarray(0, i.at), i.data, out.subarray(i.at)]);
  return out;
}

/** An edit of a JSON document: a value replaced by one of another type, a key dropped or duplicated. */
export interface JsonEdit {
  path: number;
  kind: 'replace' | 'delete' | 'wrap';
  value: number;
}

const HOSTILE_JSON: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  2 ** 53 + 2,
  '',
  'x'.repeat(10_000),
  '\u0000',
  '\ud800',
  [],
  {},
  [[[[[[[[[[]]]]]]]]]],
  { keyid: 'x', sig: 'y' },
  Array.from({ length: 2000 }, (_, i) => i),
  '2026-13-45T99:99:99Z',
  '1.0',
  { sha256: 'zz' },
];

export function jsonEditsArb(): fc.Arbitrary<JsonEdit[]> {
  return fc.array(
    fc.record({
      path: fc.nat({ max: 100_000 }),
      kind: fc.constantFrom('replace' as const, 'delete' as const, 'wrap' as const),
      value: fc.nat({ max: 1000 }),
    }),
    { minLength: 1, maxLength: 3 },
  );
}

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number };

function slots(v: unknown, out: Slot[]): void {
  if (Array.isArray(v))
    v.forEach((x, i) => {
      out.push({ parent: v, key: i });
      slots(x, out);
    });
  else if (typeof v === 'object' && v !== null)
    for (const [k, x] of Object.entries(v)) {
      out.push({ parent: v as Record<string, unknown>, key: k });
      slots(x, out);
    }
}

/** Applies JSON edits to a JSON text (invalid JSON is returned unchanged). */
export function applyJsonEdits(text: Buffer, edits: readonly JsonEdit[]): Buffer {
  let doc: unknown;
  try {
    doc = JSON.parse(text.toString('utf8'));
  } catch {
    return text;
  }
  for (const e of edits) {
    const all: Slot[] = [];
    slots(doc, all);
    if (all.length === 0) break;
    const s = all[e.path % all.length] as Slot;
    const repl = structuredClone(HOSTILE_JSON[e.value % HOSTILE_JSON.length]);
    if (Array.isArray(s.parent)) {
      const i = s.key as number;
      if (e.kind === 'delete') s.parent.splice(i, 1);
      else if (e.kind === 'wrap') s.parent[i] = [s.parent[i]];
      else s.parent[i] = repl;
    } else {
      const k = s.key as string;
      if (e.kind === 'delete') Reflect.deleteProperty(s.parent, k);
      else if (e.kind === 'wrap') s.parent[k] = { [k]: s.parent[k] };
      else s.parent[k] = repl;
    }
  }
  return Buffer.from(JSON.stringify(doc, null, 1));
}
