// Entry path handling: normalisation ('./', empty and '.' components), escaping of names that are
// not UTF-8, raw name bytes from tar headers, and the common top folder.
import { isUtf8 } from 'node:buffer';
import { posix } from 'node:path';

export interface NormPath {
  /** '/'-joined components; absolute paths keep one leading '/'. '' is the archive root. */
  readonly rel: string;
  readonly comps: string[];
  readonly absolute: boolean;
  readonly dotdot: boolean;
}

/** Components are derived from `rel` when asked: an archive of 100,000 entries keeps one
 *  string per path, not an array of strings too. */
class Norm implements NormPath {
  constructor(
    readonly rel: string,
    readonly absolute: boolean,
    readonly dotdot: boolean,
  ) {}
  get comps(): string[] {
    const r = this.absolute ? this.rel.slice(1) : this.rel;
    return r === '' ? [] : r.split('/');
  }
}

export function normalizeEntryPath(p: string): NormPath {
  const absolute = p.startsWith('/');
  const comps = p.split('/').filter((c) => c !== '' && c !== '.');
  const joined = comps.join('/');
  const rel = absolute ? '/' + joined : joined;
  // the raw path itself when it was already normal (one string kept, not two equal ones)
  return new Norm(rel === p ? p : rel, absolute, comps.includes('..'));
}

/** Printable ASCII as is, everything else (and the backslash) as \xNN: unambiguous and reversible. */
export function escapeBytes(raw: Buffer): string {
  let out = '';
  for (const b of raw) {
    if (b >= 0x20 && b < 0x7f && b !== 0x5c) out += String.fromCharCode(b);
    else out += '\\x' + b.toString(16).padStart(2, '0');
  }
  return out;
}

export function isValidUtf8(raw: Buffer): boolean {
  return isUtf8(raw);
}

function cString(buf: Buffer, start: number, len: number): Buffer {
  const field = buf.subarray(start, start + len);
  const nul = field.indexOf(0);
  return nul < 0 ? field : field.subarray(0, nul);
}

/** The raw bytes of the name in a ustar/GNU header block (prefix + '/' + name for ustar). */
export function rawHeaderName(block: Buffer): Buffer {
  const name = cString(block, 0, 100);
  const ustar = block.subarray(257, 265).toString('latin1') === 'ustar\u000000';
  if (!ustar) return name;
  const prefix = block[475] !== 0 ? cString(block, 345, 155) : cString(block, 345, 130);
  return prefix.length > 0 ? Buffer.concat([prefix, Buffer.from('/'), name]) : name;
}

/** The raw value of the `path` record of a pax extended header body, if any. */
export function rawPaxPath(body: Buffer): Buffer | undefined {
  let pos = 0;
  let found: Buffer | undefined;
  while (pos < body.length) {
    const sp = body.indexOf(0x20, pos);
    if (sp < 0) break;
    const len = Number(body.subarray(pos, sp).toString('latin1'));
    if (!Number.isSafeInteger(len) || len <= 0 || pos + len > body.length) break;
    const rec = body.subarray(sp + 1, pos + len);
    const eq = rec.indexOf(0x3d);
    if (eq > 0 && rec.subarray(0, eq).toString('latin1') === 'path') {
      // the record ends with '\n'
      found = rec.subarray(
        eq + 1,
        rec.length > 0 && rec[rec.length - 1] === 0x0a ? rec.length - 1 : rec.length,
      );
    }
    pos += len;
  }
  return found;
}

/** The raw bytes of a GNU long-name ('L') body: up to the first NUL. */
export function rawLongName(body: Buffer): Buffer {
  const nul = body.indexOf(0);
  return nul < 0 ? body : body.subarray(0, nul);
}

/**
 * Tracks whether every entry sits under one common top folder. Known only at the end of the
 * stream. A candidate that is itself a folder of the backup layout ('db', 'tuf', 'certs', …) is
 * never a top folder: stripping it would break the layout.
 */
export class TopFolder {
  private cand: string | null | undefined;
  private inside = false;
  /** Evidence while streaming: the archive opened with the candidate's own directory entry, or
   *  an entry under it continues with a layout folder (top/db/…). */
  private likely = false;
  constructor(private readonly reserved: ReadonlySet<string>) {}

  add(n: NormPath, isDir: boolean): void {
    if (n.absolute || n.dotdot || this.cand === null) return;
    const comps = n.comps;
    if (comps.length === 0) return;
    const first = comps[0] ?? '';
    if (comps.length === 1 && !isDir) {
      this.cand = null;
      return;
    }
    if (this.cand === undefined) {
      this.cand = first;
      if (comps.length === 1) this.likely = true;
    } else if (this.cand !== first) {
      this.cand = null;
      return;
    }
    if (comps.length > 1) {
      this.inside = true;
      if (this.reserved.has(comps[1] ?? '')) this.likely = true;
    }
  }

  /** The best guess while streaming (what onDump sees); `final()` decides. */
  tentative(): string | undefined {
    return typeof this.cand === 'string' && this.likely && !this.reserved.has(this.cand)
      ? this.cand
      : undefined;
  }

  final(): string | null {
    return typeof this.cand === 'string' && this.inside && !this.reserved.has(this.cand) ? this.cand : null;
  }
}

/** Path relative to the top folder (unchanged when it is not under it; '' for the folder itself). */
export function stripTop(n: NormPath, top: string | null | undefined): string {
  if (top === null || top === undefined || n.absolute || n.dotdot) return n.rel;
  const comps = n.comps;
  if (comps[0] !== top) return n.rel;
  return comps.slice(1).join('/');
}

/** The folder holding a path ('' for the root). */
export function dirOf(p: string): string {
  const d = posix.dirname(p);
  return d === '.' ? '' : d;
}

export function baseOf(p: string): string {
  return posix.basename(p);
}

export function isUnder(p: string, folder: string): boolean {
  if (folder === '') return true;
  return p === folder || p.startsWith(folder + '/');
}
