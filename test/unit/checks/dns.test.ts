import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CheckType,
  DnsMatchMode,
  DnsRecordType,
  type CheckJob,
  type DnsSettings,
} from '../../../proto/generated/pharos/v1/check.js';
import { CheckPhase, CheckStatus, ErrorKind } from '../../../proto/generated/pharos/v1/result.js';
import { createDnsChecker } from '../../../probe-agent/checks/dns.js';
import { createCheckers, runCheck, settingsProblems } from '../../../probe-agent/checks/registry.js';
import { BlockedTargetError, type TargetResolver } from '../../../probe-agent/checks/target-resolver.js';
import { startDnsServer, type DnsTestServer } from './support/dns-server.js';

const { DNS_RECORD_TYPE_A: A, DNS_RECORD_TYPE_AAAA: AAAA, DNS_RECORD_TYPE_MX: MX, DNS_RECORD_TYPE_TXT: TXT } = DnsRecordType;
const { DNS_MATCH_MODE_EQUALS: EQUALS, DNS_MATCH_MODE_CONTAINS: CONTAINS, DNS_MATCH_MODE_NONE: NONE } = DnsMatchMode;

/** The ip6.arpa name of 2001:db8::10, written out nibble by nibble. */
const V6_REVERSE = `0.1.0.0.${'0.0.0.0.'.repeat(5)}8.b.d.0.1.0.0.2.ip6.arpa`;

let server: DnsTestServer;

beforeAll(async () => {
  server = await startDnsServer({
    records: [
      { name: 'www.example.test', type: 'A', data: '192.0.2.10' },
      { name: 'www.example.test', type: 'A', data: '192.0.2.11' },
      { name: 'www.example.test', type: 'AAAA', data: '2001:db8::10' },
      { name: 'alias.example.test', type: 'CNAME', data: 'www.example.test' },
      { name: 'example.test', type: 'MX', data: { preference: 10, exchange: 'mail.example.test' } },
      { name: 'example.test', type: 'MX', data: { preference: 20, exchange: 'backup.example.test' } },
      { name: 'example.test', type: 'NS', data: 'ns1.example.test' },
      { name: 'example.test', type: 'TXT', data: ['v=spf1 ', 'include:_spf.example.test -all'] },
      {
        name: 'example.test',
        type: 'SOA',
        data: {
          mname: 'ns1.example.test',
          rname: 'hostmaster.example.test',
          serial: 2024010101,
          refresh: 7200,
          retry: 3600,
          expire: 1209600,
          minimum: 300,
        },
      },
      { name: 'example.test', type: 'CAA', data: { flags: 0, tag: 'issue', value: 'letsencrypt.org' } },
      { name: '_sip._tcp.example.test', type: 'SRV', data: { priority: 10, weight: 60, port: 5060, target: 'sip.example.test' } },
      { name: '10.2.0.192.in-addr.arpa', type: 'PTR', data: 'www.example.test' },
      { name: V6_REVERSE, type: 'PTR', data: 'v6.example.test' },
      { name: '1.0.0.127.in-addr.arpa', type: 'PTR', data: 'loopback.example.test' },
    ],
    behaviour: {
      'broken.example.test': 'SERVFAIL',
      'closed.example.test': 'REFUSED',
      'odd.example.test': 'NOTIMP',
      'slow.example.test': 'silent',
    },
  });
});

afterAll(() => server.close());

let sequence = 0;

function dnsJob(settings: Partial<DnsSettings>, timeoutMs = 5_000): CheckJob {
  const now = Date.now();
  sequence++;
  const value: DnsSettings = {
    hostname: 'www.example.test',
    recordType: A,
    resolver: server.resolver,
    expectedValues: [],
    matchMode: DnsMatchMode.DNS_MATCH_MODE_CONTAINS,
    expectedRcode: 'NOERROR',
    ...settings,
  };
  return {
    jobId: `job_${sequence}_${now}`,
    orgId: 'org_test',
    monitorId: `mon_${sequence}`,
    region: 'local',
    type: CheckType.CHECK_TYPE_DNS,
    scheduledAtMs: now,
    deadlineMs: now + 60_000,
    timeoutMs,
    attempt: 1,
    monitorRevision: 1,
    settings: { $case: 'dns', value },
  };
}

