import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ipBytes, ipText, matchHost, parseHost, sanProblems } from '../../src/x509/host.js';

const SAN = [
  { type: 'dns', value: 'node.meshanics.test' },
  { type: 'dns', value: '*.fleet.meshanics.test' },
  { type: 'ip', value: '127.0.0.1' },
  { type: 'ip', value: '2001:db8::1' },
];
const m = (h: string, san = SAN): string | undefined => matchHost(parseHost(h), san);

describe('host matching (RFC 9525)', () => {
  test('DNS names: exact, case-insensitive, trailing dot', () => {
    assert.equal(m('node.meshanics.test'), 'DNS:node.meshanics.test');
    assert.equal(m('Node.MESHANICS.test.'), 'DNS:node.meshanics.test');
  });

  test('a wildcard stands for exactly one whole left-most label', () => {
    assert.equal(m('x.fleet.meshanics.test'), 'DNS:*.fleet.meshanics.test');
    assert.equal(m('fleet.meshanics.test'), undefined);
    assert.equal(m('a.x.fleet.meshanics.test'), undefined);
  });

  test('partial wildcards never match and are flagged', () => {
    const san = [
      { type: 'dns', value: 'f*.meshanics.test' },
      { type: 'dns', value: 'a.*.test' },
    ];
    assert.equal(m('fleet.meshanics.test', san), undefined);
    assert.equal(m('a.b.test', san), undefined);
    assert.deepEqual(
      sanProblems(san).map((p) => p.code),
      ['X509_SAN_INVALID', 'X509_SAN_INVALID'],
    );
  });

  test('IP addresses match only iPAddress SANs, IPv6 normalized', () => {
    assert.equal(m('127.0.0.1'), 'IP:127.0.0.1');
    assert.equal(m('2001:DB8:0:0:0:0:0:1'), 'IP:2001:db8::1');
    assert.equal(m('[2001:db8::1]'), 'IP:2001:db8::1');
    assert.equal(m('127.0.0.1', [{ type: 'dns', value: '127.0.0.1' }]), undefined);
  });

  test('an IPv4 address does not match its IPv4-mapped IPv6 form', () => {
    assert.equal(m('::ffff:127.0.0.1'), undefined);
  });

  test('malformed addresses are not names', () => {
    for (const h of ['10.0.0.256', '127.1', 'a..b', '*.fleet.meshanics.test', 'fe80::1%eth0', ''])
      assert.equal(parseHost(h).kind, 'invalid', h);
  });

  test('internationalized names are compared as A-labels', () => {
    const r = parseHost('bücher.example');
    assert.equal(r.kind === 'dns' ? r.name : '', 'xn--bcher-kva.example');
  });
});

describe('IP text', () => {
  test('round trips and RFC 5952 form', () => {
    assert.equal(ipText(ipBytes('0:0:0:0:0:0:0:1') ?? Buffer.alloc(0)), '::1');
    assert.equal(ipText(ipBytes('2001:db8:0:0:1:0:0:1') ?? Buffer.alloc(0)), '2001:db8::1:0:0:1');
    assert.equal(ipText(ipBytes('::ffff:1.2.3.4') ?? Buffer.alloc(0)), '::ffff:1.2.3.4');
    assert.equal(ipBytes('1:2:3:4:5:6:7:8')?.toString('hex'), '00010002000300040005000600070008');
    assert.equal(ipBytes('::')?.length, 16);
    assert.equal(ipBytes('nope'), undefined);
  });
});
