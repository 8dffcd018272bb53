// Is this file a backup archive or a bare database dump? Decided by content, not name.
import { openSync, readSync, closeSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export type InputKind = 'archive' | 'dump';

export function sniffInput(path: string): InputKind {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(64 * 1024);
  let n = 0;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const b = head.subarray(0, n);
  if (b.subarray(0, 5).toString('latin1') === 'PGDMP') return 'dump';
  if (b[0] === 0x1f && b[1] === 0x8b) {
    let inner: Buffer;
    try {
      // A partial gzip member: take what inflates (finishFlush keeps the partial output). The
      // first 4 KiB say what it is; more could inflate to 64 MB (a bomb) for nothing.
      inner = gunzipSync(b.subarray(0, 4096), { finishFlush: 2 /* Z_SYNC_FLUSH */ });
    } catch {
      return 'archive';
    }
    return looksLikeTar(inner)
      ? 'archive'
      : inner.subarray(0, 5).toString('latin1') === 'PGDMP' || isSqlText(inner)
        ? 'dump'
        : 'archive';
  }
  if (isSqlText(b)) return 'dump';
  return 'archive';
}

function looksLikeTar(b: Buffer): boolean {
  return b.length >= 263 && b.subarray(257, 262).toString('latin1') === 'ustar';
}

function isSqlText(b: Buffer): boolean {
  const s = b.subarray(0, 200).toString('utf8');
  return /^(--|\\restrict|SET |CREATE |COPY )/.test(s);
}
