// pg_dump plain format (.sql): a psql script. A light SQL lexer (quotes, E'' strings, dollar
// quotes, nested comments) finds top-level statements so that text inside a function body is never
// taken for a COPY; "COPY ... FROM stdin;" is followed, from the next line, by COPY text ending at
// a "\." line (as psql reads it). psql meta-commands (\connect, \restrict, \unrestrict) are lines
// starting with a backslash between statements. Header comments give the versions; the trailer
// comment "-- PostgreSQL database dump complete" tells the dump was written whole.
import type { ByteReader } from './byte-reader.js';
import type { ReadContext } from './context.js';
import {
  connectTarget,
  insertTarget,
  isCopyFromStdin,
  parseCopyStatement,
  startsWithKeyword,
  tableKey,
} from './copy-stmt.js';
import { TableFeed } from './feed.js';

const LF = 0x0a;

const enum Lex {
  Normal,
  LineComment,
  BlockComment,
  SQuote,
  DQuote,
  Dollar,
  DollarTag,
  Meta,
}

/** Statement text kept to classify a statement; COPY statements are kept up to maxLineBytes. */
const SHORT_CAP = 256;
const MAX_TAG = 256;
const COMMENT_CAP = 256;
const META_CAP = 4096;

export async function readPlain(r: ByteReader, ctx: ReadContext, headerSeen: boolean): Promise<void> {
  ctx.facts.format = 'plain';
  if (!headerSeen) {
    ctx.add(
      'DUMP_PLAIN_HEADER_MISSING',
      { offset: 0 },
      'The file does not start with pg_dump’s "PostgreSQL database dump" header',
    );
  }
  const p = new PlainScanner(ctx);
  let feed: TableFeed | null = null;
  for (;;) {
    const base = r.offset;
    const chunk = await r.nextChunk();
    if (!chunk) break;
    let pos = 0;
    while (pos < chunk.length) {
      if (feed) {
        const next = await feed.push(chunk, pos);
        if (next < 0) break;
        await feed.end(false, base + next);
        feed = null;
        pos = next;
        continue;
      }
      pos = p.scan(chunk, pos, base);
      if (p.copy) {
        const c = p.copy;
        p.copy = null;
        feed = new TableFeed(ctx, c.key, c.ref);
      }
    }
  }
  if (r.stopped) {
    if (feed) await feed.end(true, r.offset);
    return;
  }
  const eofAt = r.offset;
  if (feed) {
    ctx.damaged = true;
    const rows = feed.rows;
    ctx.add(
      'DUMP_COPY_TRUNCATED',
      { table: feed.key, row: rows > 0 ? rows : undefined, offset: eofAt },
      `The dump ends inside the COPY data of ${feed.key ?? 'a table'} (no "\\." line); ${rows} rows were read whole`,
      { lastCompleteRow: rows },
    );
    await feed.end(true, eofAt);
    return;
  }
  if (!p.trailerSeen) {
    ctx.damaged = true;
    ctx.add(
      'DUMP_TRUNCATED',
      { offset: eofAt },
      'The plain dump has no "PostgreSQL database dump complete" trailer: it was cut short',
      {
        where: 'trailer',
      },
    );
    return;
  }
  if (!ctx.damaged) ctx.facts.complete = true;
}

interface PendingCopy {
  key: string | undefined;
  ref: ReturnType<typeof parseCopyStatement>;
}

class PlainScanner {
  trailerSeen = false;
  /** Set when a COPY FROM stdin statement ended and its data starts at the position returned. */
  copy: PendingCopy | null = null;

  private lex = Lex.Normal;
  private blockDepth = 0;
  /** Current string literal honours backslash escapes (E'' or standard_conforming_strings off). */
  private sqEscapes = false;
  private stdStrings = true;
  /** In a quote: the previous byte was the closing-quote candidate (or a backslash in E''). */
  private quotePending = false;
  private pendingDash = false;
  private pendingSlash = false;
  private pendingStar = false;
  private prevByte = 0x20;
  private tag: number[] = [];
  private tagMatch = -1;

  /** The current statement has begun (non-blank, non-comment text since the last ';'). */
  private inStmt = false;
  /** Only blanks since the start of the line (so a backslash starts a meta-command). */
  private lineBlank = true;
  private stmt = Buffer.allocUnsafe(SHORT_CAP);
  private stmtLen = 0;
  private stmtCap = SHORT_CAP;
  private stmtOverflow = false;
  private stmtAt = 0;
  private comment = Buffer.allocUnsafe(COMMENT_CAP);
  private commentLen = 0;
  private meta = Buffer.allocUnsafe(META_CAP);
  private metaLen = 0;
  /** A COPY statement ended; its data begins after the end of this line. */
  private copyAfterEol: PendingCopy | null = null;
  private readonly reportedInserts = new Set<string>();

  constructor(private readonly ctx: ReadContext) {}

