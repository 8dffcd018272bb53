// timestamptz text as PostgreSQL prints it (DateStyle ISO) in the dumping session's zone, and the
// recipe's UTC form, for a handful of zones whose rules are simple enough to compute here
// (US daylight saving rules since 2007, or a fixed offset). Times are epoch microseconds.

const US_RULES_FROM = 2007;

interface ZoneRule {
  /** Standard offset, seconds east of UTC. */
  std: number;
  /** US daylight saving (second Sunday of March to first Sunday of November, 02:00 local). */
  usDst: boolean;
}

const ZONES: Record<string, ZoneRule> = {
  UTC: { std: 0, usDst: false },
  'America/New_York': { std: -5 * 3600, usDst: true },
  'America/Chicago': { std: -6 * 3600, usDst: true },
  'America/Los_Angeles': { std: -8 * 3600, usDst: true },
  'Asia/Kathmandu': { std: 5 * 3600 + 45 * 60, usDst: false },
  'Asia/Kolkata': { std: 5 * 3600 + 30 * 60, usDst: false },
};

export const SUPPORTED_ZONES: readonly string[] = Object.keys(ZONES);

export function isSupportedZone(name: string): boolean {
  return Object.hasOwn(ZONES, name);
}

/** Day of month of the n-th Sunday (n >= 1) of month m (0-based) in year y. */
function nthSunday(y: number, m: number, n: number): number {
  const firstDow = new Date(Date.UTC(y, m, 1)).getUTCDay();
  return 1 + ((7 - firstDow) % 7) + 7 * (n - 1);
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** PostgreSQL's offset text: +HH, then :MM and :SS only when not zero. */
export function offsetText(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const a = Math.abs(seconds);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  const s = a % 60;
  let out = `${sign}${two(h)}`;
  if (m !== 0 || s !== 0) out += `:${two(m)}`;
  if (s !== 0) out += `:${two(s)}`;
  return out;
}

/** "YYYY-MM-DD" of a day number (days since 1970-01-01), proleptic Gregorian, years 1..9999. */
function dateText(day: number): string {
  const d = new Date(day * 86_400_000);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
}

/** Fractional seconds with trailing zeros trimmed, or '' for whole seconds (PostgreSQL's output). */
function trimmedFraction(micros: number): string {
  if (micros === 0) return '';
  let s = String(micros).padStart(6, '0');
  while (s.endsWith('0')) s = s.slice(0, -1);
  return `.${s}`;
}

export class TimeText {
  private readonly rule: ZoneRule;
  private year = NaN;
  private dstStart = 0;
  private dstEnd = 0;
  private localDay = NaN;
  private localDate = '';
  private utcDay = NaN;
  private utcDate = '';

  constructor(zone: string) {
    const rule = ZONES[zone];
    if (rule === undefined)
      throw new Error(`unsupported zone ${zone} (supported: ${SUPPORTED_ZONES.join(', ')})`);
    this.rule = rule;
  }

  /** Offset in seconds east of UTC at this instant (epoch seconds). */
  offsetAt(sec: number): number {
    if (!this.rule.usDst) return this.rule.std;
    const y = new Date(sec * 1000).getUTCFullYear();
    if (y !== this.year) {
      if (y < US_RULES_FROM) throw new Error(`zone rules here start in ${US_RULES_FROM}; got year ${y}`);
      this.year = y;
      // 02:00 local standard time, and 02:00 local daylight time.
      this.dstStart = Date.UTC(y, 2, nthSunday(y, 2, 2), 2) / 1000 - this.rule.std;
      this.dstEnd = Date.UTC(y, 10, nthSunday(y, 10, 1), 2) / 1000 - (this.rule.std + 3600);
    }
    return sec >= this.dstStart && sec < this.dstEnd ? this.rule.std + 3600 : this.rule.std;
  }

  /** As pg_dump prints a timestamptz in this zone: "2026-11-25 22:00:00.123456-05". */
  local(micros: number): string {
    const sec = Math.floor(micros / 1_000_000);
    const frac = micros - sec * 1_000_000;
    const off = this.offsetAt(sec);
    const lsec = sec + off;
    const day = Math.floor(lsec / 86_400);
    if (day !== this.localDay) {
      this.localDay = day;
      this.localDate = dateText(day);
    }
    const sod = lsec - day * 86_400;
    return `${this.localDate} ${two(Math.floor(sod / 3600))}:${two(Math.floor((sod % 3600) / 60))}:${two(sod % 60)}${trimmedFraction(frac)}${offsetText(off)}`;
  }

  /** The recipe's form: to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'). */
  utc(micros: number): string {
    const sec = Math.floor(micros / 1_000_000);
    const frac = micros - sec * 1_000_000;
    const day = Math.floor(sec / 86_400);
    if (day !== this.utcDay) {
      this.utcDay = day;
      this.utcDate = dateText(day);
    }
    const sod = sec - day * 86_400;
    return `${this.utcDate}T${two(Math.floor(sod / 3600))}:${two(Math.floor((sod % 3600) / 60))}:${two(sod % 60)}.${String(frac).padStart(6, '0')}Z`;
  }
}
