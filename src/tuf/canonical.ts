// OLPC canonical JSON (http://wiki.laptop.org/go/Canonical_JSON), the form TUF signs:
// integers only, strings escape only `"` and `\`, object keys sorted by Unicode code point,
// no insignificant whitespace, UTF-8 output.

export type CanonicalResult = { ok: true; bytes: Buffer } | { ok: false; reason: string; field: string };

/** Depth guard for values that did not come through the JSON depth scan. */
const MAX_DEPTH = 512;

export function canonicalize(value: unknown): CanonicalResult {
  const out = new ByteOut();
  const err = encode(value, out, 0);
  if (err) return { ok: false, reason: err.reason, field: err.path.reverse().join('') };
  return { ok: true, bytes: out.done() };
}

/**
 * The output, written straight into one growing buffer: a large document (a targets file of
 * 100,000 entries) costs its bytes, not a million small strings and their joined copy.
 */
class ByteOut {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.len);
    this.buf = grown;
  }

  byte(c: number): void {
    this.room(1);
    this.buf[this.len++] = c;
  }

  ascii(s: string): void {
    this.room(s.length);
    this.len += this.buf.write(s, this.len, 'latin1');
  }

  /** A JSON string: only `"` and `\` escaped (OLPC), the rest as UTF-8. */
  str(s: string): void {
    const t = ESCAPED.test(s) ? s.replace(/["\\]/g, (c) => '\\' + c) : s;
    this.room(t.length * 3 + 2);
    this.buf[this.len++] = 0x22;
    this.len += this.buf.write(t, this.len, 'utf8');
    this.buf[this.len++] = 0x22;
  }

  done(): Buffer {
    // a copy of the right size: the spare capacity is not kept alive with the result
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

/** An encoding failure; `path` is built (innermost first) only on the way out of a failure, so
 *  a large document costs no field-name strings. */
interface EncodeError {
  reason: string;
  path: string[];
}

function encode(v: unknown, out: ByteOut, depth: number): EncodeError | undefined {
  if (depth > MAX_DEPTH) return { reason: 'nested too deeply', path: [] };
  if (v === null) {
    out.ascii('null');
    return undefined;
  }
  switch (typeof v) {
    case 'boolean':
      out.ascii(v ? 'true' : 'false');
      return undefined;
    case 'number':
      // Canonical JSON has no floats; an integer beyond 2^53 has already lost digits in JSON.parse.
      if (!Number.isSafeInteger(v)) return { reason: `number ${String(v)} is not a safe integer`, path: [] };
      out.ascii(String(v));
      return undefined;
    case 'string':
      out.str(v);
      return undefined;
    case 'object':
      break;
    default:
      return { reason: `a ${typeof v} cannot be encoded`, path: [] };
  }
  if (Array.isArray(v)) {
    out.byte(0x5b);
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.byte(0x2c);
      const e = encode(v[i], out, depth + 1);
      if (e) {
        e.path.push(`[${i}]`);
        return e;
      }
    }
    out.byte(0x5d);
    return undefined;
  }
  const obj = v as Record<string, unknown>;
  const keys = sortKeys(Object.keys(obj));
  out.byte(0x7b);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (i > 0) out.byte(0x2c);
    out.str(k);
    out.byte(0x3a);
    const e = encode(obj[k], out, depth + 1);
    if (e) {
      e.path.push(depth === 0 ? k : `.${k}`);
      return e;
    }
  }
  out.byte(0x7d);
  return undefined;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Code point order; the native sort (UTF-16 order) is the same unless a key has a surrogate. */
function sortKeys(keys: string[]): string[] {
  return keys.some((k) => SURROGATE.test(k)) ? keys.sort(compareCodePoints) : keys.sort();
}

const ESCAPED = /["\\]/;

/**
 * Order strings by Unicode code point (as Python's sorted() and Go's byte order of UTF-8 do),
 * not by UTF-16 code unit (JavaScript's default), which differs for astral vs U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return lift(x) - lift(y);
  }
  return a.length - b.length;
}

function lift(u: number): number {
  // A surrogate stands for a code point >= U+10000: above every BMP code unit.
  return u >= 0xd800 && u <= 0xdfff ? u + 0x10000 : u;
}
