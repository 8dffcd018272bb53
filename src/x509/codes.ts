// Certificate finding codes and default severities. Owned by src/x509.
// Severity lives here only; where one defect matters more for an active device than for a revoked or
// retired one, it has two codes so the table (not the verifier) decides how bad each is.
export const X509_CODES = {
  // Files and parsing
  X509_FILE_MISSING: ['error', 'A certificate or key file the node needs is absent'],
  X509_FILE_UNREADABLE: ['error', 'A certificate or key file could not be read (too large, I/O error)'],
  X509_FOUND_BY_CONTENT: [
    'info',
    'A file was absent under its default name; a file with matching content was used',
  ],
  X509_PEM_INVALID: ['error', 'A PEM file holds no usable block, or a block is malformed (labels, base64)'],
  X509_PEM_UNEXPECTED_BLOCK: [
    'warning',
    'A PEM file holds a block of an unexpected kind (e.g. a key in a certificate file)',
  ],
  X509_CERT_UNPARSABLE: ['error', 'A certificate does not parse as DER X.509'],
  X509_EXTENSION_UNPARSABLE: ['error', 'A certificate extension value does not parse'],
  X509_EXTENSION_DUPLICATE: ['error', 'A certificate carries the same extension twice (RFC 5280 4.2)'],

  // Path validation (RFC 5280 6.1) of server.crt (+ bundled intermediates) to ca.crt
  X509_CHAIN_NO_ISSUER: ['error', 'No certificate in the bundle or ca.crt is the issuer of this certificate'],
  X509_SIGNATURE_INVALID: [
    'error',
    "The certificate's signature does not verify with its issuer's public key",
  ],
  X509_SIGNATURE_ALGORITHM_MISMATCH: ['error', 'The signed and outer signature algorithm identifiers differ'],
  X509_CA_SELF_SIGNATURE_INVALID: [
    'error',
    'ca.crt names itself as issuer but its self-signature does not verify',
  ],
  X509_CA_NOT_SELF_SIGNED: ['info', 'ca.crt is not self-issued; it is used as the trust anchor as it is'],
  X509_EXPIRED: ['error', 'The certificate is expired at the reference time'],
  X509_NOT_YET_VALID: ['error', 'The certificate is not yet valid at the reference time'],
  X509_EXPIRING_SOON: [
    'warning',
    'The certificate expires within the warning window after the reference time',
  ],
  X509_EXPIRED_BY_NOW: [
    'warning',
    'The certificate is valid at the reference time but expired now (restore is later)',
  ],
  X509_VERSION_NOT_V3: ['error', 'An issuing certificate is not version 3 (RFC 5280 6.1.4 k)'],
  X509_ISSUER_NOT_CA: ['error', 'An issuing certificate lacks basicConstraints cA=true'],
  X509_PATH_LENGTH_EXCEEDED: ['error', 'The path is longer than a pathLenConstraint above it allows'],
  X509_ISSUER_NO_KEY_CERT_SIGN: ['error', 'An issuing certificate has keyUsage without keyCertSign'],
  X509_CRITICAL_EXTENSION_UNKNOWN: [
    'error',
    'A critical extension this verifier does not process (RFC 5280 6.1.4 o)',
  ],
  X509_LEAF_IS_CA: ['error', 'The server certificate is a CA certificate (basicConstraints cA=true)'],
  X509_LEAF_NO_SERVER_AUTH: ['error', 'The server certificate has extendedKeyUsage without serverAuth'],
  X509_BUNDLE_UNUSED: ['warning', 'A certificate bundled in server.crt is not part of the path to ca.crt'],
  X509_BUNDLE_INCLUDES_ANCHOR: ['info', 'server.crt bundles ca.crt itself after the chain'],

  // Host names (RFC 9525 / RFC 5280 iPAddress)
  X509_HOST_MISMATCH: ['error', "A --host address is not among the server certificate's subjectAltNames"],
  X509_HOST_INVALID: ['error', 'A --host value is neither an IP address nor a DNS name'],
  X509_HOST_UNCHECKED: ['info', 'No --host given: the server name was not checked'],
  X509_SAN_DNS_IS_IP: ['warning', 'A DNS subjectAltName spells an IP address; clients never match it'],
  X509_SAN_INVALID: [
    'warning',
    'A subjectAltName entry is malformed (bad wildcard, bad IP length, bad name)',
  ],

  // Keys
  X509_KEY_MISMATCH: ['error', 'The private key is not the private half of its certificate'],
  X509_KEY_ENCRYPTED: [
    'error',
    'The private key is encrypted: its pairing cannot be checked, the node needs a passphrase',
  ],
  X509_KEY_UNPARSABLE: ['error', 'The private key file holds no parsable private key'],
  X509_KEY_WEAK: ['error', 'A key is too weak (RSA < 2048 bits or exponent < 65537, DSA, small curve)'],
  X509_KEY_TYPE_UNSUPPORTED: ['warning', 'A key type or curve outside RSA, EC P-256/P-384 and Ed25519'],
  X509_KEY_MODE_LOOSE: [
    'error',
    'A private key file is readable by group or others (must be 0600 or stricter)',
  ],
  X509_KEY_DIR_MODE_LOOSE: [
    'warning',
    'The folder holding a private key is open to group or others (0700 or stricter)',
  ],

  // Lints for a private CA
  X509_BASIC_CONSTRAINTS_NOT_CRITICAL: [
    'warning',
    'basicConstraints of a CA certificate is not marked critical',
  ],
  X509_SKI_MISSING: ['warning', 'subjectKeyIdentifier is missing'],
  X509_AKI_MISSING: ['warning', 'authorityKeyIdentifier is missing on a certificate that is not self-signed'],
  X509_AKI_SKI_MISMATCH: ['warning', "authorityKeyIdentifier differs from the issuer's subjectKeyIdentifier"],
  X509_SHA1_SIGNATURE: ['warning', 'The certificate is signed with SHA-1'],
  X509_BROKEN_SIGNATURE_ALGORITHM: ['error', 'The certificate is signed with MD2 or MD5'],
  X509_SERIAL_INVALID: ['warning', 'The serial number is not positive or is longer than 20 octets'],
  X509_SAN_EMPTY: ['warning', 'The server certificate has no subjectAltName (clients ignore the subject CN)'],
  X509_TIME_ENCODING: ['warning', 'A validity time is not UTCTime before 2050 / GeneralizedTime from 2050'],

  // Device certificates from the dump
  X509_DEVICE_CERT_MISSING: ['warning', 'An active device has no certificate recorded'],
  X509_DEVICE_CERT_UNPARSABLE: ['error', 'A device certificate does not parse'],
  X509_DEVICE_PEM_EXTRA: ['warning', 'A device cert_pem holds more than one PEM block; the first is used'],
  X509_DEVICE_FINGERPRINT_MISSING: ['warning', 'A device certificate has no cert_sha256 recorded'],
  X509_DEVICE_FINGERPRINT_MISMATCH: ['error', "A device certificate's SHA-256 differs from its cert_sha256"],
  X509_DEVICE_FOREIGN_ISSUER: ['error', "An active device's certificate was not issued by the backup's CA"],
  X509_DEVICE_FOREIGN_ISSUER_INACTIVE: [
    'warning',
    "A revoked/retired device's certificate was not issued by the CA",
  ],
  X509_DEVICE_EXPIRED: ['warning', "An active device's certificate is expired at the reference time"],
  X509_DEVICE_EXPIRED_INACTIVE: ['warning', "A revoked/retired device's certificate is expired"],
  X509_DEVICE_NOT_YET_VALID: ['warning', 'A device certificate is not yet valid at the reference time'],
  X509_DEVICE_NO_CLIENT_AUTH: [
    'error',
    "An active device's certificate has extendedKeyUsage without clientAuth",
  ],
  X509_DEVICE_NO_CLIENT_AUTH_INACTIVE: ['warning', "A revoked/retired device's certificate lacks clientAuth"],
  X509_DEVICE_IS_CA: ['warning', 'A device certificate is a CA certificate (basicConstraints cA=true)'],
  X509_DEVICE_SERIAL_DUPLICATE: ['error', 'Two device certificates from the CA share a serial number'],
  X509_DEVICE_STATUS_UNKNOWN: [
    'warning',
    "A device's status is not active, revoked or retired; it is treated as active",
  ],
} as const;

export type X509Code = keyof typeof X509_CODES;
