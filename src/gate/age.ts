// age decryption for the archive reader's decryption slot (spec 2): X25519 (and post-quantum
// hybrid) identities from an identity file, or a passphrase. The header is opened once, up front,
// from a bounded prefix of the file, so a wrong or missing identity is a clear "cannot run" before
// any work; the payload is then decrypted as a stream (age's STREAM, 64 KiB chunks, through
// web streams) while the archive is read. Nothing decrypted is ever written to disk.
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import type { Decrypter as AgeDecrypter } from 'age-encryption';
import type { ArchiveDecryptor } from '../archive/types.js';

/** The identity or passphrase does not open the archive, or the file is not usable age. */
export class AgeError extends Error {}

export const AGE_MAGIC = 'age-encryption.org/v1\n';
export const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
const ARMOR_END = '-----END AGE ENCRYPTED FILE-----';
/** Longest age header accepted (real headers are a few hundred bytes per recipient). */
export const MAX_HEADER_BYTES = 1024 * 1024;
const MAX_IDENTITY_FILE_BYTES = 1024 * 1024;
const MAX_ARMOR_LINE = 1024;
/** age's default passphrase work factor; scrypt at 2^18 needs 256 MiB, each step up doubles it. */
const MAX_SCRYPT_LOG_N = 18;

export type AgeKind = 'age' | 'age-armor' | 'plain';

export interface AgeSecrets {
  /** AGE-SECRET-KEY-1… / AGE-SECRET-KEY-PQ-1… strings. */
  identities: string[];
  passphrases: string[];
  /** Where they came from, for messages. */
  sources: string[];
}

