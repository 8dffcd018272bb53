// trust_state (top-level roles only) against the metadata files of the backup (spec 6).
import type { Findings } from '../findings/collector.js';
import type { TufReport } from '../tuf/index.js';
import type { CollectedTable } from '../verify/table-rows.js';
import { text } from '../verify/table-rows.js';

const TOP_LEVEL = ['root', 'timestamp', 'snapshot', 'targets'] as const;

export interface TrustStateResult {
  role: string;
  dbVersion: number | null;
  fileVersion: number | null;
  dbExpires: string | null;
  status: 'match' | 'ahead' | 'behind' | 'sha-mismatch' | 'unchecked' | 'invalid';
}

export function checkTrustState(
  table: CollectedTable,
  tuf: TufReport,
  findings: Findings,
): TrustStateResult[] {
  const tableName = `${table.ref.schema}.${table.ref.name}`;
  const out: TrustStateResult[] = [];
  const seen = new Set<string>();
  table.rows.forEach((row, i) => {
    const role = text(row['role']) ?? '';
    const loc = { table: tableName, row: i + 1, role };
    if (!(TOP_LEVEL as readonly string[]).includes(role)) {
      findings.add(
        'CROSS_TRUST_STATE_ROLE_UNKNOWN',
        loc,
        `trust_state row for "${role}" is not a top-level role; ignored`,
      );
      return;
    }
    seen.add(role);
    const version = Number(text(row['version']));
    const sha = (text(row['sha256']) ?? '').toLowerCase();
    const dbExpires = text(row['expires']);
    if (!Number.isSafeInteger(version) || !/^[0-9a-f]{64}$/.test(sha)) {
      findings.add(
        'CROSS_TRUST_STATE_ROW_INVALID',
        loc,
        `trust_state row for ${role} has version "${text(row['version'])}" and sha256 "${sha}"`,
      );
      out.push({ role, dbVersion: null, fileVersion: null, dbExpires, status: 'invalid' });
      return;
    }
    // What the files hold: the role's current version (the newest root for root).
    const current =
      role === 'root' ? tuf.newestRootVersion : (tuf.roles.find((r) => r.role === role)?.version ?? null);
    const r: TrustStateResult = {
      role,
      dbVersion: version,
      fileVersion: current,
      dbExpires,
      status: 'match',
    };
    out.push(r);
    if (current !== null && version > current) {
      r.status = 'ahead';
      findings.add(
        'CROSS_TRUST_STATE_AHEAD',
        { ...loc, version },
        `trust_state says ${role} v${version} was published, but the backup's metadata holds only v${current}: a restored node would reference trust material it does not have`,
        { dbVersion: version, fileVersion: current },
      );
      return;
    }
    if (current !== null && version < current) {
      r.status = 'behind';
      findings.add(
        'CROSS_TRUST_STATE_BEHIND',
        { ...loc, version },
        `trust_state says ${role} v${version}, the metadata files hold v${current}: the files were copied after the dump`,
        { dbVersion: version, fileVersion: current },
      );
    }
    // The sha256 is of that version's file bytes: find a file of that role and version.
    const files = tuf.metadataFiles.filter((f) => f.role === role && f.version === version);
    if (files.length === 0) {
      if (r.status === 'match') r.status = 'unchecked';
      findings.add(
        'CROSS_TRUST_STATE_UNCHECKABLE',
        { ...loc, version },
        `no ${role} v${version} metadata file is in the backup, so trust_state's sha256 cannot be checked`,
      );
      return;
    }
    if (!files.some((f) => f.sha256 === sha)) {
      r.status = 'sha-mismatch';
      findings.add(
        'CROSS_TRUST_STATE_SHA_MISMATCH',
        { ...loc, version, path: files[0]?.path ?? '' },
        `trust_state's sha256 for ${role} v${version} is ${sha}, the file ${files[0]?.path ?? ''} hashes to ${files[0]?.sha256 ?? ''}`,
        { expected: sha, found: files.map((f) => f.sha256) },
      );
    }
  });
  for (const role of TOP_LEVEL)
    if (!seen.has(role))
      findings.add(
        'CROSS_TRUST_STATE_ROLE_MISSING',
        { table: tableName, role },
        `trust_state has no row for ${role}`,
      );
  return out;
}
