import { afterAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { apiClient, runPharos, startPharos, startTarget, type PharosProcess } from '../support/processes.js';
import { eventually } from '../support/services.js';
import { startDnsServer, type DnsTestServer } from '../unit/checks/support/dns-server.js';
import { rdapDomain, startRdapServer, type RdapServer } from '../unit/checks/support/registry-servers.js';

/**
 * e2e: `pharos dev` as a child process, one monitor of every type created over the API, each
 * checked for real against a target on this machine — an HTTP server (Website with
 * assertions, Port), ICMP to loopback (Ping), a DNS server (Dns), an RDAP registry reached
 * through a bootstrap installed with `pharos rdap-bootstrap refresh` (Domain), and pings to
 * the Job's pingUrl (Job).
 */
describe('every monitor type on the embedded network', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pharos-types-'));
  const env = { PHAROS_DATA_DIR: dataDir, PHAROS_HTTP_PORT: '0' };
  const closers: Array<() => Promise<unknown>> = [];
  let proc: PharosProcess | undefined;
  afterAll(async () => {
    await proc?.stop('SIGKILL');
    for (const close of closers) await close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates one monitor of each type and sees each one checked', async () => {
    const target = await startTarget();
    closers.push(target.close);
    const targetPort = Number(new URL(target.url).port);
    const dns: DnsTestServer = await startDnsServer({ records: [{ name: 'app.pharos.test', type: 'A', ttl: 60, data: '127.0.0.1' }] });
    closers.push(dns.close);
    const expiresAt = new Date(Date.now() + 200 * 86_400_000).toISOString();
    const rdap: RdapServer = await startRdapServer((name) =>
      name === 'example.pharostest'
        ? { status: 200, body: rdapDomain({ name, expiresAt, registeredAt: '2001-05-01T00:00:00Z', registrar: 'Local Registrar', statuses: ['active'] }) }
        : { status: 404, body: { errorCode: 404 } });
    closers.push(rdap.close);
    // IANA's bootstrap format, served locally: the refresh command downloads and installs it.
    const bootstrap = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ version: '1.0', publication: '2026-11-23T00:00:00Z', description: 'e2e', services: [[['pharostest'], [rdap.baseUrl]]] }));
    });
    await new Promise<void>((r) => bootstrap.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => bootstrap.close(r)));
    const refreshed = await runPharos(['rdap-bootstrap', 'refresh', '--url', `http://127.0.0.1:${(bootstrap.address() as AddressInfo).port}/dns.json`], env);
    expect(refreshed).toMatch(/1 TLDs/);

    proc = startPharos(['dev'], env);
    const [, apiUrl] = await proc.waitFor(/API: (http:\/\/\S+)/);
    const [, adminKey] = await proc.waitFor(/Admin API key[^:]*: (\S+)/);
    const enori = apiClient(apiUrl, adminKey);

    const bodies = [
      { name: 'website', type: 'Website', url: target.url, assertions: [{ source: 'StatusCode', operator: 'In', target: '200,204' }, { source: 'ResponseTime', operator: 'LessThan', target: '5000' }] },
      { name: 'port', type: 'Port', hostname: '127.0.0.1', port: targetPort },
      { name: 'ping', type: 'Ping', hostname: '127.0.0.1', pingCount: 2, pingIntervalMs: 200 },
      { name: 'dns', type: 'Dns', hostname: 'app.pharos.test', dnsResolver: dns.resolver, dnsExpectedValues: ['127.0.0.1'], dnsMatchMode: 'Equals' },
      { name: 'domain', type: 'Domain', hostname: 'example.pharostest' },
      { name: 'job', type: 'Job', periodSeconds: 3600 },
    ];
    const monitors: Record<string, { id: string; pingUrl: string | null }> = {};
    for (const body of bodies) {
      const res = await enori('/api/monitors', { method: 'POST', body: { intervalSeconds: 5, ...body } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      monitors[body.name] = res.body;
    }
    const ping = await fetch(monitors.job!.pingUrl!);
    expect(await ping.text()).toBe('OK');

    const firstResult = (name: string) => eventually(async () => {
      const items = (await enori(`/api/monitors/${monitors[name]!.id}/results`)).body.items;
      return items.length ? items[0] : undefined;
    }, { timeoutMs: 20_000, intervalMs: 250, what: `a ${name} result` });

    const website = await firstResult('website');
    expect(website).toMatchObject({ status: 'Up', statusCode: 200 });
    expect(website.assertions.map((a: { passed: boolean }) => a.passed)).toEqual([true, true]);
    expect(await firstResult('port')).toMatchObject({ status: 'Up' });
    const icmp = await firstResult('ping');
    expect(icmp).toMatchObject({ status: 'Up', ping: { address: '127.0.0.1', sent: 2, received: 2, packetLossPercent: 0 } });
    expect(await firstResult('dns')).toMatchObject({ status: 'Up', dns: { rcode: 'NOERROR', values: ['127.0.0.1'] } });
    const domain = await firstResult('domain');
    expect(domain).toMatchObject({ status: 'Up', domain: { source: 'rdap', registrar: 'Local Registrar', expiresAt, expiringSoon: false } });
    expect(await firstResult('job')).toMatchObject({ status: 'Up', region: 'Heartbeat' });
    for (const name of Object.keys(monitors)) {
      await eventually(async () => (await enori(`/api/monitors/${monitors[name]!.id}`)).body.status === 'Up', { intervalMs: 250, what: `${name} Up` });
    }
  });
});
