// OLPC canonical JSON (http://wiki.laptop.org/go/Canonical_JSON), the form TUF signs:
// integers only, strings escape only `"` and `\`, object keys sorted by Unicode code point,
// no insignificant whitespace, UTF-8 output.

export type CanonicalResult = { ok: true; bytes: Buffer } | { ok: false; reason: string; field: string };

/** Depth guard for values that did not come through the JSON depth scan. */
const MAX_DEPTH = 512;

export function canonicalize(value: unknown): CanonicalResult {
  const parts: string[] = [];
  const err = encode(value, parts, '', 0);
  if (err) return { ok: false, reason: err.reason, field: err.field };
  return { ok: true, bytes: Buffer.from(parts.join(''), 'utf8') };
}

function encode(
  v: unknown,
  out: string[],
  field: string,
  depth: number,
): { reason: string; field: string } | undefined {
  if (depth > MAX_DEPTH) return { reason: 'nested too deeply', field };
  if (v === null) {
    out.push('null');
    return undefined;
  }
  switch (typeof v) {
    case 'boolean':
      out.push(v ? 'true' : 'false');
      return undefined;
    case 'number':
      // Canonical JSON has no floats; an integer beyond 2^53 has already lost digits in JSON.parse.
      if (!Number.isSafeInteger(v)) return { reason: `number ${String(v)} is not a safe integer`, field };
      out.push(String(v));
      return undefined;
    case 'string':
      out.push(encodeString(v));
      return undefined;
    case 'object':
      break;
    default:
      return { reason: `a ${typeof v} cannot be encoded`, field };
  }
  if (Array.isArray(v)) {
    out.push('[');
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(',');
      const e = encode(v[i], out, `${field}[${i}]`, depth + 1);
      if (e) return e;
    }
    out.push(']');
    return undefined;
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).sort(compareCodePoints);
  out.push('{');
  let first = true;
  for (const k of keys) {
    if (!first) out.push(',');
    first = false;
    out.push(encodeString(k), ':');
    const e = encode(obj[k], out, field === '' ? k : `${field}.${k}`, depth + 1);
    if (e) return e;
  }
  out.push('}');
  return undefined;
}

function encodeString(s: string): string {
  return '"' + s.replace(/["\\]/g, (c) => '\\' + c) + '"';
}

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
