// What the drill works on: the TUF metadata, the online keys, the certificate folder and the
// artifacts rows, from a backup archive (read in memory, never extracted) and/or from restored
// node directories. Nothing here writes anywhere.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readBackupArchive } from '../verify/backup.js';
import { DirectorySource, type FileSource } from '../files/source.js';
import type { Profile } from '../profile/profile.js';
import type { VerifyContext } from '../verify/context.js';
import type { CollectedTable } from '../verify/table-rows.js';

export interface DrillInput {
  metadata: FileSource | undefined;
  keys: FileSource | undefined;
  certs: FileSource | undefined;
  artifacts: CollectedTable | undefined;
}

/**
 * Read the archive into ctx (archive, dumps with their small tables). The audit chain is not
 * replayed: `verify` does that; the drill needs only the artifacts rows.
 */
export async function readDrillArchive(ctx: VerifyContext, path: string): Promise<void> {
  const dumpOpts = { ...ctx.opts, steps: { chain: false, tuf: false, certs: false, cross: true } };
  await readBackupArchive(ctx, path, () => dumpOpts, 'Read the archive and its database dump');
}

/** The drill's inputs: restored directories where given, the archive's folders otherwise. */
export function drillInput(ctx: VerifyContext, dirs: { tufDir?: string; certsDir?: string }): DrillInput {
  const a = ctx.archive;
  const p = ctx.opts.profile;
  let metadata: FileSource | undefined;
  let keys: FileSource | undefined;
  let certs: FileSource | undefined;
  if (dirs.tufDir !== undefined) {
    const t = tufDirSources(dirs.tufDir, p);
    metadata = t.metadata;
    keys = t.keys;
  } else if (a) {
    const m = a.layout.tufMetadata;
    const k = a.layout.tufKeys;
    if (m !== undefined) metadata = a.files.sub(m, `archive ${a.facts.path}:${m || '.'}`);
    if (k !== undefined) keys = a.files.sub(k, `archive ${a.facts.path}:${k || '.'}`);
  }
  if (dirs.certsDir !== undefined) certs = new DirectorySource(dirs.certsDir);
  else if (a && a.layout.certs !== undefined)
    certs = a.files.sub(a.layout.certs, `archive ${a.facts.path}:${a.layout.certs || '.'}`);
  const artifacts = ctx.dumps.map((d) => d.result.tables.artifacts).find((t) => t !== undefined);
  return { metadata, keys, certs, artifacts };
}

/**
 * A restored update-repository directory holds the profile's metadata and keys folders below it
 * ("metadata/", "keys/" by default); a directory that holds root metadata itself is the metadata.
 */
export function tufDirSources(
  dir: string,
  profile: Profile,
): { metadata: FileSource | undefined; keys: FileSource | undefined } {
  const { metadata: mRel, keys: kRel } = tufRelative(profile.paths.tufMetadata, profile.paths.tufKeys);
  const isDir = (d: string): boolean => {
    try {
      return statSync(d).isDirectory();
    } catch {
      return false;
    }
  };
  const mDir = join(dir, mRel);
  const kDir = join(dir, kRel);
  if (mRel !== '' && isDir(mDir))
    return { metadata: new DirectorySource(mDir), keys: isDir(kDir) ? new DirectorySource(kDir) : undefined };
  if (existsSync(join(dir, 'root.json')) || existsSync(join(dir, '1.root.json')))
    return { metadata: new DirectorySource(dir), keys: undefined };
  return { metadata: undefined, keys: isDir(kDir) ? new DirectorySource(kDir) : undefined };
}

/** The metadata and keys folders relative to their common parent ("tuf/metadata" → "metadata"). */
function tufRelative(metadata: string, keys: string): { metadata: string; keys: string } {
  const a = metadata.split('/');
  const b = keys.split('/');
  let i = 0;
  while (i < a.length - 1 && i < b.length - 1 && a[i] === b[i]) i++;
  return { metadata: a.slice(i).join('/'), keys: b.slice(i).join('/') };
}
