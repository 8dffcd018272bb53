// The statements the reader parses: pg_dump's COPY ... FROM stdin, INSERT targets, \connect.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  connectTarget,
  insertTarget,
  isCopyFromStdin,
  parseCopyStatement,
} from '../../src/dump/copy-stmt.js';

describe('parseCopyStatement', () => {
  const ok: Array<[string, { schema: string; name: string; columns: string[] }]> = [
    [
      'COPY public.audit_log (seq, occurred_at) FROM stdin;\n',
      { schema: 'public', name: 'audit_log', columns: ['seq', 'occurred_at'] },
    ],
    [
      'COPY public."Weird ""Name""" ("Col A", "b\\c", data) FROM stdin;',
      { schema: 'public', name: 'Weird "Name"', columns: ['Col A', 'b\\c', 'data'] },
    ],
    ['copy "My Schema".t (a) from STDIN', { schema: 'My Schema', name: 't', columns: ['a'] }],
    ['COPY Public.T (A) FROM stdin;', { schema: 'public', name: 't', columns: ['a'] }],
    ['COPY t (a) FROM stdin;', { schema: '', name: 't', columns: ['a'] }],
    ['COPY public.nocols  FROM stdin;', { schema: 'public', name: 'nocols', columns: [] }],
    ['COPY public.t ( a ,b )\nFROM stdin ;\n', { schema: 'public', name: 't', columns: ['a', 'b'] }],
    ['COPY public.ünï (ç) FROM stdin;', { schema: 'public', name: 'ünï', columns: ['ç'] }],
  ];
  for (const [text, want] of ok) {
    it(JSON.stringify(text), () => assert.deepEqual(parseCopyStatement(text), want));
  }
  for (const bad of [
    'COPY public.t (a) TO stdout;',
    "COPY public.t (a) FROM '/etc/passwd';",
    'COPY public.t (a, FROM stdin;',
    'COPY public.t (a) FROM stdin; DROP TABLE x;',
    'COPY a.b.c (a) FROM stdin;',
    'COPY public."" (a) FROM stdin;',
    'COPY public."unterminated (a) FROM stdin;',
    'COPYX public.t (a) FROM stdin;',
    'SELECT 1;',
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(parseCopyStatement(bad), undefined));
  }
  it('isCopyFromStdin tells a data-carrying COPY even when it cannot be parsed', () => {
    assert.equal(isCopyFromStdin('COPY public.t (a, FROM stdin;'), true);
    assert.equal(isCopyFromStdin('COPY public.t (a) TO stdout;'), false);
  });
});

describe('insertTarget and connectTarget', () => {
  it('INSERT INTO targets', () => {
    assert.equal(insertTarget('INSERT INTO public.audit_log VALUES (1)'), 'public.audit_log');
    assert.equal(insertTarget('insert into "S"."T" (a) values (1)'), 'S.T');
    assert.equal(insertTarget('SELECT 1'), undefined);
  });
  it('\\connect forms pg_dump writes', () => {
    assert.equal(connectTarget('\\connect meshanics'), 'meshanics');
    assert.equal(connectTarget('\\connect "My DB"'), 'My DB');
    assert.equal(connectTarget(`\\connect -reuse-previous=on "dbname='it\\'s a ""db""'"`), 'it\'s a "db"');
    assert.equal(connectTarget('\\connect "Meshanics"'), 'Meshanics');
    assert.equal(connectTarget('\\restrict abc'), undefined);
  });
});
