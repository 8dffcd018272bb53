// The audit_log rows: varied, realistic content, hashed with recipe v1 (spec 3.3) as the chain
// trigger would have hashed them, and written as the COPY text pg_dump prints (occurred_at in
// the dumping session's zone, payload as jsonb::text prints it, bytea in hex).
import { hash as oneShotHash } from 'node:crypto';
import { copyText, jsonbString } from './pg-text.js';
import { Rng } from './rng.js';
import { TimeText } from './zone.js';

const ACTORS: readonly string[] = [
  'system',
  'system',
  'scheduler',
  'ops-bot',
  'admin@meshanics.example',
  'jürgen.müller@meshanics.example',
  'Zoë Ødegård',
  '運用チーム',
  'api-key:7f3a19',
  'ci/cd pipeline',
];

const ACTIONS: readonly string[] = [
  'device.heartbeat',
  'device.heartbeat',
  'device.heartbeat',
  'device.enroll',
  'device.revoke',
  'device.retire',
  'artifact.publish',
  'artifact.yank',
  'trust.rotate.timestamp',
  'trust.rotate.snapshot',
  'trust.sign.targets',
  'secret.read',
  'secret.rotate',
  'rollout.start',
  'rollout.pause',
  'rollout.complete',
  'user.login',
  'user.login.failed',
  'user.logout',
  'backup.create',
  'config.change',
];

/** Notes whose jsonb text needs escapes (and so COPY escapes on top): quotes, backslashes,
 *  controls, non-ASCII. */
const NOTES: readonly string[] = [
  'scheduled maintenance window',
  'line one\nline two',
  'C:\\Program Files\\Meshanics\\node.exe',
  'operator said "go ahead"',
  'tab\tseparated',
  'café ünïcödé 日本語 🔐',
  'bell \u0007 and escape \u001b',
  "50% done; O'Brien approved",
  'slash / and \\N and \\.',
];

const TAGS: readonly string[] = ['[]', '["a"]', '["prod", "eu"]', '[1, "x", null]', '[true, false]'];

const IPS: readonly string[] = ['203.0.113', '198.51.100', '192.0.2', '10.12'];

const SECRETS: readonly string[] = ['ca.key.passphrase', 'smtp.password', 'webhook.signing-key'];

const ZERO_HASH = Buffer.alloc(32);

/** Epoch microseconds of the first record: shortly before a daylight-saving change in the US
 *  zones, so even a small archive shows both offsets. */
export const DEFAULT_START_MICROS = Date.UTC(2025, 2, 9, 6, 30, 0) * 1000;

export interface AuditRowsOptions {
  seed: number;
  zone: string;
  startMicros?: number;
}

export interface ChainHead {
  seq: number;
  hash: string;
  /** occurred_at of the head, recipe form (UTC). */
  occurredAt: string;
  micros: number;
}

/** Enough room for the largest record this generator makes. */
const SCRATCH_BYTES = 64 * 1024;

export class AuditRows {
  private readonly rng: Rng;
  private readonly time: TimeText;
  private readonly scratch = Buffer.alloc(SCRATCH_BYTES);
  private readonly escapedActors: string[];
  private seq = 0;
  private micros: number;
  private prevHex = ZERO_HASH.toString('hex');
  private lastUtc = '';

  constructor(opts: AuditRowsOptions) {
    this.rng = new Rng(opts.seed);
    this.time = new TimeText(opts.zone);
    this.micros = opts.startMicros ?? DEFAULT_START_MICROS;
    this.escapedActors = ACTORS.map(copyText);
  }

  get count(): number {
    return this.seq;
  }

  head(): ChainHead {
    return { seq: this.seq, hash: this.prevHex, occurredAt: this.lastUtc, micros: this.micros };
  }