const check = (settings: Partial<DnsSettings>, deps: Parameters<typeof createCheckers>[0] = {}, timeoutMs?: number) =>
  runCheck(createCheckers(deps), dnsJob(settings, timeoutMs), new AbortController().signal);

describe('dns checker: record types', () => {
  it.each([
    ['A', A, 'www.example.test', ['192.0.2.10', '192.0.2.11']],
    ['AAAA', AAAA, 'www.example.test', ['2001:db8::10']],
    ['CNAME', DnsRecordType.DNS_RECORD_TYPE_CNAME, 'alias.example.test', ['www.example.test']],
    ['MX', MX, 'example.test', ['10 mail.example.test', '20 backup.example.test']],
    ['NS', DnsRecordType.DNS_RECORD_TYPE_NS, 'example.test', ['ns1.example.test']],
    ['TXT', TXT, 'example.test', ['v=spf1 include:_spf.example.test -all']],
    ['SOA', DnsRecordType.DNS_RECORD_TYPE_SOA, 'example.test', ['ns1.example.test hostmaster.example.test 2024010101 7200 3600 1209600 300']],
    ['CAA', DnsRecordType.DNS_RECORD_TYPE_CAA, 'example.test', ['0 issue "letsencrypt.org"']],
    ['SRV', DnsRecordType.DNS_RECORD_TYPE_SRV, '_sip._tcp.example.test', ['10 60 5060 sip.example.test']],
    ['PTR', DnsRecordType.DNS_RECORD_TYPE_PTR, '10.2.0.192.in-addr.arpa', ['www.example.test']],
  ])('records %s answers in presentation form', async (typeName, recordType, hostname, values) => {
    const before = server.questions().length;
    const outcome = await check({ hostname, recordType });
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.dns).toEqual({ rcode: 'NOERROR', values, resolver: server.resolver });
    expect(server.questions().slice(before)).toEqual([{ name: hostname, type: typeName, class: 'IN' }]);
  });

  it('refuses a job whose record type is unspecified instead of guessing one', async () => {
    const before = server.questions().length;
    const outcome = await check({ recordType: DnsRecordType.DNS_RECORD_TYPE_UNSPECIFIED });
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_INTERNAL);
    expect(outcome.errorMessage).toContain('dnsRecordType must be one of');
    expect(server.questions().length).toBe(before);
  });

  it.each([
    ['an IPv4 address', '192.0.2.10', '10.2.0.192.in-addr.arpa', 'www.example.test'],
    // /etc/hosts names 127.0.0.1 too; the check must still ask the resolver.
    ['a loopback address', '127.0.0.1', '1.0.0.127.in-addr.arpa', 'loopback.example.test'],
    ['an IPv6 address', '2001:db8::10', V6_REVERSE, 'v6.example.test'],
  ])('looks up the PTR record of %s by asking the resolver for its reverse name', async (_what, hostname, reverse, name) => {
    const outcome = await check({ hostname, recordType: DnsRecordType.DNS_RECORD_TYPE_PTR });
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.dns?.values).toEqual([name]);
    expect(server.questions().at(-1)).toEqual({ name: reverse, type: 'PTR', class: 'IN' });
  });

  it('is UP with no values when the name exists without records of the type (NOERROR, no data)', async () => {
    const outcome = await check({ hostname: 'example.test', recordType: A });
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.dns).toEqual({ rcode: 'NOERROR', values: [], resolver: server.resolver });
  });

  it('times the query', async () => {
    const outcome = await check({});
    expect(outcome.timings.dnsMs).toBeGreaterThan(0);
    expect(outcome.timings.totalMs).toBeGreaterThanOrEqual(outcome.timings.dnsMs);
  });
});

