// Were the dump, the metadata and the certificates taken together (spec 6)? The newest audit
// record's time against the archive entries' modification times; the custom dump's creation
// time is local time with no zone, so it can only bound the dump's age within a day.
import type { EntryInfo } from '../archive/types.js';
import type { DumpFacts } from '../dump/types.js';
import type { Findings } from '../findings/collector.js';
import type { JsonValue } from '../findings/types.js';

const DAY_MS = 86_400_000;
/** Time zones span UTC-12..UTC+14: local time is within 14 h of UTC. */
const ZONE_SLACK_MS = 14 * 3_600_000;

export interface TimingInput {
  newestAuditMs: number | null;
  entries: EntryInfo[];
  folders: Array<{ name: string; path: string }>;
  dumps: DumpFacts[];
  windowSeconds: number;
}

export function checkTiming(input: TimingInput, findings: Findings): { [k: string]: JsonValue } {
  const out: { [k: string]: JsonValue } = {
    newestAuditRecord: input.newestAuditMs === null ? null : new Date(input.newestAuditMs).toISOString(),
    windowSeconds: input.windowSeconds,
  };
  const newest = input.newestAuditMs;
  const folders: JsonValue[] = [];
  for (const f of input.folders) {
    const times = input.entries
      .filter((e) => (e.path === f.path || e.path.startsWith(f.path + '/')) && e.mtime !== undefined)
      .map((e) => (e.mtime as Date).getTime());
    if (times.length === 0 || newest === null) continue;
    const min = Math.min(...times);
    const max = Math.max(...times);
    const skew = Math.max(Math.abs(max - newest), Math.abs(min - newest));
    folders.push({
      folder: f.name,
      path: f.path,
      oldest: new Date(min).toISOString(),
      newest: new Date(max).toISOString(),
      skewSeconds: Math.round(skew / 1000),
    });
    if (skew > input.windowSeconds * 1000) {
      findings.add(
        'CROSS_CLOCK_SKEW',
        { path: f.path },
        `${f.name} files were modified up to ${Math.round(skew / 60000)} min from the newest audit record (${new Date(newest).toISOString()}); the window is ${input.windowSeconds / 60} min`,
        { skewSeconds: Math.round(skew / 1000), windowSeconds: input.windowSeconds },
      );
    }
  }
  out['folders'] = folders;
  const dumps: JsonValue[] = [];
  for (const d of input.dumps) {
    if (d.format !== 'custom' || d.createdLocal === undefined) {
      findings.add(
        'CROSS_DUMP_TIME_UNKNOWN',
        { path: d.path },
        `${d.path} is a ${d.format} dump: it carries no creation time, so its age cannot be bounded`,
      );
      dumps.push({ path: d.path, createdLocal: null });
      continue;
    }
    // Read the zone-less local time as if it were UTC: the true instant is within ±14 h of it.
    const asUtc = Date.parse(d.createdLocal.replace(' ', 'T') + 'Z');
    dumps.push({ path: d.path, createdLocal: d.createdLocal });
    if (Number.isNaN(asUtc) || newest === null) continue;
    const diff = Math.abs(asUtc - newest);
    if (diff > DAY_MS + ZONE_SLACK_MS)
      findings.add(
        'CROSS_DUMP_TIME_FAR',
        { path: d.path },
        `${d.path} was created at ${d.createdLocal} (the dumping machine's local time), more than a day from the newest audit record ${new Date(newest).toISOString()}`,
        { createdLocal: d.createdLocal, hours: Math.round(diff / 3_600_000) },
      );
  }
  out['dumps'] = dumps;
  return out;
}
