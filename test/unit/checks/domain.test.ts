import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckJob, DomainSettings } from '../../../proto/generated/pharos/v1/check.js';
import { CheckPhase, CheckStatus, ErrorKind } from '../../../proto/generated/pharos/v1/result.js';
import { rdapBootstrapSource, type RdapBootstrap } from '../../../probe-agent/checks/domain-registry/bootstrap.js';
import type { DomainRegistries } from '../../../probe-agent/checks/domain-registry/lookup.js';
import { refreshRdapBootstrap } from '../../../probe-agent/checks/domain-registry/refresh.js';
import { createDomainChecker } from '../../../probe-agent/checks/domain.js';
import { createCheckers, runCheck, settingsProblems, type CheckerTable } from '../../../probe-agent/checks/registry.js';
import {
  domainJob,
  icannWhois,
  nominetWhois,
  rdapDomain,
  startRdapServer,
  startWhoisServer,
  whoisNoMatch,
  type RdapServer,
  type RegistrationFixture,
  type WhoisServer,
} from './support/registry-servers.js';
import { closedPort, startHttpTarget, type LocalTarget } from './support/targets.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const DAY = 86_400_000;
const CREATED = '2010-05-06T07:08:09Z';

function registration(name: string, expiresAtMs: number, statuses = ['client transfer prohibited', 'active']): RegistrationFixture {
  return { name, expiresAt: new Date(expiresAtMs).toISOString(), registeredAt: CREATED, registrar: 'Example Registrar, Inc.', statuses };
}

const RDAP_DOMAINS: Record<string, RegistrationFixture> = {
  'example.rdaptest': registration('example.rdaptest', NOW + 400 * DAY),
  'soon.rdaptest': registration('soon.rdaptest', NOW + 10 * DAY),
  'lapsed.rdaptest': registration('lapsed.rdaptest', Date.parse('2026-01-02T10:00:00Z')),
  'deleting.rdaptest': registration('deleting.rdaptest', NOW + 300 * DAY, ['redemption period']),
  'durable.rdaptest': registration('durable.rdaptest', Date.parse('2099-01-01T00:00:00Z')),
  'example.refreshtest': registration('example.refreshtest', NOW + 90 * DAY),
};

const WHOIS_ANSWERS: Record<string, string | 'hang'> = {
  'example.whoistest': icannWhois(registration('example.whoistest', NOW + 200 * DAY)),
  'soon.whoistest': icannWhois(registration('soon.whoistest', NOW + 5 * DAY)),
  'busy.whoistest': 'WHOIS LIMIT EXCEEDED - SEE WWW.REGISTRY.INVALID/WHOIS FOR DETAILS\r\n',
  'endless.whoistest': '% notice\r\n'.repeat(200_000),
  'example.uktest': nominetWhois('example.uktest', 'Example Registrar Ltd [Tag = EXAMPLE]', '26-Aug-1996', '26-Aug-2027'),
  'example.failtest': icannWhois(registration('example.failtest', NOW + 100 * DAY)),
  'example.downtest': icannWhois(registration('example.downtest', NOW + 100 * DAY)),
  'example.hangtest': icannWhois(registration('example.hangtest', NOW + 100 * DAY)),
  'example.ianatest': icannWhois(registration('example.ianatest', NOW + 100 * DAY)),
  'stuck.hangtest': 'hang',
};

let rdap: RdapServer;
let whois: WhoisServer;
let iana: WhoisServer;
let deadPort: number;
let registries: DomainRegistries;

