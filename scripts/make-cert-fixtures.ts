// Generates fixtures/certs: a good certificate set (a private device CA, the node's TLS
// certificate and key, device certificates) and one overlay per defect. Keys come from openssl
// and node:crypto; certificates are built with node:crypto signatures (scripts/certs/build.ts) so
// each defect differs from the good set in one field. Every set is also run through
// `openssl verify` and its verdict recorded in manifest.json, as a second opinion from a real tool.
//
// Run: npx tsc -p tsconfig.json && node dist/scripts/make-cert-fixtures.js
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCert, ext, pem, type CertSpec, type Ext, type NameSpec } from './certs/build.js';

const OPENSSL = '/usr/bin/openssl';
const OUT = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/certs');

/** The reference time the tests use; the good set is valid then and for years after. */
const AT = new Date('2026-11-26T00:00:00Z');
const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2031-01-01T00:00:00Z');
const CA_END = new Date('2036-01-01T00:00:00Z');
const HOST = 'node.meshanics.test';
const GOOD_SAN = ['DNS:node.meshanics.test', 'DNS:*.fleet.meshanics.test', 'IP:127.0.0.1', 'IP:::1'];

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const KU_DIGITAL_SIGNATURE = 0;
const KU_KEY_ENCIPHERMENT = 2;
const KU_KEY_CERT_SIGN = 5;
const KU_CRL_SIGN = 6;

const CA_NAME: NameSpec = { O: 'Meshanics', CN: 'Meshanics Device CA' };
const SERVER_NAME: NameSpec = { O: 'Meshanics', CN: HOST };
const FOREIGN_CA_NAME: NameSpec = { O: 'Elsewhere', CN: 'Some Other CA' };
const INTERMEDIATE_NAME: NameSpec = { O: 'Meshanics', CN: 'Meshanics Intermediate CA' };

function openssl(args: string[], input?: string): string {
  return execFileSync(OPENSSL, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

function keyPem(k: KeyObject): string {
  return k.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function ecKey(curve: 'P-256' | 'P-384'): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: curve }).privateKey;
}

let serialCounter = 0x5e1000n;
const nextSerial = (): bigint => ++serialCounter * 0x1000193n;

function caCert(key: KeyObject, over: Partial<CertSpec> = {}, exts?: Ext[]): Buffer {
  return buildCert({
    subject: CA_NAME,
    issuer: CA_NAME,
    serial: nextSerial(),
    notBefore: T0,
    notAfter: CA_END,
    publicKey: key,
    signingKey: key,
    extensions: exts ?? [
      ext.basicConstraints(true),
      ext.keyUsage([KU_KEY_CERT_SIGN, KU_CRL_SIGN]),
      ext.subjectKeyId(key),
    ],
    ...over,
  });
}

function leafCert(key: KeyObject, issuerKey: KeyObject, over: Partial<CertSpec> = {}, exts?: Ext[]): Buffer {
  const ku =
    key.asymmetricKeyType === 'rsa' ? [KU_DIGITAL_SIGNATURE, KU_KEY_ENCIPHERMENT] : [KU_DIGITAL_SIGNATURE];
  return buildCert({
    subject: SERVER_NAME,
    issuer: CA_NAME,
    serial: nextSerial(),
    notBefore: T0,
    notAfter: T1,
    publicKey: key,
    signingKey: issuerKey,
    extensions: exts ?? [
      ext.basicConstraints(false),
      ext.keyUsage(ku),
      ext.extKeyUsage([SERVER_AUTH]),
      ext.subjectAltName(GOOD_SAN),
      ext.subjectKeyId(key),
      ext.authorityKeyId(issuerKey),
    ],
    ...over,
  });
}

function deviceCert(
  serial: string,
  key: KeyObject,
  issuerKey: KeyObject,
  over: Partial<CertSpec> = {},
  eku = [CLIENT_AUTH],
): Buffer {
  return buildCert({
    subject: { O: 'Meshanics devices', CN: serial },
    issuer: CA_NAME,
    serial: nextSerial(),
    notBefore: new Date('2026-02-01T00:00:00Z'),
    notAfter: new Date('2028-02-01T00:00:00Z'),
    publicKey: key,
    signingKey: issuerKey,
    extensions: [
      ext.basicConstraints(false),
      ext.keyUsage([KU_DIGITAL_SIGNATURE]),
      ext.extKeyUsage(eku),
      ext.subjectKeyId(key),
      ext.authorityKeyId(issuerKey),
    ],
    ...over,
  });
}

