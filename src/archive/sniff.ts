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

// PEM text may be preceded by blank lines; look no further than that.
function pemText(data: Buffer): string | undefined {
  const s = data.toString('latin1').trimStart();
  return s.startsWith(PEM_BEGIN) ? s : undefined;
}

/** A PEM file whose first block opens with -----BEGIN and which holds a PRIVATE KEY block. */
export function looksLikePrivateKey(data: Buffer): boolean {
  const s = pemText(data);
  return s !== undefined && s.includes('PRIVATE KEY');
}

export function looksLikeCertificate(data: Buffer): boolean {
  const s = pemText(data);
  return s !== undefined && s.includes('-----BEGIN CERTIFICATE-----');
}

/** A TUF root metadata file (`{"signed": {"_type": "root", …}, …}`). */
export function looksLikeTufRoot(data: Buffer): boolean {
  if (!data.includes('"_type"')) return false;
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
