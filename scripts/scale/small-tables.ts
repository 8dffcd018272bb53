// COPY data of the small tables the cross-checks read (devices, artifacts, trust_state,
// secrets): the fixtures' rows when the lead's fixtures are present (so that the cross-checks
// agree), seeded placeholders otherwise.
import { createHash } from 'node:crypto';
import type { ArtifactRow, DeviceRow, FixtureRows, TrustRow } from './fixtures.js';
import { copyBytea, copyNullable, copyText } from './pg-text.js';
import { Rng } from './rng.js';
import type { DataTable } from './schema.js';
import type { TimeText } from './zone.js';

const sha256hex = (s: string): string => createHash('sha256').update(s).digest('hex');
const DAY = 86_400_000_000;
const COPY_END = '\\.\n\n\n';

export type SmallTables = Record<Exclude<DataTable, 'audit_log'>, string>;

/** COPY data (rows, then the "\." terminator and two empty lines) of each small table. */
export function smallTableData(
  seed: number,
  time: TimeText,
  startMicros: number,
  fixture: FixtureRows,
): SmallTables {
  const rng = new Rng((seed ^ 0x5eed) >>> 0);

  const statuses = [
    'active',
    'active',
    'revoked',
    'active',
    'retired',
    'active',
    'active',
    'revoked',
    'active',
    'retired',
  ];
  const deviceRows: DeviceRow[] =
    fixture.devices ??
    statuses.map((status, i) => ({
      id: rng.uuid(),
      serial: `MX-${String(i + 1).padStart(4, '0')}`,
      status,
      enrolledMicros: startMicros - (300 - i * 17) * DAY + rng.below(86_400) * 1_000_000,
      certPem: null,
      certSha256: null,
    }));
  const devices = deviceRows
    .map(
      (d) =>
        `${d.id}\t${copyText(d.serial)}\t${copyText(d.status)}\t${time.local(d.enrolledMicros)}\t` +
        `${copyNullable(d.certPem)}\t${copyNullable(d.certSha256)}\n`,
    )
    .join('');

  const artifactRows: ArtifactRow[] =
    fixture.artifacts ??
    [
      'firmware/mesh-node-1.4.0.bin',
      'firmware/mesh-node-1.4.1.bin',
      'firmware/mesh-node-1.5.0.bin',
      'config/radio-profile-eu868.json',
      'bootloader/mesh-boot-2.0.1.bin',
    ].map((path) => ({
      path,
      sha256: sha256hex(`meshverify scale artifact ${path}`),
      length: rng.int(1000, 4_000_000),
    }));
  const artifacts = artifactRows
    .map((a, i) => {
      const at = startMicros - (120 - i * 9) * DAY + rng.below(1_000_000) * 1000;
      return `${rng.uuid()}\t${copyText(a.path)}\t${a.sha256}\t${a.length}\t${time.local(at)}\n`;
    })
    .join('');

  const trustRows: TrustRow[] = fixture.trust ?? [
    { role: 'root', version: 3, sha256: sha256hex('root v3'), expiresMicros: startMicros + 730 * DAY },
    {
      role: 'timestamp',
      version: 4120,
      sha256: sha256hex('timestamp v4120'),
      expiresMicros: startMicros + 400 * DAY,
    },
    {
      role: 'snapshot',
      version: 412,
      sha256: sha256hex('snapshot v412'),
      expiresMicros: startMicros + 400 * DAY,
    },
    {
      role: 'targets',
      version: 23,
      sha256: sha256hex('targets v23'),
      expiresMicros: startMicros + 500 * DAY,
    },
  ];
  const trust = trustRows
    .map((t) => `${copyText(t.role)}\t${t.version}\t${t.sha256}\t${time.local(t.expiresMicros)}\n`)
    .join('');

  // Envelope: "MSE1" then nonce(12) || ciphertext || tag(16).
  const secrets = ['ca.key.passphrase', 'smtp.password', 'webhook.signing-key']
    .map((name) => {
      const env = Buffer.concat([Buffer.from('MSE1', 'ascii'), rng.bytes(12 + rng.int(8, 48) + 16)]);
      return `${name}\tkek-2026-01\t${copyBytea(env)}\n`;
    })
    .join('');

  return {
    artifacts: artifacts + COPY_END,
    devices: devices + COPY_END,
    secrets: secrets + COPY_END,
    trust_state: trust + COPY_END,
  };
}
