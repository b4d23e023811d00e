import { MonitorChanged } from '../../../../proto/generated/pharos/v1/control.js';
import { DomainError, instantParam, notFound, validationError } from '../../../lib/errors.js';
import { buildCheckJob, encodeCheckJob } from '../../../lib/monitors/check-job.js';
import type { Monitor, MonitorConfig } from '../../../lib/monitors/model.js';
import type { ApiDeps, VerbContext } from '../../context.js';
import { existingChannelIds } from '../../../alerting/channels/store.js';
import { toMonitorConfig, monitorTypeName } from './input.js';
import { presentMonitor, presentMonitors, presentPing, presentResult } from './presenter.js';
import type { MonitorBody } from './schema.js';
import { screenTargets } from './target-screen.js';
import { AlertOutbox } from '../../../alerting/deliveries/outbox.js';
import { decideIncidentEnded } from '../../../alerting/alert-decisions.js';

const PERIOD_MS = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, '90d': 90 * 86_400_000 } as const;

function inputRules(deps: ApiDeps) {
  return {
    declaredRegions: deps.config.regions,
    minIntervalSeconds: deps.config.intervalLimits.minSeconds,
    maxIntervalSeconds: deps.config.intervalLimits.maxSeconds,
  };
}

/** The monitor's configuration from a request body, refusing targets the agents would refuse. */
async function configFrom(deps: ApiDeps, body: MonitorBody): Promise<MonitorConfig> {
  const config = toMonitorConfig(body, inputRules(deps));
  await screenTargets(config, { allowPrivateTargets: deps.config.allowPrivateTargets });
  return config;
}

/** Tells the scheduler a monitor changed; a lost notice is repaired by its periodic reload. */
async function announce(deps: ApiDeps, monitor: Pick<Monitor, 'id' | 'orgId'>, checkNow: boolean): Promise<void> {
  try {
    await deps.bus.publish(deps.subjects.monitorsChanged, MonitorChanged.encode({ monitorId: monitor.id, orgId: monitor.orgId, checkNow }).finish());
  } catch (err) {
    deps.logger.warn({ err, monitorId: monitor.id }, 'monitor change notice not published; the scheduler reload will pick it up');
  }
}

/** A Job monitor's heartbeat clock follows its configuration and pause state. */
async function rescheduleHeartbeat(deps: ApiDeps, monitor: Monitor, restartClock: boolean): Promise<void> {
  if (monitor.type !== 'Job') return;
  const now = (deps.now ?? Date.now)();
  await deps.heartbeats.reschedule(monitor, now, restartClock ? now : undefined);
}

/** A monitor may only alert through channels, and escalate through a policy, of its own organization. */
async function assertOwnChannels(ctx: VerbContext, config: MonitorConfig): Promise<void> {
  const ids = config.alertChannelIds;
  const found = await existingChannelIds(ctx.deps.sql, ctx.principal.orgId, ids);
  const problems = ids.flatMap((id, i) => (found.has(id) ? [] : [{ field: `/alertChannelIds/${i}`, message: `alert channel ${id} not found` }]));
  if (problems.length) throw validationError(`unknown alert channel: ${problems.map((p) => p.message).join('; ')}`, problems);
  const policyId = config.escalationPolicyId;
  if (policyId) {
    const { rows } = await ctx.deps.sql.query(`SELECT 1 FROM escalation_policies WHERE org_id = $1 AND id = $2`, [ctx.principal.orgId, policyId]);
    if (rows.length === 0) throw validationError(`escalation policy ${policyId} not found`, [{ field: '/escalationPolicyId', message: `escalation policy ${policyId} not found` }]);
  }
}

async function mustGet(ctx: VerbContext, id: string): Promise<Monitor> {
  const m = await ctx.deps.monitors.get(ctx.principal.orgId, id);
  if (!m) throw notFound(`monitor ${id}`);
  return m;
}

