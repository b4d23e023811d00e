/**
 * The Encrata worker end to end over the real api, store and in-process job bus, against
 * loopback stand-ins of every outside source (DNS, RDAP, Gravatar, HIBP, the leak-site
 * aggregator, GLEIF, EDGAR, a web site): per type a baseline run, an unchanged run (nothing
 * reported, nothing written), a changed run (exactly the changed tracked fields), in both
 * change-detection modes; contact-list sources picked up at the next run; a source that
 * times out or rate-limits is retried, then inconclusive — never a false change.
 */
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Answer } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { eventually, serviceUrl } from '../support/services.js';
import { startDnsServer, type DnsTestServer, type DnsZone } from '../unit/checks/support/dns-server.js';
import { rdapDomain, startRdapServer, type RdapServer } from '../unit/checks/support/registry-servers.js';
import { startSourceStandIn, type SourceStandIn } from '../support/encrata-sources.js';
import { loadConfig } from '../../services/lib/config.js';
import { createLogger } from '../../services/lib/logger.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { createGuardedResolver } from '../../services/lib/ssrf/guarded-resolver.js';
import { createEnrichers } from '../../services/encrata/enrichers.js';
import { openDueRuns, startEncrataWorker } from '../../services/encrata/worker.js';
import type { Subscription } from '../../services/lib/ports/job-bus.js';
import { webhookPayload, type AlertEvent } from '../../services/alerting/events.js';
import { Webhook } from 'standardwebhooks';
import { startWebhookReceiver } from '../support/webhook-receiver.js';
import { DeliveryStore } from '../../services/alerting/deliveries/delivery-store.js';
import { createDeliveryWorker } from '../../services/alerting/deliveries/worker.js';

let h: ApiHarness;
let dns: DnsTestServer;
let rdap: RdapServer;
let sources: SourceStandIn;
let web: http.Server;
let worker: Subscription;
let closeEnrichers: () => Promise<void>;
let now = Date.parse('2026-05-15T12:00:00Z');
const zone: DnsZone = { records: [] };
const registrars = new Map<string, string>();
const webHosts: string[] = [];
const asnDir = mkdtempSync(path.join(tmpdir(), 'encrata-asn-'));
const asnFile = path.join(asnDir, 'ip2asn.tsv');
const pages = new Map<string, { status: number; headers: Record<string, string>; body: string }>();

function setZone(records: Answer[]): void { zone.records.splice(0, zone.records.length, ...records); }

function mailZone(opts: { aliceMx?: string; dmarcPolicy?: string } = {}): Answer[] {
  return [
    { name: 'alpha.test', type: 'MX', data: { preference: 10, exchange: opts.aliceMx ?? 'mx1.alpha.test' } },
    { name: 'alpha.test', type: 'MX', data: { preference: 20, exchange: 'mx2.alpha.test' } },
    { name: 'alpha.test', type: 'TXT', data: ['v=spf1 include:_spf.alpha.test -all'] },
    { name: '_dmarc.alpha.test', type: 'TXT', data: [`v=DMARC1; p=${opts.dmarcPolicy ?? 'reject'}; rua=mailto:d@alpha.test`] },
    // null MX (RFC 7505): accepts no mail
    { name: 'nomail.test', type: 'MX', data: { preference: 0, exchange: '.' } },
    // no MX, but an address: the implicit MX
    { name: 'implicit.test', type: 'A', data: '192.0.2.10' },
  ];
}

function domainZone(opts: { ns?: string } = {}): Answer[] {
  return [
    { name: 'shop.test', type: 'A', data: '127.0.0.1' },
    { name: 'shop.test', type: 'NS', data: opts.ns ?? 'ns1.dnsprovider.test' },
    { name: 'shop.test', type: 'MX', data: { preference: 10, exchange: 'mail.shop.test' } },
    { name: 'shop.test', type: 'TXT', data: ['v=spf1 -all'] },
    { name: 'shop.test', type: 'CAA', data: { flags: 0, tag: 'issue', value: 'letsencrypt.org' } },
    { name: 'shop.test', type: 'SOA', data: { mname: 'ns1.dnsprovider.test', rname: 'hostmaster.shop.test', serial: Math.floor(Math.random() * 1e6), refresh: 3600, retry: 600, expire: 86400, minimum: 60 } },
    { name: 'parked.test', type: 'A', data: '127.0.0.1' },
    { name: 'parked.test', type: 'NS', data: 'ns1.sedoparking.com' },
  ];
}

