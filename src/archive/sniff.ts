// Content sniffing: database dumps, PEM private keys and certificates, TUF root metadata.

const PGDMP = Buffer.from('PGDMP');
const PLAIN_DUMP = Buffer.from('--\n-- PostgreSQL database dump');
const PEM_BEGIN = '-----BEGIN';

function startsWith(b: Buffer, m: Buffer): boolean {
  return b.length >= m.length && b.subarray(0, m.length).equals(m);
}

/** pg_dump custom format, or plain SQL text as pg_dump writes it. */
export function looksLikeDump(head: Buffer): boolean {
  return startsWith(head, PGDMP) || startsWith(head, PLAIN_DUMP);
}

export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Bytes String.prototype.trimStart removes from latin1 text (tab, LF, VT, FF, CR, space, NBSP). */
function isBlank(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0;
}

// PEM text may be preceded by blank lines; look no further than that. Searched in the bytes:
// every kept file is sniffed, and a string copy of each (up to 8 MiB) would cost memory.
function isPem(data: Buffer): boolean {
  let i = 0;
  while (i < data.length && isBlank(data[i] ?? 0)) i++;
  return data.toString('latin1', i, i + PEM_BEGIN.length) === PEM_BEGIN;
}

/** A PEM file whose first block opens with -----BEGIN and which holds a PRIVATE KEY block. */
export function looksLikePrivateKey(data: Buffer): boolean {
  return isPem(data) && data.includes('PRIVATE KEY', 0, 'latin1');
}

export function looksLikeCertificate(data: Buffer): boolean {
  return isPem(data) && data.includes('-----BEGIN CERTIFICATE-----', 0, 'latin1');
}

/** Root metadata is small (keys and roles); larger files are not parsed just to sniff them. */
const MAX_SNIFFED_ROOT = 1024 * 1024;

/** A TUF root metadata file (`{"signed": {"_type": "root", …}, …}`). */
export function looksLikeTufRoot(data: Buffer): boolean {
  if (data.length > MAX_SNIFFED_ROOT || !data.includes('"_type"')) return false;
  try {
    const doc: unknown = JSON.parse(data.toString('utf8'));
    if (typeof doc !== 'object' || doc === null) return false;
    const signed: unknown = Reflect.get(doc, 'signed');
    return typeof signed === 'object' && signed !== null && Reflect.get(signed, '_type') === 'root';
  } catch {
    return false;
  }
}

export const ROOT_FILE_NAME = /^(\d+\.)?root\.json$/;
