// Key custody, the part only a backup verifier does: every private key in the archive is matched
// by its public half against the roles. Online keys (timestamp, snapshot) must be the keys the
// newest root lists; any private key of root, targets or a delegated role is an offline key leak.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { FileSource } from '../files/source.js';
import type { TufContext } from './context.js';
import type { DelegationGraph } from './delegations.js';
import { fingerprintOf, short } from './keys.js';
import type { RootMeta } from './metadata.js';
import type { KeyCustody, KeyRoleMatch, OnlineRoleCustody } from './report.js';

const ONLINE = ['timestamp', 'snapshot'] as const;

interface KeyIndexEntry extends KeyRoleMatch {
  offline: boolean;
}

/** fingerprint → every role (current and historic) that lists the key. */
function buildIndex(
  newest: RootMeta | undefined,
  roots: Map<number, RootMeta>,
  graph: DelegationGraph | undefined,
): Map<string, KeyIndexEntry[]> {
  const idx = new Map<string, KeyIndexEntry[]>();
  const put = (fp: string | undefined, e: KeyIndexEntry): void => {
    if (!fp) return;
    const l = idx.get(fp) ?? [];
    // One entry per role; a current listing hides the same role's listings in older roots.
    if (!l.some((x) => x.role === e.role && x.delegatedBy === e.delegatedBy && (x.current || !e.current)))
      l.push(e);
    idx.set(fp, l);
  };
  const newestVersion = newest?.env.version ?? null;
  const addRoot = (m: RootMeta, current: boolean): void => {
    for (const [name, def] of m.roles)
      for (const k of def.keyids)
        put(m.keys.get(k)?.fingerprint, {
          role: name,
          keyid: k,
          rootVersion: m.env.version ?? null,
          delegatedBy: null,
          current,
          offline: name === 'root' || name === 'targets',
        });
  };
  if (newest) addRoot(newest, true);
  const older = [...roots.entries()].filter(([v]) => v !== newestVersion).sort(([a], [b]) => b - a);
  for (const [, m] of older) addRoot(m, false);
  for (const g of graph?.roles.values() ?? []) {
    const meta = g.meta;
    if (!meta) continue;
    for (const d of meta.delegations)
      for (const k of d.keyids)
        put(meta.delegationKeys.get(k)?.fingerprint, {
          role: d.name,
          keyid: k,
          rootVersion: null,
          delegatedBy: g.name,
          current: true,
          offline: true,
        });
  }
  return idx;
}

interface PemBlock {
  label: string;
  text: string;
  encrypted: boolean;
}

function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]{1,40})-----[\s\S]*?-----END \1-----/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && out.length < 16) {
    const label = m[1] ?? '';
    out.push({
      label,
      text: m[0],
      encrypted: label.startsWith('ENCRYPTED') || /Proc-Type:\s*4,ENCRYPTED/.test(m[0]),
    });
  }
  return out;
}

function intendedRoleOf(path: string): string | null {
  const base = (path.split('/').pop() ?? path).toLowerCase();
  const ts = base.includes('timestamp');
  const sn = base.includes('snapshot');
  if (ts === sn) return null;
  return ts ? 'timestamp' : 'snapshot';
}

export interface CustodyResult {
  keys: KeyCustody[];
  onlineRoles: OnlineRoleCustody[] | null;
}

