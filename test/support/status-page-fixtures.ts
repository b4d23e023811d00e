/** Data for status page tests: monitors, 90 days of results, incidents with updates, a maintenance window. */
import { expect } from 'vitest';
import type { ApiHarness } from './api-harness.js';
import { NO_DETAILS, type StoredResult } from '../../services/lib/results/types.js';
import { AgentPresence } from '../../services/lib/agent-presence.js';

export const DAY_MS = 86_400_000;

export async function api(h: ApiHarness, key: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) {
  const res = await h.app.inject({ method, url, headers: { 'x-api-key': key }, ...(body === undefined ? {} : { payload: body as object }) });
  return { status: res.statusCode, json: res.body ? res.json() : undefined, headers: res.headers };
}

export async function createMonitor(h: ApiHarness, key: string, name: string): Promise<string> {
  const res = await api(h, key, 'POST', '/api/monitors', { name, type: 'Website', url: `https://internal-${name.replace(/\W/g, '')}.example.com/health` });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json.id;
}

/**
 * `perDay` results a day for `days` days up to `nowMs` (today included), every one up except
 * `downOn(dayIndex)` of them, dayIndex 0 = today.
 */
export async function insertDays(h: ApiHarness, orgId: string, monitorId: string, nowMs: number, days: number, perDay: number, downOn: (dayIndex: number) => number = () => 0): Promise<void> {
  const rows: StoredResult[] = [];
  const todayStart = Math.floor(nowMs / DAY_MS) * DAY_MS;
  for (let d = 0; d < days; d++) {
    const down = downOn(d);
    for (let i = 0; i < perDay; i++) {
      // Spread within the day, never after now.
      const at = Math.min(todayStart - d * DAY_MS + Math.floor(((i + 0.5) / perDay) * DAY_MS), nowMs - 1000 - i);
      const status = i < down ? 'down' : 'up';
      const id = `${monitorId}.UsEast.${d}.${i}`;
      rows.push({
        ...NO_DETAILS,
        resultId: id, jobId: id, orgId, monitorId, region: 'UsEast', agentId: 'a1', type: 'Website', scheduledAtMs: at, startedAtMs: at, status,
        errorKind: status === 'down' ? 'unexpected_status' : '', errorPhase: status === 'down' ? 'ttfb' : '', errorMessage: status === 'down' ? 'HTTP 503 from 10.1.2.3' : '',
        dnsMs: 1, connectMs: 2, tlsMs: 3, ttfbMs: 90, transferMs: 4, totalMs: 100, statusCode: status === 'down' ? 503 : 200, tlsNotAfterMs: 0, retentionDays: 365,
      });
    }
  }
  await h.results.insertResults(rows);
}

export async function setStatus(h: ApiHarness, orgId: string, monitorId: string, status: string): Promise<void> {
  await h.sql.query(
    `INSERT INTO monitor_status (monitor_id, org_id, status, degraded) VALUES ($1, $2, $3, false)
     ON CONFLICT (monitor_id) DO UPDATE SET status = EXCLUDED.status`,
    [monitorId, orgId, status],
  );
}

/** An automatic incident as alerting writes it, started `startedAgoMs` before now, resolved `resolvedAgoMs` before now (or open). */
export async function insertAutomaticIncident(h: ApiHarness, orgId: string, monitorId: string, nowMs: number, startedAgoMs: number, resolvedAgoMs: number | null, title = 'internal-name is down'): Promise<string> {
  const id = `inc_${Math.random().toString(36).slice(2, 14)}`;
  await h.sql.query(
    `INSERT INTO incidents (id, org_id, monitor_id, kind, severity, title, status, cause, started_at, resolved_at)
     VALUES ($1, $2, $3, 'Automatic', 'Critical', $4, $5, 'connect ECONNREFUSED 10.9.8.7:443', to_timestamp($6 / 1000.0), $7)`,
    [id, orgId, monitorId, title, resolvedAgoMs === null ? 'Open' : 'Resolved', nowMs - startedAgoMs, resolvedAgoMs === null ? null : new Date(nowMs - resolvedAgoMs).toISOString()],
  );
  return id;
}

/** Agents present in every region of the harness (else every monitor reads Unknown: its regions are dark). */
export async function agentsPresent(h: ApiHarness, regions = ['UsEast', 'EuWest']): Promise<void> {
  const presence = new AgentPresence(h.hotState, 3_600_000, Date.now);
  for (const region of regions) await presence.registered(region, { agentId: `agt_${region}`, hostname: 'h', version: '1' });
}
