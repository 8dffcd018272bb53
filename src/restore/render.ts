// Text lines of the "restore" and "database" report sections.
import { registerSectionRenderer, type TextStyle } from '../report/text.js';
import type { RestoreSection } from './restore.js';

interface DatabaseSection {
  database: string;
  serverVersion: string;
}

function renderDatabase(s: DatabaseSection, st: TextStyle): string[] {
  return [`${st.bold('Database')} ${s.database} (PostgreSQL ${s.serverVersion}), one read-only snapshot`];
}

function renderRestore(s: RestoreSection, st: TextStyle): string[] {
  const out = renderDatabase(s, st);
  out.push(`         compared with ${s.comparedDump ?? st.bad('no dump')}`);
  const r = s.records;
  if (r) {
    const bad = r.missing + r.extra + r.differs;
    const line = `audit records: ${r.same} identical, ${r.missing} missing, ${r.differs} differing, ${r.extra} extra, ${r.appended} after the archive's head`;
    out.push(`         ${bad ? st.bad(line) : st.ok(line)}`);
  }
  if (s.tables.length) {
    const missing = s.tables.filter((t) => t.restored === null).length;
    const other = s.tables.filter((t) => t.restored !== null && t.restored !== t.dump).length;
    const line = `tables: ${s.tables.length} compared, ${missing} missing, ${other} with another row count`;
    out.push(`         ${missing + other ? st.bad(line) : st.ok(line)}`);
  }
  for (const t of s.rows) {
    const bad = t.missing + t.extra + t.differing;
    const line = `${t.table}: ${t.dumpRows} rows in the dump, ${t.missing} missing, ${t.differing} differing, ${t.extra} extra`;
    out.push(`         ${bad ? st.bad(line) : line}`);
  }
  for (const d of s.directories) {
    const bad = d.missing + d.extra + d.differing + d.modes;
    const from = d.archiveFolder === null ? 'nothing in the archive' : `${d.archiveFolder || '.'}/`;
    const line = `${d.what} ${d.directory} vs ${from}: ${d.files} files, ${d.missing} missing, ${d.differing} differing, ${d.modes} modes changed, ${d.extra} extra`;
    out.push(`         ${bad ? st.bad(line) : line}`);
  }
  return out;
}

let done = false;
export function registerRestoreSections(): void {
  if (done) return;
  done = true;
  registerSectionRenderer('restore', (s, st) => renderRestore(s as RestoreSection, st));
  registerSectionRenderer('database', (s, st) => renderDatabase(s as DatabaseSection, st));
}