  /** Scans buf[pos..] until its end, or until just after the line ending a COPY statement. */
  scan(buf: Buffer, pos: number, base: number): number {
    const n = buf.length;
    let i = pos;
    while (i < n) {
      const c = buf[i] ?? 0;
      i++;
      if (this.copyAfterEol) {
        if (c === LF) {
          this.copy = this.copyAfterEol;
          this.copyAfterEol = null;
          this.lineBlank = true;
          return i;
        }
        continue;
      }
      this.byte(c, base + i - 1);
      if (c === LF) this.lineBlank = true;
    }
    return n;
  }

  private byte(c: number, at: number): void {
    switch (this.lex) {
      case Lex.Normal:
        this.normal(c, at);
        return;
      case Lex.LineComment:
        if (c === LF) {
          this.endComment();
          this.lex = Lex.Normal;
          this.stmtByte(c);
        } else if (this.commentLen < COMMENT_CAP) this.comment[this.commentLen++] = c;
        return;
      case Lex.BlockComment:
        if (this.pendingStar && c === 0x2f) {
          this.pendingStar = false;
          this.blockDepth--;
          if (this.blockDepth === 0) this.lex = Lex.Normal;
          return;
        }
        if (this.pendingSlash && c === 0x2a) {
          this.pendingSlash = false;
          this.blockDepth++;
          return;
        }
        this.pendingStar = c === 0x2a;
        this.pendingSlash = c === 0x2f;
        return;
      case Lex.SQuote:
        if (this.quotePending) {
          this.quotePending = false;
          // After a backslash in E'' the byte is escaped; '' is a quote inside the string.
          if (this.sqEscapes || c === 0x27) {
            this.stmtByte(c);
            return;
          }
          this.lex = Lex.Normal;
          this.normal(c, at);
          return;
        }
        this.stmtByte(c);
        if (c === 0x5c && this.sqEscapes) this.quotePending = true;
        else if (c === 0x27) {
          if (this.sqEscapes) this.lex = Lex.Normal;
          else this.quotePending = true;
        }
        return;
      case Lex.DQuote:
        if (this.quotePending) {
          this.quotePending = false;
          if (c === 0x22) {
            this.stmtByte(c);
            return;
          }
          this.lex = Lex.Normal;
          this.normal(c, at);
          return;
        }
        this.stmtByte(c);
        if (c === 0x22) this.quotePending = true;
        return;
      case Lex.DollarTag:
        if (c === 0x24) {
          this.stmtByte(c);
          this.lex = Lex.Dollar;
          this.tagMatch = -1;
          return;
        }
        if (isTagChar(c) && !(this.tag.length === 0 && c >= 0x30 && c <= 0x39) && this.tag.length < MAX_TAG) {
          this.stmtByte(c);
          this.tag.push(c);
          return;
        }
        // "$" that does not open a dollar quote (a parameter, or not a tag): normal text.
        this.lex = Lex.Normal;
        this.normal(c, at);
        return;
      case Lex.Dollar:
        this.stmtByte(c);
        if (this.tagMatch >= 0) {
          if (this.tagMatch === this.tag.length) {
            if (c === 0x24) {
              this.lex = Lex.Normal;
              this.tagMatch = -1;
              return;
            }
          } else if (c === this.tag[this.tagMatch]) {
            this.tagMatch++;
            return;
          }
          this.tagMatch = -1;
        }
        if (c === 0x24) this.tagMatch = 0;
        return;
      case Lex.Meta:
        if (c === LF) {
          this.endMeta();
          this.lex = Lex.Normal;
        } else if (this.metaLen < META_CAP) this.meta[this.metaLen++] = c;
        return;
    }
  }

  private normal(c: number, at: number): void {
    if (this.pendingDash) {
      this.pendingDash = false;
      if (c === 0x2d) {
        this.lex = Lex.LineComment;
        this.commentLen = 0;
        return;
      }
      this.text(0x2d, at - 1);
    }
    if (this.pendingSlash) {
      this.pendingSlash = false;
      if (c === 0x2a) {
        this.lex = Lex.BlockComment;
        this.blockDepth = 1;
        this.pendingStar = false;
        return;
      }
      this.text(0x2f, at - 1);
    }
    if (c === 0x2d) {
      this.pendingDash = true;
      return;
    }
    if (c === 0x2f) {
      this.pendingSlash = true;
      return;
    }
    if (c === 0x5c && !this.inStmt && this.lineBlank) {
      this.lex = Lex.Meta;
      this.metaLen = 0;
      this.meta[this.metaLen++] = c;
      return;
    }
    this.text(c, at);
  }

  /** A byte of statement text in the Normal state. */
  private text(c: number, at: number): void {
    const blank = c === 0x20 || c === 0x09 || c === LF || c === 0x0d || c === 0x0c;
    if (!blank) this.lineBlank = false;
    if (!this.inStmt) {
      if (blank) return;
      this.inStmt = true;
      this.stmtLen = 0;
      this.stmtCap = SHORT_CAP;
      this.stmtOverflow = false;
      this.stmtAt = at;
    }
    if (c === 0x3b) {
      this.endStatement();
      this.prevByte = c;
      return;
    }
    this.stmtByte(c);
    if (c === 0x27) {
      this.lex = Lex.SQuote;
      this.quotePending = false;
      this.sqEscapes =
        !this.stdStrings || ((this.prevByte === 0x45 || this.prevByte === 0x65) && this.eStringPrefix());
    } else if (c === 0x22) {
      this.lex = Lex.DQuote;
      this.quotePending = false;
    } else if (c === 0x24 && !isIdentChar(this.prevByte)) {
      this.lex = Lex.DollarTag;
      this.tag = [];
    }
    this.prevByte = c;
  }

