// COPY text helpers: decoding as PostgreSQL's COPY FROM does, bytea input, and round trips.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CopyRowSplitter,
  decodeBytea,
  decodeByteaField,
  encodeByteaHex,
  encodeCopyField,
  isNullField,
  splitFields,
  unescapeField,
  unescapeFieldInto,
} from '../../src/dump/copy.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const un = (s: string): string | null => {
  const buf = b(s);
  const v = unescapeField(buf, 0, buf.length);
  return v === null ? null : v.toString('latin1');
};

describe('unescapeField (CopyReadAttributesText)', () => {
  const cases: Array<[string, string | null]> = [
    ['plain', 'plain'],
    ['', ''],
    ['\\N', null],
    ['\\\\N', '\\N'],
    ['\\NN', 'NN'],
    ['a\\tb', 'a\tb'],
    ['\\b\\f\\n\\r\\t\\v', '\b\f\n\r\t\v'],
    ['\\\\', '\\'],
    ['\\.', '.'],
    ['\\q', 'q'],
    ['\\101\\60', 'A0'],
    ['\\1011', 'A1'],
    ['\\777', '\xff'],
    ['\\8', '8'],
    ['\\x41', 'A'],
    ['\\x4', '\x04'],
    ['\\x4g', '\x04g'],
    ['\\xg', 'xg'],
    ['\\x', 'x'],
    ['\\X41', 'X41'],
    ['end\\', 'end'],
  ];
  for (const [raw, want] of cases) {
    it(`${JSON.stringify(raw)} → ${JSON.stringify(want)}`, () => {
      assert.equal(un(raw), want);
      const buf = b(`##${raw}##`);
      const dst = Buffer.alloc(raw.length + 1);
      const n = unescapeFieldInto(buf, 2, 2 + raw.length, dst, 1);
      assert.equal(n < 0 ? null : dst.toString('latin1', 1, 1 + n), want);
    });
  }

  it('returns a view of the input (no copy) when there is no backslash', () => {
    const buf = b('xxhelloxx');
    const v = unescapeField(buf, 2, 7);
    assert.ok(v);
    assert.equal(v.buffer, buf.buffer);
    assert.equal(v.toString(), 'hello');
  });

  it('NULL only when the raw text is exactly \\N', () => {
    const buf = b('\\N\t\\\\N\t\\Nx');
    assert.equal(isNullField(buf, 0, 2), true);
    assert.equal(isNullField(buf, 3, 6), false);
    assert.equal(isNullField(buf, 7, 10), false);
  });
});

describe('splitFields', () => {
  const fields = (s: string): string[] => {
    const buf = b(s);
    const pos: number[] = [];
    const n = splitFields(buf, 0, buf.length, pos);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(buf.toString('latin1', pos[2 * i], pos[2 * i + 1]));
    return out;
  };
  it('splits on tabs', () => assert.deepEqual(fields('a\tb\t\tc'), ['a', 'b', '', 'c']));
  it('one field when there is no tab', () => assert.deepEqual(fields('abc'), ['abc']));
  it('empty row is one empty field', () => assert.deepEqual(fields(''), ['']));
  it('a tab escaped by a backslash is not a delimiter', () =>
    assert.deepEqual(fields('a\\\tb\tc'), ['a\\\tb', 'c']));
  it('an escaped backslash before a tab leaves it a delimiter', () =>
    assert.deepEqual(fields('a\\\\\tb'), ['a\\\\', 'b']));
  it('works inside a larger buffer', () => {
    const buf = b('XXa\tbYY');
    const pos: number[] = [];
    assert.equal(splitFields(buf, 2, 5, pos), 2);
    assert.deepEqual(pos.slice(0, 4), [2, 3, 4, 5]);
  });
});

describe('bytea (byteain)', () => {
  const hex = (v: Buffer | undefined | null): string | undefined | null => (v ? v.toString('hex') : v);
  it('hex form', () => assert.equal(hex(decodeBytea(b('\\x00ff5C'))), '00ff5c'));
  it('hex form with blanks between pairs', () => assert.equal(hex(decodeBytea(b('\\x00 ff\n5c'))), '00ff5c'));
  it('hex form: empty', () => assert.equal(hex(decodeBytea(b('\\x'))), ''));
  it('hex form: odd digit count is invalid', () => assert.equal(decodeBytea(b('\\x0')), undefined));
  it('hex form: a blank inside a pair is invalid', () => assert.equal(decodeBytea(b('\\x0 0')), undefined));
  it('hex form: a non-hex digit is invalid', () => assert.equal(decodeBytea(b('\\x0g')), undefined));
  it('escape form', () => assert.equal(hex(decodeBytea(b('a\\\\\\000\\377z'))), '615c00ff7a'));
  it('escape form: \\4xx is invalid (first octal digit 0-3)', () =>
    assert.equal(decodeBytea(b('\\400')), undefined));
  it('escape form: a lone backslash is invalid', () => assert.equal(decodeBytea(b('a\\')), undefined));
  it('escape form: two octal digits are invalid', () => assert.equal(decodeBytea(b('\\01')), undefined));
  it('from the raw COPY field, hex form (fast path)', () => {
    const buf = b('\\\\x0a1b');
    assert.equal(hex(decodeByteaField(buf, 0, buf.length)), '0a1b');
  });
  it('from the raw COPY field, escape form', () => {
    const buf = b('\\\\000\\\\\\\\A');
    assert.equal(hex(decodeByteaField(buf, 0, buf.length)), '005c41');
  });
  it('from the raw COPY field: NULL', () => {
    const buf = b('\\N');
    assert.equal(decodeByteaField(buf, 0, buf.length), null);
  });
  it('from the raw COPY field: invalid', () => {
    const buf = b('\\\\x0');
    assert.equal(decodeByteaField(buf, 0, buf.length), undefined);
  });
});

