// Certificate verification of meshverify (issue #4): the certs folder and the device certificates.
export { verifyCertificates, DEFAULT_EXPIRING_WITHIN_MS } from './verify.js';
export type { VerifyCertificatesInput, VerifyCertificatesOptions } from './verify.js';
export { verifyDeviceCertificates } from './devices.js';
export type { DeviceRecord, VerifyDevicesOptions } from './devices.js';
export { renderCertText } from './render.js';
export { PLAIN_STYLE } from './style.js';
export type { Style } from './style.js';
export { reportJson } from './report-types.js';
export type {
  CaHandle,
  CertReport,
  CertSummary,
  CheckSummary,
  DeviceCertReport,
  DeviceResult,
  HostResult,
  KeyResult,
  KeyStatus,
  TimeStatus,
} from './report-types.js';
export { DEFAULT_X509_LIMITS } from './limits.js';
export type { X509Limits } from './limits.js';
export { X509_CODES } from './codes.js';
export type { X509Code } from './codes.js';