beforeAll(async () => {
  rdap = await startRdapServer((name) => {
    const tld = name.slice(name.lastIndexOf('.') + 1);
    if (tld === 'failtest') return { status: 500, body: { errorCode: 500, title: 'Internal Server Error' } };
    if (tld === 'hangtest') return 'hang';
    if (name === 'misfiled.rdaptest') return { status: 200, body: { errorCode: 404, title: 'Not Found' } };
    const fixture = RDAP_DOMAINS[name];
    return fixture ? { status: 200, body: rdapDomain(fixture) } : { status: 404, body: { errorCode: 404, title: 'Not Found' } };
  });
  whois = await startWhoisServer((query) => WHOIS_ANSWERS[query] ?? whoisNoMatch(query));
  iana = await startWhoisServer((query) =>
    query === 'ianatest'
      ? `% IANA WHOIS server\r\n\r\ndomain:       IANATEST\r\n\r\nrefer:        ${whois.address}\r\n\r\nwhois:        ${whois.address}\r\n`
      : '% IANA WHOIS server\r\n\r\n% This query returned 0 objects.\r\n',
  );
  deadPort = await closedPort();
  const bootstrap: RdapBootstrap = {
    version: '1.0',
    publication: '2026-02-01T00:00:00Z',
    description: 'test registries on loopback',
    services: [
      [['rdaptest', 'failtest', 'hangtest'], [rdap.baseUrl]],
      [['downtest', 'deadtest'], [`http://127.0.0.1:${deadPort}/`]],
    ],
  };
  registries = {
    rdapBootstrap: bootstrap,
    whoisServers: {
      whoistest: whois.address,
      uktest: whois.address,
      failtest: whois.address,
      downtest: whois.address,
      hangtest: whois.address,
      refreshtest: whois.address,
      deadtest: `127.0.0.1:${deadPort}`,
    },
    ianaWhoisServer: iana.address,
  };
});

afterAll(async () => {
  await Promise.all([rdap.close(), whois.close(), iana.close()]);
});

/** Runs jobs through one Domain checker (built on first use, once the registries are up) at NOW. */
function runner(overrides: Partial<DomainRegistries> = {}) {
  let checkers: CheckerTable | undefined;
  return (job: CheckJob, signal = new AbortController().signal) => {
    checkers ??= { ...createCheckers(), domain: createDomainChecker({ registries: { ...registries, ...overrides }, now: () => NOW }) };
    return runCheck(checkers, job, signal);
  };
}