  /** The 'E' before a quote is a lone E (not the end of a longer identifier). */
  private eStringPrefix(): boolean {
    const k = this.stmtLen - 2; // stmt ends with ... E '
    if (k < 0) return false;
    const before = k > 0 ? (this.stmt[k - 1] ?? 0x20) : 0x20;
    return !isIdentChar(before);
  }

  private stmtByte(c: number): void {
    if (!this.inStmt) return;
    if (this.stmtLen >= this.stmtCap) {
      if (
        this.stmtCap === SHORT_CAP &&
        this.stmtLen === SHORT_CAP &&
        startsWithKeyword(this.stmt.toString('latin1', 0, 8), 'COPY')
      ) {
        this.stmtCap = Math.max(SHORT_CAP, this.ctx.opts.maxLineBytes);
      }
      if (this.stmtLen >= this.stmtCap) {
        this.stmtOverflow = true;
        return;
      }
    }
    if (this.stmtLen >= this.stmt.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.stmtCap, this.stmt.length * 4));
      this.stmt.copy(grown, 0, 0, this.stmtLen);
      this.stmt = grown;
    }
    this.stmt[this.stmtLen++] = c;
  }

  private endStatement(): void {
    this.inStmt = false;
    const head = this.stmt.toString('latin1', 0, Math.min(this.stmtLen, 32));
    if (startsWithKeyword(head, 'COPY')) {
      this.endCopy();
      return;
    }
    // Statements other than COPY are kept only up to SHORT_CAP bytes: enough for these checks.
    const text = this.stmt.toString('utf8', 0, this.stmtLen);
    if (startsWithKeyword(text, 'INSERT')) {
      const t = insertTarget(text);
      if (t !== undefined && !this.reportedInserts.has(t) && this.reportedInserts.size < 10_000) {
        this.reportedInserts.add(t);
        this.ctx.damaged = true;
        this.ctx.add(
          'DUMP_TABLE_NOT_COPY',
          { table: t, offset: this.stmtAt },
          `The data of ${t} is INSERT statements, not COPY text`,
        );
      }
    } else if (this.stmtOverflow) {
      return;
    } else if (/^\s*SET\s+standard_conforming_strings\s*=\s*'?off'?\s*$/i.test(text)) {
      this.stdStrings = false;
    } else if (/^\s*SET\s+standard_conforming_strings\s*=\s*'?on'?\s*$/i.test(text)) {
      this.stdStrings = true;
    }
  }

  private endCopy(): void {
    const ctx = this.ctx;
    if (this.stmtOverflow) {
      // Its data follows anyway: skip it without a table name.
      ctx.damaged = true;
      ctx.add(
        'LIMIT_EXCEEDED',
        { offset: this.stmtAt, limit: 'maxLineBytes' },
        `A COPY statement is longer than maxLineBytes (${ctx.opts.maxLineBytes}); its data was skipped`,
      );
      this.copyAfterEol = { key: undefined, ref: undefined };
      return;
    }
    const text = this.stmt.toString('utf8', 0, this.stmtLen);
    if (!isCopyFromStdin(text)) return; // COPY ... TO / FROM a file: no inline data
    const ref = parseCopyStatement(text);
    if (!ref) {
      ctx.damaged = true;
      ctx.add(
        'DUMP_COPY_STATEMENT_INVALID',
        { offset: this.stmtAt },
        `A COPY statement cannot be parsed (expected "COPY schema.table (columns) FROM stdin;", found ${JSON.stringify(text.slice(0, 120))}); its data was skipped`,
        {
          statement: text.slice(0, 200),
        },
      );
      this.copyAfterEol = { key: undefined, ref: undefined };
      return;
    }
    this.copyAfterEol = { key: tableKey(ref.schema, ref.name), ref };
  }

  private endComment(): void {
    const t = this.comment.toString('utf8', 0, this.commentLen).trim();
    const { facts } = this.ctx;
    if (t === 'PostgreSQL database dump complete') this.trailerSeen = true;
    else if (t.startsWith('Dumped from database version ')) facts.dumpedFrom ??= t.slice(29).trim();
    else if (t.startsWith('Dumped by pg_dump version ')) facts.dumpedBy ??= t.slice(26).trim();
  }

  private endMeta(): void {
    const line = this.meta.toString('utf8', 0, this.metaLen);
    const db = connectTarget(line);
    if (db !== undefined) this.ctx.facts.database ??= db;
  }
}

function isTagChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    c === 0x5f ||
    c >= 0x80 ||
    (c >= 0x30 && c <= 0x39)
  );
}

function isIdentChar(c: number): boolean {
  return isTagChar(c) || c === 0x24;
}
