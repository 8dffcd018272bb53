// timestamptz as a dump holds it (DateStyle ISO, the dumping session's time zone):
//   YYYY-MM-DD HH:MM:SS[.f{1,6}]±HH[:MM[:SS]][ BC]   (four or more year digits), or ±infinity
// and the audit recipe's form of it, exactly as PostgreSQL 15 produces
//   to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
// which is NULL for ±infinity, uses more than four year digits after 9999, and writes a BC year
// as its plain number (1 BC -> "0001"), with no era. Hot path: a byte parser with days-from-civil
// arithmetic (proleptic Gregorian, year 0 = 1 BC, as PostgreSQL), no regex, no Date.

/** A parsed timestamptz; reused across calls to avoid allocation. */
export class TsResult {
  /** 0 for a finite value; 1 for 'infinity'; -1 for '-infinity'. */
  infinite: -1 | 0 | 1 = 0;
  /** Whole seconds since 1970-01-01 00:00:00 UTC (an exact integer over PostgreSQL's whole range). */
  epochSec = 0;
  /** Microseconds within that second, 0..999999. */
  micros = 0;
}

/** Longest output of writeRecipeTimestamp (a 7-digit year would be 28 bytes). */
export const RECIPE_TS_MAX_BYTES = 32;

const SECS_PER_DAY = 86400;

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (astronomical year: 0 = 1 BC). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// civilFromDays writes here (no allocation per call).
let cy = 0;
let cm = 0;
let cd = 0;
function civilFromDays(days: number): void {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  cd = doy - Math.floor((153 * mp + 2) / 5) + 1;
  cm = mp < 10 ? mp + 3 : mp - 9;
  cy = yoe + era * 400 + (cm <= 2 ? 1 : 0);
}

const INFINITY = Buffer.from('infinity', 'latin1');

function matches(buf: Buffer, start: number, end: number, word: Buffer): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (buf[start + i] !== word[i]) return false;
  return true;
}

/** Two decimal digits at buf[i], or -1. */
function two(buf: Buffer, i: number): number {
  const a = (buf[i] ?? 0) - 0x30;
  const b = (buf[i + 1] ?? 0) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * Parses timestamptz output text buf[start, end) into `out`. Returns false (out unspecified)
 * when the text is not exactly PostgreSQL's ISO output form or names an impossible date.
 */
export function parseTimestamptz(buf: Buffer, start: number, end: number, out: TsResult): boolean {
  const c0 = buf[start];
  if (c0 === 0x69 || c0 === 0x2d) {
    if (matches(buf, start, end, INFINITY)) {
      out.infinite = 1;
      out.epochSec = 0;
      out.micros = 0;
      return true;
    }
    if (c0 === 0x2d && matches(buf, start + 1, end, INFINITY)) {
      out.infinite = -1;
      out.epochSec = 0;
      out.micros = 0;
      return true;
    }
    return false;
  }
  // Year: four to seven digits (PostgreSQL's range ends in year 294277 local time).
  let p = start;
  let year = 0;
  while (p < end) {
    const d = (buf[p] ?? 0) - 0x30;
    if (d < 0 || d > 9) break;
    year = year * 10 + d;
    p++;
  }
  const ydigits = p - start;
  if (ydigits < 4 || ydigits > 7 || year === 0) return false;
  // "-MM-DD HH:MM:SS" is 15 bytes, then at least "+HH".
  if (end - p < 18) return false;
  if (
    buf[p] !== 0x2d ||
    buf[p + 3] !== 0x2d ||
    buf[p + 6] !== 0x20 ||
    buf[p + 9] !== 0x3a ||
    buf[p + 12] !== 0x3a
  ) {
    return false;
  }
  const month = two(buf, p + 1);
  const day = two(buf, p + 4);
  const hour = two(buf, p + 7);
  const minute = two(buf, p + 10);
  const second = two(buf, p + 13);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  ) {
    return false;
  }
  p += 15;
  let micros = 0;
  if (buf[p] === 0x2e) {
    p++;
    let k = 0;
    while (p < end && k < 7) {
      const d = (buf[p] ?? 0) - 0x30;
      if (d < 0 || d > 9) break;
      micros = micros * 10 + d;
      p++;
      k++;
    }
    if (k === 0 || k > 6) return false;
    for (; k < 6; k++) micros *= 10;
  }
  // Zone offset: ±HH[:MM[:SS]]
  const sign = buf[p];
  if (sign !== 0x2b && sign !== 0x2d) return false;
  const oh = two(buf, p + 1);
  if (oh < 0 || oh > 15 || p + 3 > end) return false;
  p += 3;
  let om = 0;
  let os = 0;
  if (p < end && buf[p] === 0x3a) {
    om = two(buf, p + 1);
    if (om < 0 || om > 59 || p + 3 > end) return false;
    p += 3;
    if (p < end && buf[p] === 0x3a) {
      os = two(buf, p + 1);
      if (os < 0 || os > 59 || p + 3 > end) return false;
      p += 3;
    }
  }
  let astroYear = year;
  if (p < end) {
    // " BC"
    if (end - p !== 3 || buf[p] !== 0x20 || buf[p + 1] !== 0x42 || buf[p + 2] !== 0x43) return false;
    astroYear = 1 - year;
  }
  if (day > daysInMonth(astroYear, month)) return false;
  const offset = (oh * 3600 + om * 60 + os) * (sign === 0x2b ? 1 : -1);
  out.infinite = 0;
  out.epochSec =
    daysFromCivil(astroYear, month, day) * SECS_PER_DAY + hour * 3600 + minute * 60 + second - offset;
  out.micros = micros;
  return true;
}

