// The audit records the fixture chain is made of: what gets INSERTed through the chain trigger
// (PostgreSQL assigns seq, prev_hash and hash; this file never hashes anything). The content is
// chosen to break naive readers: COPY escapes (tab, newline, CR, backslash, "\N", "\."), multi-byte
// and combining characters, JSON that jsonb normalizes (key order, duplicate keys, number forms),
// NULL versus empty subjects, long texts, and timestamps written in many zones and precisions.
import type { Prng } from './prng.js';

/** How occurred_at is written in the INSERT. The stored instant is what matters for the chain;
 *  the variety checks that the recipe does not depend on the session's zone or the input form. */
export type TimeForm =
  | { type: 'z' } // 2026-03-01T10:00:00.12Z
  | { type: 'offset'; text: string; minutes: number } // 2026-03-01 15:45:00.12+05:45
  | { type: 'session' } // 2026-03-01 05:00:00.12 read in the session's TimeZone
  | { type: 'named'; zone: string } // 2026-03-01 15:45:00.12 Asia/Kathmandu
  | { type: 'utc-word' }; // 2026-03-01 10:00:00.12 UTC

export type TimeSpec =
  /** Used verbatim (the historic and extreme dates); its instant is whatever PostgreSQL makes of it. */
  | { kind: 'literal'; text: string }
  /** Whole epoch seconds plus 0..6 fractional digits, exactly as they will be typed. */
  | { kind: 'instant'; sec: number; frac: string; form: TimeForm };

export interface AuditInput {
  /** SET TIME ZONE before this insert. */
  sessionZone: string;
  when: TimeSpec;
  actor: string;
  action: string;
  subject: string | null;
  /** JSON text as typed; jsonb normalizes it. */
  payload: string;
}

export interface RecordOptions {
  count: number;
  /** Epoch seconds of the newest ordinary record. */
  end: number;
  /** Its fractional digits ('' for none). */
  endFrac: string;
  /** Include -infinity, a BC date, LMT-era dates, a year > 9999 and infinity. */
  extremeTimes: boolean;
  /** Make the record at this seq earlier than its predecessor (the time-backwards fixture). */
  backwardsAt?: number;
}

