// A linear, line-based PEM reader (RFC 7468 with RFC 1421 headers for legacy encrypted keys).
// It never throws: malformed blocks become problems, and it stops at a block-count bound.
export interface PemBlock {
  label: string;
  der: Buffer;
  /** 0-based position among the blocks of the file. */
  index: number;
  /** 1-based line of the BEGIN marker. */
  line: number;
  /** RFC 1421 headers (Proc-Type, DEK-Info) of legacy encrypted keys. */
  headers: Record<string, string>;
}

export interface PemProblem {
  line: number;
  message: string;
}

export interface PemParse {
  blocks: PemBlock[];
  problems: PemProblem[];
  /** True when the block bound was reached and the rest of the file was not read. */
  truncated: boolean;
}

const BEGIN = /^-----BEGIN ([A-Z0-9 ]{1,64})-----$/;
const END = /^-----END ([A-Z0-9 ]{1,64})-----$/;
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;
const HEADER = /^([A-Za-z0-9-]{1,64}):\s*(.*)$/;

export function parsePem(text: string, maxBlocks: number): PemParse {
  const out: PemParse = { blocks: [], problems: [], truncated: false };
  let cur:
    | { label: string; line: number; b64: string[]; headers: Record<string, string>; inHeaders: boolean }
    | undefined;
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).replace(/\r$/, '').trim();
    start = end + 1;
    lineNo++;
    const begin = BEGIN.exec(line);
    if (begin) {
      if (cur) out.problems.push({ line: cur.line, message: `block "${cur.label}" has no END line` });
      if (out.blocks.length >= maxBlocks) {
        out.truncated = true;
        return out;
      }
      cur = { label: begin[1] ?? '', line: lineNo, b64: [], headers: {}, inHeaders: true };
      continue;
    }
    if (!cur) continue; // text outside blocks is allowed (RFC 7468 section 5.2)
    const endm = END.exec(line);
    if (endm) {
      if (endm[1] !== cur.label) {
        out.problems.push({
          line: lineNo,
          message: `END "${endm[1] ?? ''}" does not close BEGIN "${cur.label}"`,
        });
      } else {
        const b64 = cur.b64.join('');
        const der = Buffer.from(b64, 'base64');
        if (
          !B64.test(b64) ||
          der.length === 0 ||
          der.toString('base64').replace(/=+$/, '') !== b64.replace(/=+$/, '')
        ) {
          out.problems.push({ line: cur.line, message: `block "${cur.label}" is not valid base64` });
        } else {
          out.blocks.push({
            label: cur.label,
            der,
            index: out.blocks.length,
            line: cur.line,
            headers: cur.headers,
          });
        }
      }
      cur = undefined;
      continue;
    }
    if (cur.inHeaders) {
      const h = HEADER.exec(line);
      if (h && cur.b64.length === 0) {
        cur.headers[h[1] ?? ''] = h[2] ?? '';
        continue;
      }
      if (line === '') continue;
      cur.inHeaders = false;
    }
    if (line !== '') cur.b64.push(line);
  }
  if (cur) out.problems.push({ line: cur.line, message: `block "${cur.label}" has no END line` });
  return out;
}

export const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE']);
export const KEY_LABELS = new Set([
  'PRIVATE KEY',
  'EC PRIVATE KEY',
  'RSA PRIVATE KEY',
  'ENCRYPTED PRIVATE KEY',
]);
