/**
 * Public uptime and status badges (issue 13, "Badges"): every parameter, the gray "unknown"
 * badge, escaping of the label, the 5-minute cache, and that a badge shows nothing of a
 * monitor beyond its figure or status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { NO_DETAILS, type StoredResult } from '../../services/lib/results/types.js';
import { UPTIME_COLOURS, uptimeColour, uptimeText } from '../../services/api/routes/badges/render.js';

const MINUTE = 60_000;
let h: ApiHarness;
let clock = Date.now();
let tenant: { orgId: string; key: string };

beforeAll(async () => {
  h = await startApiHarness({ now: () => clock });
  tenant = await h.tenant(['*']);
});
afterAll(async () => h?.close());

const get = (url: string) => h.app.inject({ method: 'GET', url });

async function createMonitor(t: { key: string }, body: Record<string, unknown> = {}): Promise<{ id: string }> {
  const res = await h.app.inject({
    method: 'POST', url: '/api/monitors', headers: { 'x-api-key': t.key },
    payload: { name: `badge-${Math.random().toString(36).slice(2)}`, type: 'Website', url: 'https://secret-target.example.com/health', ...body },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

/** `up` up results and `down` down results, one a minute before the clock, plus skipped and missed slots that must not count. */
async function insertResults(m: { id: string }, orgId: string, up: number, down: number, tag: string): Promise<void> {
  const rows: StoredResult[] = [];
  const statuses = [...Array(up).fill('up'), ...Array(down).fill('down'), 'skipped', 'missed'] as StoredResult['status'][];
  statuses.forEach((status, i) => {
    const id = `${m.id}.UsEast.${tag}${i}`;
    rows.push({
      ...NO_DETAILS,
      resultId: id, jobId: id, orgId, monitorId: m.id, region: 'UsEast', agentId: 'a1', type: 'Website',
      scheduledAtMs: clock - (i + 1) * MINUTE, startedAtMs: clock - (i + 1) * MINUTE, status,
      errorKind: status === 'down' ? 'unexpected_status' : '', errorPhase: status === 'down' ? 'ttfb' : '', errorMessage: status === 'down' ? 'HTTP 503' : '',
      dnsMs: 1, connectMs: 2, tlsMs: 3, ttfbMs: 90, transferMs: 4, totalMs: 100, statusCode: status === 'down' ? 503 : 200, tlsNotAfterMs: 0, retentionDays: 30,
    });
  });
  await h.results.insertResults(rows);
}

async function setStatus(m: { id: string }, orgId: string, status: string, degraded = false): Promise<void> {
  await h.sql.query(
    `INSERT INTO monitor_status (monitor_id, org_id, status, degraded) VALUES ($1, $2, $3, $4)
     ON CONFLICT (monitor_id) DO UPDATE SET status = EXCLUDED.status, degraded = EXCLUDED.degraded`,
    [m.id, orgId, status, degraded],
  );
}

/** The badge's visible texts, from its accessible name ("label: message"). */
function texts(svg: string): string {
  const m = /aria-label="([^"]*)"/.exec(svg);
  expect(m, svg).not.toBeNull();
  return m![1];
}

/** badge-maker 6's hex for the colour names used (its lib/color.js). */
const HEX: Record<string, string> = { brightgreen: '#4b0', green: '#67ac09', yellowgreen: '#95991a', yellow: '#d8b800', orange: '#ea7233', red: '#dd4343', lightgrey: '#939393' };
const fillOf = (svg: string) => [...svg.matchAll(/fill="(#[0-9a-f]{3,6})"/g)].map((x) => x[1]);

function expectSvg(res: Awaited<ReturnType<typeof get>>): string {
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
  expect(res.headers['cache-control']).toBe('public, max-age=300');
  expect(res.body.startsWith('<svg')).toBe(true);
  return res.body;
}