const sha256 = (der: Buffer): string => createHash('sha256').update(der).digest('hex');

interface DeviceRow {
  id: string;
  serial: string;
  status: string;
  enrolled_at: string;
  cert_pem: string | null;
  cert_sha256: string | null;
}

let deviceCounter = 0;
function deviceRow(serial: string, status: string, der: Buffer | null, sha?: string): DeviceRow {
  deviceCounter++;
  return {
    id: `00000000-0000-4000-8000-${String(deviceCounter).padStart(12, '0')}`,
    serial,
    status,
    enrolled_at: '2026-02-01T00:00:00Z',
    cert_pem: der ? pem(der) : null,
    cert_sha256: der ? (sha ?? sha256(der)) : null,
  };
}

// ---------------------------------------------------------------------------------------------
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

// The good set. Keys from openssl: the CA's as PKCS#8 (genpkey), the node's as SEC1 with its
// EC PARAMETERS block (ecparam -genkey), as operators commonly make them.
const caKeyPem = openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384']);
const serverKeyPem = openssl(['ecparam', '-name', 'prime256v1', '-genkey']);
const caKey = createPrivateKey(caKeyPem);
const serverKey = createPrivateKey(serverKeyPem);
const caDer = caCert(caKey);
const serverDer = leafCert(serverKey, caKey);

const good: Record<string, string> = {
  'ca.crt': pem(caDer),
  'ca.key': caKeyPem,
  'server.crt': pem(serverDer),
  'server.key': serverKeyPem,
};

const devKeys = {
  ec: ecKey('P-256'),
  ed: generateKeyPairSync('ed25519').privateKey,
  rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
};
const goodDevices: DeviceRow[] = [
  deviceRow('MSH-0001', 'active', deviceCert('MSH-0001', devKeys.ec, caKey)),
  deviceRow('MSH-0002', 'active', deviceCert('MSH-0002', devKeys.ed, caKey)),
  deviceRow('MSH-0003', 'revoked', deviceCert('MSH-0003', devKeys.rsa, caKey)),
  deviceRow('MSH-0004', 'retired', deviceCert('MSH-0004', ecKey('P-256'), caKey)),
];

// Defect overlays: only the files that differ from good/.
const foreignKey = ecKey('P-256');
const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const otherServerKey = ecKey('P-256');
const intermediateKey = ecKey('P-256');
const leafUnderIntermediate = (): Buffer =>
  leafCert(serverKey, intermediateKey, { issuer: INTERMEDIATE_NAME }, [
    ext.basicConstraints(false),
    ext.keyUsage([KU_DIGITAL_SIGNATURE]),
    ext.extKeyUsage([SERVER_AUTH]),
    ext.subjectAltName(GOOD_SAN),
    ext.subjectKeyId(serverKey),
    ext.authorityKeyId(intermediateKey),
  ]);
const intermediateDer = buildCert({
  subject: INTERMEDIATE_NAME,
  issuer: CA_NAME,
  serial: nextSerial(),
  notBefore: T0,
  notAfter: CA_END,
  publicKey: intermediateKey,
  signingKey: caKey,
  extensions: [
    ext.basicConstraints(true, 0),
    ext.keyUsage([KU_KEY_CERT_SIGN, KU_CRL_SIGN]),
    ext.subjectKeyId(intermediateKey),
    ext.authorityKeyId(caKey),
  ],
});
const leafExts = (
  over: { san?: string[]; eku?: string[]; aki?: boolean; extra?: Ext[]; ca?: boolean } = {},
): Ext[] => [
  ext.basicConstraints(over.ca ?? false),
  ext.keyUsage([KU_DIGITAL_SIGNATURE]),
  ext.extKeyUsage(over.eku ?? [SERVER_AUTH]),
  ...(over.san && over.san.length === 0 ? [] : [ext.subjectAltName(over.san ?? GOOD_SAN)]),
  ext.subjectKeyId(serverKey),
  ...(over.aki === false ? [] : [ext.authorityKeyId(caKey)]),
  ...(over.extra ?? []),
];
const tampered = (der: Buffer): Buffer => {
  const t = Buffer.from(der);
  const i = t.length - 5;
  t[i] = (t[i] ?? 0) ^ 0x01;
  return t;
};