/** Reads an age identity file: one identity per line, `#` comments and blank lines ignored. */
export function readIdentityFile(path: string): string[] {
  let text: string;
  try {
    if (statSync(path).size > MAX_IDENTITY_FILE_BYTES)
      throw new AgeError(`identity file ${path} is larger than ${MAX_IDENTITY_FILE_BYTES} bytes`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof AgeError) throw e;
    throw new AgeError(`cannot read identity file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const ids: string[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(line))
      throw new AgeError(
        `identity file ${path}, line ${i + 1}: not an age identity (AGE-SECRET-KEY-1…); SSH and plugin identities are not supported`,
      );
    ids.push(line);
  }
  if (ids.length === 0) throw new AgeError(`identity file ${path} holds no age identity`);
  return ids;
}

/** Reads a passphrase file: its first line, without the line end. */
export function readPassphraseFile(path: string): string {
  let text: string;
  try {
    if (statSync(path).size > MAX_IDENTITY_FILE_BYTES)
      throw new AgeError(`passphrase file ${path} is larger than ${MAX_IDENTITY_FILE_BYTES} bytes`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof AgeError) throw e;
    throw new AgeError(`cannot read passphrase file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const first = text.split('\n')[0]?.replace(/\r$/, '') ?? '';
  if (first === '') throw new AgeError(`passphrase file ${path} is empty`);
  return first;
}

function readPrefix(path: string, max: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(max);
    let n = 0;
    while (n < max) {
      const got = readSync(fd, buf, n, max - n, n);
      if (got === 0) break;
      n += got;
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Is the file age-encrypted (binary or ASCII-armored)? By content, not name. */
export function sniffAge(path: string): AgeKind {
  const head = readPrefix(path, 64).toString('latin1');
  if (head.startsWith(AGE_MAGIC)) return 'age';
  if (head.trimStart().startsWith(ARMOR_BEGIN)) return 'age-armor';
  return 'plain';
}

export interface OpenedAge {
  kind: 'age' | 'age-armor';
  /** Recipient types the header names ("X25519", "scrypt", …). */
  recipients: string[];
  /** Decrypts the payload while the archive is read. */
  decrypt: ArchiveDecryptor;
}

/**
 * Opens the header of an age file with the given secrets. Throws AgeError with a message an
 * operator can act on (no identity, wrong identity, passphrase needed, not age).
 */
export async function openAge(
  path: string,
  kind: 'age' | 'age-armor',
  secrets: AgeSecrets,
): Promise<OpenedAge> {
  // An armored header takes 4/3 the bytes plus line ends.
  const prefix = readPrefix(path, kind === 'age' ? MAX_HEADER_BYTES : Math.ceil(MAX_HEADER_BYTES * 1.4));
  let header: Buffer;
  if (kind === 'age') header = prefix;
  else {
    const d = new Dearmor();
    try {
      header = Buffer.concat(d.push(prefix));
    } catch (e) {
      throw new AgeError(
        `${path}: not usable ASCII-armored age: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  const recipients = stanzaTypes(header);
  const logN = scryptWorkFactor(header);
  if (logN !== undefined && logN > MAX_SCRYPT_LOG_N)
    throw new AgeError(
      `${path}: the passphrase work factor 2^${logN} is above 2^${MAX_SCRYPT_LOG_N} (scrypt would need ${2 ** (logN - 10)} MiB of memory)`,
    );
  if (secrets.identities.length === 0 && secrets.passphrases.length === 0)
    throw new AgeError(
      `${path} is age-encrypted (${describe(recipients)}): give --identity <file>${recipients.includes('scrypt') ? ' or --passphrase-file <file>' : ''}`,
    );
  const { Decrypter } = await loadAge();
  const d = new Decrypter();
  try {
    for (const id of secrets.identities) d.addIdentity(id);
  } catch (e) {
    throw new AgeError(`unusable identity: ${e instanceof Error ? e.message : String(e)}`);
  }
  for (const p of secrets.passphrases) d.addPassphrase(p);
  let fileKey: Uint8Array;
  try {
    fileKey = await d.decryptHeader(header);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const hint =
      recipients.includes('scrypt') && secrets.passphrases.length === 0
        ? ' (it is encrypted with a passphrase: give --passphrase-file)'
        : !recipients.includes('scrypt') && secrets.identities.length === 0
          ? ' (it is encrypted to a key: give --identity)'
          : '';
    throw new AgeError(
      `${path}: ${secrets.sources.join(', ') || 'the given secrets'} cannot open this age archive (${describe(recipients)}): ${why}${hint}`,
    );
  }
  return { kind, recipients, decrypt: streamDecryptor(fileKey, kind === 'age-armor') };
}

function describe(recipients: string[]): string {
  return recipients.length ? `recipients: ${recipients.join(', ')}` : 'no readable recipient stanza';
}

/** The recipient types named by "-> TYPE …" lines of the header (bounded to the prefix read). */
function stanzaTypes(header: Buffer): string[] {
  const text = header.subarray(0, MAX_HEADER_BYTES).toString('latin1');
  const end = text.indexOf('\n--- ');
  const lines = (end >= 0 ? text.slice(0, end) : text).split('\n');
  const out: string[] = [];
  for (const l of lines)
    if (l.startsWith('-> ')) {
      const t = l.slice(3).split(' ')[0] ?? '';
      if (t !== '' && !out.includes(t) && out.length < 20) out.push(t.slice(0, 40));
    }
  return out;
}

function scryptWorkFactor(header: Buffer): number | undefined {
  const m = /\n-> scrypt [A-Za-z0-9+/]+ (\d{1,3})\n/.exec(
    header.subarray(0, MAX_HEADER_BYTES).toString('latin1'),
  );
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}

/** The payload decryptor: the file key was unwrapped up front; the header's MAC is still checked
 *  against it, so a file changed since then fails to decrypt rather than decrypting wrongly. */
/** age-encryption, loaded on first use: only encrypted archives need it, and loading it costs
 *  every run ~50 ms of start-up (measured). */
async function loadAge(): Promise<{ Decrypter: new () => AgeDecrypter }> {
  return import('age-encryption');
}

function streamDecryptor(fileKey: Uint8Array, armored: boolean): ArchiveDecryptor {
  return async (ciphertext) => {
    const { Decrypter } = await loadAge();
    let src: AsyncIterable<Uint8Array> = ciphertext as AsyncIterable<Uint8Array>;
    if (armored) src = dearmorStream(src);
    src = headerGuard(src);
    const d = new Decrypter();
    d.addIdentity({ unwrapFileKey: () => fileKey });
    const plain = await d.decrypt(toWeb(src));
    return fromWeb(plain);
  };
}

/** A pull-based web stream over an async iterable: one chunk requested, one chunk read. */
function toWeb(src: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const it = src[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const r = await it.next();
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    async cancel() {
      await it.return?.();
    },
  });
}

async function* fromWeb(s: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = s.getReader();
  let finished = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) {
        finished = true;
        return;
      }
      yield r.value;
    }
  } finally {
    // Stopped early (a limit, a broken tar): cancel so the file is not read to its end for nothing.
    if (!finished) await reader.cancel().catch(() => undefined);
  }
}

/** The age library reads header lines without a bound: refuse a header longer than MAX_HEADER_BYTES. */
async function* headerGuard(src: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let seen: Buffer | undefined = Buffer.alloc(0);
  for await (const chunk of src) {
    if (seen !== undefined) {
      seen = Buffer.concat([seen, chunk]).subarray(0, MAX_HEADER_BYTES + 1);
      const mac = seen.indexOf('\n--- ');
      if (mac >= 0 && seen.indexOf(10, mac + 1) >= 0) seen = undefined;
      else if (seen.length > MAX_HEADER_BYTES)
        throw new Error(`the age header is longer than ${MAX_HEADER_BYTES} bytes`);
    }
    yield chunk;
  }
}

async function* dearmorStream(src: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const d = new Dearmor();
  for await (const chunk of src) for (const out of d.push(chunk)) yield out;
  d.end();
}

/** Streaming decoder of age's ASCII armor (PEM-like, base64 lines of at most 64 columns). */
export class Dearmor {
  private carry = '';
  private state: 'before' | 'body' | 'after' = 'before';
  private shortLine = false;

  push(chunk: Uint8Array): Buffer[] {
    const text = this.carry + Buffer.from(chunk).toString('latin1');
    const lines = text.split('\n');
    this.carry = lines.pop() ?? '';
    if (this.carry.length > MAX_ARMOR_LINE) throw new Error('armor line too long');
    const out: Buffer[] = [];
    for (const raw of lines) {
      const b = this.line(raw.replace(/\r$/, ''));
      if (b) out.push(b);
    }
    return out;
  }

  end(): void {
    if (this.carry !== '') this.line(this.carry.replace(/\r$/, ''));
    this.carry = '';
    if (this.state !== 'after') throw new Error('the armor ends before its END line');
  }

  private line(l: string): Buffer | undefined {
    if (this.state === 'before') {
      if (l.trim() === '') return undefined;
      if (l.trim() !== ARMOR_BEGIN) throw new Error('no BEGIN AGE ENCRYPTED FILE line');
      this.state = 'body';
      return undefined;
    }
    if (this.state === 'after') {
      if (l.trim() !== '') throw new Error('data after the END line');
      return undefined;
    }
    if (l === ARMOR_END) {
      this.state = 'after';
      return undefined;
    }
    // Every line but the last is 64 columns; a short line must be the last one.
    if (this.shortLine) throw new Error('a short base64 line before the end');
    if (l.length > 64 || l.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(l))
      throw new Error('malformed base64 line');
    if (l.length < 64) this.shortLine = true;
    return Buffer.from(l, 'base64');
  }
}
