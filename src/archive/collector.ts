// Receives the entries of the tar pass: classifies each (dump, small file kept in memory, large
// file drained, directory, link, special file), streams dumps to the consumer, and at the end
// fixes the final paths (common top folder) and reports everything found about the entries.
// Findings about entries are held until the end so that they name the final path.
import { posix } from 'node:path';
import type { ReadEntry } from 'tar';
import type { Findings } from '../findings/collector.js';
import type { JsonValue, Location } from '../findings/types.js';
import { MemorySource } from '../files/source.js';
import type { ArchiveCode } from './codes.js';
import { locateLayout } from './layout.js';
import {
  TopFolder,
  dirOf,
  escapeBytes,
  isValidUtf8,
  normalizeEntryPath,
  stripTop,
  isUnder,
  type NormPath,
} from './paths.js';
import { ChunkPipe } from './pipe.js';
import { isGzip, looksLikeCertificate, looksLikeDump, looksLikePrivateKey } from './sniff.js';
import type { FirstBlock, HeaderAt, TarSink } from './tar-driver.js';
import type { ArchiveLayout, ArchiveOptions, EntryInfo, EntryKind } from './types.js';

/** Bytes looked at to recognise a dump or a PEM file before deciding what to do with an entry. */
const SNIFF_BYTES = 512;

type Code = ArchiveCode | 'LIMIT_EXCEEDED' | 'RUN_INTERNAL_ERROR';

export type Role = 'none' | 'dump' | 'kept' | 'large' | 'over-total';

export interface Rec {
  info: EntryInfo;
  norm: NormPath;
  kind: EntryKind;
  role: Role;
  dumpBy?: 'path' | 'content';
  /** Content of a kept file. */
  data?: Buffer;
  /** Why a regular file's content is not available. */
  error?: string;
  isKey: boolean;
  isCert: boolean;
}

interface Pending {
  code: Code;
  rec: Rec | undefined;
  loc: Location;
  message: string;
  detail: { [k: string]: JsonValue } | undefined;
  /** Name the last complete entry before this point in the detail. */
  lastGood?: Rec | null;
}

interface FileState {
  phase: 'sniff' | 'dump' | 'keep' | 'drain';
  chunks: Buffer[];
  len: number;
  pipe: ChunkPipe | undefined;
  /** A kept file's content, allocated once at its declared size (no chunk list, no concat copy). */
  buf?: Buffer;
}

const KIND: Record<string, EntryKind> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'directory',
  GNUDumpDir: 'directory',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
  CharacterDevice: 'chardev',
  BlockDevice: 'blockdev',
  FIFO: 'fifo',
};

function octal(mode: number): string {
  return '0' + mode.toString(8).padStart(3, '0');
}

export interface Finalized {
  topFolder: string | null;
  files: MemorySource;
  layout: ArchiveLayout;
  entries: EntryInfo[];
}

export class EntryCollector implements TarSink {
  readonly recs: Rec[] = [];
  private readonly byEntry = new WeakMap<ReadEntry, Rec>();
  private readonly states = new WeakMap<Rec, FileState>();
  private readonly lastByKey = new Map<string, Rec>();
  private readonly top: TopFolder;
  private readonly pending: Pending[] = [];
  private readonly dumpPaths: ReadonlySet<string>;
  private readonly dumpDirs: string[];
  private activePipe: ChunkPipe | undefined;
  private awaiting: Promise<void>[] = [];
  private smallTotal = 0;
  private lastGood: Rec | undefined;
  private badArchive: string | undefined;
  stopRequested = false;
  /** Header blocks were corrupt (the tar stream is not whole). */
  corrupt = false;
  /** The first block said this is not tar. */
  notTar: string | undefined;
  firstBlock: FirstBlock | undefined;
  /** Set once the container is known: which stream entry offsets are in. */
  offsetOf: 'archive' | 'decompressed' = 'archive';

  constructor(
    private readonly opts: ArchiveOptions,
    private readonly archivePath: string,
  ) {
    const p = opts.profile.paths;
    const layoutPaths = [
      ...p.dumps,
      p.tufMetadata,
      p.tufKeys,
      p.certs,
      p.serverCert,
      p.serverKey,
      p.caCert,
      p.caKey,
    ];
    const reserved = new Set(
      layoutPaths.map((x) => normalizeEntryPath(x).comps[0] ?? '').filter((x) => x !== ''),
    );
    this.top = new TopFolder(reserved);
    this.dumpPaths = new Set(p.dumps.map((x) => normalizeEntryPath(x).rel));
    this.dumpDirs = [...new Set(p.dumps.map((x) => dirOf(normalizeEntryPath(x).rel)))];
  }