describe('round trips', () => {
  it('encodeCopyField → unescapeField gives the value back (property)', () => {
    fc.assert(
      fc.property(fc.option(fc.uint8Array({ maxLength: 64 }), { nil: null }), (v) => {
        const value = v === null ? null : Buffer.from(v);
        const enc = encodeCopyField(value);
        assert.equal(enc.includes(0x09), false, 'no raw tab');
        assert.equal(enc.includes(0x0a), false, 'no raw newline');
        const dec = unescapeField(enc, 0, enc.length);
        const into = Buffer.alloc(enc.length + 3, 0xee);
        const n = unescapeFieldInto(enc, 0, enc.length, into, 3);
        if (value === null) {
          assert.equal(dec, null);
          assert.equal(n, -1);
        } else {
          assert.ok(dec);
          assert.ok(dec.equals(value));
          assert.ok(into.subarray(3, 3 + n).equals(value));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('bytea: encodeByteaHex → encodeCopyField → decodeByteaField (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (v) => {
        const enc = encodeCopyField(encodeByteaHex(Buffer.from(v)));
        const dec = decodeByteaField(enc, 0, enc.length);
        assert.ok(dec);
        assert.ok(dec.equals(Buffer.from(v)));
      }),
      { numRuns: 1000 },
    );
  });

  it('rows of encoded fields split back into the same rows and fields, however chunked (property)', () => {
    const row = fc.array(fc.option(fc.uint8Array({ maxLength: 12 }), { nil: null }), {
      minLength: 1,
      maxLength: 5,
    });
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1 }),
        (rows, cuts) => {
          const text = Buffer.concat(
            rows.map((r) =>
              Buffer.concat([
                ...r.flatMap((f, i) => [
                  i > 0 ? b('\t') : b(''),
                  encodeCopyField(f === null ? null : Buffer.from(f)),
                ]),
                b('\n'),
              ]),
            ),
          );
          const got: Array<Array<Buffer | null>> = [];
          const pos: number[] = [];
          const sp = new CopyRowSplitter((buf, s, e) => {
            const n = splitFields(buf, s, e, pos);
            const fields: Array<Buffer | null> = [];
            for (let i = 0; i < n; i++) {
              const f = unescapeField(buf, pos[2 * i] ?? 0, pos[2 * i + 1] ?? 0);
              fields.push(f === null ? null : Buffer.from(f));
            }
            got.push(fields);
          });
          let at = 0;
          let k = 0;
          while (at < text.length) {
            const n = cuts[k++ % cuts.length] ?? 1;
            sp.push(text.subarray(at, at + n));
            at += n;
          }
          assert.equal(sp.end(), true);
          assert.equal(sp.rows, rows.length);
          assert.deepEqual(
            got.map((r) => r.map((f) => (f === null ? null : f.toString('hex')))),
            rows.map((r) => r.map((f) => (f === null ? null : Buffer.from(f).toString('hex')))),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('CopyRowSplitter', () => {
  it('a newline escaped by a backslash continues the row (as COPY FROM reads it)', () => {
    const rows: string[] = [];
    const sp = new CopyRowSplitter((buf, s, e) => rows.push(buf.toString('latin1', s, e)));
    sp.push(b('a\\\nb\nc\\\\\nd\n'));
    assert.equal(sp.end(), true);
    assert.deepEqual(rows, ['a\\\nb', 'c\\\\', 'd']);
    assert.equal(un('a\\\nb'), 'a\nb');
  });

  it('the escape parity carries across chunks', () => {
    const rows: string[] = [];
    const sp = new CopyRowSplitter((buf, s, e) => rows.push(buf.toString('latin1', s, e)));
    for (const c of ['x\\', '\\', '\\', '\ny\n']) sp.push(b(c));
    assert.deepEqual(rows, ['x\\\\\\\ny']);
  });

  it('an unfinished last row is reported by end()', () => {
    const sp = new CopyRowSplitter(() => undefined);
    sp.push(b('a\nb'));
    assert.equal(sp.end(), false);
  });

  it('rows longer than maxLineBytes are skipped and reported with their number', () => {
    const rows: string[] = [];
    const long: number[] = [];
    const sp = new CopyRowSplitter(
      (buf, s, e) => rows.push(buf.toString('latin1', s, e)),
      4,
      (r) => long.push(r),
    );
    for (const c of ['ok\n12', '345', '67\nfine\n', 'waytoolong\nx\n']) sp.push(b(c));
    assert.equal(sp.end(), true);
    assert.deepEqual(rows, ['ok', 'fine', 'x']);
    assert.deepEqual(long, [2, 4]);
  });
});
