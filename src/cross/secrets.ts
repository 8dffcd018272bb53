// Every secrets row must be an encrypted envelope (spec 6): a backup travels offsite.
import type { Findings } from '../findings/collector.js';
import { decodeBytea } from '../dump/copy.js';
import type { CollectedTable } from '../verify/table-rows.js';
import { text } from '../verify/table-rows.js';

/** "MSE1" + a 12-byte nonce + at least a 16-byte tag. */
const MIN_ENVELOPE = 4 + 12 + 16;

export function checkSecrets(
  table: CollectedTable,
  magic: string,
  findings: Findings,
): { rows: number; envelopes: number } {
  const tableName = `${table.ref.schema}.${table.ref.name}`;
  const m = Buffer.from(magic, 'latin1');
  let envelopes = 0;
  table.rows.forEach((row, i) => {
    const name = text(row['name']) ?? `row ${i + 1}`;
    const raw = row['ciphertext'];
    const bytes = raw ? decodeBytea(raw) : undefined;
    const loc = { table: tableName, row: i + 1, field: 'ciphertext' };
    if (!bytes || bytes.subarray(0, m.length).compare(m) !== 0) {
      const printable = bytes
        ? bytes.every((b) => (b >= 0x20 && b < 0x7f) || b === 9 || b === 10 || b === 13)
        : false;
      findings.add(
        'CROSS_SECRET_NOT_ENVELOPE',
        loc,
        `secret "${name}" is not an ${magic} envelope${printable ? ' and looks like plaintext' : ''}: it would travel offsite readable`,
        { secret: name, plaintextLooking: printable },
      );
      return;
    }
    envelopes++;
    if (bytes.length < MIN_ENVELOPE)
      findings.add(
        'CROSS_SECRET_ENVELOPE_SHORT',
        loc,
        `secret "${name}" is only ${bytes.length} bytes: too short for nonce and tag`,
      );
  });
  return { rows: table.rows.length, envelopes };
}
