// Step 1, online keys work: re-sign, in memory, a fresh timestamp (and a fresh snapshot when its
// key is online) with the archive's online keys, as the restored node must once the backed-up
// timestamp expires, and check that a client trusting the newest root accepts them.
import { createHash } from 'node:crypto';
import type { FileSource } from '../files/source.js';
import type { Location } from '../findings/types.js';
import type { KeyCustody } from '../tuf/index.js';
import {
  blocking,
  causeOf,
  causesJson,
  intOf,
  isRecord,
  readJson,
  signedOf,
  tufRun,
  type DrillRun,
  type TufRun,
} from './context.js';
import { loadPrivateKey, signMetadata, tufKeyid, tufKeyType, tufTime, type MetadataSigner } from './keys.js';
import { OverlaySource } from './overlay.js';
import type { FreshRole, OnlineKeysResult, SignerUse } from './types.js';

export interface NewestRoot {
  version: number;
  path: string;
  data: Buffer;
  signed: Record<string, unknown>;
}

/** The newest root the verification reached, as bytes a client can be given as its trusted root. */
export function newestRoot(run: DrillRun, metadata: FileSource, baseline: TufRun): NewestRoot | undefined {
  const v = baseline.report.newestRootVersion;
  if (v === null) return undefined;
  for (const path of [`${v}.root.json`, 'root.json']) {
    const data = metadata.get(path)?.data;
    const signed = data ? signedOf(readJson(metadata, path)) : undefined;
    if (data && signed && intOf(signed['version']) === v) return { version: v, path, data, signed };
  }
  const t = run.ctx.opts.trustedRoot;
  if (t && baseline.report.anchor.kind === 'trusted-root' && baseline.report.anchor.version === v) {
    let signed: Record<string, unknown> | undefined;
    try {
      signed = signedOf(JSON.parse(t.data.toString('utf8')));
    } catch {
      signed = undefined;
    }
    if (signed) return { version: v, path: t.path, data: t.data, signed };
  }
  return undefined;
}

export interface OnlineKeysOutcome {
  result: OnlineKeysResult;
  /** The metadata with the fresh timestamp (and snapshot) in place, when a client accepted them. */
  resigned: FileSource | undefined;
}

interface Signer extends MetadataSigner {
  use: SignerUse;
}