export function checkCustody(
  ctx: TufContext,
  keys: FileSource | undefined,
  extra: Array<{ path: string; data: Buffer }>,
  newest: RootMeta | undefined,
  roots: Map<number, RootMeta>,
  graph: DelegationGraph | undefined,
): CustodyResult {
  const idx = buildIndex(newest, roots, graph);
  const results: KeyCustody[] = [];
  const presentOnline = new Map<string, Set<string>>(); // role → fingerprints found
  const inputs: Array<{
    path: string;
    data: Buffer | undefined;
    mode: number | undefined;
    source: 'keys' | 'extra';
    error?: string;
    size: number;
  }> = [];
  for (const p of keys?.list() ?? []) {
    const f = keys?.get(p);
    if (!f) continue;
    inputs.push({
      path: p,
      data: f.data,
      mode: f.mode,
      source: 'keys',
      size: f.size,
      ...(f.error ? { error: f.error } : {}),
    });
  }
  for (const e of extra)
    inputs.push({ path: e.path, data: e.data, mode: undefined, source: 'extra', size: e.data.length });
  let n = 0;
  for (const inp of inputs) {
    if (++n > ctx.limits.maxKeyFiles) {
      ctx.limit('maxKeyFiles', { path: inp.path }, `more than ${ctx.limits.maxKeyFiles} key files`);
      break;
    }
    const rec: KeyCustody = {
      path: inp.path,
      source: inp.source,
      status: 'unreadable',
      keyType: null,
      fingerprint: null,
      matches: [],
      intendedRole: inp.source === 'keys' ? intendedRoleOf(inp.path) : null,
    };
    results.push(rec);
    const loc = { path: inp.path, ...(rec.intendedRole ? { role: rec.intendedRole } : {}) };
    const fromKeys = inp.source === 'keys';
    if (inp.size > ctx.limits.maxKeyFileBytes || !inp.data || inp.data.length > ctx.limits.maxKeyFileBytes) {
      if (fromKeys)
        ctx.add(
          'TUF_KEY_FILE_UNREADABLE',
          loc,
          `${inp.path}: ${inp.error ?? (inp.size > ctx.limits.maxKeyFileBytes ? `larger than ${ctx.limits.maxKeyFileBytes} bytes` : 'no data')}`,
        );
      continue;
    }
    const blocks = pemBlocks(inp.data.toString('latin1')).filter((b) => b.label.endsWith('PRIVATE KEY'));
    if (blocks.length === 0) {
      if (fromKeys) ctx.add('TUF_KEY_FILE_UNREADABLE', loc, `${inp.path} holds no PEM private key`);
      continue;
    }
    if (fromKeys && inp.mode !== undefined && (inp.mode & 0o077) !== 0)
      ctx.add(
        'TUF_KEY_FILE_PERMISSIONS',
        loc,
        `${inp.path} has mode ${inp.mode.toString(8).padStart(4, '0')}: a private key should be 0600`,
        {
          mode: inp.mode.toString(8),
        },
      );
    // One record per file: the first private key block decides (several keys in one file are unusual).
    const b = blocks[0];
    if (!b) continue;
    if (b.encrypted) {
      rec.status = 'encrypted';
      ctx.add(
        'TUF_KEY_FILE_ENCRYPTED',
        loc,
        `${inp.path} is encrypted: which role it belongs to cannot be checked without its passphrase`,
      );
      continue;
    }
    let fp: string;
    try {
      const priv = createPrivateKey({ key: b.text, format: 'pem' });
      const pub = createPublicKey(priv);
      rec.keyType = pub.asymmetricKeyType ?? null;
      fp = fingerprintOf(pub);
    } catch (e) {
      if (fromKeys)
        ctx.add(
          'TUF_KEY_FILE_UNREADABLE',
          loc,
          `${inp.path}: the private key cannot be read: ${e instanceof Error ? e.message : String(e)}`,
        );
      continue;
    }
    rec.fingerprint = fp;
    const entries = idx.get(fp) ?? [];
    rec.matches = entries.map(({ role, keyid, rootVersion, delegatedBy, current }) => ({
      role,
      keyid,
      rootVersion,
      delegatedBy,
      current,
    }));
    const current = entries.filter((e) => e.current);
    const offline = current.filter((e) => e.offline || !(ONLINE as readonly string[]).includes(e.role));
    const online = current.filter((e) => (ONLINE as readonly string[]).includes(e.role));
    const mloc = (e: KeyRoleMatch): typeof loc & { role: string; keyid: string } => ({
      ...loc,
      role: e.role,
      keyid: e.keyid,
    });
    if (offline.length > 0) {
      rec.status = 'offline-leak';
      for (const e of offline)
        ctx.add(
          'TUF_KEY_LEAKED_OFFLINE',
          mloc(e),
          `${inp.path} is the private key of the ${e.role} role (keyid ${short(e.keyid)}${e.delegatedBy ? `, delegated by ${e.delegatedBy}` : ''}): an offline key has leaked into the backup`,
          { keyid: e.keyid, role: e.role, delegatedBy: e.delegatedBy },
        );
    }
    for (const e of online) {
      const s = presentOnline.get(e.role) ?? new Set<string>();
      s.add(fp);
      presentOnline.set(e.role, s);
    }
    if (offline.length > 0) continue;
    const want = rec.intendedRole;
    if (online.length > 0) {
      rec.status = 'online';
      if (want && !online.some((e) => e.role === want)) {
        rec.status = 'wrong-role';
        ctx.add(
          'TUF_ONLINE_KEY_MISMATCH',
          { ...loc, role: want },
          `${inp.path} is named for the ${want} role but is a key of ${online.map((e) => e.role).join(', ')}: the restored node would sign ${want} metadata devices reject`,
          { holds: online.map((e) => e.role) },
        );
      }
      continue;
    }
    const historic = entries.filter((e) => !e.current);
    if (historic.length > 0) {
      const h = historic[0];
      const offlineHist = historic.filter((e) => e.role === 'root' || e.role === 'targets');
      rec.status = 'historic';
      if (offlineHist[0]) {
        const e = offlineHist[0];
        ctx.add(
          'TUF_KEY_LEAKED_HISTORIC',
          mloc(e),
          `${inp.path} is the private key of the ${e.role} role of root version ${e.rootVersion ?? '?'} (rotated out since): devices pinned to that root still trust it`,
          { keyid: e.keyid, rootVersion: e.rootVersion },
        );
      } else if (want && fromKeys) {
        rec.status = 'wrong-role';
        ctx.add(
          'TUF_ONLINE_KEY_MISMATCH',
          { ...loc, role: want, ...(h ? { keyid: h.keyid } : {}) },
          `${inp.path} is a ${h?.role ?? '?'} key of root version ${h?.rootVersion ?? '?'}, not one the newest root lists for ${want}: the restored node would sign metadata devices reject`,
          { rootVersion: h?.rootVersion ?? null },
        );
      } else if (fromKeys)
        ctx.add(
          'TUF_KEY_FILE_UNKNOWN',
          loc,
          `${inp.path} is a ${h?.role ?? '?'} key of root version ${h?.rootVersion ?? '?'} only; no current role uses it`,
        );
      continue;
    }
    if (!fromKeys) {
      rec.status = 'not-tuf';
      continue;
    }
    rec.status = want ? 'wrong-role' : 'unknown';
    if (want)
      ctx.add(
        'TUF_ONLINE_KEY_MISMATCH',
        { ...loc, role: want },
        `${inp.path} is named for the ${want} role but no root lists its public key: the restored node would sign ${want} metadata devices reject`,
      );
    else ctx.add('TUF_KEY_FILE_UNKNOWN', loc, `${inp.path} is a private key of no TUF role`);
  }

  // Each online role needs threshold-many of its private keys for the restored node to sign.
  let onlineRoles: OnlineRoleCustody[] | null = null;
  if (keys && newest) {
    onlineRoles = [];
    for (const role of ONLINE) {
      const def = newest.roles.get(role);
      const threshold = def?.threshold ?? null;
      const present = presentOnline.get(role)?.size ?? 0;
      const ok = threshold !== null && present >= threshold;
      onlineRoles.push({ role, threshold, keysPresent: present, ok });
      if (!ok)
        ctx.add(
          'TUF_ONLINE_KEY_MISSING',
          { role, ...(newest.env.version !== undefined ? { version: newest.env.version } : {}) },
          `the archive holds ${present} private key(s) of the ${role} role, threshold ${threshold ?? '?'}: the restored node cannot sign ${role} metadata`,
          { threshold, present },
        );
    }
  }
  return { keys: results, onlineRoles };
}
