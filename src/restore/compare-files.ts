// A restored directory against the archive folder it was restored from: every file present,
// byte-identical, with its mode (the keys' restrictive modes must survive a restore), and no
// file the archive does not hold. Symbolic links are never followed.
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { ArchiveResult } from '../archive/types.js';
import { DirectorySource } from '../files/source.js';
import type { Findings } from '../findings/collector.js';
import type { JsonValue } from '../findings/types.js';

export interface DirComparison {
  /** Archive folder compared ('' is the archive root), or null when the archive has none. */
  archiveFolder: string | null;
  directory: string;
  files: number;
  missing: number;
  extra: number;
  differing: number;
  modes: number;
}

/** The folder that holds both TUF folders of the archive (tuf/ for tuf/metadata and tuf/keys). */
export function tufRootFolder(metadata: string | undefined, keys: string | undefined): string | undefined {
  if (metadata === undefined) return undefined;
  const parentOf = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
  if (keys === undefined) return parentOf(metadata);
  const a = metadata.split('/');
  const b = keys.split('/');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  // Never the metadata folder itself: the restored directory holds metadata as a sub-folder.
  return a.slice(0, Math.min(i, a.length - 1)).join('/');
}

/** A folder path relative to another ('' when equal). */
export function relativeFolder(root: string, folder: string): string {
  if (root === '') return folder;
  if (folder === root) return '';
  return folder.startsWith(root + '/') ? folder.slice(root.length + 1) : folder;
}

function octal(m: number): string {
  return '0' + (m & 0o7777).toString(8).padStart(3, '0');
}

function kindOf(path: string): string | undefined {
  try {
    const st = lstatSync(path);
    if (st.isFile()) return 'file';
    if (st.isDirectory()) return 'directory';
    if (st.isSymbolicLink()) return 'symbolic link';
    return 'special file';
  } catch {
    return undefined;
  }
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

export function compareDirectory(
  findings: Findings,
  archive: ArchiveResult,
  folder: string | undefined,
  dir: string,
  what: string,
  maxFileBytes: number,
): DirComparison {
  const out: DirComparison = {
    archiveFolder: folder ?? null,
    directory: dir,
    files: 0,
    missing: 0,
    extra: 0,
    differing: 0,
    modes: 0,
  };
  if (folder === undefined) {
    findings.add(
      'RESTORE_DIR_NOT_IN_ARCHIVE',
      { path: dir },
      `${dir} was given as the restored ${what}, but the archive holds no ${what} to compare it with`,
    );
    return out;
  }
  const src = archive.files.sub(folder, `archive ${archive.facts.path}:${folder || '.'}`);
  const live = new DirectorySource(dir, maxFileBytes);
  const entry = (p: string): string => (folder === '' ? p : p === '' ? folder : `${folder}/${p}`);
  const mode = (p: string, kind: 'file' | 'directory', archived: number, restored: number): void => {
    const a = archived & 0o7777;
    const r = restored & 0o7777;
    if (a === r) return;
    out.modes++;
    const wider = (r & ~a) !== 0;
    const detail: { [k: string]: JsonValue } = {
      kind,
      archiveMode: octal(a),
      restoredMode: octal(r),
      restored: join(dir, p),
    };
    findings.add(
      wider ? 'RESTORE_FILE_MODE_WIDENED' : 'RESTORE_FILE_MODE_CHANGED',
      { path: entry(p) },
      wider
        ? `${join(dir, p)} is mode ${octal(r)}, the archive has ${octal(a)}: the restore widened its permissions`
        : `${join(dir, p)} is mode ${octal(r)}, the archive has ${octal(a)}`,
      detail,
    );
  };

  const archived = src.list();
  const folders = new Set<string>(['']);
  for (const p of archived) {
    out.files++;
    for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) folders.add(p.slice(0, i));
    const a = src.get(p);
    if (!a) continue;
    const full = join(dir, p);
    const kind = kindOf(full);
    if (kind !== 'file') {
      out.missing++;
      findings.add(
        'RESTORE_FILE_MISSING',
        { path: entry(p) },
        kind === undefined
          ? `${full} is missing from the restored ${what}`
          : `${full} is a ${kind} in the restored ${what}, not the archive's regular file`,
        { restored: full, found: kind ?? null },
      );
      continue;
    }
    const l = live.get(p);
    if (!l) continue;
    mode(p, 'file', a.mode, l.mode);
    if (a.data === undefined || l.data === undefined) {
      findings.add(
        'RESTORE_FILE_UNCOMPARED',
        { path: entry(p) },
        `${full} could not be compared with the archive: ${a.data === undefined ? `archive entry: ${a.error ?? 'not kept'}` : `restored file: ${l.error ?? 'unreadable'}`}`,
        { restored: full },
      );
      continue;
    }
    if (!a.data.equals(l.data)) {
      out.differing++;
      findings.add(
        'RESTORE_FILE_DIFFERS',
        { path: entry(p) },
        `${full} is not byte-identical to the archive entry`,
        {
          restored: full,
          archiveSha256: sha256(a.data),
          archiveSize: a.data.length,
          restoredSha256: sha256(l.data),
          restoredSize: l.data.length,
        },
      );
    }
  }
  for (const f of [...folders].sort()) {
    const am = src.dirMode(f);
    const lm = live.dirMode(f);
    if (am !== undefined && lm !== undefined) mode(f, 'directory', am, lm);
  }
  const known = new Set(archived);
  for (const p of live.list()) {
    if (known.has(p)) continue;
    out.extra++;
    findings.add(
      'RESTORE_FILE_EXTRA',
      { path: entry(p) },
      `${join(dir, p)} is in the restored ${what} but not in the archive`,
      { restored: join(dir, p) },
    );
  }
  return out;
}