interface Defect {
  files: Record<string, string>;
  description: string;
  /** The finding code and certificate the tests expect. */
  expect: { code: string; certificate?: string; path?: string };
  host?: string;
}

const defects: Record<string, Defect> = {
  expired: {
    description: 'server.crt expired before the reference time',
    files: {
      'server.crt': pem(
        leafCert(serverKey, caKey, {
          notBefore: new Date('2025-01-01T00:00:00Z'),
          notAfter: new Date('2026-06-01T00:00:00Z'),
        }),
      ),
    },
    expect: { code: 'X509_EXPIRED', certificate: 'server.crt#0' },
  },
  'not-yet-valid': {
    description: 'server.crt becomes valid after the reference time',
    files: { 'server.crt': pem(leafCert(serverKey, caKey, { notBefore: new Date('2027-06-01T00:00:00Z') })) },
    expect: { code: 'X509_NOT_YET_VALID', certificate: 'server.crt#0' },
  },
  'wrong-host': {
    description: 'server.crt names another host',
    files: {
      'server.crt': pem(
        leafCert(serverKey, caKey, {}, leafExts({ san: ['DNS:other.meshanics.test', 'IP:10.0.0.9'] })),
      ),
    },
    expect: { code: 'X509_HOST_MISMATCH', certificate: 'server.crt#0' },
  },
  'ip-in-dns': {
    description: 'server.crt spells 127.0.0.1 as a DNS name only',
    files: { 'server.crt': pem(leafCert(serverKey, caKey, {}, leafExts({ san: ['DNS:127.0.0.1'] }))) },
    expect: { code: 'X509_HOST_MISMATCH', certificate: 'server.crt#0' },
    host: '127.0.0.1',
  },
  'foreign-ca': {
    description: 'server.crt issued by another CA',
    files: {
      'server.crt': pem(
        leafCert(serverKey, foreignKey, { issuer: FOREIGN_CA_NAME }, [
          ext.basicConstraints(false),
          ext.keyUsage([KU_DIGITAL_SIGNATURE]),
          ext.extKeyUsage([SERVER_AUTH]),
          ext.subjectAltName(GOOD_SAN),
          ext.authorityKeyId(foreignKey),
        ]),
      ),
    },
    expect: { code: 'X509_CHAIN_NO_ISSUER', certificate: 'server.crt#0' },
  },
  'foreign-ca-same-name': {
    description: "server.crt signed by another key under the CA's exact name (names prove nothing)",
    files: { 'server.crt': pem(leafCert(serverKey, foreignKey, {}, leafExts())) },
    expect: { code: 'X509_SIGNATURE_INVALID', certificate: 'server.crt#0' },
  },
  'key-mismatch': {
    description: 'server.key is not the key of server.crt',
    files: { 'server.key': keyPem(otherServerKey) },
    expect: { code: 'X509_KEY_MISMATCH', certificate: 'server.crt#0', path: 'server.key' },
  },
  'ca-not-ca': {
    description: 'ca.crt has basicConstraints cA=false',
    files: {
      'ca.crt': pem(
        caCert(caKey, {}, [
          ext.basicConstraints(false),
          ext.keyUsage([KU_KEY_CERT_SIGN, KU_CRL_SIGN]),
          ext.subjectKeyId(caKey),
        ]),
      ),
    },
    expect: { code: 'X509_ISSUER_NOT_CA', certificate: 'ca.crt#0' },
  },
  'ca-v1': {
    description: 'ca.crt is a version 1 certificate (no extensions)',
    files: { 'ca.crt': pem(caCert(caKey, { version: 1 }, [])) },
    expect: { code: 'X509_VERSION_NOT_V3', certificate: 'ca.crt#0' },
  },
  'no-key-cert-sign': {
    description: 'ca.crt keyUsage lacks keyCertSign',
    files: {
      'ca.crt': pem(
        caCert(caKey, {}, [
          ext.basicConstraints(true),
          ext.keyUsage([KU_DIGITAL_SIGNATURE]),
          ext.subjectKeyId(caKey),
        ]),
      ),
    },
    expect: { code: 'X509_ISSUER_NO_KEY_CERT_SIGN', certificate: 'ca.crt#0' },
  },
  pathlen: {
    description: 'ca.crt has pathLen 0 but server.crt bundles an intermediate',
    files: {
      'ca.crt': pem(
        caCert(caKey, {}, [
          ext.basicConstraints(true, 0),
          ext.keyUsage([KU_KEY_CERT_SIGN, KU_CRL_SIGN]),
          ext.subjectKeyId(caKey),
        ]),
      ),
      'server.crt': pem(leafUnderIntermediate()) + pem(intermediateDer),
    },
    expect: { code: 'X509_PATH_LENGTH_EXCEEDED', certificate: 'server.crt#1' },
  },
  'intermediate-ok': {
    description: 'good: server.crt bundles an intermediate, ca.crt has no pathLen',
    files: { 'server.crt': pem(leafUnderIntermediate()) + pem(intermediateDer) },
    expect: { code: '' },
  },
  'weak-key': {
    description: 'server key is RSA 1024',
    files: {
      'server.crt': pem(leafCert(rsa1024, caKey)),
      'server.key': rsa1024.export({ type: 'pkcs1', format: 'pem' }).toString(),
    },
    expect: { code: 'X509_KEY_WEAK', certificate: 'server.crt#0' },
  },
  'rsa-pkcs1': {
    description: 'good: RSA 2048 server key in PKCS#1',
    files: {
      'server.crt': pem(leafCert(rsa2048, caKey)),
      'server.key': rsa2048.export({ type: 'pkcs1', format: 'pem' }).toString(),
    },
    expect: { code: '' },
  },
  'encrypted-key': {
    description: 'server.key is encrypted PKCS#8',
    files: {
      'server.key': serverKey
        .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'fixture' })
        .toString(),
    },
    expect: { code: 'X509_KEY_ENCRYPTED', certificate: 'server.crt#0', path: 'server.key' },
  },
  'encrypted-key-legacy': {
    description: 'server.key is SEC1 with legacy PEM encryption (Proc-Type header)',
    files: {
      'server.key': serverKey
        .export({ type: 'sec1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'fixture' })
        .toString(),
    },
    expect: { code: 'X509_KEY_ENCRYPTED', certificate: 'server.crt#0', path: 'server.key' },
  },
  'no-server-auth': {
    description: 'server.crt EKU has clientAuth only',
    files: { 'server.crt': pem(leafCert(serverKey, caKey, {}, leafExts({ eku: [CLIENT_AUTH] }))) },
    expect: { code: 'X509_LEAF_NO_SERVER_AUTH', certificate: 'server.crt#0' },
  },
  'leaf-is-ca': {
    description: 'server.crt has cA=true',
    files: { 'server.crt': pem(leafCert(serverKey, caKey, {}, leafExts({ ca: true }))) },
    expect: { code: 'X509_LEAF_IS_CA', certificate: 'server.crt#0' },
  },
  'unknown-critical': {
    description: 'server.crt carries an unknown critical extension',
    files: {
      'server.crt': pem(
        leafCert(
          serverKey,
          caKey,
          {},
          leafExts({ extra: [ext.raw('1.3.6.1.4.1.55555.1', true, Buffer.from([0x05, 0x00]))] }),
        ),
      ),
    },
    expect: { code: 'X509_CRITICAL_EXTENSION_UNKNOWN', certificate: 'server.crt#0' },
  },
  'duplicate-extension': {
    description: 'server.crt carries subjectAltName twice',
    files: {
      'server.crt': pem(
        leafCert(serverKey, caKey, {}, leafExts({ extra: [ext.subjectAltName(['DNS:evil.test'])] })),
      ),
    },
    expect: { code: 'X509_EXTENSION_DUPLICATE', certificate: 'server.crt#0' },
  },
  'bad-signature': {
    description: 'server.crt signature altered',
    files: { 'server.crt': pem(tampered(serverDer)) },
    expect: { code: 'X509_SIGNATURE_INVALID', certificate: 'server.crt#0' },
  },
  'lint-sha1': {
    description: 'server.crt signed with ecdsa-with-SHA1',
    files: { 'server.crt': pem(leafCert(serverKey, caKey, { hash: 'sha1' })) },
    expect: { code: 'X509_SHA1_SIGNATURE', certificate: 'server.crt#0' },
  },
  'lint-bc-not-critical': {
    description: 'ca.crt basicConstraints not critical',
    files: {
      'ca.crt': pem(
        caCert(caKey, {}, [
          ext.basicConstraints(true, undefined, false),
          ext.keyUsage([KU_KEY_CERT_SIGN, KU_CRL_SIGN]),
          ext.subjectKeyId(caKey),
        ]),
      ),
    },
    expect: { code: 'X509_BASIC_CONSTRAINTS_NOT_CRITICAL', certificate: 'ca.crt#0' },
  },
  'lint-no-ski': {
    description: 'ca.crt has no subjectKeyIdentifier',
    files: {
      'ca.crt': pem(
        caCert(caKey, {}, [ext.basicConstraints(true), ext.keyUsage([KU_KEY_CERT_SIGN, KU_CRL_SIGN])]),
      ),
    },
    expect: { code: 'X509_SKI_MISSING', certificate: 'ca.crt#0' },
  },
  'lint-no-aki': {
    description: 'server.crt has no authorityKeyIdentifier',
    files: { 'server.crt': pem(leafCert(serverKey, caKey, {}, leafExts({ aki: false }))) },
    expect: { code: 'X509_AKI_MISSING', certificate: 'server.crt#0' },
  },
  'lint-serial-negative': {
    description: 'server.crt serial is negative',
    files: { 'server.crt': pem(leafCert(serverKey, caKey, { serial: Buffer.from([0x80, 0x12, 0x34]) })) },
    expect: { code: 'X509_SERIAL_INVALID', certificate: 'server.crt#0' },
  },
  'lint-serial-long': {
    description: 'server.crt serial is 21 octets',
    files: {
      'server.crt': pem(
        leafCert(serverKey, caKey, { serial: Buffer.concat([Buffer.from([0x01]), Buffer.alloc(20, 0x42)]) }),
      ),
    },
    expect: { code: 'X509_SERIAL_INVALID', certificate: 'server.crt#0' },
  },
  'lint-time-encoding': {
    description: 'server.crt notAfter (2031) encoded as GeneralizedTime',
    files: { 'server.crt': pem(leafCert(serverKey, caKey, { timeEncoding: { notAfter: 'generalized' } })) },
    expect: { code: 'X509_TIME_ENCODING', certificate: 'server.crt#0' },
  },
  'lint-no-san': {
    description: 'server.crt has no subjectAltName',
    files: { 'server.crt': pem(leafCert(serverKey, caKey, {}, leafExts({ san: [] }))) },
    expect: { code: 'X509_SAN_EMPTY', certificate: 'server.crt#0' },
  },
};

// Device certificate defects, checked against the good CA.
const expiredWindow = {
  notBefore: new Date('2025-01-01T00:00:00Z'),
  notAfter: new Date('2026-03-01T00:00:00Z'),
};
const dupSerial = 0x0dd5e1a1n;
const deviceDefects: Record<string, { description: string; rows: DeviceRow[] }> = {
  'foreign-ca': {
    description:
      'device certificates issued by another CA: for an active device (error) and a revoked one (warning)',
    rows: [
      deviceRow(
        'MSH-0101',
        'active',
        deviceCert('MSH-0101', ecKey('P-256'), foreignKey, { issuer: FOREIGN_CA_NAME }),
      ),
      deviceRow(
        'MSH-0102',
        'revoked',
        deviceCert('MSH-0102', ecKey('P-256'), foreignKey, { issuer: FOREIGN_CA_NAME }),
      ),
    ],
  },
  'fingerprint-mismatch': {
    description: 'cert_sha256 recorded for another certificate',
    rows: [deviceRow('MSH-0201', 'active', deviceCert('MSH-0201', ecKey('P-256'), caKey), sha256(serverDer))],
  },
  expired: {
    description: 'expired device certificates: an active device and a revoked one',
    rows: [
      deviceRow('MSH-0301', 'active', deviceCert('MSH-0301', ecKey('P-256'), caKey, expiredWindow)),
      deviceRow('MSH-0302', 'revoked', deviceCert('MSH-0302', ecKey('P-256'), caKey, expiredWindow)),
    ],
  },
  'no-client-auth': {
    description: 'device certificate whose EKU is serverAuth only',
    rows: [deviceRow('MSH-0401', 'active', deviceCert('MSH-0401', ecKey('P-256'), caKey, {}, [SERVER_AUTH]))],
  },
  'duplicate-serial': {
    description: 'two device certificates with the same serial number',
    rows: [
      deviceRow('MSH-0501', 'active', deviceCert('MSH-0501', ecKey('P-256'), caKey, { serial: dupSerial })),
      deviceRow('MSH-0502', 'active', deviceCert('MSH-0502', ecKey('P-256'), caKey, { serial: dupSerial })),
    ],
  },
  unparsable: {
    description: 'cert_pem that is not a certificate',
    rows: [
      {
        ...deviceRow('MSH-0601', 'active', null),
        cert_pem: pem(Buffer.from('not a certificate at all')),
        cert_sha256: '00'.repeat(32),
      },
    ],
  },
};

// ---------------------------------------------------------------------------------------------
function write(dir: string, files: Record<string, string>): void {
  mkdirSync(join(OUT, dir), { recursive: true });
  for (const [n, text] of Object.entries(files)) writeFileSync(join(OUT, dir, n), text);
}

/** `openssl verify` of a full set (good overlaid with the defect's files), for the manifest. */
function opensslVerdict(files: Record<string, string>, host: string): string {
  const tmp = mkdtempSync(join(tmpdir(), 'certfix-'));
  try {
    const all = { ...good, ...files };
    const blocks = (all['server.crt'] ?? '').split(/(?=-----BEGIN CERTIFICATE-----)/);
    writeFileSync(join(tmp, 'ca.crt'), all['ca.crt'] ?? '');
    writeFileSync(join(tmp, 'leaf.crt'), blocks[0] ?? '');
    const args = [
      'verify',
      '-CAfile',
      join(tmp, 'ca.crt'),
      '-attime',
      String(AT.getTime() / 1000),
      '-purpose',
      'sslserver',
    ];
    args.push(host.includes('.') && /[a-z]/.test(host) ? '-verify_hostname' : '-verify_ip', host);
    if (blocks.length > 1) {
      writeFileSync(join(tmp, 'chain.crt'), blocks.slice(1).join(''));
      args.push('-untrusted', join(tmp, 'chain.crt'));
    }
    args.push(join(tmp, 'leaf.crt'));
    try {
      return openssl(args)
        .trim()
        .replace(tmp + '/', '');
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      const text = `${err.stdout ?? ''}${err.stderr ?? ''}`.split(tmp + '/').join('');
      return (
        text
          .split('\n')
          .filter((l) => /error|OK/.test(l))
          .slice(0, 2)
          .join(' | ') || 'failed'
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

write('good', good);
writeFileSync(join(OUT, 'good', 'devices.json'), JSON.stringify(goodDevices, null, 2) + '\n');
const manifest: Record<string, unknown> = {
  referenceTime: AT.toISOString(),
  host: HOST,
  good: {
    description: 'the good set',
    openssl: opensslVerdict({}, HOST),
    opensslIp: opensslVerdict({}, '::1'),
  },
  defects: {} as Record<string, unknown>,
  devices: {} as Record<string, unknown>,
};
for (const [n, d] of Object.entries(defects)) {
  write(n, d.files);
  (manifest['defects'] as Record<string, unknown>)[n] = {
    description: d.description,
    files: Object.keys(d.files),
    host: d.host ?? HOST,
    expect: d.expect,
    openssl: opensslVerdict(d.files, d.host ?? HOST),
  };
}
mkdirSync(join(OUT, 'devices'), { recursive: true });
for (const [n, d] of Object.entries(deviceDefects)) {
  writeFileSync(join(OUT, 'devices', `${n}.json`), JSON.stringify(d.rows, null, 2) + '\n');
  (manifest['devices'] as Record<string, unknown>)[n] = {
    description: d.description,
    serials: d.rows.map((r) => r.serial),
  };
}
writeFileSync(join(OUT, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(
  `wrote ${Object.keys(defects).length + 1} certificate sets and ${Object.keys(deviceDefects).length + 1} device lists to ${OUT}`,
);
