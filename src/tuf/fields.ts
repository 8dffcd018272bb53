// Safe access to parsed JSON: own properties only (a key named "constructor" or "__proto__"
// must never reach Object.prototype), and readers that record a finding for each bad field.
import type { Findings } from '../findings/collector.js';
import type { Location } from '../findings/types.js';

export type JsonObject = { [k: string]: unknown };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function own(o: JsonObject, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

export function has(o: JsonObject, k: string): boolean {
  return Object.hasOwn(o, k);
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}

/** Reads fields of one metadata file, reporting each problem against that file. */
export class FieldReader {
  constructor(
    private readonly findings: Findings,
    readonly loc: Location,
  ) {}

  missing(field: string): void {
    this.findings.add(
      'TUF_FIELD_MISSING',
      { ...this.loc, field },
      `${this.loc.path ?? '?'}: required field ${field} is missing`,
    );
  }

  invalid(field: string, want: string, got: unknown): void {
    this.findings.add(
      'TUF_FIELD_INVALID',
      { ...this.loc, field },
      `${this.loc.path ?? '?'}: ${field} must be ${want}, found ${describe(got)}`,
    );
  }

  str(o: JsonObject, key: string, field: string, required = true): string | undefined {
    if (!has(o, key)) {
      if (required) this.missing(field);
      return undefined;
    }
    const v = own(o, key);
    if (typeof v !== 'string') {
      this.invalid(field, 'a string', v);
      return undefined;
    }
    return v;
  }

  /** An integer >= min (safe range). */
  int(o: JsonObject, key: string, field: string, min: number, required = true): number | undefined {
    if (!has(o, key)) {
      if (required) this.missing(field);
      return undefined;
    }
    const v = own(o, key);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      this.invalid(field, `an integer >= ${min}`, v);
      return undefined;
    }
    return v;
  }

  bool(o: JsonObject, key: string, field: string, required = true): boolean | undefined {
    if (!has(o, key)) {
      if (required) this.missing(field);
      return undefined;
    }
    const v = own(o, key);
    if (typeof v !== 'boolean') {
      this.invalid(field, 'true or false', v);
      return undefined;
    }
    return v;
  }

  obj(o: JsonObject, key: string, field: string, required = true): JsonObject | undefined {
    if (!has(o, key)) {
      if (required) this.missing(field);
      return undefined;
    }
    const v = own(o, key);
    if (!isObject(v)) {
      this.invalid(field, 'an object', v);
      return undefined;
    }
    return v;
  }

  arr(o: JsonObject, key: string, field: string, required = true): unknown[] | undefined {
    if (!has(o, key)) {
      if (required) this.missing(field);
      return undefined;
    }
    const v = own(o, key);
    if (!Array.isArray(v)) {
      this.invalid(field, 'an array', v);
      return undefined;
    }
    return v;
  }

  /** An array of strings; bad elements are reported and dropped. */
  strings(o: JsonObject, key: string, field: string, required = true): string[] | undefined {
    const a = this.arr(o, key, field, required);
    if (!a) return undefined;
    const out: string[] = [];
    a.forEach((e, i) => {
      if (typeof e === 'string') out.push(e);
      else this.invalid(`${field}[${i}]`, 'a string', e);
    });
    return out;
  }
}
