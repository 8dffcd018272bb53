// PostgreSQL's text output rules the generator must reproduce byte for byte: COPY text escaping
// (CopyAttributeOutText) and jsonb's string escaping (escape_json).

const COPY_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

const COPY_SPECIAL = /[\\\b\f\n\r\t\v]/g;

/** A non-NULL text value as COPY ... TO writes it (tab delimiter, text format). */
export function copyText(s: string): string {
  return s.replace(COPY_SPECIAL, (c) => COPY_ESCAPES[c] ?? c);
}

/** A nullable value as COPY writes it. */
export function copyNullable(s: string | null): string {
  return s === null ? '\\N' : copyText(s);
}

/** A JSON string literal as jsonb::text prints it: only ", \ and C0 controls are escaped. */
export function jsonbString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** bytea in hex output form as it appears in COPY text (the backslash is escaped). */
export function copyBytea(b: Buffer): string {
  return `\\\\x${b.toString('hex')}`;
}