describe('uptime badge', () => {
  it('shows the uptime of the last 30 days by default, leaving out skipped and missed slots, with no API key', async () => {
    const m = await createMonitor(tenant);
    await insertResults(m, tenant.orgId, 3, 1, 'a');
    const svg = expectSvg(await get(`/api/badges/${m.id}/uptime.svg`));
    expect(texts(svg)).toBe('uptime: 75.00%');
    expect(fillOf(svg)).toContain(HEX.red);
    // The badge says nothing else about the monitor.
    expect(svg).not.toContain('secret-target');
    expect(svg).not.toContain(m.id);
  });

  it('takes period 24h, 7d, 30d and 90d', async () => {
    const m = await createMonitor(tenant);
    await insertResults(m, tenant.orgId, 1, 0, 'recent');
    // One down result 3 days ago, one 20 days ago, one 60 days ago: each period sees a different figure.
    const old = (ageDays: number): StoredResult => {
      const id = `${m.id}.UsEast.old${ageDays}`;
      const at = clock - ageDays * 86_400_000;
      return {
        ...NO_DETAILS, resultId: id, jobId: id, orgId: tenant.orgId, monitorId: m.id, region: 'UsEast', agentId: 'a1', type: 'Website',
        scheduledAtMs: at, startedAtMs: at, status: 'down', errorKind: 'timeout', errorPhase: 'ttfb', errorMessage: 'timeout',
        dnsMs: 0, connectMs: 0, tlsMs: 0, ttfbMs: 0, transferMs: 0, totalMs: 0, statusCode: 0, tlsNotAfterMs: 0, retentionDays: 120,
      };
    };
    await h.results.insertResults([old(3), old(20), old(60)]);
    const figure = async (period: string) => texts(expectSvg(await get(`/api/badges/${m.id}/uptime.svg?period=${period}`)));
    expect(await figure('24h')).toBe('uptime: 100%');
    expect(await figure('7d')).toBe('uptime: 50.00%');
    expect(await figure('30d')).toBe('uptime: 33.33%');
    expect(await figure('90d')).toBe('uptime: 25.00%');
  });

  it('colours by the documented thresholds and never rounds up to 100%', () => {
    expect(UPTIME_COLOURS.map((t) => t.min)).toEqual([99.9, 99, 97, 95, 90, 0]);
    expect([100, 99.9, 99.89, 99, 98.99, 97, 95, 90, 89.99, 0].map(uptimeColour))
      .toEqual(['brightgreen', 'brightgreen', 'green', 'green', 'yellowgreen', 'yellowgreen', 'yellow', 'orange', 'red', 'red']);
    expect(uptimeText(99.999)).toBe('99.99%');
    expect(uptimeText(100)).toBe('100%');
    expect(uptimeText(0)).toBe('0.00%');
  });

  it('is brightgreen at 100% and gray "no data" without results in the period', async () => {
    const m = await createMonitor(tenant);
    expect(texts(expectSvg(await get(`/api/badges/${m.id}/uptime.svg`)))).toBe('uptime: no data');
    await insertResults(m, tenant.orgId, 2, 0, 'a');
    const svg = expectSvg(await get(`/api/badges/${m.id}/uptime.svg?period=24h`));
    expect(texts(svg)).toBe('uptime: 100%');
    expect(fillOf(svg)).toContain(HEX.brightgreen);
  });
});

describe('status badge', () => {
  it('shows the status word and its colour', async () => {
    const cases: Array<[string, boolean, string, string]> = [
      ['Up', false, 'up', HEX.brightgreen],
      ['Down', false, 'down', HEX.red],
      ['Up', true, 'degraded', HEX.yellow],
    ];
    for (const [status, degraded, word, hex] of cases) {
      const m = await createMonitor(tenant, { p95ThresholdMs: 500 });
      await setStatus(m, tenant.orgId, status, degraded);
      const svg = expectSvg(await get(`/api/badges/${m.id}/status.svg`));
      expect(texts(svg)).toBe(`status: ${word}`);
      expect(fillOf(svg)).toContain(hex);
    }
    const pending = await createMonitor(tenant);
    const svg = expectSvg(await get(`/api/badges/${pending.id}/status.svg`));
    expect(texts(svg)).toBe('status: pending');
    expect(fillOf(svg)).toContain(HEX.lightgrey);
  });
});