export const SESSION_ZONES = ['America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'UTC'] as const;

/** Offsets typed into literals: quarter, half and second offsets, and the extremes PostgreSQL accepts. */
const OFFSETS: readonly { text: string; minutes: number }[] = [
  { text: '+05:45', minutes: 345 },
  { text: '+0545', minutes: 345 },
  { text: '-03:30', minutes: -210 },
  { text: '+10:30', minutes: 630 },
  { text: '+12:45', minutes: 765 },
  { text: '-09:30', minutes: -570 },
  { text: '+14', minutes: 840 },
  { text: '-12:00', minutes: -720 },
  { text: '+00', minutes: 0 },
  { text: '-05', minutes: -300 },
];

const NAMED_ZONES = [
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'America/St_Johns',
  'Pacific/Chatham',
  'Europe/Berlin',
];

function longText(seed: string, bytesWanted: number): string {
  const unit = `${seed} — ünïcödé 日本語 🔐 tab\there back\\slash "q" 'q' `;
  let s = '';
  while (Buffer.byteLength(s, 'utf8') < bytesWanted) s += unit;
  return s;
}

/** Texts that appear at least once as actor, as action and as subject. */
export const EDGE_TEXTS: readonly string[] = [
  '',
  ' ',
  'tab\there',
  'line one\nline two',
  'carriage\rreturn',
  'crlf\r\nend',
  'back\\slash',
  '\\N',
  '\\.',
  '\\',
  'ends with backslash\\',
  '\\\\two backslashes',
  '\\x41 is not hex',
  'double "quoted"',
  "single 'quoted'",
  'comma, semicolon; pipe | percent % dollar $$',
  'caf\u00e9 (precomposed)',
  'cafe\u0301 (combining acute)',
  'A\u030a \u00c5 \u212b (three kinds of A-ring)',
  'Ελληνικά русский עברית العربية',
  '中文 日本語 한국어',
  '🔐🔑 emoji',
  '👩\u200d💻 zwj, flag 🏳\ufe0f\u200d🌈',
  '\u{1d11e} non-BMP',
  'zero\u200bwidth',
  '\ufeffBOM first',
  'line\u2028separator',
  'controls \u0001\u001b\u007f',
  'bs\b ff\f vt\v',
  'NULL',
  'null',
  'trailing space ',
  ' leading space',
  '\t\n\r\\ all at once \\\t',
  '{"looks": "like json"}',
  longText('long text A', 3000),
  longText('long text B', 7000),
];

function deepJson(depth: number): string {
  return '{"d":'.repeat(depth) + '['.repeat(depth) + '"bottom"' + ']'.repeat(depth) + '}'.repeat(depth);
}

function numberArray(n: number): string {
  const forms = ['0', '-1', '1.5', '2e3', '2E-3', '1.000', '-0.25', '9007199254740993', '1e21', '123.456e-2'];
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(forms[i % forms.length] ?? '0');
  return `{"values": [${parts.join(', ')}]}`;
}

/** Payload texts as typed; jsonb rewrites most of them (that is the point). */
export const EDGE_PAYLOADS: readonly string[] = [
  '{}',
  '[]',
  'null',
  'true',
  'false',
  '0',
  '-0',
  '"just a string"',
  '""',
  '{"": ""}',
  '{"zeta": 1, "a": 2, "bb": 3, "a": 4}',
  '  {\n\t"spaced" :\t[ 1 ,2,\n3 ] }  ',
  '{"n": 1E+3, "m": 1e-7, "o": -0.0, "p": 1.50, "q": 0.000, "r": 2.5E2, "s": -1.0e-0}',
  '{"big": 123456789012345678901234567890, "neg": -98765432109876543210.123456789}',
  '{"huge": 1e300, "tiny": 1E-300}',
  '{"pi": 3.14159265358979323846264338327950288419716939937510}',
  '{"float": 0.1, "sum": 0.30000000000000004, "past_safe": 9007199254740993}',
  String.raw`{"esc": "tab\tnl\ncr\rbs\\q\"sl\/bell\bff\f"}`,
  String.raw`{"u": "\u00e9 e\u0301 \ud83d\ude00 \u2028 \u001f \u007f \u0041"}`,
  '{"raw": "é 😀 中 \u{1d11e} \u00c5", "tab_raw_escaped": "a\\tb"}',
  '{"ключ": "значение", "🔑": "🔓", "e\u0301": "combining key", "e": "plain key"}',
  '{"nested": {"a": {"b": {"c": [1, {"d": [null, true, false, "x", 1.0]}]}}}}',
  deepJson(40),
  numberArray(300),
  `{"long": ${JSON.stringify(longText('payload', 5000))}}`,
  '[1, "two", {"three": 3}, [4], null, -0.0, 1e2]',
  String.raw`{"copy_like": "\\N", "dot": "\\.", "just_backslash": "\\"}`,
  String.raw`{"path": "C:\\Program Files\\Meshanics\\node.exe"}`,
  String.raw`{"key with\ttab\nand newline": 1}`,
  String.raw`{"not_nul": "\\u0000"}`,
  '{"empty_array": [], "empty_object": {}, "empty_string": ""}',
  '{"sql": "DROP TABLE audit_log; --", "quote": "O\'Brien"}',
];

const ACTORS = [
  'system',
  'admin@meshanics.example',
  'ops-bot',
  'scheduler',
  'jürgen.müller@meshanics.example',
  'Zoë Ødegård',
  '運用チーム',
  'device:MX-0003',
  'api-key:7f3a19',
  'ci/cd pipeline',
];

const ACTIONS = [
  'device.enroll',
  'device.revoke',
  'device.retire',
  'device.heartbeat',
  'artifact.publish',
  'artifact.yank',
  'trust.rotate.timestamp',
  'trust.rotate.snapshot',
  'trust.sign.targets',
  'trust.sign.root',
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

function subjectFor(prng: Prng, action: string): string | null {
  const family = action.split('.')[0];
  switch (family) {
    case 'device':
      return `device:MX-${String(prng.int(1, 10)).padStart(4, '0')}`;
    case 'artifact':
    case 'rollout':
      return `target:firmware/mesh-node-1.${prng.int(0, 9)}.${prng.int(0, 9)}.bin`;
    case 'trust':
      return `role:${action.split('.')[2] ?? 'root'}`;
    case 'secret':
      return `secret:${prng.pick(['ca.key.passphrase', 'smtp.password', 'webhook.signing-key'])}`;
    case 'user':
      return prng.chance(0.5) ? null : `user:${prng.pick(ACTORS)}`;
    default:
      return null;
  }
}

/** Number forms jsonb normalizes differently from how they were typed. */
function numberText(prng: Prng): string {
  switch (prng.int(0, 6)) {
    case 0:
      return String(prng.int(-1000, 100000));
    case 1:
      return `${prng.int(0, 999)}.${String(prng.int(0, 999999)).padStart(6, '0')}`;
    case 2:
      return `${prng.int(1, 9)}.${prng.int(0, 99)}e${prng.int(-12, 12)}`;
    case 3:
      return `${prng.int(1, 9)}E+${prng.int(0, 25)}`;
    case 4:
      return `-${prng.int(0, 9)}.${prng.int(0, 9)}0`;
    case 5:
      return `${prng.int(1, 9)}${'0'.repeat(prng.int(15, 30))}`;
    default:
      return `0.${'0'.repeat(prng.int(0, 10))}${prng.int(1, 9)}`;
  }
}

function ordinaryPayload(prng: Prng, action: string, seqHint: number): string {
  const fields: string[] = [
    `"request_id": "${prng.uuid()}"`,
    `"ip": "${prng.pick(['203.0.113', '198.51.100', '192.0.2'])}.${prng.int(1, 254)}"`,
    `"ok": ${prng.chance(0.9) ? 'true' : 'false'}`,
    `"latency_ms": ${numberText(prng)}`,
    `"n": ${seqHint}`,
  ];
  if (prng.chance(0.5)) fields.push(`"tags": [${prng.pick(['"a"', '"prod", "eu"', '', '1, "x", null'])}]`);
  if (prng.chance(0.3))
    fields.push(`"detail": {"action": ${JSON.stringify(action)}, "retry": ${prng.int(0, 3)}}`);
  if (prng.chance(0.2)) fields.push(`"note": ${JSON.stringify(prng.pick(EDGE_TEXTS.slice(0, 35)))}`);
  if (prng.chance(0.1)) fields.push(`"value": ${numberText(prng)}`);
  // Shuffle: jsonb sorts keys (by length, then bytes) whatever order they were typed in.
  for (let i = fields.length - 1; i > 0; i--) {
    const j = prng.int(0, i);
    const a = fields[i];
    const b = fields[j];
    if (a !== undefined && b !== undefined) {
      fields[i] = b;
      fields[j] = a;
    }
  }
  const sep = prng.pick([', ', ',', ',\n  ', ' ,\t']);
  return `{${fields.join(sep)}}`;
}

function fracDigits(prng: Prng): string {
  // 0 to 6 digits, trailing zeros allowed ("10" is typed, ".1" is dumped).
  const k = prng.pick([0, 0, 1, 2, 3, 3, 4, 5, 6, 6, 6]);
  let s = '';
  for (let i = 0; i < k; i++) s += String(prng.int(0, 9));
  return s;
}

function timeForm(prng: Prng): TimeForm {
  const r = prng.next();
  if (r < 0.3) return { type: 'z' };
  if (r < 0.55) return { type: 'offset', ...prng.pick(OFFSETS) };
  if (r < 0.85) return { type: 'session' };
  if (r < 0.95) return { type: 'named', zone: prng.pick(NAMED_ZONES) };
  return { type: 'utc-word' };
}

/** Historic and extreme times: they come first and last so the clean chain's time never runs
 *  backwards (-infinity sorts before everything, infinity after). */
const HEAD_SPECIALS: readonly { zone: string; text: string; action: string; payload: string }[] = [
  {
    zone: 'UTC',
    text: '-infinity',
    action: 'audit.genesis',
    payload: '{"recipe": "v1", "note": "chain start"}',
  },
  {
    zone: 'America/New_York',
    text: '0044-03-15 12:00:00 BC',
    action: 'history.import',
    payload: '{"era": "BC"}',
  },
  // Before 1883 New York ran on local mean time: the dump shows an offset of -04:56:02.
  {
    zone: 'America/New_York',
    text: '1800-01-01 00:00:00',
    action: 'history.import',
    payload: '{"lmt": true}',
  },
  {
    zone: 'America/New_York',
    // Still local mean time (12:00 to 12:03:58 that day is ambiguous and PostgreSQL reads it as EST).
    text: '1883-11-18 11:59:59.999999',
    action: 'history.import',
    payload: '{"lmt_with_fraction": true}',
  },
  {
    zone: 'Australia/Lord_Howe',
    text: '1970-01-01 00:00:00',
    action: 'history.import',
    payload: '{"epoch": 0}',
  },
  {
    zone: 'Asia/Kathmandu',
    text: '1985-12-31 23:59:59.5',
    action: 'history.import',
    payload: '{"offset": "+05:30"}',
  },
];
const TAIL_SPECIALS: readonly { zone: string; text: string; action: string; payload: string }[] = [
  { zone: 'UTC', text: '12345-06-07 08:09:10.111213+00', action: 'lease.expire', payload: '{"year": 12345}' },
  { zone: 'Australia/Lord_Howe', text: 'infinity', action: 'lease.expire', payload: '{"never": true}' },
];

export function generateRecords(prng: Prng, opts: RecordOptions): AuditInput[] {
  const head = opts.extremeTimes ? HEAD_SPECIALS : [];
  const tail = opts.extremeTimes ? TAIL_SPECIALS : [];
  const ordinary = opts.count - head.length - tail.length;
  if (ordinary < EDGE_TEXTS.length * 3 + EDGE_PAYLOADS.length) throw new Error('too few records requested');

  // The ordinary timeline, built backwards from `end` so the newest record sits at a chosen time.
  const secs: number[] = new Array<number>(ordinary);
  const fracs: string[] = new Array<string>(ordinary);
  let sec = opts.end;
  let frac = opts.endFrac;
  for (let i = ordinary - 1; i >= 0; i--) {
    secs[i] = sec;
    fracs[i] = frac;
    // A gap of whole seconds >= 1 keeps the truncated instants strictly increasing; a gap of 0
    // repeats the instant exactly (equal times are not "backwards").
    if (prng.chance(0.02)) continue;
    sec -= prng.chance(0.1) ? prng.int(1, 5) : prng.int(60, 5 * 3600);
    frac = fracDigits(prng);
  }

  const out: AuditInput[] = [];
  for (const s of head) {
    out.push({
      sessionZone: s.zone,
      when: { kind: 'literal', text: s.text },
      actor: 'system',
      action: s.action,
      subject: null,
      payload: s.payload,
    });
  }

  let zone: string = prng.pick(SESSION_ZONES);
  const nEdge = EDGE_TEXTS.length;
  for (let i = 0; i < ordinary; i++) {
    if (i % 97 === 0) zone = prng.pick(SESSION_ZONES);
    const seq = out.length + 1;
    let action = prng.pick(ACTIONS);
    let actor = prng.pick(ACTORS);
    let subject = prng.chance(0.25) ? null : subjectFor(prng, action);
    let payload = prng.chance(0.1) ? prng.pick(EDGE_PAYLOADS) : ordinaryPayload(prng, action, seq);
    // A catalogue first, so every edge text is in every text column and every edge payload is used.
    if (i < nEdge) actor = EDGE_TEXTS[i] ?? actor;
    else if (i < 2 * nEdge) action = EDGE_TEXTS[i - nEdge] ?? action;
    else if (i < 3 * nEdge) subject = EDGE_TEXTS[i - 2 * nEdge] ?? subject;
    else if (i < 3 * nEdge + EDGE_PAYLOADS.length) payload = EDGE_PAYLOADS[i - 3 * nEdge] ?? payload;
    else {
      if (prng.chance(0.02)) actor = prng.pick(EDGE_TEXTS);
      if (prng.chance(0.02)) subject = prng.pick(EDGE_TEXTS);
      if (prng.chance(0.02)) subject = '';
    }
    const baseSec = secs[i] ?? opts.end;
    const baseFrac = fracs[i] ?? '';
    let when: TimeSpec = { kind: 'instant', sec: baseSec, frac: baseFrac, form: timeForm(prng) };
    if (opts.backwardsAt === seq) {
      const prevSec = secs[i - 1];
      if (prevSec === undefined) throw new Error('backwardsAt must follow an ordinary record');
      // 90 minutes before its predecessor: the one backwards step of the time-backwards fixture.
      when = { kind: 'instant', sec: prevSec - 5400, frac: fracs[i - 1] ?? '', form: { type: 'z' } };
    }
    out.push({ sessionZone: zone, when, actor, action, subject, payload });
  }

  for (const s of tail) {
    out.push({
      sessionZone: s.zone,
      when: { kind: 'literal', text: s.text },
      actor: 'system',
      action: s.action,
      subject: null,
      payload: s.payload,
    });
  }
  return out;
}

/** The UTC text the recipe hashes for an instant spec (to check PostgreSQL stored what was meant). */
export function expectedUtc(sec: number, frac: string): string {
  return `${new Date(sec * 1000).toISOString().slice(0, 19)}.${frac.padEnd(6, '0')}Z`;
}

/** The literal for the forms that need no time zone database. */
export function renderFixedForm(sec: number, frac: string, form: TimeForm): string | undefined {
  const f = frac === '' ? '' : `.${frac}`;
  switch (form.type) {
    case 'z':
      return `${new Date(sec * 1000).toISOString().slice(0, 19)}${f}Z`;
    case 'utc-word':
      return `${new Date(sec * 1000).toISOString().slice(0, 19).replace('T', ' ')}${f} UTC`;
    case 'offset': {
      const wall = new Date((sec + form.minutes * 60) * 1000).toISOString().slice(0, 19).replace('T', ' ');
      return `${wall}${f}${form.text}`;
    }
    default:
      return undefined;
  }
}
