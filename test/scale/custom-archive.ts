// A small, strict reader of pg_dump custom archives for the tests: it lays the header, every TOC
// field and every data block's framing bare so two archives can be compared field by field.

export interface ParsedEntry {
  dumpId: number;
  hasData: number;
  tableoid: string | null;
  oid: string | null;
  tag: string | null;
  desc: string | null;
  section: number;
  defn: string | null;
  dropStmt: string | null;
  copyStmt: string | null;
  namespace: string | null;
  tablespace: string | null;
  tableam: string | null;
  owner: string | null;
  withOids: string | null;
  deps: string[];
  offsetState: number;
  offset: number;
}

export interface ParsedBlock {
  at: number;
  type: number;
  dumpId: number;
  chunks: number[];
}

export interface ParsedArchive {
  version: [number, number, number];
  intSize: number;
  offSize: number;
  format: number;
  compression: number;
  created: number[];
  dbName: string | null;
  serverVersion: string | null;
  dumpVersion: string | null;
  entries: ParsedEntry[];
  tocEnd: number;
  blocks: ParsedBlock[];
  end: number;
}

export function parseCustomArchive(d: Buffer): ParsedArchive {
  let p = 0;
  const need = (n: number): void => {
    if (p + n > d.length) throw new Error(`archive truncated at ${p}`);
  };
  const byte = (): number => {
    need(1);
    return d[p++] ?? 0;
  };
  const int = (): number => {
    need(5);
    const sign = d[p] ?? 0;
    const v = d.readUInt32LE(p + 1);
    p += 5;
    return sign ? -v : v;
  };
  const str = (): string | null => {
    const n = int();
    if (n < 0) return null;
    need(n);
    const s = d.toString('utf8', p, p + n);
    p += n;
    return s;
  };
  if (d.toString('latin1', 0, 5) !== 'PGDMP') throw new Error('not a custom archive');
  p = 5;
  const version: [number, number, number] = [byte(), byte(), byte()];
  const intSize = byte();
  const offSize = byte();
  const format = byte();
  if (intSize !== 4 || offSize !== 8) throw new Error(`unexpected int/offset sizes ${intSize}/${offSize}`);
  const compression = int();
  const created = Array.from({ length: 7 }, () => int());
  const dbName = str();
  const serverVersion = str();
  const dumpVersion = str();
  const count = int();
  const entries: ParsedEntry[] = [];
  for (let i = 0; i < count; i++) {
    const e = {
      dumpId: int(),
      hasData: int(),
      tableoid: str(),
      oid: str(),
      tag: str(),
      desc: str(),
      section: int(),
      defn: str(),
      dropStmt: str(),
      copyStmt: str(),
      namespace: str(),
      tablespace: str(),
      tableam: str(),
      owner: str(),
      withOids: str(),
    };
    const deps: string[] = [];
    for (let s = str(); s !== null; s = str()) deps.push(s);
    const offsetState = byte();
    need(8);
    const offset = Number(d.readBigUInt64LE(p));
    p += 8;
    entries.push({ ...e, deps, offsetState, offset });
  }
  const tocEnd = p;
  const blocks: ParsedBlock[] = [];
  while (p < d.length) {
    const at = p;
    const type = byte();
    const dumpId = int();
    const chunks: number[] = [];
    for (let n = int(); n !== 0; n = int()) {
      need(n);
      chunks.push(n);
      p += n;
    }
    blocks.push({ at, type, dumpId, chunks });
  }
  return {
    version,
    intSize,
    offSize,
    format,
    compression,
    created,
    dbName,
    serverVersion,
    dumpVersion,
    entries,
    tocEnd,
    blocks,
    end: p,
  };
}