describe('dns checker: expected values', () => {
  it('EQUALS passes for the same set in another order and spelling', async () => {
    expect((await check({ matchMode: EQUALS, expectedValues: [' 192.0.2.11', '192.0.2.10', '192.0.2.10'] })).status).toBe(
      CheckStatus.CHECK_STATUS_UP,
    );
    const mx = await check({
      hostname: 'example.test',
      recordType: MX,
      matchMode: EQUALS,
      expectedValues: ['20  Backup.Example.Test.', '010 mail.example.test'],
    });
    expect(mx.status).toBe(CheckStatus.CHECK_STATUS_UP);
    const aaaa = await check({ recordType: AAAA, matchMode: EQUALS, expectedValues: ['2001:0DB8:0:0:0:0:0:0010'] });
    expect(aaaa.status).toBe(CheckStatus.CHECK_STATUS_UP);
  });

  it('EQUALS fails when the answer has a value not expected, as an assertion', async () => {
    const outcome = await check({ matchMode: EQUALS, expectedValues: ['192.0.2.10'] });
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_UNEXPECTED_ANSWER);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_ASSERTION);
    expect(outcome.errorMessage).toBe('expected A values to equal [192.0.2.10], got [192.0.2.10, 192.0.2.11]');
    expect(outcome.dns?.values).toEqual(['192.0.2.10', '192.0.2.11']);
  });

  it('compares nothing when there are no expected values, whatever the match mode', async () => {
    for (const matchMode of [EQUALS, CONTAINS, NONE]) {
      expect((await check({ matchMode, expectedValues: [] })).status).toBe(CheckStatus.CHECK_STATUS_UP);
    }
  });

  it('CONTAINS passes when every expected value is answered', async () => {
    const outcome = await check({ hostname: 'example.test', recordType: MX, matchMode: CONTAINS, expectedValues: ['10 MAIL.example.test.'] });
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
  });

  it('CONTAINS fails when one expected value is missing', async () => {
    const outcome = await check({ matchMode: CONTAINS, expectedValues: ['192.0.2.10', '192.0.2.99'] });
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_UNEXPECTED_ANSWER);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_ASSERTION);
    expect(outcome.errorMessage).toBe('expected A values to contain [192.0.2.10, 192.0.2.99], got [192.0.2.10, 192.0.2.11]');
  });

  it('NONE passes when no expected value is answered', async () => {
    expect((await check({ matchMode: NONE, expectedValues: ['192.0.2.99', '198.51.100.1'] })).status).toBe(CheckStatus.CHECK_STATUS_UP);
  });

  it('NONE fails when one expected value is answered', async () => {
    const outcome = await check({ matchMode: NONE, expectedValues: ['192.0.2.99', '192.0.2.11'] });
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_UNEXPECTED_ANSWER);
    expect(outcome.errorMessage).toBe('expected A values to include none of [192.0.2.99, 192.0.2.11], got [192.0.2.10, 192.0.2.11]');
  });

  it('compares TXT exactly (case matters) and CAA values with or without quotes', async () => {
    const txt = await check({ hostname: 'example.test', recordType: TXT, matchMode: CONTAINS, expectedValues: ['V=SPF1 include:_spf.example.test -all'] });
    expect(txt.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    const caa = await check({
      hostname: 'example.test',
      recordType: DnsRecordType.DNS_RECORD_TYPE_CAA,
      matchMode: EQUALS,
      expectedValues: ['0 ISSUE letsencrypt.org'],
    });
    expect(caa.status).toBe(CheckStatus.CHECK_STATUS_UP);
  });

  it('refuses an unspecified match mode instead of ignoring the values', async () => {
    const outcome = await check({ matchMode: DnsMatchMode.DNS_MATCH_MODE_UNSPECIFIED, expectedValues: ['192.0.2.99'] });
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_INTERNAL);
    expect(outcome.errorMessage).toContain('dnsMatchMode must be one of');
  });
});