const call = (method: string, url: string, key: string, payload?: object) =>
  h.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${key}` }, payload });

type RunFigures = { targets_changed: number; targets_unchanged: number; targets_inconclusive: number; baseline: boolean };

/** Runs the monitors now (every due monitor of every test is opened by one scan, so tests run theirs together). */
async function runMonitors(key: string, ...monitorIds: string[]): Promise<RunFigures[]> {
  const before: number[] = [];
  for (const id of monitorIds) {
    expect((await call('POST', `/encrata/api/monitors/${id}/run`, key)).statusCode).toBe(202);
    before.push((await call('GET', `/encrata/api/monitors/${id}/runs`, key)).json().total_count);
  }
  await openDueRuns({ sql: h.sql, bus: h.bus, subjects: subjectsFor('test'), logger: createLogger('silent'), now: () => now, intervalMs: 1000 });
  return Promise.all(monitorIds.map((id, i) => eventually(async () => {
    const runs = (await call('GET', `/encrata/api/monitors/${id}/runs`, key)).json();
    return runs.total_count > before[i] && runs.items[0].finished_at ? runs.items[0] as RunFigures : undefined;
  }, { what: 'the run to finish', timeoutMs: 20_000 })));
}

const runOnce = async (monitorId: string, key: string) => (await runMonitors(key, monitorId))[0];

interface EntityEvent { targets: Array<{ target: string; changes: Array<{ field: string }>; record?: object }>; baseline: boolean }

async function entityEvents(orgId: string): Promise<EntityEvent[]> {
  const { rows } = await h.sql.query<{ payload: { entityChange: EntityEvent } | string }>(
    `SELECT payload FROM alert_events WHERE org_id = $1 AND type = 'entity.changed' ORDER BY created_at, id`, [orgId]);
  return rows.map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) as { entityChange: EntityEvent } : r.payload).entityChange);
}

async function tenantWithRule(): Promise<{ orgId: string; key: string }> {
  const t = await h.tenant();
  const channel = (await call('POST', '/api/alert-channels', t.key, { name: 'hook', type: 'Webhook', webhookUrl: 'http://127.0.0.1:9/hook' })).json();
  expect((await call('POST', '/api/alert-rules', t.key, { name: 'entity changes', events: ['entity.changed'], channelIds: [channel.id] })).statusCode).toBe(201);
  return t;
}

const changedFieldsOf = async (monitorId: string, target: string, key: string) =>
  (await call('GET', `/encrata/api/monitors/${monitorId}/targets/${encodeURIComponent(target)}/changes`, key)).json().items.map((c: { changes: Array<{ field: string }> }) => c.changes.map((f) => f.field).sort());

beforeAll(async () => {
  h = await startApiHarness({ now: () => now, databaseUrl: serviceUrl('database') });
  dns = await startDnsServer(zone);
  rdap = await startRdapServer((name) => {
    const registrar = registrars.get(name);
    return registrar ? { status: 200, body: rdapDomain({ name, registrar, registeredAt: '2015-01-01T00:00:00Z', expiresAt: '2027-01-01T00:00:00Z', statuses: ['client transfer prohibited'] }) } : { status: 404 };
  });
  sources = await startSourceStandIn();
  web = http.createServer((req, res) => {
    webHosts.push(String(req.headers.host).split(':')[0]);
    const page = pages.get(String(req.headers.host).split(':')[0]) ?? { status: 404, headers: {}, body: '' };
    res.writeHead(page.status, page.headers);
    res.end(page.body);
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  const webPort = (web.address() as AddressInfo).port;
  writeFileSync(asnFile, '192.0.2.0\t192.0.2.255\t64500\tUS\tEXAMPLE-NET\n');
  const config = loadConfig('dev', {
    PHAROS_LOG_LEVEL: 'silent',
    PHAROS_ENCRATA_DNS_SERVERS: dns.resolver,
    PHAROS_ENCRATA_TIMEOUT_MS: '400',
    PHAROS_ENCRATA_ATTEMPTS: '2',
    PHAROS_GRAVATAR_URL: sources.url,
    PHAROS_HIBP_URL: sources.url,
    PHAROS_HIBP_MIN_INTERVAL_MS: '0',
    PHAROS_LEAK_SITES_URL: sources.url,
    PHAROS_GLEIF_URL: sources.url,
    PHAROS_GLEIF_MIN_INTERVAL_MS: '0',
    PHAROS_EDGAR_URL: sources.url,
    PHAROS_EDGAR_DATA_URL: sources.url,
    PHAROS_EDGAR_USER_AGENT: 'Pharos tests ops@example.test',
    // Addresses the bootstrap covers never reach this base.
    PHAROS_RDAP_IP_URL: 'http://127.0.0.1:1',
    PHAROS_RDAP_IP_MIN_INTERVAL_MS: '0',
    PHAROS_IP_ASN_FILE: asnFile,
  });
  // Tenant domains resolve to loopback here; the SSRF guard allows it as `pharos dev` does.
  // meta.test points at the cloud metadata address, which the guard refuses even so.
  const resolver = createGuardedResolver({ allowPrivateTargets: true, lookup: async (name) => (name === 'meta.test' ? [{ address: '169.254.169.254', family: 4 }] : name.endsWith('.test') ? [{ address: '127.0.0.1', family: 4 }] : []) });
  const built = createEnrichers({
    config: config.encrata, resolver, backoff: { baseMs: 1, capMs: 5 }, webPorts: { http: webPort, https: 1 },
    rdapIpBootstrap: { version: '1.0', publication: '2026-01-01T00:00:00Z', services: [[['192.0.2.0/24'], [`${sources.url}/`]]] },
    registries: { rdapBootstrap: { version: '1.0', publication: '2026-01-01T00:00:00Z', services: [[['test'], [rdap.baseUrl]]] } },
  });
  closeEnrichers = built.close;
  worker = await startEncrataWorker({ sql: h.sql, bus: h.bus, subjects: subjectsFor('test'), enrichers: built.enrichers, concurrency: 2, now: () => now, logger: createLogger(process.env.ENCRATA_TEST_LOG ?? 'silent') });
});

afterAll(async () => {
  await worker?.unsubscribe();
  await closeEnrichers?.();
  await h?.close();
  await dns?.close();
  await rdap?.close();
  await sources?.close();
  await new Promise((resolve) => web?.close(resolve));
  rmSync(asnDir, { recursive: true, force: true });
});

describe('email monitors', () => {
  it('baseline, unchanged, changed — diff_only reports only the changed fields; full_refresh every record with the diff', async () => {
    const { key, orgId } = await tenantWithRule();
    setZone(mailZone());
    sources.state.gravatars.add('alice@alpha.test');
    const emails = ['alice@alpha.test', 'info@nomail.test', 'bob@implicit.test'];
    const diffOnly = (await call('POST', '/encrata/api/monitors', key, { name: 'diff', emails })).json();
    const full = (await call('POST', '/encrata/api/monitors', key, { name: 'full', emails, change_detection: 'full_refresh' })).json();

    const [first, firstFull] = await runMonitors(key, diffOnly.id, full.id);
    expect(first).toMatchObject({ baseline: true, targets_changed: 0 });
    expect(firstFull).toMatchObject({ baseline: true, targets_changed: 0 });
    const alice = (await call('GET', `/encrata/api/monitors/${diffOnly.id}/targets/alice%40alpha.test`, key)).json();
    expect(alice.record).toMatchObject({
      syntax: { valid: true, domain: 'alpha.test' }, mx: { accepts_mail: true, null_mx: false, implicit: false, hosts: ['10 mx1.alpha.test', '20 mx2.alpha.test'] },
      spf: { present: true, all: '-all' }, dmarc: { present: true, policy: 'reject' }, gravatar: { present: true }, role_account: false, disposable: false,
    });
    const nomail = (await call('GET', `/encrata/api/monitors/${diffOnly.id}/targets/info%40nomail.test`, key)).json().record;
    expect(nomail).toMatchObject({ mx: { accepts_mail: false, null_mx: true }, role_account: true, gravatar: { present: false } });
    expect((await call('GET', `/encrata/api/monitors/${diffOnly.id}/targets/bob%40implicit.test`, key)).json().record.mx).toMatchObject({ accepts_mail: true, implicit: true });
    let events = await entityEvents(orgId);
    expect(events).toHaveLength(1); // full_refresh's baseline: every record; diff_only's baseline: nothing
    expect(events[0].targets.map((t) => t.target).sort()).toEqual([...emails].sort());
    expect(events[0].targets.every((t) => t.record && t.changes.length === 0)).toBe(true);

    const snapshot = await h.sql.query(`SELECT target, enriched_at FROM encrata_snapshots WHERE monitor_id = $1 ORDER BY target`, [diffOnly.id]);
    now += 60_000;
    expect(await runOnce(diffOnly.id, key)).toMatchObject({ baseline: false, targets_changed: 0, targets_unchanged: 3 });
    // unchanged: no write at all
    expect((await h.sql.query(`SELECT target, enriched_at FROM encrata_snapshots WHERE monitor_id = $1 ORDER BY target`, [diffOnly.id])).rows).toEqual(snapshot.rows);
    expect(await runOnce(full.id, key)).toMatchObject({ targets_changed: 0, targets_unchanged: 3 });
    events = await entityEvents(orgId);
    expect(events).toHaveLength(2);
    expect(events[1].targets.every((t) => t.record && t.changes.length === 0)).toBe(true);

    setZone(mailZone({ aliceMx: 'mx9.alpha.test', dmarcPolicy: 'none' }));
    sources.state.gravatars.delete('alice@alpha.test');
    now += 60_000;
    expect(await runOnce(diffOnly.id, key)).toMatchObject({ targets_changed: 1, targets_unchanged: 2 });
    expect(await changedFieldsOf(diffOnly.id, 'alice@alpha.test', key)).toEqual([['/dmarc/policy', '/gravatar/present', '/mx/hosts']]);
    expect(await changedFieldsOf(diffOnly.id, 'info@nomail.test', key)).toEqual([]);
    expect(await runOnce(full.id, key)).toMatchObject({ targets_changed: 1 });
    events = await entityEvents(orgId);
    expect(events).toHaveLength(4);
    const diffEvent = events.find((e, i) => i >= 2 && e.targets.length === 1)!;
    expect(diffEvent.targets[0]).toMatchObject({ target: 'alice@alpha.test' });
    expect(diffEvent.targets[0].record).toBeUndefined();
    const fullEvent = events.find((e, i) => i >= 2 && e.targets.length === 3)!;
    expect(fullEvent.targets.find((t) => t.target === 'alice@alpha.test')!.changes.map((c) => c.field).sort()).toEqual(['/dmarc/policy', '/gravatar/present', '/mx/hosts']);
    const detail = (await call('GET', `/encrata/api/monitors/${diffOnly.id}/changes`, key)).json().items[0].changes.find((c: { field: string }) => c.field === '/dmarc/policy');
    expect(detail).toEqual({ field: '/dmarc/policy', kind: 'changed', before: 'reject', after: 'none' });
    // What a Webhook channel POSTs for it (channels/webhook.ts sends webhookPayload of the stored event).
    const { rows: stored } = await h.sql.query<{ payload: AlertEvent | string }>(`SELECT payload FROM alert_events WHERE org_id = $1 AND type = 'entity.changed' ORDER BY created_at DESC, id DESC LIMIT 1`, [orgId]);
    const posted = webhookPayload(typeof stored[0].payload === 'string' ? JSON.parse(stored[0].payload) as AlertEvent : stored[0].payload);
    expect(posted).toMatchObject({
      id: expect.stringMatching(/^evt_/), event: 'entity.changed', monitor: null, alert: { type: 'EntityChanged', message: expect.stringContaining('changed') },
      entity_change: { monitor: { name: expect.any(String), monitor_type: 'email' }, run_id: expect.any(String), baseline: false, targets: expect.any(Array) },
    });
    expect((await call('GET', '/api/alerts?type=EntityChanged', key)).json().totalCount).toBeGreaterThanOrEqual(4);
  });

  it('tracked_fields narrow what is reported', async () => {
    const { key } = await h.tenant();
    setZone(mailZone());
    const m = (await call('POST', '/encrata/api/monitors', key, { name: 'only dmarc', emails: ['alice@alpha.test'], tracked_fields: ['/dmarc/policy'] })).json();
    await runOnce(m.id, key);
    setZone(mailZone({ aliceMx: 'mx7.alpha.test' }));
    now += 60_000;
    expect(await runOnce(m.id, key)).toMatchObject({ targets_changed: 0 });
    setZone(mailZone({ aliceMx: 'mx7.alpha.test', dmarcPolicy: 'quarantine' }));
    now += 60_000;
    expect(await runOnce(m.id, key)).toMatchObject({ targets_changed: 1 });
    expect(await changedFieldsOf(m.id, 'alice@alpha.test', key)).toEqual([['/dmarc/policy']]);
  });

  it('a rate-limited or silent source is retried, then inconclusive: the last value is kept and no change is reported', async () => {
    const { key } = await h.tenant();
    setZone(mailZone());
    sources.state.gravatars.add('alice@alpha.test');
    const m = (await call('POST', '/encrata/api/monitors', key, { name: 'flaky', emails: ['alice@alpha.test'] })).json();
    await runOnce(m.id, key);
    sources.state.trouble.set('/avatar/', 429);
    zone.behaviour = { '_dmarc.alpha.test': 'silent' };
    const asked = sources.count('/avatar/');
    now += 60_000;
    try {
      expect(await runOnce(m.id, key)).toMatchObject({ targets_changed: 0, targets_inconclusive: 1 });
    } finally {
      sources.state.trouble.delete('/avatar/');
      zone.behaviour = {};
    }
    expect(sources.count('/avatar/') - asked).toBe(2); // both attempts
    const t = (await call('GET', `/encrata/api/monitors/${m.id}/targets/alice%40alpha.test`, key)).json();
    expect(t.inconclusive).toEqual(['dmarc', 'gravatar']);
    expect(t.record.gravatar).toEqual({ present: true });
    expect(t.record.dmarc.policy).toBe('reject');
    expect(await changedFieldsOf(m.id, 'alice@alpha.test', key)).toEqual([]);
  });

  it('a contact list\'s edits are picked up at the next run', async () => {
    const { key } = await h.tenant();
    setZone(mailZone());
    const list = (await call('POST', '/encrata/api/contact-lists', key, { name: 'team', entries: ['alice@alpha.test'] })).json();
    const m = (await call('POST', '/encrata/api/monitors', key, { name: 'from list', data_source_type: 'list', data_source_ref: list.id })).json();
    expect(await runOnce(m.id, key)).toMatchObject({ targets_unchanged: 1 });
    await call('POST', `/encrata/api/contact-lists/${list.id}/entries`, key, { entries: ['bob@implicit.test'] });
    now += 60_000;
    const run = await runOnce(m.id, key);
    expect(run).toMatchObject({ targets_changed: 0 });
    expect((await call('GET', `/encrata/api/monitors/${m.id}/targets/bob%40implicit.test`, key)).json().record.mx.implicit).toBe(true);
    // a removed entry's record goes at the next run
    await call('DELETE', `/encrata/api/contact-lists/${list.id}/entries/alice%40alpha.test`, key);
    now += 60_000;
    expect(await runOnce(m.id, key)).toMatchObject({ targets_unchanged: 1 });
    expect((await h.sql.query(`SELECT target FROM encrata_snapshots WHERE monitor_id = $1`, [m.id])).rows).toEqual([{ target: 'bob@implicit.test' }]);
  });
});

describe('domain monitors', () => {
  it('DNS, registration (RDAP), web and parking: baseline, unchanged, changed in both modes; SOA serial churn is not a change', async () => {
    const { key, orgId } = await tenantWithRule();
    setZone(domainZone());
    registrars.set('shop.test', 'Example Registrar, Inc.');
    registrars.set('parked.test', 'Parking Registrar');
    pages.set('shop.test', { status: 200, headers: { 'strict-transport-security': 'max-age=63072000', 'x-frame-options': 'DENY' }, body: '<h1>Shop</h1>' });
    pages.set('parked.test', { status: 200, headers: {}, body: 'This domain is for sale!' });
    const targets = ['shop.test', 'parked.test'];
    const diffOnly = (await call('POST', '/encrata/api/monitors', key, { name: 'domains', monitor_type: 'domain', targets, frequency: 'weekly' })).json();
    const full = (await call('POST', '/encrata/api/monitors', key, { name: 'domains full', monitor_type: 'domain', targets, change_detection: 'full_refresh' })).json();
    await runMonitors(key, diffOnly.id, full.id);
    const shop = (await call('GET', `/encrata/api/monitors/${diffOnly.id}/targets/shop.test`, key)).json();
    expect(shop.inconclusive).toEqual([]);
    expect(shop.record).toMatchObject({
      dns: { a: ['127.0.0.1'], ns: ['ns1.dnsprovider.test'], mx: ['10 mail.shop.test'], caa: ['0 issue "letsencrypt.org"'] },
      registration: { registered: true, source: 'rdap', registrar: 'Example Registrar, Inc.', expires_at: '2027-01-01T00:00:00.000Z' },
      http: { status: 200, security_headers: ['strict-transport-security', 'x-frame-options'] },
      tls: { present: false }, parked: false,
    });
    expect((await call('GET', `/encrata/api/monitors/${diffOnly.id}/targets/parked.test`, key)).json().record.parked).toBe(true);

    setZone(domainZone()); // a new SOA serial only
    now += 60_000;
    expect(await runOnce(diffOnly.id, key)).toMatchObject({ targets_changed: 0, targets_unchanged: 2 });
    expect(await runOnce(full.id, key)).toMatchObject({ targets_changed: 0 });

    registrars.set('shop.test', 'Other Registrar LLC');
    setZone(domainZone({ ns: 'ns1.sedoparking.com' }));
    now += 60_000;
    expect(await runOnce(diffOnly.id, key)).toMatchObject({ targets_changed: 1 });
    expect(await changedFieldsOf(diffOnly.id, 'shop.test', key)).toEqual([['/dns/ns', '/parked', '/registration/registrar']]);
    expect(await runOnce(full.id, key)).toMatchObject({ targets_changed: 1 });
    const events = await entityEvents(orgId);
    // full: baseline + unchanged + changed (every target each); diff_only: the changed run only
    expect(events.map((e) => e.targets.length)).toEqual([2, 2, 1, 2]);
  });
});

describe('the SSRF guard', () => {
  it('a monitored domain whose address is refused is never fetched: the record says blocked', async () => {
    const { key } = await h.tenant();
    setZone([{ name: 'meta.test', type: 'A', data: '169.254.169.254' }]);
    const m = (await call('POST', '/encrata/api/monitors', key, { name: 'meta', monitor_type: 'domain', targets: ['meta.test'] })).json();
    await runOnce(m.id, key);
    const record = (await call('GET', `/encrata/api/monitors/${m.id}/targets/meta.test`, key)).json().record;
    expect(record.http).toMatchObject({ status: null, error: 'blocked by the SSRF guard' });
    expect(record.tls).toMatchObject({ present: false, error: 'BlockedTargetError' });
    expect(webHosts).not.toContain('meta.test');
  });
});

describe('phone, ip, company and darkweb monitors', () => {
  const fullRefreshCases: Array<{ type: string; target: string; setup: () => void; change: (() => void) | null; field: string }> = [
    { type: 'phone', target: '+16502530000', setup: () => undefined, change: null, field: '' },
    {
      type: 'ip', target: '192.0.2.20',
      setup: () => { setZone([]); sources.state.ipNetworks.splice(0, Infinity, { prefix: '192.0.2.', handle: 'NET-1', name: 'TEST-NET-1', cidr: '192.0.2.0/24', country: 'US', org: 'First Org' }); },
      change: () => { sources.state.ipNetworks[0].country = 'CA'; }, field: '/network/country',
    },
    {
      type: 'company', target: 'Initech',
      setup: () => {
        sources.state.leiRecords.splice(0, Infinity, { lei: '549300INITECH0000012', legalName: 'Initech LLC', status: 'ACTIVE', jurisdiction: 'US-TX', city: 'Austin', country: 'US' });
        // EDGAR's company list is fetched once a day per worker: the one every test of this worker sees.
        sources.state.edgarCompanies.splice(0, Infinity, { cik: 1234567, ticker: 'GLBX', title: 'Globex GmbH', latestForm: '10-K', latestDate: '2026-02-01' });
      },
      change: () => { sources.state.leiRecords[0].status = 'INACTIVE'; }, field: '/entity/status',
    },
    {
      type: 'darkweb', target: 'initech.test',
      setup: () => { sources.state.breachesByDomain.set('initech.test', []); },
      change: () => { sources.state.breachesByDomain.set('initech.test', ['InitechHR']); }, field: '/breaches',
    },
  ];

  it.each(fullRefreshCases)('$type in full_refresh: every run reports the whole record, a change with its diff', async ({ type, target, setup, change, field }) => {
    const { key, orgId } = await tenantWithRule();
    setup();
    const m = (await call('POST', '/encrata/api/monitors', key, { name: `${type} full`, monitor_type: type, targets: [target], change_detection: 'full_refresh' })).json();
    await runOnce(m.id, key);
    now += 60_000;
    expect(await runOnce(m.id, key)).toMatchObject({ targets_changed: 0 });
    if (change) {
      change();
      now += 60_000;
      expect(await runOnce(m.id, key)).toMatchObject({ targets_changed: 1 });
    }
    const events = await entityEvents(orgId);
    expect(events).toHaveLength(change ? 3 : 2);
    expect(events.every((e) => e.targets.length === 1 && e.targets[0].record !== undefined)).toBe(true);
    expect(events.slice(0, 2).every((e) => e.targets[0].changes.length === 0)).toBe(true);
    if (change) expect(events[2].targets[0].changes.map((c) => c.field)).toEqual([field]);
  });

  it('phone: offline libphonenumber facts with carrier, region and time zones; unchanged stays quiet', async () => {
    const { key } = await h.tenant();
    const m = (await call('POST', '/encrata/api/monitors', key, { name: 'phones', monitor_type: 'phone', targets: ['+1 650 253 0000', '+44 7400 123456'] })).json();
    await runOnce(m.id, key);
    expect((await call('GET', `/encrata/api/monitors/${m.id}/targets/${encodeURIComponent('+447400123456')}`, key)).json().record).toMatchObject({
      valid: true, type: 'mobile', country: 'GB', e164: '+447400123456', national: '07400 123456', carrier: 'Three', time_zones: ['Europe/Guernsey', 'Europe/Isle_of_Man', 'Europe/London'],
    });
    expect((await call('GET', `/encrata/api/monitors/${m.id}/targets/${encodeURIComponent('+16502530000')}`, key)).json().record).toMatchObject({
      type: 'fixed_line_or_mobile', country: 'US', region: 'Mountain View, CA', time_zones: ['America/Los_Angeles'],
    });
    now += 60_000;
    expect(await runOnce(m.id, key)).toMatchObject({ targets_changed: 0, targets_unchanged: 2 });
  });

  it('ip: reverse DNS and the RDAP network; a changed network is reported', async () => {
    const { key } = await h.tenant();
    setZone([{ name: '10.2.0.192.in-addr.arpa', type: 'PTR', data: 'host.example.test' }]);
    sources.state.ipNetworks.splice(0, Infinity, { prefix: '192.0.2.', handle: 'NET-192-0-2-0-1', name: 'TEST-NET-1', cidr: '192.0.2.0/24', country: 'US', org: 'Example Org' });
    const m = (await call('POST', '/encrata/api/monitors', key, { name: 'ips', monitor_type: 'ip', targets: ['192.0.2.10'] })).json();
    await runOnce(m.id, key);
    expect((await call('GET', `/encrata/api/monitors/${m.id}/targets/192.0.2.10`, key)).json().record).toMatchObject({
      reverse_dns: ['host.example.test'], network: { handle: 'NET-192-0-2-0-1', cidr: ['192.0.2.0/24'], country: 'US', organization: 'Example Org' },
      asn: { number: 64500, organization: 'EXAMPLE-NET', country: 'US' },
    });
    now += 60_000;
    expect(await runOnce(m.id, key)).toMatchObject({ targets_changed: 0 });
    sources.state.ipNetworks[0].org = 'New Owner Ltd';
    writeFileSync(asnFile, '192.0.2.0\t192.0.2.255\t64511\tUS\tNEW-OWNER\n');
    now += 60_000;
    expect(await runOnce(m.id, key)).toMatchObject({ targets_changed: 1 });
    expect(await changedFieldsOf(m.id, '192.0.2.10', key)).toEqual([['/asn/number', '/asn/organization', '/network/organization']]);
  });

  it('ip: without the operator\'s IPtoASN file, ASN, organisation and country come from the shipped ip-location-db data', async () => {
    const { key } = await h.tenant();
    const operatorFile = readFileSync(asnFile);
    rmSync(asnFile);
    try {
      const m = (await call('POST', '/encrata/api/monitors', key, { name: 'public ips', monitor_type: 'ip', targets: ['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888'] })).json();
      await runOnce(m.id, key);
      const recordOf = async (ip: string) => (await call('GET', `/encrata/api/monitors/${m.id}/targets/${encodeURIComponent(ip)}`, key)).json().record;
      expect((await recordOf('8.8.8.8')).asn).toEqual({ number: 15169, organization: 'Google LLC', country: 'US' });
      expect((await recordOf('1.1.1.1')).asn).toMatchObject({ number: 13335, organization: 'Cloudflare, Inc.', country: expect.stringMatching(/^[A-Z]{2}$/) });
      expect((await recordOf('2001:4860:4860::8888')).asn).toMatchObject({ number: 15169, organization: 'Google LLC' });
    } finally {
      writeFileSync(asnFile, operatorFile);
    }
  }, 120_000);

  it('company: GLEIF and EDGAR; an ambiguous name gives scored candidates until an LEI is pinned; a hanging source is inconclusive', async () => {
    const { key } = await h.tenant();
    sources.state.leiRecords.splice(0, Infinity,
      { lei: '5493001KJTIIGC8Y1R12', legalName: 'Acme Corporation', status: 'ACTIVE', jurisdiction: 'US-DE', city: 'Wilmington', country: 'US' },
      { lei: '213800ABCDEFGHIJKL12', legalName: 'Acme Corp Ltd', status: 'ACTIVE', jurisdiction: 'GB', city: 'London', country: 'GB' },
      { lei: '529900T8BM49AURSDO55', legalName: 'Globex GmbH', status: 'ACTIVE', jurisdiction: 'DE', city: 'Berlin', country: 'DE' });
    sources.state.edgarCompanies.splice(0, Infinity, { cik: 1234567, ticker: 'GLBX', title: 'Globex GmbH', latestForm: '10-K', latestDate: '2026-02-01' });
    const m = (await call('POST', '/encrata/api/monitors', key, { name: 'cos', monitor_type: 'company', targets: ['Acme', 'Globex'] })).json();
    await runOnce(m.id, key);
    const acme = (await call('GET', `/encrata/api/monitors/${m.id}/targets/Acme`, key)).json().record;
    expect(acme.match.status).toBe('ambiguous');
    expect(acme.match.candidates).toHaveLength(2);
    expect(acme.entity).toBeNull();
    const globex = (await call('GET', `/encrata/api/monitors/${m.id}/targets/Globex`, key)).json().record;
    expect(globex).toMatchObject({ match: { status: 'matched' }, entity: { lei: '529900T8BM49AURSDO55', jurisdiction: 'DE' }, sec: { cik: 'CIK0001234567', latest_filing: '10-K 2026-02-01' } });
    expect(sources.requests.filter((r) => r.path.startsWith('/submissions/')).every((r) => r.headers['user-agent'] === 'Pharos tests ops@example.test')).toBe(true);

    const pinned = await call('PUT', `/encrata/api/monitors/${m.id}/targets/Acme/pin`, key, { entity_id: '5493001KJTIIGC8Y1R12' });
    expect(pinned.json().pinned_id).toBe('5493001KJTIIGC8Y1R12');
    now += 60_000;
    await runOnce(m.id, key);
    expect((await call('GET', `/encrata/api/monitors/${m.id}/targets/Acme`, key)).json().record).toMatchObject({ match: { status: 'pinned' }, entity: { legal_name: 'Acme Corporation' } });
    expect((await changedFieldsOf(m.id, 'Acme', key))[0]).toEqual(expect.arrayContaining(['/match/status', '/entity/lei']));

    sources.state.trouble.set('/lei-records', 'hang');
    const changesBefore = (await call('GET', `/encrata/api/monitors/${m.id}/changes`, key)).json().total_count;
    now += 60_000;
    try {
      expect(await runOnce(m.id, key)).toMatchObject({ targets_changed: 0, targets_inconclusive: 2 });
    } finally {
      sources.state.trouble.delete('/lei-records');
    }
    expect((await call('GET', `/encrata/api/monitors/${m.id}/changes`, key)).json().total_count).toBe(changesBefore);
    expect((await call('GET', `/encrata/api/monitors/${m.id}/targets/Acme`, key)).json()).toMatchObject({ inconclusive: ['entity', 'match'], record: { entity: { legal_name: 'Acme Corporation' } } });
  });

  it('darkweb: HIBP by domain and leak-site posts; an email without an HIBP key is inconclusive, never clear', async () => {
    const { key } = await h.tenant();
    sources.state.breachesByDomain.set('acme.test', ['AcmeForum2019']);
    sources.state.leakPosts.set('acme corp', [{ victim: 'Acme Corp', group: 'lockbit3', attackdate: '2026-03-01' }]);
    const m = (await call('POST', '/encrata/api/monitors', key, { name: 'Brand Leak Watch', monitor_type: 'darkweb', targets: ['acme corp', 'acme.test credentials', 'ceo@acme.test'] })).json();
    await runOnce(m.id, key);
    expect((await call('GET', `/encrata/api/monitors/${m.id}/targets/${encodeURIComponent('acme corp')}`, key)).json().record).toMatchObject({ kind: 'term', leak_site_posts: ['lockbit3: Acme Corp (2026-03-01)'], breaches: [] });
    expect((await call('GET', `/encrata/api/monitors/${m.id}/targets/${encodeURIComponent('acme.test credentials')}`, key)).json().record).toMatchObject({ kind: 'domain', breaches: ['AcmeForum2019'] });
    const ceo = (await call('GET', `/encrata/api/monitors/${m.id}/targets/${encodeURIComponent('ceo@acme.test')}`, key)).json();
    expect(ceo.inconclusive).toEqual(['breaches', 'pastes']);
    expect(ceo.record.breaches).toBeNull();
    expect(sources.count('/breachedaccount/')).toBe(0);

    sources.state.breachesByDomain.set('acme.test', ['AcmeForum2019', 'AcmeCRM2026']);
    now += 60_000;
    expect(await runOnce(m.id, key)).toMatchObject({ targets_changed: 1, targets_inconclusive: 1 });
    const change = (await call('GET', `/encrata/api/monitors/${m.id}/targets/${encodeURIComponent('acme.test credentials')}/changes`, key)).json().items[0].changes;
    expect(change).toEqual([{ field: '/breaches', kind: 'changed', before: ['AcmeForum2019'], after: ['AcmeCRM2026', 'AcmeForum2019'] }]);
  });
});

describe('entity.changed reaches a webhook', () => {
  it('a changed email target is POSTed to the rule\'s Webhook channel by the delivery worker, signed (Standard Webhooks)', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const { key } = await h.tenant();
      const channel = (await call('POST', '/api/alert-channels', key, { name: 'entity hook', type: 'Webhook', webhookUrl: receiver.url })).json();
      expect(channel.signingSecret).toMatch(/^whsec_/);
      expect((await call('POST', '/api/alert-rules', key, { name: 'entity changes', events: ['entity.changed'], channelIds: [channel.id] })).statusCode).toBe(201);
      setZone(mailZone());
      const m = (await call('POST', '/encrata/api/monitors', key, { name: 'Hooked Contacts', emails: ['alice@alpha.test'] })).json();
      await runOnce(m.id, key);
      setZone(mailZone({ dmarcPolicy: 'quarantine' }));
      now += 60_000;
      expect(await runOnce(m.id, key)).toMatchObject({ targets_changed: 1 });

      const deliveries = createDeliveryWorker({
        // The real clock: the signature's timestamp is checked against it (the test clock's run was due long ago).
        store: new DeliveryStore(h.sql), logger: createLogger('silent'),
        // As `pharos server` wires it: the channel with its settings unsealed, sent through the SSRF-guarded sender.
        loadChannel: async (orgId, channelId) => { const c = await h.alertChannels.store.load(channelId); return c && c.orgId === orgId ? c : null; },
        deliverEvent: h.alertChannels.deliver,
      });
      const hooks = await eventually(async () => {
        await deliveries.drain();
        const mine = receiver.byEvent('entity.changed').filter((r) => r.body?.entity_change?.monitor?.id === m.id);
        return mine.length > 0 ? mine : undefined;
      }, { what: 'entity.changed at the receiver', timeoutMs: 20_000 });
      // diff_only: the baseline run reported nothing, the changed run exactly one event.
      expect(hooks).toHaveLength(1);
      const h0 = hooks[0].headers as Record<string, string>;
      const verify = (secret: string) => new Webhook(secret).verify(hooks[0].raw, { 'webhook-id': h0['webhook-id'], 'webhook-timestamp': h0['webhook-timestamp'], 'webhook-signature': h0['webhook-signature'] });
      expect(verify(channel.signingSecret)).toMatchObject({
        event: 'entity.changed', monitor: null, alert: { type: 'EntityChanged' },
        entity_change: {
          monitor: { id: m.id, name: 'Hooked Contacts', monitor_type: 'email', change_detection: 'diff_only' }, baseline: false,
          targets: [{ target: 'alice@alpha.test', changes: [expect.objectContaining({ field: '/dmarc/policy', before: 'reject', after: 'quarantine' })] }],
        },
      });
      // Another secret does not verify: the check above is not vacuous.
      expect(() => verify(`whsec_${Buffer.from('another secret, 24 bytes!').toString('base64')}`)).toThrow();
      const alerts = await eventually(async () => {
        const r = (await call('GET', '/api/alerts?type=EntityChanged', key)).json();
        return r.items.some((a: { status: string }) => a.status === 'Sent') ? r.items : undefined;
      }, { what: 'the alert record Sent' });
      expect(alerts[0]).toMatchObject({ channel: { id: channel.id, type: 'Webhook' }, status: 'Sent' });
    } finally {
      await receiver.close();
    }
  });
});