describe('domain checker over RDAP', () => {
  const run = runner();

  it('is UP for a registered domain, with what the registry said', async () => {
    const outcome = await run(domainJob({ hostname: 'example.rdaptest' }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.errorMessage).toBe('');
    expect(outcome.domain).toEqual({
      expiresAtMs: NOW + 400 * DAY,
      registeredAtMs: Date.parse(CREATED),
      registrar: 'Example Registrar, Inc.',
      statuses: ['client transfer prohibited', 'active'],
      source: 'rdap',
      expiringSoon: false,
    });
    expect(outcome.timings.dnsMs).toBe(0);
    expect(outcome.timings.totalMs).toBeGreaterThan(0);
    expect(rdap.requests.at(-1)).toEqual({ path: '/rdap/domain/example.rdaptest', accept: 'application/rdap+json' });
  });

  it('asks about the registered name when given a subdomain under a generic TLD', async () => {
    const outcome = await run(domainJob({ hostname: 'WWW.Example.rdaptest.' }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(rdap.requests.at(-1)?.path).toBe('/rdap/domain/example.rdaptest');
  });

  it('flags a domain expiring within the warning days as expiring soon, and stays UP', async () => {
    const outcome = await run(domainJob({ hostname: 'soon.rdaptest' }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.errorMessage).toBe('');
    expect(outcome.domain?.expiringSoon).toBe(true);

    const shorterWarning = await run(domainJob({ hostname: 'soon.rdaptest', expiryWarningDays: 7 }));
    expect(shorterWarning.domain?.expiringSoon).toBe(false);
  });

  it('is DOWN for an expired domain, saying when it expired', async () => {
    const outcome = await run(domainJob({ hostname: 'lapsed.rdaptest' }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_DOMAIN_EXPIRED);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_ASSERTION);
    expect(outcome.errorMessage).toBe('domain expired on 2026-01-02');
    expect(outcome.domain?.expiresAtMs).toBe(Date.parse('2026-01-02T10:00:00Z'));
  });

  it('is DOWN for a domain in its redemption period, whatever its expiry date says', async () => {
    const outcome = await run(domainJob({ hostname: 'deleting.rdaptest' }));
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_DOMAIN_EXPIRED);
    expect(outcome.errorMessage).toContain('redemption period');
  });

  it('takes a 200 that is not a domain object as a failed lookup, not as a registration', async () => {
    const outcome = await run(domainJob({ hostname: 'misfiled.rdaptest' }));
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_REGISTRY_LOOKUP);
    expect(outcome.errorMessage).toContain('domain/misfiled.rdaptest: the answer is not an RDAP domain object');
  });

  it('is DOWN as not registered when RDAP answers 404, without asking WHOIS', async () => {
    const before = whois.queries.length;
    const outcome = await run(domainJob({ hostname: 'unknown.rdaptest' }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_DOMAIN_EXPIRED);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_ASSERTION);
    expect(outcome.errorMessage).toBe('unknown.rdaptest is not registered');
    expect(outcome.domain?.source).toBe('rdap');
    expect(whois.queries.length).toBe(before);
  });
});

describe('domain checker over WHOIS, for a TLD without RDAP', () => {
  const run = runner();

  it('reads an ICANN-format answer: dates, registrar, statuses in RDAP spelling', async () => {
    const outcome = await run(domainJob({ hostname: 'example.whoistest' }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.domain).toEqual({
      expiresAtMs: NOW + 200 * DAY,
      registeredAtMs: Date.parse(CREATED),
      registrar: 'Example Registrar, Inc.',
      statuses: ['client transfer prohibited', 'active'],
      source: 'whois',
      expiringSoon: false,
    });
    expect(whois.queries.at(-1)).toBe('example.whoistest');
  });

  it('flags an expiring domain', async () => {
    const outcome = await run(domainJob({ hostname: 'soon.whoistest' }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.domain).toMatchObject({ source: 'whois', expiringSoon: true, expiresAtMs: NOW + 5 * DAY });
  });

  it('is DOWN as not registered on "No match"', async () => {
    const outcome = await run(domainJob({ hostname: 'nobody.whoistest' }));
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_DOMAIN_EXPIRED);
    expect(outcome.errorMessage).toBe('nobody.whoistest is not registered');
    expect(outcome.domain?.source).toBe('whois');
  });

  it("reads Nominet's layout: values under their label, dates as 26-Aug-2027", async () => {
    const outcome = await run(domainJob({ hostname: 'example.uktest' }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.domain).toMatchObject({
      expiresAtMs: Date.parse('2027-08-26T00:00:00Z'),
      registeredAtMs: Date.parse('1996-08-26T00:00:00Z'),
      registrar: 'Example Registrar Ltd [Tag = EXAMPLE]',
    });
  });

  it('finds the server of an unmapped TLD through IANA once, then remembers it', async () => {
    const ianaRun = runner();
    const before = iana.queries.length;
    const first = await ianaRun(domainJob({ hostname: 'example.ianatest' }));
    const second = await ianaRun(domainJob({ hostname: 'example.ianatest' }));
    expect(first.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(second.domain?.source).toBe('whois');
    expect(iana.queries.slice(before)).toEqual(['ianatest']);
  });

  it('is a registry-lookup failure when IANA names no server for the TLD', async () => {
    const outcome = await run(domainJob({ hostname: 'example.nowheretest' }));
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_REGISTRY_LOOKUP);
    expect(outcome.errorMessage).toContain('no RDAP service for .nowheretest');
    expect(outcome.errorMessage).toContain('names no WHOIS server for .nowheretest');
  });

  it('stops reading an answer larger than 1 MiB', async () => {
    const outcome = await run(domainJob({ hostname: 'endless.whoistest' }));
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_REGISTRY_LOOKUP);
    expect(outcome.errorMessage).toContain('the answer is larger than 1048576 bytes');
  });

  it('is a registry-lookup failure when the answer holds no registration data (a rate limit)', async () => {
    const outcome = await run(domainJob({ hostname: 'busy.whoistest' }));
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_REGISTRY_LOOKUP);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_QUERY);
    expect(outcome.errorMessage).toContain('WHOIS LIMIT EXCEEDED');
  });
});

describe('domain checker falling back from RDAP to WHOIS', () => {
  const run = runner();

  it('asks WHOIS when the RDAP server answers 500', async () => {
    const outcome = await run(domainJob({ hostname: 'example.failtest' }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.domain?.source).toBe('whois');
    expect(rdap.requests.at(-1)?.path).toBe('/rdap/domain/example.failtest');
  });

  it('asks WHOIS when the RDAP server refuses the connection', async () => {
    const outcome = await run(domainJob({ hostname: 'example.downtest' }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.domain?.source).toBe('whois');
  });

  it('asks WHOIS when RDAP does not answer within half the check timeout', async () => {
    const outcome = await run(domainJob({ hostname: 'example.hangtest' }, 1_000));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.domain?.source).toBe('whois');
    expect(outcome.timings.totalMs).toBeGreaterThanOrEqual(490);
  });

  it('is a registry-lookup failure with both reasons when neither answers', async () => {
    const outcome = await run(domainJob({ hostname: 'example.deadtest' }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_REGISTRY_LOOKUP);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_QUERY);
    expect(outcome.errorMessage).toMatch(/^RDAP: http:\/\/127\.0\.0\.1:\d+\/domain\/example\.deadtest: .*ECONNREFUSED.*; WHOIS: 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(outcome.domain).toBeUndefined();
  });

  it('times out in the query phase when both hang', async () => {
    const outcome = await run(domainJob({ hostname: 'stuck.hangtest' }, 400));
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_TIMEOUT);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_QUERY);
    expect(outcome.errorMessage).toContain('during the registry lookup');
    expect(outcome.timings.totalMs).toBeGreaterThanOrEqual(390);
  });

  it('reports a check aborted by its caller as internal, not as a registry failure', async () => {
    const controller = new AbortController();
    const pending = run(domainJob({ hostname: 'stuck.hangtest' }), controller.signal);
    controller.abort(new Error('shutting down'));
    const outcome = await pending;
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_INTERNAL);
    expect(outcome.errorMessage).toContain('shutting down');
  });
});