describe('dns checker: response codes', () => {
  it('is DOWN on NXDOMAIN by default, in the query phase', async () => {
    const outcome = await check({ hostname: 'missing.example.test' });
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_UNEXPECTED_ANSWER);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_QUERY);
    expect(outcome.errorMessage).toBe('expected rcode NOERROR, got NXDOMAIN');
    expect(outcome.dns).toEqual({ rcode: 'NXDOMAIN', values: [], resolver: server.resolver });
  });

  it('is UP on NXDOMAIN when NXDOMAIN is expected, and DOWN when the name then exists', async () => {
    expect((await check({ hostname: 'missing.example.test', expectedRcode: 'NXDOMAIN' })).status).toBe(CheckStatus.CHECK_STATUS_UP);
    const exists = await check({ expectedRcode: 'NXDOMAIN' });
    expect(exists.errorMessage).toBe('expected rcode NXDOMAIN, got NOERROR');
  });

  it.each([
    ['SERVFAIL', 'broken.example.test'],
    ['REFUSED', 'closed.example.test'],
    ['NOTIMP', 'odd.example.test'],
  ])('records %s as the response code and is DOWN', async (rcode, hostname) => {
    const outcome = await check({ hostname });
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_UNEXPECTED_ANSWER);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_QUERY);
    expect(outcome.errorMessage).toBe(`expected rcode NOERROR, got ${rcode}`);
    expect(outcome.dns?.rcode).toBe(rcode);
  });

  it('is UP on SERVFAIL when SERVFAIL is expected', async () => {
    expect((await check({ hostname: 'broken.example.test', expectedRcode: 'SERVFAIL' })).status).toBe(CheckStatus.CHECK_STATUS_UP);
  });
});

describe('dns checker: no answer', () => {
  it('times out when the resolver swallows the query, with rcode TIMEOUT', async () => {
    const before = server.questions().length;
    const outcome = await check({ hostname: 'slow.example.test' }, {}, 200);
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_TIMEOUT);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_QUERY);
    expect(outcome.dns).toEqual({ rcode: 'TIMEOUT', values: [], resolver: server.resolver });
    expect(outcome.timings.totalMs).toBeGreaterThanOrEqual(190);
    // The query did reach the resolver, which never answered.
    expect(server.questions().slice(before)).toEqual([{ name: 'slow.example.test', type: 'A', class: 'IN' }]);
  });

  it('cancels the query at once when the caller aborts the check', async () => {
    const controller = new AbortController();
    const before = server.questions().length;
    const pending = runCheck(createCheckers(), dnsJob({ hostname: 'slow.example.test' }, 20_000), controller.signal);
    await expect.poll(() => server.questions().length).toBe(before + 1);
    const abortedAt = Date.now();
    controller.abort(new Error('shutting down'));
    const outcome = await pending;
    expect(Date.now() - abortedAt).toBeLessThan(1_000);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_INTERNAL);
    expect(outcome.errorMessage).toContain('shutting down');
  });

  it('cancels only its own query: another check running at the same time is not touched', async () => {
    const controller = new AbortController();
    const before = server.questions().length;
    const aborted = runCheck(createCheckers(), dnsJob({ hostname: 'slow.example.test' }, 20_000), controller.signal);
    const other = check({ hostname: 'slow.example.test' }, {}, 500);
    await expect.poll(() => server.questions().length).toBe(before + 2);
    controller.abort(new Error('shutting down'));
    expect((await aborted).errorKind).toBe(ErrorKind.ERROR_KIND_INTERNAL);
    const outcome = await other;
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_TIMEOUT);
    expect(outcome.dns?.rcode).toBe('TIMEOUT');
  });

  it('reports a resolver nobody listens on as a DNS failure naming the c-ares code', async () => {
    const outcome = await check({ resolver: `127.0.0.1:${await closedUdpPort()}` });
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_DNS);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_QUERY);
    expect(outcome.errorMessage).toContain('ECONNREFUSED');
    expect(outcome.dns?.rcode).toBe('');
  });
});

