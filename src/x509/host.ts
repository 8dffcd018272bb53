// Server identity (RFC 9525): IP addresses match only iPAddress SANs, DNS names only dNSName SANs;
// a wildcard is only a whole left-most label and stands for exactly one label; the subject CN is
// never consulted.
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import type { SanEntry } from './cert.js';

export type HostRef =
  | { kind: 'ip'; input: string; bytes: Buffer; text: string }
  | { kind: 'dns'; input: string; name: string }
  | { kind: 'invalid'; input: string; reason: string };

/** IPv4 or IPv6 text to its 4 or 16 octets; undefined when it is not an address. */
export function ipBytes(text: string): Buffer | undefined {
  const v = isIP(text);
  if (v === 4) return Buffer.from(text.split('.').map((p) => Number(p)));
  if (v !== 6) return undefined;
  let s = text;
  let tail: number[] = [];
  const m = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (m) {
    const v4 = ipBytes(m[2] ?? '');
    if (!v4 || v4.length !== 4) return undefined;
    tail = [v4.readUInt16BE(0), v4.readUInt16BE(2)];
    s = m[1] ?? '';
    if (!s.endsWith('::')) s = s.slice(0, -1);
  }
  const parse = (h: string | undefined): number[] => (h ? h.split(':').map((g) => parseInt(g, 16)) : []);
  const halves = s.split('::');
  let groups: number[];
  if (halves.length === 2) {
    const left = parse(halves[0]);
    const right = parse(halves[1]);
    const fill = 8 - tail.length - left.length - right.length;
    if (fill < 0) return undefined;
    groups = [...left, ...new Array<number>(fill).fill(0), ...right];
  } else groups = parse(s);
  const all = [...groups, ...tail];
  if (all.length !== 8 || all.some((g) => !(g >= 0 && g <= 0xffff))) return undefined;
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** RFC 5952 text of 4 or 16 octets. */
export function ipText(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  // RFC 5952 section 5: IPv4-mapped addresses keep their dotted tail.
  if (b.subarray(0, 10).every((x) => x === 0) && b.readUInt16BE(10) === 0xffff)
    return `::ffff:${[...b.subarray(12)].join('.')}`;
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(b.readUInt16BE(i));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** A reference identifier from --host. */
export function parseHost(input: string): HostRef {
  let s = input.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (s.includes('%'))
    return { kind: 'invalid', input, reason: 'IPv6 zone identifiers are not part of a certificate name' };
  const b = ipBytes(s);
  if (b) return { kind: 'ip', input, bytes: b, text: ipText(b) };
  if (s.endsWith('.')) s = s.slice(0, -1);
  const ascii = domainToASCII(s.toLowerCase());
  if (ascii === '' || ascii.length > 253)
    return { kind: 'invalid', input, reason: 'not a valid DNS name or IP address' };
  const labels = ascii.split('.');
  if (!labels.every((l) => LABEL.test(l)))
    return { kind: 'invalid', input, reason: 'not a valid DNS name or IP address' };
  // An all-numeric last label is no DNS name: "127.1" or "10.0.0.256" must not be matched as one.
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? ''))
    return { kind: 'invalid', input, reason: 'looks like a malformed IP address' };
  return { kind: 'dns', input, name: ascii };
}

export type SanProblem = { entry: SanEntry; code: 'X509_SAN_DNS_IS_IP' | 'X509_SAN_INVALID'; reason: string };

/** DNS SAN as a presented identifier; undefined when it is malformed. */
function sanDns(value: string): { labels: string[]; wildcard: boolean } | undefined {
  let s = value.toLowerCase();
  if (s.endsWith('.')) s = s.slice(0, -1);
  const labels = s.split('.');
  const wildcard = labels[0] === '*';
  const rest = wildcard ? labels.slice(1) : labels;
  if (rest.length === 0 || !rest.every((l) => LABEL.test(l))) return undefined;
  return { labels, wildcard };
}

/** Lints of the SAN list: IPs spelled as DNS names, partial wildcards, bad iPAddress lengths. */
export function sanProblems(san: SanEntry[]): SanProblem[] {
  const out: SanProblem[] = [];
  for (const e of san) {
    if (e.type === 'dns') {
      if (ipBytes(e.value.replace(/^\[|\]$/g, '')))
        out.push({ entry: e, code: 'X509_SAN_DNS_IS_IP', reason: `DNS name "${e.value}" is an IP address` });
      else if (!sanDns(e.value))
        out.push({
          entry: e,
          code: 'X509_SAN_INVALID',
          reason: `DNS name "${e.value}" is malformed (wildcards only as the whole left-most label)`,
        });
    } else if (e.type === 'ip' && !ipBytes(e.value)) {
      out.push({
        entry: e,
        code: 'X509_SAN_INVALID',
        reason: `iPAddress "${e.value}" is not 4 or 16 octets`,
      });
    }
  }
  return out;
}

/** Which SAN entry (as "DNS:x" / "IP:y") presents this reference identifier, if any. */
export function matchHost(host: HostRef, san: SanEntry[] | undefined): string | undefined {
  if (!san || host.kind === 'invalid') return undefined;
  for (const e of san) {
    if (host.kind === 'ip') {
      if (e.type !== 'ip') continue;
      const b = ipBytes(e.value);
      if (b && b.equals(host.bytes)) return `IP:${e.value}`;
    } else {
      if (e.type !== 'dns') continue;
      const p = sanDns(e.value);
      if (!p) continue;
      const ref = host.name.split('.');
      if (p.labels.length !== ref.length) continue;
      if (p.labels.every((l, i) => (i === 0 && p.wildcard ? (ref[0] ?? '') !== '' : l === ref[i])))
        return `DNS:${e.value}`;
    }
  }
  return undefined;
}