function putDigits(dst: Buffer, off: number, v: number, width: number): number {
  for (let i = width - 1; i >= 0; i--) {
    dst[off + i] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  }
  return off + width;
}

/** Two ASCII digits of 0..99, as two bytes. */
function put2(dst: Buffer, off: number, v: number): void {
  const t = (v / 10) | 0;
  dst[off] = 0x30 + t;
  dst[off + 1] = 0x30 + v - t * 10;
}

// The "YYYY-MM-DDT" of the last day written: consecutive audit records share their day, so the
// calendar arithmetic runs once per day, not once per record.
let lastDays = Number.NaN;
const dayPrefix = Buffer.alloc(16);
let dayPrefixLen = 0;

/**
 * Writes the recipe form "YYYY-MM-DDTHH:MM:SS.ffffffZ" (UTC) of `ts` at dst[off] and returns the
 * bytes written, or -1 for ±infinity (to_char gives NULL). dst needs RECIPE_TS_MAX_BYTES free.
 */
export function writeRecipeTimestamp(ts: TsResult, dst: Buffer, off: number): number {
  if (ts.infinite !== 0) return -1;
  const days = Math.floor(ts.epochSec / SECS_PER_DAY);
  let sod = ts.epochSec - days * SECS_PER_DAY;
  if (days !== lastDays) {
    civilFromDays(days);
    // to_char YYYY: a BC year as its number without era, at least four digits.
    const y = cy <= 0 ? 1 - cy : cy;
    let w = 4;
    for (let t = 10000; y >= t; t *= 10) w++;
    let p = putDigits(dayPrefix, 0, y, w);
    dayPrefix[p++] = 0x2d;
    p = putDigits(dayPrefix, p, cm, 2);
    dayPrefix[p++] = 0x2d;
    p = putDigits(dayPrefix, p, cd, 2);
    dayPrefix[p++] = 0x54; // T
    dayPrefixLen = p;
    lastDays = days;
  }
  let o = off;
  for (let i = 0; i < dayPrefixLen; i++) dst[o++] = dayPrefix[i] as number;
  const h = (sod / 3600) | 0;
  sod -= h * 3600;
  const mi = (sod / 60) | 0;
  put2(dst, o, h);
  dst[o + 2] = 0x3a;
  put2(dst, o + 3, mi);
  dst[o + 5] = 0x3a;
  put2(dst, o + 6, sod - mi * 60);
  dst[o + 8] = 0x2e;
  const us = ts.micros;
  const a = (us / 10000) | 0;
  const b = ((us - a * 10000) / 100) | 0;
  put2(dst, o + 9, a);
  put2(dst, o + 11, b);
  put2(dst, o + 13, us - a * 10000 - b * 100);
  dst[o + 15] = 0x5a; // Z
  return o + 16 - off;
}

const scratch = Buffer.allocUnsafe(RECIPE_TS_MAX_BYTES);

/** The recipe form as a string (null for ±infinity). Convenience; the writer avoids the string. */
export function formatRecipeTimestamp(ts: TsResult): string | null {
  const n = writeRecipeTimestamp(ts, scratch, 0);
  return n < 0 ? null : scratch.toString('latin1', 0, n);
}

/**
 * Microseconds since the epoch as a number (±Infinity for ±infinity). Exact only while
 * |value| < 2^53 µs, i.e. for instants between about 1685 and 2255; outside, use
 * compareTimestamps, which is exact over PostgreSQL's whole range (4714 BC to 294276 AD).
 */
export function epochMicros(ts: TsResult): number {
  if (ts.infinite !== 0) return ts.infinite * Number.POSITIVE_INFINITY;
  return ts.epochSec * 1_000_000 + ts.micros;
}

/** Exact order of two timestamps: negative, zero or positive (-infinity < finite < infinity). */
export function compareTimestamps(a: TsResult, b: TsResult): number {
  if (a.infinite !== b.infinite) return a.infinite - b.infinite;
  if (a.infinite !== 0) return 0;
  if (a.epochSec !== b.epochSec) return a.epochSec < b.epochSec ? -1 : 1;
  return a.micros - b.micros;
}

/** A fresh result object to reuse across parseTimestamptz calls. */
export function newTsResult(): TsResult {
  return new TsResult();
}

/** Alias of epochMicros (same range caveat). */
export const tsEpochMicros: (ts: TsResult) => number = epochMicros;
