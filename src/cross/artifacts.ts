// artifacts rows against the signed targets, both ways (spec 6): same path, sha256 and length.
import type { Findings } from '../findings/collector.js';
import { targetsByPath, type TufReport } from '../tuf/index.js';
import type { CollectedTable } from '../verify/table-rows.js';
import { text } from '../verify/table-rows.js';

export interface ArtifactsResult {
  artifacts: number;
  targets: number;
  matched: number;
  problems: number;
}

export function checkArtifacts(table: CollectedTable, tuf: TufReport, findings: Findings): ArtifactsResult {
  const tableName = `${table.ref.schema}.${table.ref.name}`;
  const targets = targetsByPath(tuf);
  const seen = new Set<string>();
  const res: ArtifactsResult = {
    artifacts: table.rows.length,
    targets: targets.size,
    matched: 0,
    problems: 0,
  };
  table.rows.forEach((row, i) => {
    const path = text(row['target_path']);
    const sha = (text(row['sha256']) ?? '').toLowerCase();
    const length = Number(text(row['length']));
    const loc = { table: tableName, row: i + 1, path: path ?? '' };
    if (path === null || !Number.isSafeInteger(length)) {
      res.problems++;
      findings.add(
        'CROSS_ARTIFACT_ROW_INVALID',
        loc,
        `artifact row ${i + 1} has no usable target_path/length`,
      );
      return;
    }
    seen.add(path);
    const t = targets.get(path);
    if (!t) {
      res.problems++;
      findings.add(
        'CROSS_ARTIFACT_NO_TARGET',
        loc,
        `artifact ${path} is not a target of the signed metadata: devices would refuse it`,
      );
      return;
    }
    let ok = true;
    const signedSha = t.hashes['sha256'];
    if (signedSha !== undefined && signedSha.toLowerCase() !== sha) {
      ok = false;
      findings.add(
        'CROSS_ARTIFACT_SHA_MISMATCH',
        { ...loc, role: t.role },
        `artifact ${path}: sha256 ${sha}, signed target says ${signedSha}`,
        {
          database: sha,
          signed: signedSha,
        },
      );
    }
    if (t.length !== length) {
      ok = false;
      findings.add(
        'CROSS_ARTIFACT_LENGTH_MISMATCH',
        { ...loc, role: t.role },
        `artifact ${path}: length ${length}, signed target says ${t.length}`,
        {
          database: length,
          signed: t.length,
        },
      );
    }
    if (ok) res.matched++;
    else res.problems++;
  });
  for (const [path, t] of targets) {
    if (seen.has(path)) continue;
    res.problems++;
    findings.add(
      'CROSS_TARGET_NO_ARTIFACT',
      { table: tableName, path, role: t.role },
      `target ${path} (signed by ${t.role}) has no artifact row`,
    );
  }
  return res;
}
