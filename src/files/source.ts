// A read-only view of a folder of small files (TUF metadata, certificates, keys), whether it
// came out of an archive (held in memory, bounded) or from a directory on disk (a live node).
// Verifiers of those folders take a FileSource so they never care where the bytes came from.
import { lstatSync, readdirSync, openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { join, posix } from 'node:path';

export interface SourceFile {
  /** Path relative to the source root, '/'-separated. */
  path: string;
  /** File content; undefined when the file could not be read (see `error`). */
  data: Buffer | undefined;
  /** Permission bits (e.g. 0o600) as recorded in the archive or on disk. */
  mode: number;
  /** Modification time, when known. */
  mtime: Date | undefined;
  size: number;
  /** Why `data` is missing: too large for the per-file bound, unreadable, … */
  error?: string;
}

export interface DirInfo {
  path: string;
  mode: number;
}

export interface FileSource {
  /** Human description: "archive backup.tar.gz:tuf/metadata" or "directory /srv/tuf". */
  readonly description: string;
  /** Every regular file, relative paths, sorted. */
  list(): string[];
  get(path: string): SourceFile | undefined;
  /** Mode of a directory (relative path, '' for the root) when known. */
  dirMode(path: string): number | undefined;
}

/** A FileSource over files already in memory (an archive's small entries). */
export class MemorySource implements FileSource {
  private readonly files = new Map<string, SourceFile>();
  private readonly dirs = new Map<string, number>();
  constructor(readonly description: string) {}
  put(f: SourceFile): void {
    this.files.set(f.path, f);
  }
  putDir(path: string, mode: number): void {
    this.dirs.set(path, mode);
  }
  list(): string[] {
    return [...this.files.keys()].sort();
  }
  get(path: string): SourceFile | undefined {
    return this.files.get(path);
  }
  dirMode(path: string): number | undefined {
    return this.dirs.get(path);
  }
  /** A sub-view rooted at `prefix` (no trailing slash), paths made relative to it. */
  sub(prefix: string, description: string): MemorySource {
    const out = new MemorySource(description);
    const p = prefix === '' ? '' : prefix + '/';
    for (const [k, v] of this.files) if (k.startsWith(p)) out.put({ ...v, path: k.slice(p.length) });
    for (const [k, v] of this.dirs) {
      if (k === prefix) out.putDir('', v);
      else if (k.startsWith(p)) out.putDir(k.slice(p.length), v);
    }
    return out;
  }
}

/** A FileSource over a directory on disk. Never follows symlinks; bounded per-file reads. */
export class DirectorySource implements FileSource {
  private cache: string[] | undefined;
  constructor(
    readonly root: string,
    private readonly maxFileBytes = 8 * 1024 * 1024,
    private readonly maxFiles = 100_000,
  ) {}
  get description(): string {
    return `directory ${this.root}`;
  }
  list(): string[] {
    if (this.cache) return this.cache;
    const out: string[] = [];
    const walk = (rel: string, depth: number): void => {
      if (depth > 32 || out.length >= this.maxFiles) return;
      let names: string[];
      try {
        names = readdirSync(join(this.root, rel));
      } catch {
        return;
      }
      for (const n of names.sort()) {
        const r = rel === '' ? n : posix.join(rel, n);
        let st;
        try {
          st = lstatSync(join(this.root, r));
        } catch {
          continue;
        }
        if (st.isDirectory()) walk(r, depth + 1);
        else if (st.isFile()) out.push(r);
      }
    };
    walk('', 0);
    this.cache = out;
    return out;
  }
  get(path: string): SourceFile | undefined {
    const full = join(this.root, path);
    let st;
    try {
      st = lstatSync(full);
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    const base = { path, mode: st.mode & 0o7777, mtime: st.mtime, size: st.size };
    if (st.size > this.maxFileBytes)
      return {
        ...base,
        data: undefined,
        error: `larger than the ${this.maxFileBytes}-byte bound for one file`,
      };
    try {
      const fd = openSync(full, 'r');
      try {
        const size = Math.min(fstatSync(fd).size, this.maxFileBytes);
        const buf = Buffer.alloc(size);
        let off = 0;
        while (off < size) {
          const n = readSync(fd, buf, off, size - off, off);
          if (n === 0) break;
          off += n;
        }
        return { ...base, data: buf.subarray(0, off) };
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      return { ...base, data: undefined, error: e instanceof Error ? e.message : String(e) };
    }
  }
  dirMode(path: string): number | undefined {
    try {
      const st = lstatSync(join(this.root, path));
      return st.isDirectory() ? st.mode & 0o7777 : undefined;
    } catch {
      return undefined;
    }
  }
}
