// Public entry points of the upload gate (issue 7).
export { runGate, addArchiveChecks, type GateOptions, type GateResult, type ArchiveChecks } from './gate.js';
export {
  DEFAULT_POLICY,
  POLICY_VERSION,
  PolicyError,
  builtInPolicy,
  loadPolicy,
  parsePolicy,
  policyBytes,
  policyHash,
  severityOverrides,
  type LoadedPolicy,
  type Policy,
} from './policy.js';
export {
  RECEIPT_FORMAT,
  ReceiptError,
  canonicalBody,
  checkSignature,
  keyIdOf,
  loadReceipt,
  loadSigningKey,
  loadVerifyKey,
  parseReceipt,
  signReceipt,
  verifyReceiptDocument,
  type LoadedReceipt,
  type Receipt,
  type ReceiptBody,
  type SignatureStatus,
} from './receipt.js';
export {
  AgeError,
  openAge,
  readIdentityFile,
  readPassphraseFile,
  sniffAge,
  type AgeKind,
  type AgeSecrets,
  type OpenedAge,
} from './age.js';
export { collectFacts, type GateFacts } from './facts.js';
export { GATE_CODES, type GateCode } from './codes.js';
