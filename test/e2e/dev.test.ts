import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { apiClient, startPharos, startTarget, type PharosProcess } from '../support/processes.js';
import { eventually } from '../support/services.js';

/**
 * e2e 1: `pharos dev` as a child process, on embedded engines only. A Website monitor
 * made with the Enori document's cURL body (its URL pointed at a local target) is checked,
 * goes Down when the target stops, and its data survives a restart.
 */
describe('pharos dev (embedded network)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pharos-dev-'));
  const env = { PHAROS_DATA_DIR: dataDir, PHAROS_HTTP_PORT: '0' };
  let proc: PharosProcess | undefined;
  afterAll(async () => {
    await proc?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the whole path and keeps its data across a restart', async () => {
    const target = await startTarget();
    proc = startPharos(['dev'], env);
    const [, apiUrl] = await proc.waitFor(/API: (http:\/\/\S+)/);
    const [, adminKey] = await proc.waitFor(/Admin API key[^:]*: (\S+)/);
    // The generated key is on the terminal exactly once: in the banner, in no log line.
    expect(proc.output().split(adminKey).length - 1).toBe(1);
    const enori = apiClient(apiUrl, adminKey);

    const created = await enori('/api/monitors', {
      method: 'POST',
      body: {
        name: 'Production API',
        type: 'Website',
        url: target.url,
        intervalSeconds: 5,
        expectedStatusCode: 200,
        alertOnDown: true,
        alertOnRecovered: true,
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    // Within one interval: results, an Up status and statistics.
    const first = await eventually(async () => {
      const r = await enori(`/api/monitors/${id}/results`);
      return r.body.items.length > 0 ? r.body.items : undefined;
    }, { timeoutMs: 15_000, what: 'first check result' });
    expect(first[0]).toMatchObject({ region: 'local', status: 'Up', statusCode: 200 });
    expect(first[0].responseTimeMs).toBeGreaterThan(0);
    await eventually(async () => (await enori(`/api/monitors/${id}`)).body.status === 'Up', { what: 'status Up' });
    const stats = (await enori(`/api/monitors/${id}/stats?period=24h`)).body;
    expect(stats.totalChecks).toBeGreaterThan(0);
    expect(stats.uptimePercentage).toBe(100);
    expect(stats.regions[0].region).toBe('local');
    const regions = (await enori('/api/regions')).body;
    expect(regions.items).toEqual([expect.objectContaining({ name: 'local', connectedAgents: 1 })]);

    // Check now: the on-demand result shows up in `results` under the job id returned.
    const checkNow = await enori(`/api/monitors/${id}/check`, { method: 'POST' });
    expect(checkNow.status).toBe(202);
    const [jobId] = checkNow.body.jobIds as string[];
    await eventually(async () => (await enori(`/api/monitors/${id}/results?limit=1000`)).body.items.some((r: { id: string }) => r.id === jobId), { timeoutMs: 10_000, what: 'the on-demand check result' });

    // The target goes away: the next check fails and the monitor is Down.
    await target.close();
    await eventually(async () => (await enori(`/api/monitors/${id}`)).body.status === 'Down', { timeoutMs: 20_000, what: 'status Down' });
    const down = (await enori(`/api/monitors/${id}/results?limit=1`)).body.items[0];
    expect(down).toMatchObject({ status: 'Down', error: { kind: 'connection_refused', phase: 'connect' } });
    const before = (await enori(`/api/monitors/${id}/results?limit=1000`)).body.items.length;

    // Restart on the same data dir: no new admin key, the monitor and its results are still there.
    expect(await proc.stop('SIGTERM')).toBe(0);
    proc = startPharos(['dev'], env);
    const [, apiUrl2] = await proc.waitFor(/API: (http:\/\/\S+)/);
    expect(proc.output()).not.toMatch(/Admin API key/);
    const again = apiClient(apiUrl2, adminKey);
    const monitor = await again(`/api/monitors/${id}`);
    expect(monitor.status).toBe(200);
    expect(monitor.body).toMatchObject({ name: 'Production API', status: 'Down' });
    const after = (await again(`/api/monitors/${id}/results?limit=1000`)).body.items.length;
    expect(after).toBeGreaterThanOrEqual(before);
  }, 120_000);
});