  get findings(): Findings {
    return this.opts.findings;
  }

  /** Queue a finding; an entry's path and offset are filled in at the end (final paths). */
  pend(
    code: Code,
    rec: Rec | undefined,
    loc: Location,
    message: string,
    detail?: { [k: string]: JsonValue },
    lastGood = false,
  ): void {
    const p: Pending = { code, rec, loc, message, detail };
    if (lastGood) p.lastGood = this.lastGood ?? null;
    this.pending.push(p);
  }

  currentRecOf(entry: ReadEntry | undefined): Rec | undefined {
    return entry ? this.byEntry.get(entry) : undefined;
  }

  get lastGoodRec(): Rec | undefined {
    return this.lastGood;
  }

  // ---- TarSink ----

  onFirstBlock(fb: FirstBlock): void {
    this.firstBlock = fb;
    if (fb.kind === 'not-tar') this.notTar = fb.reason;
  }

  onEntry(e: ReadEntry, at: HeaderAt): void {
    const rec = this.record(e, at, KIND[e.type] ?? 'unsupported');
    if (!rec) {
      e.resume();
      return;
    }
    if (rec.kind === 'file') this.startFile(rec, e);
    else {
      e.resume();
      this.lastGood = rec;
    }
  }

  onIgnored(e: ReadEntry, at: HeaderAt): void {
    if (e.meta) {
      this.pend(
        'ARCHIVE_META_IGNORED',
        undefined,
        { offset: at.offset, offsetOf: this.offsetOf },
        `An extended header of ${e.size} bytes is larger than the ${1024 * 1024}-byte bound and was ignored`,
        { type: e.type, size: e.size },
      );
      return;
    }
    const rec = this.record(e, at, 'unsupported');
    if (!rec) return;
    this.lastGood = rec;
    this.pend('ARCHIVE_ENTRY_UNSUPPORTED', rec, {}, `Entry of unsupported type ${e.type} skipped`, {
      type: String(e.header.typeKey),
    });
  }

  onInvalidHeaders(offset: number, blocks: number, reasons: string[]): void {
    this.corrupt = true;
    this.pend(
      'ARCHIVE_HEADER_INVALID',
      undefined,
      { offset, offsetOf: this.offsetOf },
      `${blocks} block(s) from offset ${offset} are not valid tar headers (${reasons.join('; ')}); skipped to the next valid header`,
      { blocks, reasons },
      true,
    );
  }

  onLoneZeroBlock(offset: number): void {
    this.pend(
      'ARCHIVE_LONE_ZERO_BLOCK',
      undefined,
      { offset, offsetOf: this.offsetOf },
      'A single zero block is followed by more entries: GNU tar would stop extracting here',
      undefined,
      true,
    );
  }

  onTrailingData(offset: number): void {
    this.pend(
      'ARCHIVE_TRAILING_DATA',
      undefined,
      { offset, offsetOf: this.offsetOf },
      'Non-zero data follows the end-of-archive marker (ignored by tar -x)',
    );
  }

  onParserWarning(code: string, message: string, offset: number): void {
    if (code === 'TAR_BAD_ARCHIVE') {
      this.badArchive = message;
      return;
    }
    this.pend('ARCHIVE_TAR_WARNING', undefined, { offset, offsetOf: this.offsetOf }, `${code}: ${message}`, {
      tarCode: code,
    });
  }

  onCut(entry: ReadEntry): void {
    const rec = this.byEntry.get(entry);
    if (!rec) return;
    rec.info.truncated = true;
  }

  settle(): Promise<void> | undefined {
    const pipe = this.activePipe;
    if (pipe) return pipe.room();
    if (this.awaiting.length === 0) return undefined;
    const all = this.awaiting;
    this.awaiting = [];
    return Promise.all(all).then(() => undefined);
  }

  // ---- entries ----

