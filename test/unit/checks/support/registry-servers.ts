/**
 * Local stand-ins for domain registries in Domain checker tests: an RDAP server (HTTP) and
 * WHOIS servers (TCP) on 127.0.0.1 port 0 that answer from fixtures, builders for the
 * fixtures (an RDAP domain object, ICANN- and Nominet-style WHOIS texts) and for jobs.
 * Nothing here reaches beyond loopback.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { CheckType, type CheckJob, type DomainSettings } from '../../../../proto/generated/pharos/v1/check.js';
import { startHttpTarget } from './targets.js';

/** What a fixture registry does with one query: answer it, or never answer. */
export type Reply<T> = T | 'hang';

export interface RdapReply {
  status: number;
  body?: unknown;
}

export interface RdapServer {
  /** e.g. http://127.0.0.1:1234/rdap/ — a bootstrap base URL. */
  baseUrl: string;
  /** Path and Accept header of every request so far. */
  requests: { path: string; accept: string }[];
  close(): Promise<void>;
}

/** Serves GET /rdap/domain/{name} with `reply(name)`. */
export async function startRdapServer(reply: (name: string) => Reply<RdapReply>): Promise<RdapServer> {
  const requests: RdapServer['requests'] = [];
  const target = await startHttpTarget((req, res) => {
    const path = req.url ?? '';
    requests.push({ path, accept: String(req.headers.accept ?? '') });
    const name = /^\/rdap\/domain\/([^/?]+)$/.exec(path)?.[1];
    const answer = name === undefined ? { status: 400 } : reply(decodeURIComponent(name));
    if (answer === 'hang') return;
    res.writeHead(answer.status, { 'content-type': 'application/rdap+json' });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  });
  return { baseUrl: `${target.url}/rdap/`, requests, close: () => target.close() };
}

export interface WhoisServer {
  /** "127.0.0.1:port", as a WHOIS server is configured. */
  address: string;
  /** Every query line so far. */
  queries: string[];
  close(): Promise<void>;
}

/** Answers each query line with `reply(query)` and closes, as WHOIS servers do. */
export async function startWhoisServer(reply: (query: string) => Reply<string>): Promise<WhoisServer> {
  const queries: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A client may hang up mid-answer (the checker stops reading an oversized one).
    socket.on('error', () => undefined);
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      const end = received.indexOf('\r\n');
      if (end < 0) return;
      const query = received.slice(0, end);
      queries.push(query);
      const answer = reply(query);
      if (answer !== 'hang') socket.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    queries,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface RegistrationFixture {
  name: string;
  expiresAt: string;
  registeredAt: string;
  registrar: string;
  /** RDAP spelling, e.g. "client transfer prohibited". */
  statuses: string[];
}

/** An RDAP domain object (RFC 9083) as registries send it, trimmed to what the check reads and a little noise. */
export function rdapDomain(fixture: RegistrationFixture): object {
  return {
    objectClassName: 'domain',
    rdapConformance: ['rdap_level_0', 'icann_rdap_response_profile_1'],
    ldhName: fixture.name.toUpperCase(),
    status: fixture.statuses,
    events: [
      { eventAction: 'registration', eventDate: fixture.registeredAt },
      { eventAction: 'expiration', eventDate: fixture.expiresAt },
      { eventAction: 'last update of RDAP database', eventDate: '2026-02-28T23:59:00Z' },
    ],
    entities: [
      { objectClassName: 'entity', roles: ['registrant'], vcardArray: ['vcard', [['version', {}, 'text', '4.0'], ['fn', {}, 'text', 'REDACTED FOR PRIVACY']]] },
      {
        objectClassName: 'entity',
        handle: '9999',
        roles: ['registrar'],
        vcardArray: ['vcard', [['version', {}, 'text', '4.0'], ['fn', {}, 'text', fixture.registrar]]],
      },
    ],
  };
}

/** A registry WHOIS answer in ICANN's gTLD format: EPP statuses ("ok", camel case) with their ICANN URL. */
export function icannWhois(fixture: RegistrationFixture): string {
  const statuses = fixture.statuses.map((status) => {
    const epp = status === 'active' ? 'ok' : status.replace(/ (\w)/g, (_all, letter: string) => letter.toUpperCase());
    return `   Domain Status: ${epp} https://icann.org/epp#${epp}`;
  });
  return [
    `   Domain Name: ${fixture.name.toUpperCase()}`,
    '   Registry Domain ID: 2336799_DOMAIN_TEST-VRSN',
    '   Registrar WHOIS Server: whois.registrar.invalid',
    '   Registrar URL: http://www.registrar.invalid',
    '   Updated Date: 2025-08-14T07:01:38Z',
    `   Creation Date: ${fixture.registeredAt}`,
    `   Registry Expiry Date: ${fixture.expiresAt}`,
    `   Registrar: ${fixture.registrar}`,
    '   Registrar IANA ID: 9999',
    ...statuses,
    '   Name Server: NS1.EXAMPLE.INVALID',
    '   DNSSEC: unsigned',
    '>>> Last update of whois database: 2026-02-28T23:59:00Z <<<',
    '',
    'NOTICE: The expiration date displayed in this record is the date the',
    "registrar's sponsorship of the domain name registration in the registry is",
    'currently set to expire.',
    '',
  ].join('\r\n');
}

/** Nominet's layout: labels on their own line, values indented below, dates as 26-Aug-2027. */
export function nominetWhois(name: string, registrar: string, registeredOn: string, expiryDate: string): string {
  return [
    '',
    '    Domain name:',
    `        ${name}`,
    '',
    '    Registrar:',
    `        ${registrar}`,
    '        URL: https://www.registrar.invalid',
    '',
    '    Relevant dates:',
    `        Registered on: ${registeredOn}`,
    `        Expiry date:  ${expiryDate}`,
    '        Last updated:  01-Feb-2026',
    '',
    '    Registration status:',
    '        Registered until expiry date.',
    '',
  ].join('\r\n');
}

export function whoisNoMatch(name: string): string {
  return `No match for "${name.toUpperCase()}".\r\n>>> Last update of whois database: 2026-02-28T23:59:00Z <<<\r\n`;
}

let sequence = 0;

export function domainJob(settings: Partial<DomainSettings> & { hostname: string }, timeoutMs = 5_000): CheckJob {
  const now = Date.now();
  sequence++;
  return {
    jobId: `job_domain_${sequence}_${now}`,
    orgId: 'org_test',
    monitorId: `mon_domain_${sequence}`,
    region: 'local',
    type: CheckType.CHECK_TYPE_DOMAIN,
    scheduledAtMs: now,
    deadlineMs: now + 60_000,
    timeoutMs,
    attempt: 1,
    monitorRevision: 1,
    settings: { $case: 'domain', value: { expiryWarningDays: 30, ...settings } },
  };
}
