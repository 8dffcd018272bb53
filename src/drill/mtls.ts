// Step 4, mutual TLS works: a TLS server on 127.0.0.1 (an ephemeral port) with the backup's server
// certificate and key, requiring a client certificate from the CA; the freshly enrolled device
// connects, verifying the server against the CA and the --host address. Both ends close and the
// port is released before the step ends, whatever happens; every wait is bounded.
import { createHash } from 'node:crypto';
import { isIP, type Socket } from 'node:net';
import {
  checkServerIdentity,
  connect,
  createServer,
  type PeerCertificate,
  type Server,
  type TLSSocket,
} from 'node:tls';
import type { Location } from '../findings/types.js';
import type { CertReport } from '../x509/index.js';
import type { DrillRun } from './context.js';
import type { IssuedDevice } from './issue.js';
import type { HandshakeResult, TlsResult } from './types.js';

const ADDRESS = '127.0.0.1';
const GREETING = 'meshverify drill\n';
/** Bound on listening and closing (the handshake has its own, --tls-timeout). */
const SETUP_MS = 5000;

/** OpenSSL's verification errors, as node reports them on the verifying side. */
const CHAIN_ERRORS = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_SIGNATURE_ALGORITHM_UNSUPPORTED',
]);

/** What the server says when it refuses the client's certificate, and the alert the client gets. */
const CLIENT_REJECTED = /certificate|peer did not return|unknown ca|verify|signature|asn1|EVP lib/i;
const CLIENT_ALERT = /alert (certificate|bad certificate|unknown ca|certificate required|decrypt error)/i;

export interface TlsInput {
  serverCertPem: Buffer;
  serverKeyPem: Buffer;
  caPem: Buffer;
  serverCertPath: string;
  serverKeyPath: string;
  caPath: string;
  serverRef: string;
}

/** The server's PEM files from the certificate folder, or a finding saying which is missing. */
export function tlsInput(run: DrillRun, certs: CertReport): TlsInput | undefined {
  const f = run.ctx.findings;
  const src = run.input.certs;
  const cert = certs.files.serverCert;
  const key = certs.files.serverKey;
  const ca = certs.files.caCert;
  const data = (p: string | null): Buffer | undefined => (p !== null ? src?.get(p)?.data : undefined);
  const certData = data(cert);
  const keyData = data(key);
  const caData = data(ca);
  if (cert === null || key === null || ca === null || !certData || !keyData || !caData) {
    const missing =
      cert === null || !certData ? 'server.crt' : key === null || !keyData ? 'server.key' : 'ca.crt';
    const path = missing === 'server.crt' ? cert : missing === 'server.key' ? key : ca;
    f.add(
      'DRILL_TLS_SERVER_SETUP_FAILED',
      { path: path ?? missing },
      `${path ?? missing} is missing or unreadable: the restored node cannot serve mutual TLS`,
    );
    return undefined;
  }
  return {
    serverCertPem: certData,
    serverKeyPem: keyData,
    caPem: caData,
    serverCertPath: cert,
    serverKeyPath: key,
    caPath: ca,
    serverRef: `${cert}#0`,
  };
}

export async function drillMutualTls(run: DrillRun, inp: TlsInput, device: IssuedDevice): Promise<TlsResult> {
  const f = run.ctx.findings;
  const result: TlsResult = { address: ADDRESS, port: null, closed: true, handshakes: [] };
  let server: Server;
  const sockets = new Set<Socket>();
  let lastServerError: string | null = null;
  try {
    server = createServer({
      cert: inp.serverCertPem,
      key: inp.serverKeyPem,
      ca: inp.caPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const keyProblem = /key values mismatch|private key|bad decrypt|KEY/i.test(msg);
    f.add(
      'DRILL_TLS_SERVER_SETUP_FAILED',
      { path: keyProblem ? inp.serverKeyPath : inp.serverCertPath, certificate: inp.serverRef },
      `a TLS server cannot be started with ${inp.serverCertPath} and ${inp.serverKeyPath}: ${msg}`,
      { error: msg },
    );
    return result;
  }
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: TLSSocket) => {
    s.on('error', () => undefined);
    // Sent only once the server has verified the device: the client's proof of mutual TLS.
    s.end(GREETING);
  });
  server.on('tlsClientError', (e: NodeJS.ErrnoException) => {
    lastServerError = `${e.code ? `${e.code}: ` : ''}${e.message.trim()}`;
  });
  server.on('error', () => undefined);

  try {
    const port = await listen(server, Math.max(run.o.tlsTimeoutMs, SETUP_MS));
    result.port = port;
    result.closed = false;
    for (const host of run.ctx.opts.hosts) {
      lastServerError = null;
      const h = await handshake(port, host, inp, device, run.o.tlsTimeoutMs);
      // The server may learn of a failed handshake just after the client: give it a moment.
      if (!h.ok && lastServerError === null) await serverErrorOrDelay(server, 250);
      h.serverError = lastServerError;
      result.handshakes.push(h);
      if (!h.ok) report(run, inp, h, device);
    }
  } catch (e) {
    f.add(
      'DRILL_TLS_HANDSHAKE_FAILED',
      { certificate: inp.serverRef },
      `the loopback TLS server could not listen on ${ADDRESS}: ${e instanceof Error ? e.message : String(e)}`,
    );
  } finally {
    for (const s of sockets) s.destroy();
    result.closed = await close(server, Math.max(run.o.tlsTimeoutMs, SETUP_MS));
  }
  if (Math.abs(run.ctx.opts.now.getTime() - run.at.getTime()) > 3600_000 && result.handshakes.length > 0)
    f.add(
      'DRILL_TLS_REAL_CLOCK',
      { certificate: inp.serverRef },
      `the handshake judged certificate validity at the real clock (${run.ctx.opts.now.toISOString()}), not at --at ${run.at.toISOString()}`,
    );
  return result;
}