export async function createMonitor({ ctx, input }: { ctx: VerbContext; input: MonitorBody }) {
  const config = await configFrom(ctx.deps, input);
  await assertOwnChannels(ctx, config);
  await ctx.deps.quotas.assertCanAddMonitor(ctx.principal.orgId);
  await ctx.deps.quotas.assertInterval(ctx.principal.orgId, config.intervalSeconds);
  const monitor = await ctx.deps.monitors.create(ctx.principal.orgId, config);
  await rescheduleHeartbeat(ctx.deps, monitor, true);
  await announce(ctx.deps, monitor, true);
  return presentMonitor(ctx, monitor);
}

export async function getMonitor({ ctx, input }: { ctx: VerbContext; input: { id: string } }) {
  return presentMonitor(ctx, await mustGet(ctx, input.id));
}

export async function listMonitors({ ctx, input }: { ctx: VerbContext; input: { type?: string | number; tag?: string[]; limit: number; offset: number } }) {
  const { items, totalCount } = await ctx.deps.monitors.list(ctx.principal.orgId, {
    type: input.type === undefined ? undefined : monitorTypeName(input.type),
    tags: input.tag,
    limit: input.limit,
    offset: input.offset,
  });
  return { items: await presentMonitors(ctx, ctx.principal.orgId, items), totalCount };
}

export async function replaceMonitor({ ctx, input }: { ctx: VerbContext; input: { id: string; body: MonitorBody } }) {
  const before = await mustGet(ctx, input.id);
  const config = await configFrom(ctx.deps, input.body);
  await assertOwnChannels(ctx, config);
  await ctx.deps.quotas.assertInterval(ctx.principal.orgId, config.intervalSeconds);
  const monitor = await ctx.deps.monitors.replace(ctx.principal.orgId, input.id, config);
  if (!monitor) throw notFound(`monitor ${input.id}`);
  // A monitor that becomes a Job starts its clock now, not from a clock it had as a Job long ago.
  await rescheduleHeartbeat(ctx.deps, monitor, before.type !== 'Job');
  await announce(ctx.deps, monitor, false);
  return presentMonitor(ctx, monitor);
}

export async function deleteMonitor({ ctx, input }: { ctx: VerbContext; input: { id: string } }) {
  const monitor = await mustGet(ctx, input.id);
  await ctx.deps.monitors.delete(ctx.principal.orgId, monitor.id);
  await announce(ctx.deps, monitor, false);
  await ctx.deps.results.deleteMonitorResults(ctx.principal.orgId, monitor.id);
}

export async function listResults({ ctx, input }: { ctx: VerbContext; input: { id: string; limit: number; region?: string; before?: string } }) {
  const monitor = await mustGet(ctx, input.id);
  const items = await ctx.deps.results.recentResults({
    orgId: monitor.orgId,
    monitorId: monitor.id,
    limit: input.limit,
    region: input.region,
    beforeMs: instantParam(input.before, 'before'),
  });
  return { items: items.map(presentResult) };
}

export async function monitorStats({ ctx, input }: { ctx: VerbContext; input: { id: string; period: keyof typeof PERIOD_MS } }) {
  const monitor = await mustGet(ctx, input.id);
  const toMs = (ctx.deps.now ?? Date.now)();
  const fromMs = toMs - PERIOD_MS[input.period];
  const stats = await ctx.deps.results.monitorStats({ orgId: monitor.orgId, monitorId: monitor.id, fromMs, toMs });
  const { byRegion, ...overall } = stats;
  return {
    monitorId: monitor.id,
    period: input.period,
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    ...overall,
    regions: byRegion,
  };
}

/** Chart buckets per period: about 24 to 168 points, whole hours so the rollup's hours merge into them. */
const BUCKET_SECONDS: Record<keyof typeof PERIOD_MS, number> = { '24h': 3600, '7d': 3600, '30d': 6 * 3600, '90d': 24 * 3600 };

