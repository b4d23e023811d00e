/**
 * Real local targets for checker tests: HTTP and HTTPS servers on loopback port 0, test
 * certificates (self-signed, or issued by a local test CA), a port nobody listens on, and
 * job builders. Nothing here reaches beyond 127.0.0.1.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { CheckType, type CheckJob, type PortSettings, type WebsiteSettings } from '../../../../proto/generated/pharos/v1/check.js';

export interface LocalTarget {
  port: number;
  /** Base URL, e.g. http://127.0.0.1:1234 */
  url: string;
  /** Connections accepted so far (each check must open its own). */
  connections(): number;
  /** Connections still open right now. */
  openSockets(): number;
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

function track(server: net.Server, scheme: 'http' | 'https'): Promise<LocalTarget> {
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  server.on(scheme === 'https' ? 'secureConnection' : 'connection', () => accepted++);
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        port,
        url: `${scheme}://127.0.0.1:${port}`,
        connections: () => accepted,
        openSockets: () => sockets.size,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

export function startHttpTarget(handler: Handler): Promise<LocalTarget> {
  return track(http.createServer(handler), 'http');
}

export interface TestCertificate {
  key: string;
  cert: string;
  notBefore: Date;
  notAfter: Date;
}

const DAY_MS = 86_400_000;

/** X.509 validity has second precision; whole seconds make dates comparable with what is read back. */
function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** A self-signed certificate for localhost and 127.0.0.1. */
export async function generateCertificate(notAfter = new Date(Date.now() + 90 * DAY_MS)): Promise<TestCertificate> {
  const notBeforeDate = wholeSeconds(new Date(Date.now() - DAY_MS));
  const notAfterDate = wholeSeconds(notAfter);
  const pems = await generate([{ name: 'commonName', value: 'pharos-test' }], {
    keyType: 'ec',
    curve: 'P-256',
    notBeforeDate,
    notAfterDate,
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  return { key: pems.private, cert: pems.cert, notBefore: notBeforeDate, notAfter: notAfterDate };
}

/** A local certificate authority: trust its `cert` and it vouches for what `issueCertificate` signs. */
export interface TestCertificateAuthority {
  key: string;
  cert: string;
}

export async function generateCertificateAuthority(): Promise<TestCertificateAuthority> {
  const pems = await generate([{ name: 'commonName', value: 'Pharos Test CA' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 365 * DAY_MS),
    notAfterDate: new Date(Date.now() + 3650 * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

export interface LeafOptions {
  /** DNS names; the first is the common name. */
  dnsNames: string[];
  ips?: string[];
  notBefore?: Date;
  notAfter?: Date;
}

/** A server certificate signed by `ca` (default validity: from a day ago to 90 days ahead). */
export async function issueCertificate(ca: TestCertificateAuthority, leaf: LeafOptions): Promise<TestCertificate> {
  const notBeforeDate = wholeSeconds(leaf.notBefore ?? new Date(Date.now() - DAY_MS));
  const notAfterDate = wholeSeconds(leaf.notAfter ?? new Date(Date.now() + 90 * DAY_MS));
  const altNames = [
    ...leaf.dnsNames.map((value) => ({ type: 2 as const, value })),
    ...(leaf.ips ?? []).map((ip) => ({ type: 7 as const, ip })),
  ];
  const pems = await generate([{ name: 'commonName', value: leaf.dnsNames[0] }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.key, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { key: pems.private, cert: pems.cert, notBefore: notBeforeDate, notAfter: notAfterDate };
}

export function startHttpsTarget(certificate: TestCertificate, handler: Handler): Promise<LocalTarget> {
  return track(https.createServer({ key: certificate.key, cert: certificate.cert }, handler), 'https');
}

/** A TCP server that accepts and then says nothing (a TLS handshake against it hangs). */
export function startSilentTcpTarget(): Promise<LocalTarget> {
  return track(net.createServer(() => undefined), 'http');
}

/** A loopback port that was just free: binding then closing it leaves nobody listening. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let sequence = 0;

function baseJob(type: CheckType, timeoutMs: number): Omit<CheckJob, 'settings'> {
  const now = Date.now();
  sequence++;
  return {
    jobId: `job_${sequence}_${now}`,
    orgId: 'org_test',
    monitorId: `mon_${sequence}`,
    region: 'local',
    type,
    scheduledAtMs: now,
    deadlineMs: now + 60_000,
    timeoutMs,
    attempt: 1,
    monitorRevision: 1,
  };
}

export function websiteJob(settings: Partial<WebsiteSettings> & { url: string }, timeoutMs = 5_000): CheckJob {
  const value: WebsiteSettings = {
    method: 'GET',
    headers: [],
    body: '',
    expectedStatusCode: 200,
    followRedirects: true,
    maxRedirects: 5,
    keywordAbsent: false,
    ignoreTlsErrors: false,
    assertions: [],
    sslExpiryWarningDays: 0,
    ...settings,
  };
  return { ...baseJob(CheckType.CHECK_TYPE_WEBSITE, timeoutMs), settings: { $case: 'website', value } };
}

export function portJob(settings: PortSettings, timeoutMs = 5_000): CheckJob {
  return { ...baseJob(CheckType.CHECK_TYPE_PORT, timeoutMs), settings: { $case: 'port', value: settings } };
}

/** A TCP server on loopback that counts the connections it accepts and closes each at once. */
export async function startCountingTcpTarget(): Promise<{ port: number; accepted: () => number; close: () => Promise<void> }> {
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
