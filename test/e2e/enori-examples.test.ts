/**
 * The Enori document's own code examples, run against a started `pharos dev` with only the
 * base URL (and key) replaced: its cURL commands, its Python `requests` example (monitors,
 * then recent incidents) and its Node.js `fetch` helper.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startPharos, startTarget, type PharosProcess } from '../support/processes.js';
import { eventually } from '../support/services.js';

const run = promisify(execFile);
const KEY = 'phk_enori_examples_bootstrap_key_0123456789';
const dataDir = mkdtempSync(path.join(tmpdir(), 'pharos-enori-'));
let proc: PharosProcess;
let BASE: string;
let target: Awaited<ReturnType<typeof startTarget>>;

beforeAll(async () => {
  target = await startTarget();
  proc = startPharos(['dev'], { PHAROS_DATA_DIR: dataDir, PHAROS_HTTP_PORT: '0', PHAROS_BOOTSTRAP_KEY: KEY });
  [, BASE] = await proc.waitFor(/API: (http:\/\/\S+)/);
}, 60_000);
afterAll(async () => {
  await proc?.stop('SIGKILL');
  await target?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function curl(...args: string[]): Promise<{ status: number; body: any }> {
  const { stdout } = await run('curl', ['-s', '-w', '\n%{http_code}', ...args]);
  const lines = stdout.trimEnd().split('\n');
  const status = Number(lines.pop());
  const text = lines.join('\n');
  return { status, body: text ? JSON.parse(text) : undefined };
}

describe('the Enori document\'s examples against Pharos', () => {
  it('cURL: list, create a website monitor, pause, trigger an immediate check', async () => {
    const list = await curl('-H', `X-API-Key: ${KEY}`, `${BASE}/api/monitors`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ items: expect.any(Array), totalCount: expect.any(Number) });

    const created = await curl('-X', 'POST', `${BASE}/api/monitors`,
      '-H', `X-API-Key: ${KEY}`,
      '-H', 'Content-Type: application/json',
      '-d', JSON.stringify({
        name: 'Production API',
        type: 'Website',
        url: target.url,
        intervalSeconds: 60,
        expectedStatusCode: 200,
        alertOnDown: true,
        alertOnRecovered: true,
      }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^mon_/), name: 'Production API', type: 'Website', url: target.url, intervalSeconds: 60 });
    const id = created.body.id;

    const filtered = await curl('-H', `X-API-Key: ${KEY}`, `${BASE}/api/monitors?type=Website`);
    expect(filtered.body.items[0]).toEqual(expect.objectContaining({
      id, name: 'Production API', type: 'Website', url: target.url, status: expect.any(String),
      uptimePercentage: expect.any(Number), intervalSeconds: 60,
    }));

    const paused = await curl('-X', 'POST', '-H', `X-API-Key: ${KEY}`, `${BASE}/api/monitors/${id}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('Paused');
    const check = await curl('-X', 'POST', '-H', `X-API-Key: ${KEY}`, `${BASE}/api/monitors/${id}/check`);
    expect(check.status).toBe(202);
  });

  it('Python: the requests example creates a monitor, prints every monitor\'s status and uptime, then the recent incidents', async () => {
    // Something to report: a monitor of a port nobody listens on goes Down and opens an incident.
    const broken = await fetch(`${BASE}/api/monitors`, {
      method: 'POST',
      headers: { 'X-API-Key': KEY, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Broken API', type: 'Website', url: 'http://127.0.0.1:1/', intervalSeconds: 5 }),
    });
    expect(broken.status).toBe(201);
    await eventually(async () => {
      const res = await fetch(`${BASE}/api/incidents/recent`, { headers: { 'X-API-Key': KEY } });
      return ((await res.json()) as unknown[]).length > 0;
    }, { timeoutMs: 20_000, what: 'an incident for the broken monitor' });
    const script = `
import requests

API_KEY = "${KEY}"
BASE = "${BASE}"
HEADERS = {"X-API-Key": API_KEY, "Content-Type": "application/json"}

# Create a monitor
monitor = requests.post(f"{BASE}/api/monitors", headers=HEADERS, json={
    "name": "Staging API",
    "type": "Website",
    "url": "${target.url}",
    "intervalSeconds": 300,
    "expectedStatusCode": 200,
}).json()
print(f"Created monitor: {monitor['id']}")

# List all monitors
data = requests.get(f"{BASE}/api/monitors", headers=HEADERS).json()
for m in data["items"]:
    print(f"  {m['name']}: {m['status']} ({m['uptimePercentage']:.2f}%)")

# Get recent incidents
incidents = requests.get(
    f"{BASE}/api/incidents/recent", headers=HEADERS
).json()
for inc in incidents:
    print(f"  [{inc['status']}] {inc['title']}")
`;
    const { stdout } = await run('python3', ['-c', script]);
    expect(stdout).toMatch(/^Created monitor: mon_\w+$/m);
    expect(stdout).toMatch(/^ {2}Staging API: (Pending|Up) \(100\.00%\)$/m);
    expect(stdout).toMatch(/^ {2}Broken API: Down \(0\.00%\)$/m);
    expect(stdout).toMatch(/^ {2}\[Open\] Broken API is down$/m);
  });

  it('Node.js: the fetch helper creates a monitor and lists name and status', async () => {
    const API_KEY = KEY;
    async function enori(p: string, options: RequestInit & { headers?: Record<string, string> } = {}) {
      const res = await fetch(`${BASE}${p}`, {
        ...options,
        headers: {
          'X-API-Key': API_KEY,
          'Content-Type': 'application/json',
          ...options.headers,
        },
      });
      if (!res.ok) throw new Error(`${res.status}: ${await res.text()}`);
      return res.json() as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the example is untyped JavaScript
    }
    const monitor = await enori('/api/monitors', {
      method: 'POST',
      body: JSON.stringify({ name: 'Checkout Service', type: 'Website', url: target.url, intervalSeconds: 60 }),
    });
    expect(monitor.id).toMatch(/^mon_/);
    const { items } = await enori('/api/monitors');
    const lines = items.map((m: { name: string; status: string }) => `${m.name}: ${m.status}`);
    expect(lines).toContain(`Checkout Service: ${items.find((m: { id: string }) => m.id === monitor.id).status}`);
    // The same helper pauses and checks with its Content-Type header and no body.
    await expect(enori(`/api/monitors/${monitor.id}/pause`, { method: 'POST' })).resolves.toMatchObject({ status: 'Paused' });
    await expect(enori(`/api/monitors/${monitor.id}/check`, { method: 'POST' })).resolves.toMatchObject({ monitorId: monitor.id });
  });

  it('GitHub Actions: the tag filter the deploy check uses', async () => {
    await curl('-X', 'PUT', `${BASE}/api/monitors/by-name/tagged`, '-H', `X-API-Key: ${KEY}`, '-H', 'Content-Type: application/json',
      '-d', JSON.stringify({ name: 'tagged', type: 'Website', url: target.url, tags: ['production'] }));
    const res = await curl('-H', `X-API-Key: ${KEY}`, `${BASE}/api/monitors?tag=production`);
    expect(res.body.items.map((m: { name: string }) => m.name)).toEqual(['tagged']);
    expect(res.body.items.filter((m: { status: string }) => m.status === 'Down')).toHaveLength(0);
  });
});