describe('label and style', () => {
  it('takes a label of up to 30 characters and the flat and flat-square styles', async () => {
    const m = await createMonitor(tenant);
    await setStatus(m, tenant.orgId, 'Up');
    const thirty = 'a'.repeat(30);
    expect(texts(expectSvg(await get(`/api/badges/${m.id}/status.svg?label=${thirty}`)))).toBe(`${thirty}: up`);
    expect(texts(expectSvg(await get(`/api/badges/${m.id}/uptime.svg?label=${encodeURIComponent('API uptime ✓')}`)))).toBe('API uptime ✓: no data');
    const flat = expectSvg(await get(`/api/badges/${m.id}/status.svg?style=flat`));
    const square = expectSvg(await get(`/api/badges/${m.id}/status.svg?style=flat-square`));
    const byDefault = expectSvg(await get(`/api/badges/${m.id}/status.svg`));
    expect(flat).toBe(byDefault);
    // flat has rounded corners and a gradient; flat-square has neither.
    expect(flat).toContain('linearGradient');
    expect(square).not.toContain('linearGradient');
    expect(square).toContain('shape-rendering="crispEdges"');
    expect(texts(square)).toBe('status: up');
  });

  it('escapes the label: no markup of it reaches the SVG', async () => {
    const m = await createMonitor(tenant);
    for (const label of ['<script>alert(1)</script>', '"><svg onload=alert(1)>', "' onmouseover='x' &amp;"]) {
      for (const kind of ['uptime', 'status']) {
        const svg = expectSvg(await get(`/api/badges/${m.id}/${kind}.svg?label=${encodeURIComponent(label)}`));
        expect(svg).not.toContain(label);
        expect(svg).not.toContain('<script');
        // Attribute values cannot hold an unescaped quote, so this lists every attribute of every element.
        const attributes = [...svg.matchAll(/\s([\w:-]+)="[^"]*"/g)].map((a) => a[1]);
        expect(attributes.filter((a) => /^on/i.test(a))).toEqual([]);
        expect(svg.match(/<svg[\s>]/g)).toHaveLength(1);
        expect(svg).toMatch(/&(lt|quot|apos);/);
      }
    }
    const svg = (await get(`/api/badges/${m.id}/status.svg?label=${encodeURIComponent('"><svg onload=alert(1)>')}`)).body;
    expect(svg).toContain('&quot;&gt;&lt;svg onload=alert(1)&gt;');
  });

  it('refuses a longer label, an unknown period or style, and an unknown parameter with 400 field details', async () => {
    const m = await createMonitor(tenant);
    const refused = async (url: string, field: string) => {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.headers['cache-control']).toBeUndefined();
      const body = res.json();
      expect(body).toMatchObject({ error: 'Validation failed', code: 'VALIDATION_ERROR' });
      expect(body.details.map((d: { field: string }) => d.field), url).toContain(`querystring:${field}`);
    };
    await refused(`/api/badges/${m.id}/uptime.svg?label=${'a'.repeat(31)}`, '/label');
    await refused(`/api/badges/${m.id}/status.svg?label=${'a'.repeat(31)}`, '/label');
    await refused(`/api/badges/${m.id}/uptime.svg?period=1y`, '/period');
    await refused(`/api/badges/${m.id}/uptime.svg?style=plastic`, '/style');
    await refused(`/api/badges/${m.id}/status.svg?style=for-the-badge`, '/style');
    await refused(`/api/badges/${m.id}/uptime.svg?label=a%01b`, '/label');
    expect((await get(`/api/badges/${m.id}/status.svg?period=7d`)).statusCode).toBe(400);
  });
});

describe('the unknown badge', () => {
  const expectUnknown = (svg: string, label: string) => {
    expect(texts(svg)).toBe(`${label}: unknown`);
    expect(fillOf(svg)).toContain(HEX.lightgrey);
  };

  it('is a gray 200 badge for a monitor that does not exist, or was deleted', async () => {
    expectUnknown(expectSvg(await get('/api/badges/mon_00000000000000000000000000/uptime.svg')), 'uptime');
    expectUnknown(expectSvg(await get('/api/badges/not-an-id/status.svg?label=api')), 'api');
    const m = await createMonitor(tenant);
    await h.app.inject({ method: 'DELETE', url: `/api/monitors/${m.id}`, headers: { 'x-api-key': tenant.key } });
    expectUnknown(expectSvg(await get(`/api/badges/${m.id}/status.svg`)), 'status');
  });

  it('is shown for a paused monitor', async () => {
    const m = await createMonitor(tenant);
    await insertResults(m, tenant.orgId, 5, 0, 'a');
    const pause = await h.app.inject({ method: 'POST', url: `/api/monitors/${m.id}/pause`, headers: { 'x-api-key': tenant.key } });
    expect(pause.statusCode).toBe(200);
    expectUnknown(expectSvg(await get(`/api/badges/${m.id}/uptime.svg`)), 'uptime');
    expectUnknown(expectSvg(await get(`/api/badges/${m.id}/status.svg`)), 'status');
  });

  it('does not hide another organization\'s monitor (ids are global) but shows only its figure', async () => {
    const other = await h.tenant(['*']);
    const m = await createMonitor(other, { name: 'other-org-private-name' });
    await setStatus(m, other.orgId, 'Down');
    const svg = expectSvg(await get(`/api/badges/${m.id}/status.svg`));
    expect(texts(svg)).toBe('status: down');
    for (const secret of ['other-org-private-name', 'secret-target', other.orgId, m.id]) expect(svg).not.toContain(secret);
    // A key of another organization changes nothing: the badge is the same for everyone.
    const withKey = await h.app.inject({ method: 'GET', url: `/api/badges/${m.id}/status.svg`, headers: { 'x-api-key': tenant.key } });
    expect(withKey.body).toBe(svg);
  });
});

