import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PLAIN_STYLE, renderCertText, verifyDeviceCertificates, type Style } from '../../src/x509/index.js';
import { Findings } from '../../src/findings/collector.js';
import { AT, devices, run, source } from './helpers.js';

const TAGGED: Style = {
  ok: (s) => `<ok>${s}</ok>`,
  bad: (s) => `<bad>${s}</bad>`,
  warn: (s) => `<warn>${s}</warn>`,
  dim: (s) => s,
  bold: (s) => s,
};

test('the good set renders its chain, hosts and keys as ok', () => {
  const lines = renderCertText(run(source(), { hosts: ['node.meshanics.test'] }).report, TAGGED).join('\n');
  assert.match(lines, /chain server\.crt#0 -> ca\.crt#0: <ok>valid<\/ok>/);
  assert.match(lines, /host node\.meshanics\.test: <ok>matches DNS:node\.meshanics\.test<\/ok>/);
  assert.match(lines, /key server\.key: <ok>matches<\/ok>/);
  assert.match(lines, /at reference <ok>valid, expires in \d+ day\(s\)<\/ok>/);
  assert.doesNotMatch(lines, /<bad>/);
});

test('a failing check and an expired certificate render as bad', () => {
  const lines = renderCertText(run(source('expired')).report, TAGGED).join('\n');
  assert.match(lines, /<bad>FAIL<\/bad> server\.crt chains to ca\.crt .*X509_EXPIRED/);
  assert.match(lines, /at reference <bad>expired \d+ day\(s\) ago<\/bad>/);
});

test('device reports list only devices with findings', () => {
  const findings = new Findings();
  const ca = run(source()).report.ca;
  const r = verifyDeviceCertificates(
    [...devices('good/devices.json'), ...devices('devices/expired.json')],
    ca,
    { at: AT, now: AT, findings },
  );
  const lines = renderCertText(r, PLAIN_STYLE);
  assert.ok(lines.some((l) => l.includes('device:MSH-0301')));
  assert.ok(!lines.some((l) => l.includes('device:MSH-0001')));
});