  private record(e: ReadEntry, at: HeaderAt, kind: EntryKind): Rec | undefined {
    const limits = this.opts.limits;
    if (this.recs.length >= limits.maxEntries) {
      if (!this.stopRequested)
        this.pend(
          'LIMIT_EXCEEDED',
          undefined,
          { path: this.archivePath, limit: 'maxEntries', offset: at.offset, offsetOf: this.offsetOf },
          `More than maxEntries (${limits.maxEntries}) entries: entry ${limits.maxEntries + 1} (${e.path}) and the rest of the archive were not read`,
          { maxEntries: limits.maxEntries, entry: e.path },
        );
      this.stopRequested = true;
      return undefined;
    }
    let rawPath = e.path;
    let nonUtf8: Buffer | undefined;
    // A name that is not UTF-8 decodes with U+FFFD; escape its bytes so it stays unambiguous.
    if (rawPath.includes('\uFFFD') && at.rawName && !isValidUtf8(at.rawName)) {
      nonUtf8 = at.rawName;
      rawPath = escapeBytes(at.rawName);
    }
    const norm = normalizeEntryPath(rawPath);
    this.top.add(norm, kind === 'directory');
    const info: EntryInfo = {
      path: stripTop(norm, this.top.tentative()),
      rawPath,
      size: e.size,
      mode: e.mode ?? 0,
      // a pax mtime of "NaN" or 1e400 is an Invalid Date: as good as none (toISOString would throw)
      mtime: e.mtime !== undefined && Number.isFinite(e.mtime.getTime()) ? e.mtime : undefined,
      index: this.recs.length,
      offset: at.offset,
      kind,
    };
    if (at.extendedOffset !== undefined) info.extendedOffset = at.extendedOffset;
    if ((kind === 'symlink' || kind === 'hardlink') && e.linkpath !== undefined) info.linkpath = e.linkpath;
    const rec: Rec = { info, norm, kind, role: 'none', isKey: false, isCert: false };
    this.recs.push(rec);
    this.byEntry.set(e, rec);

    const prev = this.lastByKey.get(norm.rel);
    if (prev)
      this.pend(
        'ARCHIVE_DUPLICATE_PATH',
        rec,
        {},
        `Path occurs again (entry ${prev.info.index} at offset ${prev.info.offset}); this later entry wins`,
        {
          firstIndex: prev.info.index,
          firstOffset: prev.info.offset,
          index: info.index,
          offset: info.offset,
        },
      );
    this.lastByKey.set(norm.rel, rec);

    if (nonUtf8)
      this.pend('ARCHIVE_NAME_NOT_UTF8', rec, {}, `Entry name is not UTF-8: ${rawPath}`, {
        escaped: rawPath,
      });
    if (norm.absolute) this.pend('ARCHIVE_ABSOLUTE_PATH', rec, {}, 'Absolute path: never extracted');
    if (norm.dotdot) this.pend('ARCHIVE_DOTDOT_PATH', rec, {}, 'Path with a ".." component: never extracted');
    if (kind === 'chardev' || kind === 'blockdev' || kind === 'fifo')
      this.pend(
        'ARCHIVE_SPECIAL_FILE',
        rec,
        {},
        kind === 'fifo' ? 'A FIFO: never extracted' : 'A device node: never extracted',
        kind === 'fifo' ? { type: kind } : { type: kind, major: e.header.devmaj, minor: e.header.devmin },
      );
    const mode = info.mode;
    if ((mode & 0o6000) !== 0)
      this.pend(
        'ARCHIVE_SETUID_SETGID',
        rec,
        {},
        `Mode ${octal(mode)} has the ${(mode & 0o4000) !== 0 ? 'setuid' : 'setgid'} bit`,
        { mode: octal(mode) },
      );
    if ((mode & 0o1000) !== 0)
      this.pend('ARCHIVE_STICKY_BIT', rec, {}, `Mode ${octal(mode)} has the sticky bit`, {
        mode: octal(mode),
      });
    return rec;
  }

  private startFile(rec: Rec, e: ReadEntry): void {
    const st: FileState = { phase: 'sniff', chunks: [], len: 0, pipe: undefined };
    this.states.set(rec, st);
    // 'end' first: a zero-length entry ends as soon as it starts flowing.
    e.on('end', () => this.fileEnd(rec, st));
    e.on('data', (c: Buffer) => this.fileData(rec, st, c));
  }

