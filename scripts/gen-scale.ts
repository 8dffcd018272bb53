// Writes a large backup archive for tests and benchmarks (see scripts/scale/generate.ts):
//   node dist/scripts/gen-scale.js --records N --format custom|plain|plain-gz --out <file.tar.gz>
//        [--seed S] [--shuffle F] [--zone Z] [--owner ROLE] [--dump-out <file>] [--gzip-level L]
//        [--no-fixtures] [--tmp <dir>] [--json]
import { parseArgs } from 'node:util';
import { generateScale, type DumpFormat } from './scale/generate.js';
import { SUPPORTED_ZONES } from './scale/zone.js';

const USAGE = `usage: node dist/scripts/gen-scale.js --records N --format custom|plain|plain-gz --out <file.tar.gz>
  --seed S          seed of the content (default 1; same seed, same chain)
  --shuffle F       fraction 0..1 of rows written far out of seq order (default 0)
  --zone Z          the dumping session's time zone (default America/New_York; ${SUPPORTED_ZONES.join(', ')})
  --owner ROLE      owner role written into the dump (default postgres)
  --dump-out FILE   also keep the dump file itself at FILE
  --gzip-level L    gzip level of the archive (default 6)
  --no-fixtures     do not copy fixtures/tuf/good and fixtures/certs/good even if present
  --tmp DIR         parent of the temporary working folder (default the system's)
  --json            print the result as JSON`;

function fail(msg: string): never {
  process.stderr.write(`gen-scale: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

function num(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isFinite(n)) fail(`--${name} must be a number`);
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        records: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        seed: { type: 'string' },
        shuffle: { type: 'string' },
        zone: { type: 'string' },
        owner: { type: 'string' },
        'dump-out': { type: 'string' },
        'gzip-level': { type: 'string' },
        'no-fixtures': { type: 'boolean' },
        tmp: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const records = num(values.records, 'records', NaN);
  if (!Number.isSafeInteger(records) || records < 1) fail('--records must be a positive integer');
  const format = values.format;
  if (format !== 'custom' && format !== 'plain' && format !== 'plain-gz')
    fail('--format must be custom, plain or plain-gz');
  if (values.out === undefined) fail('--out is required');
  const shuffle = num(values.shuffle, 'shuffle', 0);
  if (shuffle < 0 || shuffle > 1) fail('--shuffle must be between 0 and 1');
  const zone = values.zone ?? 'America/New_York';
  if (!SUPPORTED_ZONES.includes(zone)) fail(`--zone must be one of ${SUPPORTED_ZONES.join(', ')}`);
  const level = num(values['gzip-level'], 'gzip-level', 6);
  if (!Number.isInteger(level) || level < 1 || level > 9) fail('--gzip-level must be 1..9');

  const result = await generateScale({
    records,
    format: format satisfies DumpFormat,
    out: values.out,
    seed: num(values.seed, 'seed', 1),
    shuffle,
    zone,
    identity: values.owner !== undefined ? { owner: values.owner } : {},
    dumpOut: values['dump-out'],
    gzipLevel: level,
    fixturesRoot: values['no-fixtures'] === true ? null : undefined,
    tmpDir: values.tmp,
    onProgress: values.json === true ? undefined : (n) => process.stderr.write(`gen-scale: ${n} records\n`),
  });
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const rate = Math.round(result.records / result.seconds);
  process.stdout.write(
    `${result.archive}: ${result.records} records (${result.displaced} displaced), ${format}, ` +
      `dump ${result.dumpBytes} bytes, archive ${result.archiveBytes} bytes, ${result.seconds.toFixed(1)} s (${rate} records/s)\n` +
      `head seq ${result.head.seq} hash ${result.head.hash}\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`gen-scale: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
