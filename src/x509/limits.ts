// Resource bounds of the certificate checks: hostile input must give a finding, not exhaust memory.
export interface X509Limits {
  /** Largest PEM file (certificate bundle or key) read, in bytes. */
  maxPemBytes: number;
  /** Most certificates parsed from one PEM bundle. */
  maxCertsPerPem: number;
  /** Largest devices.cert_pem value, in bytes. */
  maxDevicePemBytes: number;
  /** Most files inspected when looking for the certificates by content. */
  maxScanFiles: number;
  /** Most candidate paths tried while building the chain (the bundle is small; this stops blow-ups). */
  maxPathSteps: number;
  /** Most device certificates checked (each costs milliseconds: parse, signature, fingerprint). */
  maxDevices: number;
}

export const DEFAULT_X509_LIMITS: X509Limits = {
  maxPemBytes: 1024 * 1024,
  maxCertsPerPem: 64,
  maxDevicePemBytes: 64 * 1024,
  maxScanFiles: 256,
  maxPathSteps: 10_000,
  maxDevices: 5_000,
};

export function withDefaults(l: Partial<X509Limits> | undefined): X509Limits {
  return { ...DEFAULT_X509_LIMITS, ...l };
}
