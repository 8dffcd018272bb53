// meshverify receipt verify: is this gate receipt signed by this key and unaltered since?
// Exit 0 valid, 1 invalid (unsigned, other key, altered, malformed body), 2 unusable input.
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import {
  RECEIPT_FORMAT,
  ReceiptError,
  loadVerifyKey,
  parseReceipt,
  verifyReceiptDocument,
  type SignatureStatus,
} from '../gate/index.js';
import { UsageError } from './common.js';

const MAX_RECEIPT_BYTES = 16 * 1024 * 1024;

interface ReceiptVerifyFlags {
  key: string;
  json?: boolean;
}

export function registerReceipt(program: Command, setCode: (c: number) => void): void {
  const receipt = program.command('receipt').description('work with gate receipts');
  receipt
    .command('verify')
    .description(
      "check a gate receipt's Ed25519 signature over its canonical body (exit 0 valid, 1 invalid, 2 unusable)",
    )
    .argument('<receipt>', 'a receipt written by meshverify gate')
    .requiredOption('--key <pem>', 'the Ed25519 public key (SPKI PEM) of the gate, or its private key')
    .option('--json', 'print the result as JSON')
    .action((path: string, flags: ReceiptVerifyFlags) => {
      let key;
      try {
        key = loadVerifyKey(flags.key);
      } catch (e) {
        if (e instanceof ReceiptError) throw new UsageError(e.message);
        throw e;
      }
      const doc = readReceiptJson(path);
      let status: SignatureStatus = verifyReceiptDocument(doc, key);
      let summary = '';
      if (status.status === 'valid') {
        try {
          const s = parseReceipt(doc, path).receipt.signed;
          summary = ` (${s.archive.name}, ${s.verdict}${s.chain ? `, head ${s.chain.headSeq}:${s.chain.headHash}` : ''}, ${s.createdAt})`;
        } catch (e) {
          status = {
            status: 'invalid',
            reason: `signed, but not a well-formed receipt: ${e instanceof Error ? e.message : String(e)}`,
          };
        }
      }
      const valid = status.status === 'valid';
      if (flags.json)
        process.stdout.write(
          JSON.stringify(
            {
              receipt: path,
              valid,
              status: status.status,
              ...(status.status === 'valid' ? { keyid: status.keyid } : {}),
              ...(status.status === 'invalid' ? { reason: status.reason } : {}),
            },
            null,
            2,
          ) + '\n',
        );
      else if (status.status === 'valid')
        process.stdout.write(`VALID ${path} signed by ${status.keyid}${summary}\n`);
      else
        process.stdout.write(
          `INVALID ${path}: ${status.status === 'unsigned' ? 'the receipt carries no signature' : status.reason}\n`,
        );
      setCode(valid ? 0 : 1);
    });
}

/** The receipt as JSON; anything that is not a meshverify receipt at all is unusable input. */
function readReceiptJson(path: string): unknown {
  let text: string;
  try {
    if (statSync(path).size > MAX_RECEIPT_BYTES)
      throw new UsageError(`${path} is larger than ${MAX_RECEIPT_BYTES} bytes`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const signed =
    typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)['signed'] : undefined;
  const format =
    typeof signed === 'object' && signed !== null ? (signed as Record<string, unknown>)['format'] : undefined;
  if (format !== RECEIPT_FORMAT)
    throw new UsageError(`${path} is not a meshverify receipt (${RECEIPT_FORMAT})`);
  return doc;
}