describe('RDAP bootstrap', () => {
  let dir: string;
  let ianaHttp: LocalTarget;
  let served: { status: number; body: string };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pharos-rdap-bootstrap-'));
    ianaHttp = await startHttpTarget((req, res) => {
      res.writeHead(req.url === '/rdap/dns.json' ? served.status : 404, { 'content-type': 'application/json' });
      res.end(served.body);
    });
  });

  afterAll(async () => {
    await ianaHttp.close();
    await rm(dir, { recursive: true, force: true });
  });

  const bootstrapJson = (services: RdapBootstrap['services']) =>
    JSON.stringify({ version: '1.0', publication: '2026-02-27T18:00:01Z', description: 'RDAP bootstrap file for Domain Name System registrations', services });

  it('ships a copy that maps common TLDs to their registry', async () => {
    const shipped = await rdapBootstrapSource(undefined)();
    expect(shipped.baseUrlFor('example.com')).toBe('https://rdap.verisign.com/com/v1/');
    expect(shipped.baseUrlFor('www.example.co.uk')).toBe('https://rdap.nominet.uk/uk/');
    expect(shipped.baseUrlFor('example.invalid')).toBeUndefined();
  });

  it('refreshes into the operator file, which the checker then uses instead of the shipped copy', async () => {
    const file = path.join(dir, 'refreshed', 'dns.json');
    const run = runner({ rdapBootstrap: file });

    // No file yet: the shipped copy is used, which has no RDAP for these TLDs.
    const before = await run(domainJob({ hostname: 'example.refreshtest' }));
    expect(before.domain?.source).toBe('whois');
    const unanswered = await run(domainJob({ hostname: 'example.deadtest' }));
    expect(unanswered.errorMessage).toContain('RDAP: no RDAP service for .deadtest in the bootstrap');

    served = { status: 200, body: bootstrapJson([[['refreshtest'], [rdap.baseUrl]], [['com', 'net'], ['https://rdap.verisign.com/com/v1/']]]) };
    const refreshed = await refreshRdapBootstrap({ url: `${ianaHttp.url}/rdap/dns.json`, file });
    expect(refreshed).toEqual({ file, publication: '2026-02-27T18:00:01Z', tlds: 3 });
    expect(await readFile(file, 'utf8')).toBe(served.body);
    expect(await readdir(path.dirname(file))).toEqual(['dns.json']);

    const after = await run(domainJob({ hostname: 'example.refreshtest' }));
    expect(after.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(after.domain?.source).toBe('rdap');

    // A later refresh replaces the file, and the next check reads the new one.
    served = { status: 200, body: bootstrapJson([[['com', 'net'], ['https://rdap.verisign.com/com/v1/']]]) };
    await refreshRdapBootstrap({ url: `${ianaHttp.url}/rdap/dns.json`, file });
    const replaced = await run(domainJob({ hostname: 'example.refreshtest' }));
    expect(replaced.domain?.source).toBe('whois');
  });

  it('keeps the current file when the download fails or is not a bootstrap', async () => {
    const file = path.join(dir, 'kept.json');
    await writeFile(file, 'the current bootstrap');
    const refresh = () => refreshRdapBootstrap({ url: `${ianaHttp.url}/rdap/dns.json`, file });

    served = { status: 503, body: '' };
    await expect(refresh()).rejects.toThrow('HTTP 503');
    served = { status: 200, body: '<html>maintenance</html>' };
    await expect(refresh()).rejects.toThrow('is not JSON');
    served = { status: 200, body: bootstrapJson([[['com'], ['ftp://rdap.example/']]]) };
    await expect(refresh()).rejects.toThrow('services[0][1] is not a list of http(s) URLs');
    served = { status: 200, body: JSON.stringify({ version: '1.0', publication: '2026-02-27T18:00:01Z' }) };
    await expect(refresh()).rejects.toThrow('has no "services"');

    expect(await readFile(file, 'utf8')).toBe('the current bootstrap');
    expect((await readdir(dir)).filter((name) => name.startsWith('kept'))).toEqual(['kept.json']);
  });

  it('reports an unreadable operator file as the RDAP reason and still asks WHOIS', async () => {
    const file = path.join(dir, 'broken.json');
    await writeFile(file, '{');
    const run = runner({ rdapBootstrap: file });

    const answered = await run(domainJob({ hostname: 'example.whoistest' }));
    expect(answered.domain?.source).toBe('whois');

    const unanswered = await run(domainJob({ hostname: 'example.deadtest' }));
    expect(unanswered.errorKind).toBe(ErrorKind.ERROR_KIND_REGISTRY_LOOKUP);
    expect(unanswered.errorMessage).toContain(`RDAP: RDAP bootstrap ${file} is not JSON`);
  });
});