export function drillOnlineKeys(run: DrillRun, metadata: FileSource, baseline: TufRun): OnlineKeysOutcome {
  const f = run.ctx.findings;
  const result: OnlineKeysResult = {
    trustedRootVersion: null,
    fresh: [],
    snapshotResigned: false,
    causes: [],
  };
  const out: OnlineKeysOutcome = { result, resigned: undefined };
  const root = newestRoot(run, metadata, baseline);
  if (!root) {
    f.add(
      'DRILL_METADATA_UNAVAILABLE',
      { role: 'root' },
      'no newest root could be read: a client has nothing to check re-signed metadata against',
    );
    return out;
  }
  result.trustedRootVersion = root.version;
  const consistent = root.signed['consistent_snapshot'] === true;

  const ts = signedOf(readJson(metadata, 'timestamp.json'));
  const tsVersion = intOf(ts?.['version']);
  if (!ts || tsVersion === undefined) {
    f.add(
      'DRILL_METADATA_UNAVAILABLE',
      { path: 'timestamp.json', role: 'timestamp' },
      'timestamp.json cannot be read: the restored node cannot continue its version numbering',
    );
    return out;
  }
  const meta = ts['meta'];
  const snapRef = isRecord(meta) ? meta['snapshot.json'] : undefined;
  const snapVersion = isRecord(snapRef) ? intOf(snapRef['version']) : undefined;
  if (snapVersion === undefined) {
    f.add(
      'DRILL_METADATA_UNAVAILABLE',
      { path: 'timestamp.json', role: 'timestamp', field: 'signed.meta.snapshot.json.version' },
      'timestamp.json names no snapshot version: the current snapshot is unknown',
    );
    return out;
  }
  const names = consistent
    ? [`${snapVersion}.snapshot.json`, 'snapshot.json']
    : ['snapshot.json', `${snapVersion}.snapshot.json`];
  const snapPath = names.find((n) => metadata.get(n)?.data !== undefined);
  const snapData = snapPath !== undefined ? metadata.get(snapPath)?.data : undefined;
  if (snapPath === undefined || snapData === undefined) {
    f.add(
      'DRILL_METADATA_UNAVAILABLE',
      { path: names[0], role: 'snapshot', version: snapVersion },
      `${names[0] ?? 'snapshot.json'} (the current snapshot) cannot be read: a fresh timestamp cannot describe it`,
    );
    return out;
  }

  const custody = (baseline.report.keys ?? []).filter((k) => k.source === 'keys');
  const tsSigners = signersFor(run, 'timestamp', custody, root);
  const snSigners = signersFor(run, 'snapshot', custody, root);
  if (tsSigners.length === 0) {
    if (!f.list.some((x) => x.code === 'DRILL_ONLINE_KEY_UNUSABLE' && x.location.role === 'timestamp'))
      f.add(
        'DRILL_ONLINE_KEY_MISSING',
        { role: 'timestamp', ...(run.input.keys ? {} : { path: run.ctx.opts.profile.paths.tufKeys }) },
        run.input.keys
          ? 'no timestamp key is in the keys folder: the restored node cannot re-sign the timestamp, and devices stop updating when it expires'
          : 'there is no online keys folder: the restored node cannot re-sign the timestamp',
      );
    return out;
  }

  const overlay = new OverlaySource(metadata, `${metadata.description} (re-signed in memory)`);
  const mtime = run.at;
  let currentSnap = { version: snapVersion, data: snapData };
  if (snSigners.length > 0) {
    const old = signedOf(readJson(metadata, snapPath));
    const oldVersion = intOf(old?.['version']);
    if (!old || oldVersion === undefined) {
      f.add(
        'DRILL_METADATA_UNAVAILABLE',
        { path: snapPath, role: 'snapshot' },
        `${snapPath} cannot be read as snapshot metadata: it cannot be re-signed`,
      );
      return out;
    }
    const version = oldVersion + 1;
    const expires = tufTime(new Date(run.at.getTime() + run.o.snapshotLifetimeMs));
    const signed = { ...old, version, expires };
    const s = signMetadata(signed, snSigners);
    if (!s.ok) {
      f.add('DRILL_METADATA_UNAVAILABLE', { path: snapPath, role: 'snapshot' }, `${snapPath}: ${s.reason}`);
      return out;
    }
    const path = consistent ? `${version}.snapshot.json` : 'snapshot.json';
    overlay.put(path, s.bytes, mtime);
    // The unversioned copy must stay identical to the versioned one.
    if (consistent && metadata.get('snapshot.json')) overlay.put('snapshot.json', s.bytes, mtime);
    result.snapshotResigned = true;
    result.fresh.push({
      role: 'snapshot',
      path,
      version,
      expires,
      signers: snSigners.map((x) => x.use),
      accepted: false,
    });
    currentSnap = { version, data: s.bytes };
  }

  const tsFresh = {
    ...ts,
    version: tsVersion + 1,
    expires: tufTime(new Date(run.at.getTime() + run.o.timestampLifetimeMs)),
    meta: {
      'snapshot.json': {
        version: currentSnap.version,
        length: currentSnap.data.length,
        hashes: { sha256: createHash('sha256').update(currentSnap.data).digest('hex') },
      },
    },
  };
  const st = signMetadata(tsFresh, tsSigners);
  if (!st.ok) {
    f.add(
      'DRILL_METADATA_UNAVAILABLE',
      { path: 'timestamp.json', role: 'timestamp' },
      `timestamp.json: ${st.reason}`,
    );
    return out;
  }
  overlay.put('timestamp.json', st.bytes, mtime);
  const tsEntry: FreshRole = {
    role: 'timestamp',
    path: 'timestamp.json',
    version: tsFresh.version,
    expires: tsFresh.expires,
    signers: tsSigners.map((x) => x.use),
    accepted: false,
  };
  result.fresh.unshift(tsEntry);

  // A client that trusts the newest root fetches timestamp.json, then the snapshot it names.
  const check = tufRun(run, overlay, { path: root.path, data: root.data });
  const bad = blocking(check.findings);
  let allAccepted = true;
  for (const fresh of result.fresh) {
    const rep = check.report.roles.find((r) => r.kind === fresh.role);
    const causes = bad
      .filter(
        (x) =>
          x.location.role === fresh.role ||
          (fresh.role === 'timestamp' && (x.location.field ?? '').startsWith('timestamp.json:')),
      )
      .map(causeOf);
    fresh.accepted = rep?.verified === true && causes.length === 0;
    if (fresh.accepted) continue;
    allAccepted = false;
    result.causes.push(...causes);
    const loc: Location = { path: fresh.path, role: fresh.role, version: fresh.version };
    const first = causes[0];
    f.add(
      'DRILL_FRESH_METADATA_REJECTED',
      loc,
      `the re-signed ${fresh.role} (version ${fresh.version}) is rejected by a client trusting root ${root.version}${first ? `: ${first.message}` : ''}`,
      { trustedRoot: root.version, causes: causesJson(causes) },
    );
  }
  if (allAccepted) out.resigned = overlay;
  return out;
}

