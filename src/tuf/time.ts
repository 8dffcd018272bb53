// TUF expiry strings. The spec form is YYYY-MM-DDTHH:MM:SSZ; real repositories also wrote
// fractional seconds and UTC offsets (sigstore roots 1-3), which clients accept: we accept them
// with a warning.

export interface ParsedTime {
  date: Date;
  /** True when the string is exactly the spec form. */
  strict: boolean;
}

const STRICT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
const LOOSE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function parseExpires(s: string): ParsedTime | undefined {
  const strict = STRICT.test(s);
  const m = LOOSE.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(se);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return undefined;
  const base = new Date(Date.UTC(2000, month - 1, day, hour, minute, Math.min(second, 59)));
  base.setUTCFullYear(year, month - 1, day); // Date.UTC maps years 0-99 to 1900-1999
  let ms = base.getTime();
  // Date.UTC rolls 31 Feb over into March: reject dates that do not exist.
  const check = new Date(ms);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined;
  if (second === 60) ms += 1000;
  if (frac) ms += Math.floor(Number('0' + frac) * 1000);
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    ms -= sign * (oh * 60 + om) * 60_000;
  }
  return { date: new Date(ms), strict };
}