describe('the cache', () => {
  it('serves the same badge for 5 minutes after rendering it, and a fresh one afterwards', async () => {
    const m = await createMonitor(tenant);
    await insertResults(m, tenant.orgId, 4, 0, 'a');
    await setStatus(m, tenant.orgId, 'Up');
    const url = `/api/badges/${m.id}/uptime.svg?period=24h`;
    expect(texts(expectSvg(await get(url)))).toBe('uptime: 100%');
    expect(texts(expectSvg(await get(`/api/badges/${m.id}/status.svg`)))).toBe('status: up');

    // The figures change, but within 5 minutes the cached badges are served.
    await insertResults(m, tenant.orgId, 0, 4, 'b');
    await setStatus(m, tenant.orgId, 'Down');
    clock += 5 * MINUTE - 1;
    expect(texts(expectSvg(await get(url)))).toBe('uptime: 100%');
    expect(texts(expectSvg(await get(`/api/badges/${m.id}/status.svg`)))).toBe('status: up');
    // Other parameters are other entries: they are computed now.
    expect(texts(expectSvg(await get(`${url}&label=now`)))).toBe('now: 50.00%');

    clock += 1;
    expect(texts(expectSvg(await get(url)))).toBe('uptime: 50.00%');
    expect(texts(expectSvg(await get(`/api/badges/${m.id}/status.svg`)))).toBe('status: down');
  });

  it('caches the unknown badge too, and keeps a bounded number of entries', async () => {
    const { BadgeCache } = await import('../../services/api/routes/badges/badge-cache.js');
    let now = 0;
    const cache = new BadgeCache({ ttlMs: 300_000, maxEntries: 3, now: () => now });
    for (const k of ['a', 'b', 'c']) cache.set(k, k);
    expect(cache.get('a')).toBe('a'); // a is now the most recently used
    cache.set('d', 'd');
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((k) => cache.get(k))).toEqual(['a', 'c', 'd']);
    now = 300_000;
    expect(cache.get('a')).toBeUndefined();

    const m = await createMonitor(tenant);
    const pause = await h.app.inject({ method: 'POST', url: `/api/monitors/${m.id}/pause`, headers: { 'x-api-key': tenant.key } });
    expect(pause.statusCode).toBe(200);
    expect(texts(expectSvg(await get(`/api/badges/${m.id}/status.svg`)))).toBe('status: unknown');
    await h.app.inject({ method: 'POST', url: `/api/monitors/${m.id}/resume`, headers: { 'x-api-key': tenant.key } });
    expect(texts(expectSvg(await get(`/api/badges/${m.id}/status.svg`)))).toBe('status: unknown');
    clock += 5 * MINUTE;
    expect(texts(expectSvg(await get(`/api/badges/${m.id}/status.svg`)))).toBe('status: pending');
  });
});

describe('OpenAPI', () => {
  it('documents both badges under the Badges tag, without security, as SVG', async () => {
    const doc = (await get('/openapi/v1.json')).json();
    for (const path of ['/api/badges/{monitorId}/uptime.svg', '/api/badges/{monitorId}/status.svg']) {
      const op = doc.paths[path].get;
      expect(op.tags).toEqual(['Badges']);
      expect(op.security).toEqual([]);
      expect(Object.keys(op.responses['200'].content)).toEqual(['image/svg+xml']);
      expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['monitorId', 'label', 'style']));
    }
  });
});