  private fileData(rec: Rec, st: FileState, c: Buffer): void {
    switch (st.phase) {
      case 'sniff':
        st.chunks.push(c);
        st.len += c.length;
        if (st.len >= SNIFF_BYTES) this.decide(rec, st);
        return;
      case 'dump':
        st.pipe?.push(c);
        return;
      case 'keep': {
        const buf = st.buf;
        if (!buf) return;
        st.len += c.copy(buf, st.len);
        return;
      }
      case 'drain':
        return;
    }
  }

  private head(st: FileState): Buffer {
    const b = st.chunks.length === 1 ? st.chunks[0] : Buffer.concat(st.chunks, st.len);
    return (b ?? Buffer.alloc(0)).subarray(0, SNIFF_BYTES);
  }

  /** Candidate layout paths of an entry while the top folder is unknown: as is, and minus its first folder. */
  private candidates(rec: Rec): string[] {
    const n = rec.norm;
    if (n.absolute || n.dotdot) return [];
    return n.comps.length > 1 ? [n.rel, n.comps.slice(1).join('/')] : [n.rel];
  }

  private decide(rec: Rec, st: FileState): void {
    const head = this.head(st);
    const cands = this.candidates(rec);
    const limits = this.opts.limits;
    const size = rec.info.size;
    let dumpBy: 'path' | 'content' | undefined;
    if (cands.some((c) => this.dumpPaths.has(c))) dumpBy = 'path';
    else if (looksLikeDump(head)) dumpBy = 'content';
    else if (
      isGzip(head) &&
      cands.some((c) => c.endsWith('.sql.gz') && this.dumpDirs.some((d) => d !== '' && dirOf(c) === d))
    )
      dumpBy = 'content';
    if (dumpBy && !rec.norm.absolute && !rec.norm.dotdot) {
      rec.role = 'dump';
      rec.dumpBy = dumpBy;
      this.startDump(rec, st);
      return;
    }
    if (size <= limits.maxEntryBytes && this.smallTotal + size <= limits.maxTotalSmallBytes) {
      this.smallTotal += size;
      rec.role = 'kept';
      st.phase = 'keep';
      // Copied once into a buffer of the declared size: the decompressed chunks it came in are
      // garbage at once, so memory holds each kept byte once.
      const buf = Buffer.allocUnsafe(size);
      let n = 0;
      for (const c of st.chunks) n += c.copy(buf, n);
      st.buf = buf;
      st.len = n;
      st.chunks = [];
      return;
    }
    rec.isKey = rec.norm.rel.endsWith('.key') || looksLikePrivateKey(head);
    if (size > limits.maxEntryBytes) {
      rec.role = 'large';
      rec.error = `larger than the ${limits.maxEntryBytes}-byte bound for one file`;
      this.pend(
        'ARCHIVE_ENTRY_TOO_LARGE',
        rec,
        {},
        `The entry claims ${size} bytes, more than maxEntryBytes (${limits.maxEntryBytes}) allows in memory: not read`,
        { size, maxEntryBytes: limits.maxEntryBytes },
      );
    } else {
      rec.role = 'over-total';
      rec.error = `not read: the ${limits.maxTotalSmallBytes}-byte bound for all small files was reached`;
      this.pend(
        'LIMIT_EXCEEDED',
        rec,
        { limit: 'maxTotalSmallBytes' },
        `Small files exceed maxTotalSmallBytes (${limits.maxTotalSmallBytes} bytes in all): this file (${size} bytes) was not read`,
        { size, maxTotalSmallBytes: limits.maxTotalSmallBytes },
      );
    }
    st.phase = 'drain';
    st.chunks = [];
    st.len = 0;
  }

