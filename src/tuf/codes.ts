// TUF finding codes and default severities. Owned by src/tuf.
// Step numbers in the summaries refer to the TUF specification's "Detailed client workflow" (section 5).
export const TUF_CODES = {
  // Reading the files
  TUF_FILE_MISSING: ['error', 'A metadata file the client workflow needs is absent'],
  TUF_FILE_UNREADABLE: ['error', 'A metadata file could not be read'],
  TUF_FILE_UNREFERENCED: ['info', 'A file in the metadata folder is not used by any verified reference'],
  TUF_JSON_INVALID: ['error', 'A metadata file is not valid UTF-8 JSON'],
  TUF_FIELD_MISSING: ['error', 'A required metadata field is absent'],
  TUF_FIELD_INVALID: ['error', 'A metadata field has the wrong type or an impossible value'],
  TUF_TYPE_MISMATCH: ['error', 'The signed _type does not match the role the file is read as'],
  TUF_CANONICAL_JSON_INVALID: [
    'error',
    '`signed` cannot be put in OLPC canonical JSON (non-integer number), so no signature can verify',
  ],
  TUF_SPEC_VERSION_FORMAT: ['warning', 'spec_version is not a full semantic version (e.g. "1.0"); tolerated'],
  TUF_SPEC_VERSION_UNSUPPORTED: ['error', 'spec_version has a major version other than 1'],
  TUF_EXPIRES_FORMAT: [
    'warning',
    'expires is not in the spec form YYYY-MM-DDTHH:MM:SSZ (fractional seconds or an offset); tolerated',
  ],
  TUF_DEPRECATED_FIELD: ['warning', 'A deprecated field (keyid_hash_algorithms) is present; tolerated'],
  TUF_UNSUPPORTED_FEATURE: [
    'warning',
    'Metadata uses a feature this verifier does not evaluate (e.g. succinct_roles)',
  ],

  // Keys and signatures
  TUF_KEY_INVALID: [
    'warning',
    'A key object cannot be used (bad encoding, wrong curve, keytype/scheme mismatch); its signatures do not count',
  ],
  TUF_KEY_UNSUPPORTED: [
    'warning',
    'A key uses a keytype or scheme outside ed25519, ecdsa-sha2-nistp256 and rsassa-pss-sha256',
  ],
  TUF_KEY_TOO_SMALL: ['error', 'An RSA key is shorter than 2048 bits; its signatures do not count'],
  TUF_KEYID_MISMATCH: ['warning', 'A keyid is not the SHA-256 of the canonical JSON of its key object'],
  TUF_KEYID_CONFLICT: ['error', 'The same keyid names different key material in different places'],
  TUF_KEY_DUPLICATE_MATERIAL: [
    'warning',
    'A role lists the same key under more than one keyid; it counts once toward the threshold',
  ],
  TUF_ROLE_KEY_UNDEFINED: ['warning', 'A role lists a keyid that has no key object'],
  TUF_ROLE_KEYIDS_DUPLICATE: ['error', 'A role lists the same keyid twice'],
  TUF_THRESHOLD_INVALID: ['error', 'A threshold is not an integer >= 1; the role can never be satisfied'],
  TUF_THRESHOLD_UNREACHABLE: ['error', 'A threshold exceeds the number of distinct usable keys of the role'],
  TUF_THRESHOLD_NOT_MET: [
    'error',
    'Fewer distinct valid signatures than the role threshold (5.4.2, 5.5.3, 5.6.3)',
  ],
  TUF_SIGNATURE_INVALID: [
    'warning',
    'A signature by a key of the role does not verify (the threshold may still be met)',
  ],
  TUF_SIGNATURE_EMPTY: ['warning', 'A signature string is empty (an unsigned slot); tolerated'],
  TUF_SIGNATURE_MALFORMED: [
    'warning',
    'A signature entry is malformed (not an object, keyid or sig not a string, sig not hex)',
  ],
  TUF_SIGNATURE_DUPLICATE_KEYID: [
    'error',
    'The signatures list names the same keyid more than once (counted once)',
  ],
  TUF_SIGNATURE_FOREIGN_KEY: ['warning', 'A signature comes from a key outside the role; ignored'],

  // Root history (5.3)
  TUF_ANCHOR_UNTRUSTED: [
    'warning',
    'No trusted root was given: the oldest root in the archive is the anchor (proves consistency, not authenticity)',
  ],
  TUF_TRUSTED_ROOT_INVALID: [
    'error',
    'The trusted root given by the operator cannot be read, parsed or is not signed by its own threshold',
  ],
  TUF_TRUSTED_ROOT_MISMATCH: [
    'error',
    'The archive holds a different root of the same version as the trusted root',
  ],
  TUF_TRUSTED_ROOT_NEWER: ['error', 'The trusted root is newer than every root in the archive'],
  TUF_ROOT_VERSION_MISSING: [
    'error',
    'A root version is missing from the history: devices pinned below it cannot update (5.3.3)',
  ],
  TUF_ROOT_VERSION_MISMATCH: ['error', 'N.root.json does not hold version N (5.3.5)'],
  TUF_ROOT_NOT_SIGNED_BY_PREVIOUS: ['error', 'Root N+1 is not signed by a threshold of root N keys (5.3.4)'],
  TUF_ROOT_NOT_SELF_SIGNED: ['error', 'Root N+1 is not signed by a threshold of its own root keys (5.3.4)'],
  TUF_ROOT_JSON_MISMATCH: ['error', 'root.json is not the newest versioned root'],
  TUF_ROOT_ROLE_MISSING: [
    'error',
    'Root does not define one of the top-level roles root, timestamp, snapshot, targets',
  ],
  TUF_ROOT_ROLE_UNKNOWN: ['warning', 'Root defines a role other than the top-level roles'],

  // Expiry
  TUF_EXPIRED: ['error', 'Metadata has expired at the reference time (5.3.10, 5.4.4, 5.5.6, 5.6.5)'],
  TUF_EXPIRED_NOW_ONLINE: [
    'info',
    'Timestamp/snapshot metadata has expired by now: the restored node must re-sign it before devices accept it',
  ],
  TUF_EXPIRED_NOW_OFFLINE: [
    'warning',
    'Root/targets/delegated metadata has expired by now: an offline signing is needed before devices accept it',
  ],
  TUF_EXPIRING_SOON: ['warning', 'Metadata expires within the chosen window'],

  // Links timestamp -> snapshot -> targets -> delegations
  TUF_VERSION_MISMATCH: [
    'error',
    'Metadata version differs from the version in the referencing meta (5.5.4, 5.6.4)',
  ],
  TUF_HASH_MISMATCH: ['error', 'Metadata bytes do not match the hash in the referencing meta (5.5.2, 5.6.2)'],
  TUF_LENGTH_MISMATCH: [
    'error',
    'Metadata length differs from the length in the referencing meta (5.5.1, 5.6.1)',
  ],
  TUF_HASH_UNSUPPORTED: [
    'warning',
    'The referencing meta lists a hash algorithm this verifier does not compute',
  ],
  TUF_META_MISSING: ['error', 'The referencing meta does not list a file the workflow needs'],
  TUF_META_EXTRA: ['warning', 'Timestamp/snapshot meta lists a file no role or delegation reaches'],
  TUF_CONSISTENT_FILE_MISSING: [
    'error',
    'consistent_snapshot is true but the VERSION.NAME.json file is absent',
  ],
  TUF_COPY_MISMATCH: ['error', 'The unversioned and versioned copies of the same metadata differ'],

  // Delegations and targets (5.6.7)
  TUF_DELEGATION_NAME_DUPLICATE: ['error', 'Two delegations in one targets metadata have the same role name'],
  TUF_DELEGATION_NAME_UNSAFE: [
    'error',
    'A delegated role name cannot be a metadata file name (/, \\, .., control characters)',
  ],
  TUF_DELEGATION_NAME_RESERVED: ['error', 'A delegated role has the name of a top-level role'],
  TUF_DELEGATION_PATHS_CONFLICT: ['error', 'A delegation sets both paths and path_hash_prefixes'],
  TUF_DELEGATION_NO_PATHS: [
    'warning',
    'A delegation sets neither paths nor path_hash_prefixes and so matches no target',
  ],
  TUF_DELEGATION_PATTERN_INVALID: ['warning', 'A path_hash_prefixes entry is not hexadecimal'],
  TUF_DELEGATION_CYCLE: ['warning', 'The delegation graph has a cycle (clients skip visited roles)'],
  TUF_TARGET_NOT_DELEGATED: [
    'error',
    'A role lists a target outside the paths delegated to it: devices ignore it',
  ],
  TUF_TARGET_SHADOWED: ['warning', 'A higher-priority role provides this target: devices use that one'],
  TUF_TARGET_UNRESOLVED: [
    'error',
    'A device search for a listed target ends elsewhere (terminating delegation, unusable role, search bound)',
  ],

  // Key custody (private keys found in the backup)
  TUF_KEY_LEAKED_OFFLINE: [
    'critical',
    'A private key of the root, targets or a delegated targets role is in the archive: an offline key has leaked',
  ],
  TUF_KEY_LEAKED_HISTORIC: [
    'error',
    'A private key of a role in an older root (root or targets) is in the archive',
  ],
  TUF_ONLINE_KEY_MISMATCH: [
    'error',
    'An online key file is not a key the newest root lists for its role: the restored node would sign metadata devices reject',
  ],
  TUF_ONLINE_KEY_MISSING: [
    'error',
    'The archive lacks threshold private keys for an online role (timestamp, snapshot)',
  ],
  TUF_KEY_FILE_UNKNOWN: ['warning', 'A private key in the key folder belongs to no TUF role'],
  TUF_KEY_FILE_ENCRYPTED: ['warning', 'A key file is encrypted: its role cannot be checked'],
  TUF_KEY_FILE_UNREADABLE: ['warning', 'A file in the key folder is not a readable PEM private key'],
  TUF_KEY_FILE_PERMISSIONS: ['warning', 'A private key file is readable by group or others'],
} as const;

export type TufCode = keyof typeof TUF_CODES;
