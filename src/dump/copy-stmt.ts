// Parsing of the few SQL statements the reader needs: pg_dump's "COPY schema.table (cols) FROM
// stdin;", the target of "INSERT INTO", and psql's "\connect". Identifiers follow PostgreSQL's
// lexer: "quoted" ("" for a quote) keeps case; unquoted folds ASCII letters to lower case.
import type { TableRef } from './types.js';

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c || c === 0x0b;
}

function isIdentStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c >= 0x80;
}

function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x24;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** Reads one identifier at s[i]; undefined when there is none. */
export function readIdentifier(s: string, i: number): { value: string; next: number } | undefined {
  const c = s.charCodeAt(i);
  if (c === 0x22) {
    let out = '';
    let j = i + 1;
    for (;;) {
      const q = s.indexOf('"', j);
      if (q < 0) return undefined;
      out += s.slice(j, q);
      if (s.charCodeAt(q + 1) === 0x22) {
        out += '"';
        j = q + 2;
        continue;
      }
      if (out.length === 0) return undefined; // "" is not a valid identifier
      return { value: out, next: q + 1 };
    }
  }
  if (!isIdentStart(c)) return undefined;
  let j = i + 1;
  while (j < s.length && isIdentChar(s.charCodeAt(j))) j++;
  return { value: asciiLower(s.slice(i, j)), next: j };
}

function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** Reads `a`, `a.b` (or longer) dotted names. */
function readQualified(s: string, i: number): { parts: string[]; next: number } | undefined {
  const first = readIdentifier(s, i);
  if (!first) return undefined;
  const parts = [first.value];
  let j = first.next;
  for (;;) {
    const k = skipSpace(s, j);
    if (s.charCodeAt(k) !== 0x2e) break;
    const id = readIdentifier(s, skipSpace(s, k + 1));
    if (!id) return undefined;
    parts.push(id.value);
    j = id.next;
  }
  return { parts, next: j };
}

/** Case-insensitive keyword at s[i] followed by a non-identifier character. */
function keywordAt(s: string, i: number, kw: string): boolean {
  if (s.length < i + kw.length) return false;
  if (s.slice(i, i + kw.length).toUpperCase() !== kw) return false;
  const after = s.charCodeAt(i + kw.length);
  return Number.isNaN(after) || !isIdentChar(after);
}

/** True when the statement text starts with the keyword (after blanks). */
export function startsWithKeyword(s: string, kw: string): boolean {
  return keywordAt(s, skipSpace(s, 0), kw);
}

/**
 * Parses "COPY [schema.]table [(col, ...)] FROM stdin[;]". Returns undefined when the text is
 * not such a statement. An unqualified table gets schema '' (pg_dump has qualified names since 9.x).
 */
export function parseCopyStatement(text: string): TableRef | undefined {
  let i = skipSpace(text, 0);
  if (!keywordAt(text, i, 'COPY')) return undefined;
  i = skipSpace(text, i + 4);
  const q = readQualified(text, i);
  if (!q || q.parts.length > 2) return undefined;
  const name = q.parts[q.parts.length - 1] ?? '';
  const schema = q.parts.length === 2 ? (q.parts[0] ?? '') : '';
  i = skipSpace(text, q.next);
  const columns: string[] = [];
  if (text.charCodeAt(i) === 0x28) {
    i = skipSpace(text, i + 1);
    if (text.charCodeAt(i) !== 0x29) {
      for (;;) {
        const id = readIdentifier(text, i);
        if (!id) return undefined;
        columns.push(id.value);
        i = skipSpace(text, id.next);
        const c = text.charCodeAt(i);
        if (c === 0x2c) {
          i = skipSpace(text, i + 1);
          continue;
        }
        if (c === 0x29) break;
        return undefined;
      }
    }
    i = skipSpace(text, i + 1);
  }
  if (!keywordAt(text, i, 'FROM')) return undefined;
  i = skipSpace(text, i + 4);
  if (!keywordAt(text, i, 'STDIN')) return undefined;
  i = skipSpace(text, i + 5);
  if (text.charCodeAt(i) === 0x3b) i = skipSpace(text, i + 1);
  if (i !== text.length) return undefined;
  return { schema, name, columns };
}

/** True for "COPY ... FROM stdin" whatever its table part looks like (data follows it). */
export function isCopyFromStdin(text: string): boolean {
  if (!startsWithKeyword(text, 'COPY')) return false;
  let end = text.length;
  while (end > 0 && (isSpace(text.charCodeAt(end - 1)) || text.charCodeAt(end - 1) === 0x3b)) end--;
  const tail = text.slice(Math.max(0, end - 12), end).toUpperCase();
  return /\bFROM\s+STDIN$/.test(tail);
}

/** "schema.table" key of a table ("table" when unqualified). */
export function tableKey(schema: string, name: string): string {
  return schema === '' ? name : `${schema}.${name}`;
}

/** Target table of "INSERT INTO [schema.]table ...", as a key; undefined when not such a statement. */
export function insertTarget(text: string): string | undefined {
  let i = skipSpace(text, 0);
  if (!keywordAt(text, i, 'INSERT')) return undefined;
  i = skipSpace(text, i + 6);
  if (!keywordAt(text, i, 'INTO')) return undefined;
  const q = readQualified(text, skipSpace(text, i + 4));
  if (!q || q.parts.length > 2) return undefined;
  return q.parts.join('.');
}

/**
 * Database named by psql's "\connect NAME" or "\connect -reuse-previous=on "dbname='NAME'"" (the
 * forms pg_dump's appendPsqlMetaConnect writes). The line excludes the newline.
 */
export function connectTarget(line: string): string | undefined {
  const m = /^\\(?:c|connect)\s+(.*)$/.exec(line.trim());
  if (!m) return undefined;
  let rest = (m[1] ?? '').trim();
  if (rest.startsWith('-reuse-previous=')) {
    // appendPsqlMetaConnect: fmtId("dbname=" + appendConnStrVal(name)).
    rest = rest.replace(/^-reuse-previous=\S+\s*/, '');
    const conn = rest.startsWith('"') ? (readIdentifier(rest, 0)?.value ?? '') : rest;
    const m = /^dbname=(?:'((?:[^'\\]|\\.)*)'|(\S+))/.exec(conn);
    if (m) return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
    return undefined;
  }
  if (rest.startsWith('"')) {
    const id = readIdentifier(rest, 0);
    return id?.value;
  }
  // psql reads an unquoted argument verbatim (no case folding) up to white space.
  const word = /^\S+/.exec(rest);
  return word ? word[0] : undefined;
}