  private startDump(rec: Rec, st: FileState): void {
    const pipe = new ChunkPipe();
    for (const c of st.chunks) pipe.push(c);
    st.chunks = [];
    st.len = 0;
    st.phase = 'dump';
    st.pipe = pipe;
    this.activePipe = pipe;
    const run = async (): Promise<void> => {
      // let the tar pass return from the Parser before the consumer starts
      await Promise.resolve();
      try {
        await this.opts.onDump(rec.info, pipe);
      } catch (err) {
        this.pend(
          'RUN_INTERNAL_ERROR',
          rec,
          {},
          `The dump reader failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      } finally {
        pipe.close();
      }
    };
    this.awaiting.push(run());
  }

  private fileEnd(rec: Rec, st: FileState): void {
    if (st.phase === 'sniff') this.decide(rec, st);
    const truncated = rec.info.truncated === true;
    switch (st.phase) {
      case 'dump':
        st.pipe?.end();
        this.activePipe = undefined;
        break;
      case 'keep': {
        const data = (st.buf ?? Buffer.alloc(0)).subarray(0, st.len);
        st.buf = undefined;
        rec.isKey = rec.norm.rel.endsWith('.key') || looksLikePrivateKey(data);
        rec.isCert = looksLikeCertificate(data);
        if (truncated) rec.error = 'cut short: the archive ends inside this file';
        else rec.data = data;
        break;
      }
      default:
        break;
    }
    if (!truncated) this.lastGood = rec;
    this.states.delete(rec);
  }

  // ---- the end ----

  /** Final paths, files, layout and the entry findings. `parsed`: the stream was tar (else only
   *  pending findings are reported); `partial`: the pass did not read the archive to its end. */
  finalize(parsed: boolean, partial: boolean): Finalized {
    const topFolder = parsed ? this.top.final() : null;
    for (const r of this.recs) r.info.path = stripTop(r.norm, topFolder);
    const files = new MemorySource(`archive ${this.archivePath}`);
    const empty: ArchiveLayout = { dumps: [], tufMetadata: undefined, tufKeys: undefined, certs: undefined };
    if (!parsed) {
      this.flush();
      return { topFolder, files, layout: empty, entries: this.recs.map((r) => r.info) };
    }
    if (this.recs.length === 0 && !partial) {
      this.pend('ARCHIVE_EMPTY', undefined, { path: this.archivePath }, 'The archive holds no entries', {
        parser: this.badArchive ?? null,
      });
    } else if (this.badArchive !== undefined && !this.corrupt) {
      this.pend('ARCHIVE_BAD_TAR', undefined, { path: this.archivePath }, this.badArchive);
    }

    // The restored tree: the last entry at each path wins, as with tar -x.
    const winners = new Map<string, Rec>();
    for (const r of this.recs) {
      if (r.norm.absolute || r.norm.dotdot) continue;
      winners.set(r.info.path, r);
    }
    for (const [p, r] of winners) {
      if (r.kind === 'directory') files.putDir(p, r.info.mode);
      else if (r.kind === 'file' && r.role !== 'dump') {
        const f = { path: p, data: r.data, mode: r.info.mode, mtime: r.info.mtime, size: r.info.size };
        files.put(r.error !== undefined ? { ...f, data: undefined, error: r.error } : f);
      }
    }

    const suffix = partial ? ' (in the part of the archive that could be read)' : '';
    const layout = locateLayout(files, this.opts.profile, (code, loc, message, detail) =>
      this.pend(code, undefined, loc, message + suffix, detail),
    );
    layout.dumps = this.dumpList();
    this.checkLinks(layout);
    this.checkKeys(winners);
    if (layout.dumps.length === 0)
      this.pend('ARCHIVE_NO_DUMP', undefined, { path: this.archivePath }, 'No database dump found' + suffix, {
        expected: this.opts.profile.paths.dumps,
      });
    else if (layout.dumps.length > 1)
      this.pend(
        'ARCHIVE_MULTIPLE_DUMPS',
        undefined,
        { path: layout.dumps[1] },
        `${layout.dumps.length} database dumps: ${layout.dumps.join(', ')}`,
        { dumps: layout.dumps },
      );
    this.flush();
    return { topFolder, files, layout, entries: this.recs.map((r) => r.info) };
  }

  private dumpList(): string[] {
    const dumps = this.recs.filter((r) => r.role === 'dump');
    const order = this.opts.profile.paths.dumps.map((p) => normalizeEntryPath(p).rel);
    const rank = (r: Rec): number => {
      const i = order.indexOf(r.info.path);
      return i < 0 ? order.length : i;
    };
    return dumps
      .map((r, i) => ({ r, i }))
      .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
      .map(({ r }) => r.info.path);
  }

  private checkLinks(layout: ArchiveLayout): void {
    const p = this.opts.profile.paths;
    const trust = [p.tufMetadata, p.tufKeys, p.certs, layout.tufMetadata, layout.tufKeys, layout.certs]
      .filter((x): x is string => x !== undefined)
      .map((x) => normalizeEntryPath(x).rel);
    const top = this.top.final();
    const seen = new Set<string>();
    for (const r of this.recs) {
      if ((r.kind === 'symlink' || r.kind === 'hardlink') && !r.norm.absolute && !r.norm.dotdot) {
        const path = r.info.path;
        const target = r.info.linkpath ?? '';
        let outside: string | undefined;
        if (r.kind === 'symlink') {
          const resolved = posix.normalize(posix.join(dirOf(path), target));
          if (target.startsWith('/')) outside = 'absolute target';
          else if (resolved === '..' || resolved.startsWith('../'))
            outside = 'target resolves above the archive root';
        } else {
          const t = normalizeEntryPath(target);
          if (t.absolute) outside = 'absolute target';
          else if (t.dotdot) outside = 'target has a ".." component';
          else if (!seen.has(stripTop(t, top))) outside = 'target is not an earlier entry of the archive';
        }
        if (outside)
          this.pend(
            'ARCHIVE_LINK_OUTSIDE',
            r,
            {},
            `${r.kind === 'symlink' ? 'Symbolic' : 'Hard'} link to ${target}: ${outside}`,
            {
              linkpath: target,
              kind: r.kind,
            },
          );
        const folder = trust.find((f) => (f === '' ? dirOf(path) === '' : isUnder(path, f)));
        if (folder !== undefined)
          this.pend(
            'ARCHIVE_LINK_IN_TRUST_FOLDER',
            r,
            {},
            `${r.kind === 'symlink' ? 'Symbolic' : 'Hard'} link to ${target} in ${folder === '' ? 'the archive root' : folder}/: never followed`,
            { linkpath: target, folder },
          );
      }
      if (!r.norm.absolute && !r.norm.dotdot) seen.add(r.info.path);
    }
  }

  private checkKeys(winners: Map<string, Rec>): void {
    const keyDirs = new Map<string, Rec>();
    for (const [p, r] of winners) {
      if (r.kind !== 'file' || r.role === 'dump' || !r.isKey) continue;
      const mode = r.info.mode;
      if ((mode & 0o177) !== 0)
        this.pend(
          'ARCHIVE_KEY_MODE_LOOSE',
          r,
          {},
          `Private key file with mode ${octal(mode)} (must be 0600 or stricter)`,
          {
            mode: octal(mode),
          },
        );
      const d = dirOf(p);
      if (!keyDirs.has(d)) keyDirs.set(d, r);
    }
    for (const [d, keyRec] of keyDirs) {
      const dirRec = winners.get(d);
      const shown = d === '' ? '(archive root)' : d;
      if (!dirRec || dirRec.kind !== 'directory') {
        this.pend(
          'ARCHIVE_KEY_DIR_MODE_UNKNOWN',
          undefined,
          { path: d },
          `Folder ${shown} holds private keys (e.g. ${keyRec.info.path}) but has no directory entry: its mode is unknown`,
        );
        continue;
      }
      const mode = dirRec.info.mode;
      if ((mode & 0o077) !== 0)
        this.pend(
          'ARCHIVE_KEY_DIR_MODE_LOOSE',
          dirRec,
          {},
          `Folder ${shown} holds private keys and has mode ${octal(mode)} (should be 0700 or stricter)`,
          { mode: octal(mode) },
        );
    }
  }

  private flush(): void {
    // Archive-wide findings (bounds reached, truncation, layout) before the per-entry ones: a
    // flood of entry findings must not push them past the findings cap.
    const wide = this.pending.filter((p) => p.rec === undefined || p.code === 'LIMIT_EXCEEDED');
    const perEntry = this.pending.filter((p) => !(p.rec === undefined || p.code === 'LIMIT_EXCEEDED'));
    for (const p of [...wide, ...perEntry]) {
      const loc: Location = { ...p.loc };
      if (p.rec) {
        if (loc.path === undefined) loc.path = p.rec.info.path;
        if (loc.offset === undefined) {
          loc.offset = p.rec.info.offset;
          loc.offsetOf = this.offsetOf;
        }
      }
      let detail = p.detail;
      if (p.lastGood !== undefined) {
        detail = {
          ...(detail ?? {}),
          lastGoodEntry: p.lastGood ? p.lastGood.info.path : null,
          lastGoodIndex: p.lastGood ? p.lastGood.info.index : null,
        };
      }
      this.findings.add(p.code, loc, p.message, detail);
    }
    this.pending.length = 0;
  }
}
