// A FileSource that is another one with some files replaced or added in memory: the metadata
// folder as the restored node would serve it after re-signing, without copying or writing it.
import type { FileSource, SourceFile } from '../files/source.js';

export class OverlaySource implements FileSource {
  private readonly over = new Map<string, SourceFile>();
  constructor(
    private readonly base: FileSource,
    readonly description: string,
  ) {}

  put(path: string, data: Buffer, mtime: Date): void {
    this.over.set(path, { path, data, mode: 0o644, mtime, size: data.length });
  }

  list(): string[] {
    const all = new Set(this.base.list());
    for (const p of this.over.keys()) all.add(p);
    return [...all].sort();
  }

  get(path: string): SourceFile | undefined {
    return this.over.get(path) ?? this.base.get(path);
  }

  dirMode(path: string): number | undefined {
    return this.base.dirMode(path);
  }
}