export async function responseTimes({ ctx, input }: { ctx: VerbContext; input: { id: string; period: keyof typeof PERIOD_MS } }) {
  const monitor = await mustGet(ctx, input.id);
  const toMs = (ctx.deps.now ?? Date.now)();
  const fromMs = toMs - PERIOD_MS[input.period];
  const bucketSeconds = BUCKET_SECONDS[input.period];
  const points = await ctx.deps.results.responseTimeSeries({ orgId: monitor.orgId, monitorId: monitor.id, fromMs, toMs, bucketSeconds });
  const regions = new Map<string, Array<{ at: string; checks: number; failures: number; p50ResponseTimeMs: number | null; p95ResponseTimeMs: number | null }>>();
  for (const p of points) {
    const list = regions.get(p.region) ?? [];
    list.push({ at: new Date(p.atMs).toISOString(), checks: p.checks, failures: p.failures, p50ResponseTimeMs: p.p50Ms, p95ResponseTimeMs: p.p95Ms });
    regions.set(p.region, list);
  }
  return {
    monitorId: monitor.id,
    period: input.period,
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    bucketSeconds,
    regions: [...regions].sort(([a], [b]) => a.localeCompare(b)).map(([region, list]) => ({ region, points: list })),
  };
}

/** The last 24 hours' hourly P50 of each of `ids` (the organization's only: the query is by org). */
export async function responseTrends({ ctx, input }: { ctx: VerbContext; input: { monitorId: string[] } }) {
  const toMs = (ctx.deps.now ?? Date.now)();
  const fromMs = toMs - PERIOD_MS['24h'];
  const rows = await ctx.deps.results.responseTrends({ orgId: ctx.principal.orgId, monitorIds: [...new Set(input.monitorId)], fromMs, toMs });
  const byMonitor = new Map<string, Array<{ at: string; p50ResponseTimeMs: number | null }>>();
  for (const r of rows) {
    const list = byMonitor.get(r.monitorId) ?? [];
    list.push({ at: new Date(r.atMs).toISOString(), p50ResponseTimeMs: r.p50Ms });
    byMonitor.set(r.monitorId, list);
  }
  return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), items: [...byMonitor].map(([monitorId, points]) => ({ monitorId, points })) };
}

/** Configuration as stored, for comparing an upsert with what is there (key order aside). */
function sameConfig(a: MonitorConfig, b: MonitorConfig): boolean {
  const canonical = (c: MonitorConfig) => JSON.stringify(Object.fromEntries(Object.entries(c).sort(([x], [y]) => x.localeCompare(y))));
  return canonical(a) === canonical(b);
}

function configOf(m: Monitor): MonitorConfig {
  const { id: _id, orgId: _org, pingToken: _t, paused: _p, revision: _r, status: _s, lastCheckedAt: _l, createdAt: _c, updatedAt: _u, ...config } = m;
  return config;
}

/**
 * Upsert by name (infrastructure as code): the URL name wins over the body's, and sending
 * the same body again changes nothing, not even `updatedAt`. A creation counts against the
 * create-monitor rate limit like POST /api/monitors (else upsert would bypass it); an update
 * does not.
 */
export async function upsertMonitorByName({ ctx, input }: { ctx: VerbContext; input: { name: string; body: MonitorBody } }) {
  const config = await configFrom(ctx.deps, { ...input.body, name: input.name });
  await assertOwnChannels(ctx, config);
  const orgId = ctx.principal.orgId;
  const existing = await ctx.deps.monitors.getByName(orgId, config.name);
  await ctx.deps.quotas.assertInterval(orgId, config.intervalSeconds);
  if (!existing) {
    await ctx.countAgainst?.('createMonitor');
    await ctx.deps.quotas.assertCanAddMonitor(orgId);
    const created = await ctx.deps.monitors.create(orgId, config);
    await rescheduleHeartbeat(ctx.deps, created, true);
    await announce(ctx.deps, created, true);
    return presentMonitor(ctx, created);
  }
  if (sameConfig(configOf(existing), config)) return presentMonitor(ctx, existing);
  const replaced = await ctx.deps.monitors.replace(orgId, existing.id, config);
  if (!replaced) throw notFound(`monitor ${config.name}`);
  await rescheduleHeartbeat(ctx.deps, replaced, existing.type !== 'Job');
  await announce(ctx.deps, replaced, false);
  return presentMonitor(ctx, replaced);
}

