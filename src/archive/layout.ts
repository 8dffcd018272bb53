// Where the three kinds of state sit in the archive: the profile's default folders when they
// hold files, else a folder recognised by its content (spec: "find the three kinds of state by
// content when the default paths are absent").
import type { JsonValue, Location } from '../findings/types.js';
import type { MemorySource } from '../files/source.js';
import type { Profile } from '../profile/profile.js';
import type { ArchiveCode } from './codes.js';
import { baseOf, dirOf, isUnder, normalizeEntryPath } from './paths.js';
import { ROOT_FILE_NAME, looksLikeCertificate, looksLikePrivateKey, looksLikeTufRoot } from './sniff.js';
import type { ArchiveLayout } from './types.js';

type Report = (
  code: ArchiveCode,
  loc: Location,
  message: string,
  detail?: { [k: string]: JsonValue },
) => void;

interface FolderStats {
  roots: number;
  certs: number;
  keys: number;
  /** Key files named for the online roles (timestamp, snapshot). */
  onlineKeys: number;
}

function hasFilesUnder(files: string[], folder: string): boolean {
  return files.some((f) => isUnder(f, folder) && f !== folder);
}

/** Best folder by score; ties go to the shallower, then the alphabetically first. */
function best(
  stats: Map<string, FolderStats>,
  score: (s: FolderStats, dir: string) => number,
): string | undefined {
  let pick: string | undefined;
  let pickScore = 0;
  for (const [dir, s] of stats) {
    const sc = score(s, dir);
    if (sc <= 0) continue;
    if (
      pick === undefined ||
      sc > pickScore ||
      (sc === pickScore &&
        (dir.split('/').length < pick.split('/').length ||
          (dir.split('/').length === pick.split('/').length && dir < pick)))
    ) {
      pick = dir;
      pickScore = sc;
    }
  }
  return pick;
}

/** What each folder holds, by content (root metadata, certificates, private keys). */
function contentStats(files: MemorySource, list: string[]): Map<string, FolderStats> {
  const stats = new Map<string, FolderStats>();
  for (const p of list) {
    const f = files.get(p);
    const data = f?.data;
    if (!data) continue;
    const d = dirOf(p);
    const s = stats.get(d) ?? { roots: 0, certs: 0, keys: 0, onlineKeys: 0 };
    if (ROOT_FILE_NAME.test(baseOf(p)) && looksLikeTufRoot(data)) s.roots++;
    if (looksLikeCertificate(data)) s.certs++;
    else if (looksLikePrivateKey(data)) {
      s.keys++;
      if (/timestamp|snapshot/i.test(baseOf(p))) s.onlineKeys++;
    }
    stats.set(d, s);
  }
  return stats;
}

export function locateLayout(files: MemorySource, profile: Profile, report: Report): ArchiveLayout {
  const list = files.list();
  // Only needed when a default folder is absent: then gathered once.
  let cached: Map<string, FolderStats> | undefined;
  const stats = (): Map<string, FolderStats> => (cached ??= contentStats(files, list));
  const kinds = [
    {
      field: 'certs' as const,
      what: 'certificate folder',
      def: normalizeEntryPath(profile.paths.certs).rel,
      sniff: () => best(stats(), (s) => (s.certs > 0 && s.keys > 0 ? s.certs * 2 + s.keys : 0)),
    },
    {
      field: 'tufMetadata' as const,
      what: 'TUF metadata folder',
      def: normalizeEntryPath(profile.paths.tufMetadata).rel,
      sniff: () => best(stats(), (s) => s.roots),
    },
    {
      field: 'tufKeys' as const,
      what: 'online TUF keys folder',
      def: normalizeEntryPath(profile.paths.tufKeys).rel,
      // private keys without certificates, preferring files named for the online roles
      sniff: (exclude: string | undefined) =>
        best(stats(), (s, dir) =>
          s.keys > 0 && s.certs === 0 && dir !== exclude ? s.onlineKeys * 10 + s.keys : 0,
        ),
    },
  ];
  const layout: ArchiveLayout = { dumps: [], tufMetadata: undefined, tufKeys: undefined, certs: undefined };
  for (const k of kinds) {
    if (hasFilesUnder(list, k.def)) {
      layout[k.field] = k.def;
      continue;
    }
    const found = k.sniff(layout.certs);
    if (found !== undefined) {
      layout[k.field] = found;
      report(
        'ARCHIVE_LAYOUT_SNIFFED',
        { path: found, field: k.field },
        `No ${k.what} at ${k.def}/; using ${found === '' ? 'the archive root' : found + '/'}, recognised by its content`,
        { default: k.def },
      );
    } else
      report(
        'ARCHIVE_LAYOUT_MISSING',
        { path: k.def, field: k.field },
        `No ${k.what}: ${k.def}/ is absent and no folder looks like one`,
        {
          default: k.def,
        },
      );
  }
  return layout;
}