  /** The next record as one COPY line (with its newline). */
  next(): string {
    const rng = this.rng;
    this.seq += 1;
    const seq = this.seq;

    // Time moves forward 0–6 s; some clocks write whole seconds or milliseconds only.
    let t = this.micros + 1 + rng.below(6_000_000);
    const precision = rng.below(10);
    if (precision === 0) t = Math.ceil(t / 1_000_000) * 1_000_000;
    else if (precision <= 3) t = Math.ceil(t / 1000) * 1000;
    this.micros = t;

    const actorIndex = rng.below(ACTORS.length + 1);
    const action = rng.pick(ACTIONS);
    const family = action.slice(0, action.indexOf('.'));
    let actor: string;
    let actorCopy: string;
    if (actorIndex === ACTORS.length) {
      actor = `device:MX-${String(rng.int(1, 9999)).padStart(4, '0')}`;
      actorCopy = actor;
    } else {
      actor = ACTORS[actorIndex] ?? 'system';
      actorCopy = this.escapedActors[actorIndex] ?? actor;
    }

    let subject: string | null;
    switch (family) {
      case 'device':
        subject = `device:MX-${String(rng.int(1, 9999)).padStart(4, '0')}`;
        break;
      case 'artifact':
      case 'rollout':
        subject = `target:firmware/mesh-node-1.${rng.below(10)}.${rng.below(10)}.bin`;
        break;
      case 'trust':
        subject = `role:${action.slice(action.lastIndexOf('.') + 1)}`;
        break;
      case 'secret':
        subject = `secret:${rng.pick(SECRETS)}`;
        break;
      case 'user':
        subject = rng.chance(0.5) ? null : `user:${rng.pick(ACTORS)}`;
        break;
      default:
        subject = null;
    }

    const { text: payload, escapes } = this.payload(action, seq);

    const utc = this.time.utc(t);
    this.lastUtc = utc;
    const local = this.time.local(t);
    const seqText = String(seq);

    // prev_hash ‖ F(seq) ‖ F(occurred_at) ‖ F(actor) ‖ F(action) ‖ F(subject) ‖ F(payload)
    const b = this.scratch;
    b.write(this.prevHex, 0, 'hex');
    let pos = 32;
    pos = field(b, pos, seqText);
    pos = field(b, pos, utc);
    pos = field(b, pos, actor);
    pos = field(b, pos, action);
    pos = field(b, pos, subject);
    pos = field(b, pos, payload);
    // One-shot hashing to hex is several times cheaper per record than createHash().
    const hashHex = oneShotHash('sha256', b.subarray(0, pos), 'hex');

    const subjectCopy = subject === null ? '\\N' : subject;
    const payloadCopy = escapes ? copyText(payload) : payload;
    const line = `${seqText}\t${local}\t${actorCopy}\t${action}\t${subjectCopy}\t${payloadCopy}\t\\\\x${this.prevHex}\t\\\\x${hashHex}\n`;
    this.prevHex = hashHex;
    return line;
  }

  /** A payload in jsonb's output form: keys ordered by length then bytes, ", " and ": ". */
  private payload(action: string, seq: number): { text: string; escapes: boolean } {
    const rng = this.rng;
    if (action === 'user.logout' && rng.chance(0.5)) return { text: '{}', escapes: false };
    let escapes = false;
    // Key order: n, ip, ok, diff, note, tags, detail, latency_ms, request_id.
    let s = `{"n": ${seq % 1000}`;
    s += `, "ip": "${rng.pick(IPS)}.${rng.int(1, 254)}"`;
    s += `, "ok": ${rng.chance(0.93) ? 'true' : 'false'}`;
    if (rng.chance(0.003)) {
      // A few large records, so rows straddle compression chunks and read buffers.
      s += `, "diff": ${jsonbString(rng.hex(rng.int(200, 1500)))}`;
    }
    if (rng.chance(0.08)) {
      const note = jsonbString(rng.pick(NOTES));
      escapes = note.includes('\\');
      s += `, "note": ${note}`;
    }
    if (rng.chance(0.35)) s += `, "tags": ${rng.pick(TAGS)}`;
    if (rng.chance(0.25)) s += `, "detail": {"retry": ${rng.below(4)}, "action": "${action}"}`;
    const ms = rng.chance(0.7)
      ? String(rng.int(0, 2500))
      : `${rng.int(0, 99)}.${rng.int(1, 9)}${rng.below(10)}`;
    s += `, "latency_ms": ${ms}`;
    s += `, "request_id": "${rng.uuid()}"}`;
    return { text: s, escapes };
  }
}

/** F(x): 4-byte big-endian UTF-8 length then the bytes; F(NULL) = ff ff ff ff. */
function field(b: Buffer, pos: number, s: string | null): number {
  if (s === null) {
    b.writeInt32BE(-1, pos);
    return pos + 4;
  }
  const n = b.write(s, pos + 4, 'utf8');
  b.writeUInt32BE(n, pos);
  return pos + 4 + n;
}