export async function listPings({ ctx, input }: { ctx: VerbContext; input: { id: string; limit: number; offset: number } }) {
  const monitor = await mustGet(ctx, input.id);
  if (monitor.type !== 'Job') {
    throw validationError('only Job monitors receive pings', [{ field: '/id', message: `monitor ${monitor.id} is a ${monitor.type} monitor` }]);
  }
  const { items, totalCount } = await ctx.deps.heartbeats.listPings(monitor.orgId, monitor.id, input.limit, input.offset);
  return { items: items.map(presentPing), totalCount };
}

export async function pauseMonitor({ ctx, input }: { ctx: VerbContext; input: { id: string } }) {
  await mustGet(ctx, input.id);
  const monitor = (await ctx.deps.monitors.setPaused(ctx.principal.orgId, input.id, true))!;
  // Pausing stops checks and alerts: an outage in progress ends here, not at some later check,
  // and its end is announced like any other (incident.resolved, in the same transaction).
  const atMs = (ctx.deps.now ?? Date.now)();
  await ctx.deps.sql.transaction(async (tx) => {
    const resolved = await ctx.deps.incidents.resolveOpen(monitor.id, atMs, tx);
    if (resolved) await new AlertOutbox().enqueue(tx, monitor, [decideIncidentEnded(monitor, resolved, atMs)], atMs);
  });
  await rescheduleHeartbeat(ctx.deps, monitor, false);
  await announce(ctx.deps, monitor, false);
  return presentMonitor(ctx, monitor);
}

/** Resuming checks the monitor at once (as the Enori document says), then on its schedule. */
export async function resumeMonitor({ ctx, input }: { ctx: VerbContext; input: { id: string } }) {
  const before = await mustGet(ctx, input.id);
  const monitor = (await ctx.deps.monitors.setPaused(ctx.principal.orgId, input.id, false))!;
  // A resumed Job's clock starts again now: the pause was not the job's lateness.
  await rescheduleHeartbeat(ctx.deps, monitor, before.paused);
  await announce(ctx.deps, monitor, before.paused);
  return presentMonitor(ctx, monitor);
}

/**
 * A check now, in every region of the monitor, outside the schedule — also for a paused
 * monitor, since the user asked for it explicitly (its result does not change the status). The jobs go straight
 * to the regions' agents; their results appear in `results` like any other.
 */
export async function checkMonitorNow({ ctx, input }: { ctx: VerbContext; input: { id: string } }) {
  const monitor = await mustGet(ctx, input.id);
  if (monitor.type === 'Job') {
    throw validationError('Job monitors are not checked by agents; their results come from pings to their pingUrl', [
      { field: '/type', message: 'check now is not available for Job monitors' },
    ]);
  }
  const scheduledAtMs = (ctx.deps.now ?? Date.now)();
  const jobs = monitor.regions.map((region) => buildCheckJob(monitor, region, scheduledAtMs));
  try {
    for (const job of jobs) {
      await ctx.deps.bus.publishWork(ctx.deps.subjects.jobs(job.region), encodeCheckJob(job), { msgId: job.jobId, deadlineMs: job.deadlineMs });
    }
  } catch {
    // The bus refuses rather than buffers while it is unreachable: a retry later is the client's call.
    throw new DomainError('UNAVAILABLE', 'Service unavailable', 'the job bus is unreachable; retry shortly');
  }
  return { monitorId: monitor.id, regions: monitor.regions, jobIds: jobs.map((j) => j.jobId), scheduledAt: new Date(scheduledAtMs).toISOString() };
}
