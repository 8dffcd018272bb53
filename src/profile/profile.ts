// The profile: every path, table and column name and recipe parameter the spec gives as a
// default. Real releases differ, so each is overridable from a JSON/YAML file (--profile).

export interface Profile {
  paths: {
    /** Candidate dump paths, relative to the archive's top folder, in order of preference. */
    dumps: string[];
    tufMetadata: string;
    tufKeys: string;
    certs: string;
    serverCert: string;
    serverKey: string;
    caCert: string;
    caKey: string;
  };
  database: { name: string; schema: string };
  tables: {
    auditLog: string;
    devices: string;
    artifacts: string;
    trustState: string;
    secrets: string;
  };
  /** Column names of the audit table, by their role in the recipe. */
  auditColumns: {
    seq: string;
    occurredAt: string;
    actor: string;
    action: string;
    subject: string;
    payload: string;
    prevHash: string;
    hash: string;
  };
  recipe: {
    version: 1;
    /** Hash algorithm (node:crypto name). */
    algorithm: 'sha256';
    /** Hex of the genesis prev_hash (32 zero bytes by default). */
    genesisPrevHash: string;
    firstSeq: number;
    /** Order of the recipe's fields after prev_hash. */
    fields: Array<'seq' | 'occurredAt' | 'actor' | 'action' | 'subject' | 'payload'>;
  };
  secrets: { envelopeMagic: string };
  cross: { clockSkewSeconds: number };
}

export const DEFAULT_PROFILE: Profile = {
  paths: {
    dumps: ['db/meshanics.dump', 'db/meshanics.sql', 'db/meshanics.sql.gz'],
    tufMetadata: 'tuf/metadata',
    tufKeys: 'tuf/keys',
    certs: 'certs',
    serverCert: 'certs/server.crt',
    serverKey: 'certs/server.key',
    caCert: 'certs/ca.crt',
    caKey: 'certs/ca.key',
  },
  database: { name: 'meshanics', schema: 'public' },
  tables: {
    auditLog: 'audit_log',
    devices: 'devices',
    artifacts: 'artifacts',
    trustState: 'trust_state',
    secrets: 'secrets',
  },
  auditColumns: {
    seq: 'seq',
    occurredAt: 'occurred_at',
    actor: 'actor',
    action: 'action',
    subject: 'subject',
    payload: 'payload',
    prevHash: 'prev_hash',
    hash: 'hash',
  },
  recipe: {
    version: 1,
    algorithm: 'sha256',
    genesisPrevHash: '00'.repeat(32),
    firstSeq: 1,
    fields: ['seq', 'occurredAt', 'actor', 'action', 'subject', 'payload'],
  },
  secrets: { envelopeMagic: 'MSE1' },
  cross: { clockSkewSeconds: 3600 },
};