describe('dns checker: the resolver as a tenant target', () => {
  it('queries exactly the address the target resolver allowed for the resolver host', async () => {
    const port = Number(server.resolver.split(':')[1]);
    const asked: string[] = [];
    const guard: TargetResolver = async (hostname) => {
      asked.push(hostname);
      return { address: '127.0.0.1', family: 4 };
    };
    const outcome = await check({ resolver: `resolver.internal.test:${port}` }, { resolveTarget: guard });
    expect(asked).toEqual(['resolver.internal.test']);
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.dns?.resolver).toBe(`127.0.0.1:${port}`);
  });

  it('sends no query to a resolver the guard refuses', async () => {
    const guard: TargetResolver = async (hostname) => {
      throw new BlockedTargetError(`${hostname} is a loopback address`);
    };
    const before = server.questions().length;
    const outcome = await check({}, { resolveTarget: guard });
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_BLOCKED_TARGET);
    expect(outcome.errorMessage).toBe('127.0.0.1 is a loopback address');
    expect(outcome.dns).toEqual({ rcode: '', values: [], resolver: server.resolver });
    expect(server.questions().length).toBe(before);
  });
});

describe('dns checker: validate', () => {
  const validate = (value: DnsSettings) => settingsProblems({ timeoutMs: 5_000, settings: { $case: 'dns', value } });
  const valid: DnsSettings = {
    hostname: 'www.example.test',
    recordType: A,
    expectedValues: [],
    matchMode: DnsMatchMode.DNS_MATCH_MODE_CONTAINS,
    expectedRcode: 'NOERROR',
  };
  const problemsOf = (settings: Partial<DnsSettings>) => validate({ ...valid, ...settings });

  it('accepts runnable settings, resolvers in every allowed form and a PTR of an address', () => {
    expect(problemsOf({})).toEqual([]);
    for (const resolver of ['127.0.0.1', '127.0.0.1:5353', 'dns.example.test:53', '[::1]:5353', '[::1]', '::1']) {
      expect(problemsOf({ resolver })).toEqual([]);
    }
    expect(problemsOf({ hostname: '2001:db8::10', recordType: DnsRecordType.DNS_RECORD_TYPE_PTR })).toEqual([]);
    expect(problemsOf({ hostname: '_sip._tcp.example.test.', recordType: DnsRecordType.DNS_RECORD_TYPE_SRV })).toEqual([]);
    expect(problemsOf({ expectedRcode: 'NXDOMAIN', matchMode: NONE, expectedValues: Array(50).fill('x'.repeat(1024)) })).toEqual([]);
  });

  it.each<[string, Partial<DnsSettings>]>([
    ['hostname', { hostname: '' }],
    ['hostname', { hostname: 'bad host!' }],
    ['hostname', { hostname: 'a..example.test' }],
    ['hostname', { hostname: `${'a'.repeat(64)}.example.test` }],
    ['hostname', { hostname: '2001:db8::10', recordType: A }],
    ['dnsRecordType', { recordType: 99 as DnsRecordType }],
    ['dnsResolver', { resolver: '127.0.0.1:0' }],
    ['dnsResolver', { resolver: '127.0.0.1:70000' }],
    ['dnsResolver', { resolver: 'dns.example.test:53:53' }],
    ['dnsResolver', { resolver: '[not-an-address]:53' }],
    ['dnsResolver', { resolver: 'bad host!' }],
    ['dnsExpectedValues', { expectedValues: Array(51).fill('192.0.2.10') }],
    ['dnsExpectedValues', { expectedValues: ['x'.repeat(1025)] }],
    ['dnsMatchMode', { matchMode: 9 as DnsMatchMode }],
    ['dnsExpectedRcode', { expectedRcode: 'TIMEOUT' }],
  ])('names the bad field %s', (field, settings) => {
    const problems = problemsOf(settings);
    expect(problems).toHaveLength(1);
    expect(problems[0].startsWith(field)).toBe(true);
  });

  it('says how a resolver must be written', () => {
    expect(problemsOf({ resolver: 'a:b' })).toEqual(['dnsResolver must be host or host:port']);
  });

  it('refuses to run invalid settings', async () => {
    const outcome = await check({ resolver: 'a:b' });
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_INTERNAL);
    expect(outcome.errorMessage).toContain('dnsResolver must be host or host:port');
  });
});

/** A loopback UDP port that was just free: nobody answers there. */
async function closedUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}