function report(run: DrillRun, inp: TlsInput, h: HandshakeResult, device: IssuedDevice): void {
  const f = run.ctx.findings;
  const code = h.errorCode ?? '';
  const detail = {
    host: h.host,
    error: h.error ?? '',
    errorCode: code,
    serverError: h.serverError ?? '',
  };
  const serverLoc: Location = { path: inp.serverCertPath, certificate: inp.serverRef };
  if (code === 'ETIMEDOUT')
    f.add(
      'DRILL_TLS_TIMEOUT',
      serverLoc,
      `the handshake with ${h.host} did not finish within ${run.o.tlsTimeoutMs} ms`,
      detail,
    );
  else if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    f.add(
      'DRILL_TLS_HOST_REJECTED',
      serverLoc,
      `a device connecting to ${h.host} rejects ${inp.serverRef}: ${h.error ?? 'the host is not in its subjectAltName'}`,
      detail,
    );
  else if (CHAIN_ERRORS.has(code))
    f.add(
      'DRILL_TLS_SERVER_REJECTED',
      serverLoc,
      `a device rejects ${inp.serverRef} against ${inp.caPath}: ${h.error ?? code}`,
      detail,
    );
  else if (CLIENT_REJECTED.test(h.serverError ?? '') || CLIENT_ALERT.test(h.error ?? ''))
    f.add(
      'DRILL_TLS_CLIENT_REJECTED',
      { path: inp.caPath, certificate: `device:${device.serial}` },
      `the server rejects the enrolled device's certificate: ${h.serverError ?? h.error ?? 'handshake alert'}`,
      detail,
    );
  else
    f.add(
      'DRILL_TLS_HANDSHAKE_FAILED',
      serverLoc,
      `the mutual-TLS handshake for ${h.host} failed: ${h.error ?? 'unknown error'}`,
      detail,
    );
}

function serverErrorOrDelay(server: Server, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      server.off('tlsClientError', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    server.on('tlsClientError', done);
  });
}

function listen(server: Server, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('listen timed out')), timeoutMs);
    server.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    server.listen(0, ADDRESS, () => {
      clearTimeout(timer);
      const a = server.address();
      if (a && typeof a === 'object') resolve(a.port);
      else reject(new Error('no address'));
    });
  });
}

function close(server: Server, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve(true);
      return;
    }
    const timer = setTimeout(() => resolve(false), timeoutMs);
    server.close(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function handshake(
  port: number,
  host: string,
  inp: TlsInput,
  device: IssuedDevice,
  timeoutMs: number,
): Promise<HandshakeResult> {
  const started = Date.now();
  const h: HandshakeResult = {
    host,
    ok: false,
    protocol: null,
    cipher: null,
    serverCertificate: null,
    error: null,
    errorCode: null,
    serverError: null,
    ms: 0,
  };
  // An IP address is checked against IP SANs and sent without SNI (RFC 6066 forbids IP names).
  const ip = isIP(host.replace(/^\[|\]$/g, '')) !== 0;
  const name = host.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    let done = false;
    let received = '';
    let socket: TLSSocket | undefined;
    const finish = (err?: { message: string; code?: string }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        h.ok = false;
        h.error = err.message;
        h.errorCode = err.code ?? null;
      }
      h.ms = Date.now() - started;
      socket?.destroy();
      resolve(h);
    };
    const timer = setTimeout(
      () => finish({ message: `no handshake within ${timeoutMs} ms`, code: 'ETIMEDOUT' }),
      timeoutMs,
    );
    try {
      socket = connect({
        host: ADDRESS,
        port,
        ...(ip ? {} : { servername: name }),
        ca: inp.caPem,
        cert: device.certPem,
        key: device.keyPem,
        rejectUnauthorized: true,
        checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(name, cert),
      });
    } catch (e) {
      finish({ message: e instanceof Error ? e.message : String(e) });
      return;
    }
    const s = socket;
    s.on('secureConnect', () => {
      h.protocol = s.getProtocol();
      const c = s.getCipher();
      h.cipher = c.standardName || c.name;
      const peer = s.getPeerCertificate();
      h.serverCertificate = peer.raw ? createHash('sha256').update(peer.raw).digest('hex') : null;
    });
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      received += d;
      if (received === GREETING) {
        h.ok = true;
        finish();
      }
    });
    s.on('error', (e: NodeJS.ErrnoException) =>
      finish({ message: e.message, ...(e.code ? { code: e.code } : {}) }),
    );
    s.on('close', () =>
      finish({
        message: h.protocol
          ? 'the server closed the connection without accepting the device'
          : 'the connection closed during the handshake',
      }),
    );
  });
}