/**
 * The keys the restored node signs `role` with: the files named for the role (timestamp.key),
 * else those that hold a key the newest root lists for it. Each key not trusted for the role is
 * a finding; it still signs, so the check shows what devices would do with its signature.
 */
function signersFor(run: DrillRun, role: string, custody: KeyCustody[], root: NewestRoot): Signer[] {
  const f = run.ctx.findings;
  const keys = run.input.keys;
  if (!keys) return [];
  const current = (k: KeyCustody): boolean => k.matches.some((m) => m.role === role && m.current);
  const named = custody.filter((k) => k.intendedRole === role);
  const chosen = named.length > 0 ? named : custody.filter(current);
  const out: Signer[] = [];
  for (const k of chosen) {
    const loaded = loadPrivateKey(keys.get(k.path)?.data);
    if (!loaded.ok) {
      f.add(
        'DRILL_ONLINE_KEY_UNUSABLE',
        { path: k.path, role },
        `${k.path} cannot sign ${role} metadata: ${loaded.reason}`,
      );
      continue;
    }
    const kt = tufKeyType(loaded.key);
    if (typeof kt === 'string') {
      f.add(
        'DRILL_ONLINE_KEY_UNUSABLE',
        { path: k.path, role },
        `${k.path} cannot sign ${role} metadata: ${kt}`,
      );
      continue;
    }
    const trusted = current(k);
    const keyid =
      k.matches.find((m) => m.role === role && m.current)?.keyid ??
      k.matches.find((m) => m.role === role)?.keyid ??
      k.matches[0]?.keyid ??
      tufKeyid(loaded.key, kt) ??
      '';
    if (!trusted) {
      const other = k.matches[0];
      f.add(
        'DRILL_ONLINE_KEY_NOT_TRUSTED',
        { path: k.path, role, ...(keyid ? { keyid } : {}) },
        `${k.path} is what the restored node signs ${role} metadata with, but root ${root.version} does not list it for ${role}` +
          (other
            ? ` (it is a ${other.role} key of ${other.rootVersion !== null ? `root ${other.rootVersion}` : `the delegation by ${other.delegatedBy ?? '?'}`})`
            : ' (no root lists it)') +
          ': devices reject what it signs',
        { keyid, holds: k.matches.map((m) => `${m.role}@${m.rootVersion ?? m.delegatedBy ?? '?'}`) },
      );
    }
    const listed = isRecord(root.signed['keys']) ? root.signed['keys'][keyid] : undefined;
    const listedScheme =
      isRecord(listed) && typeof listed['scheme'] === 'string' ? listed['scheme'] : undefined;
    out.push({
      key: loaded.key,
      keyid,
      scheme: trusted && listedScheme !== undefined ? listedScheme : kt.scheme,
      use: { role, path: k.path, keyid, trusted },
    });
  }
  return out;
}