describe('domain settings', () => {
  const validate = (value: DomainSettings) => settingsProblems({ timeoutMs: 5_000, settings: { $case: 'domain', value } });

  it('accepts domain names, Unicode ones included, and warning days from 1 to 365 (0 is no default)', () => {
    expect(validate({ hostname: 'example.com', expiryWarningDays: 0 })).toEqual(['domainExpiryWarningDays must be from 1 to 365']);
    expect(validate({ hostname: 'www.example.co.uk', expiryWarningDays: 1 })).toEqual([]);
    expect(validate({ hostname: 'bücher.example', expiryWarningDays: 365 })).toEqual([]);
  });

  it.each(['', '192.0.2.1', '2001:db8::1', 'example.com:8080', 'https://example.com/', 'localhost', 'exa mple.com', '-bad.example', 'example.123'])(
    'refuses hostname %j',
    (hostname) => {
      const problems = validate({ hostname, expiryWarningDays: 30 });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^hostname /);
    },
  );

  it.each([366, 1.5])('refuses %d warning days', (expiryWarningDays) => {
    expect(validate({ hostname: 'example.com', expiryWarningDays })).toEqual(['domainExpiryWarningDays must be from 1 to 365']);
  });

  it('is wired into the checker table: invalid settings are refused, registries passed through', async () => {
    const checkers = createCheckers({ registries });
    const signal = new AbortController().signal;
    const refused = await runCheck(checkers, domainJob({ hostname: '192.0.2.1' }), signal);
    expect(refused.errorKind).toBe(ErrorKind.ERROR_KIND_INTERNAL);
    expect(refused.errorMessage).toContain('hostname must be a registered domain name');

    const answered = await runCheck(checkers, domainJob({ hostname: 'durable.rdaptest' }), signal);
    expect(answered.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(answered.domain?.source).toBe('rdap');
  });
});
