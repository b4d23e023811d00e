/**
 * The Diligent monitorings use cases: create (the document's POST /monitorings), list, get,
 * update, delete, run now, executions. Validation problems are DiligentValidationError
 * (zod-style issues); everything else is a DomainError mapped by routes.ts.
 */
import { randomUUID } from 'node:crypto';
import { DomainError } from '../../../lib/errors.js';
import { effectiveLimits, planLimitExceeded } from '../../../lib/tenancy/plans.js';
import { defaultExpiry, periodMs } from '../../../diligent/contract.js';
import type { Execution, Monitoring, MonitoringChanges, MonitoringStore } from '../../../diligent/store.js';
import { sanitiseWebsite, websiteAllowed, type WebsitePolicy } from '../../../diligent/website-url.js';
import type { VerbContext } from '../../context.js';
import { DiligentValidationError, URL_REFUSED, expiryIssue } from './issues.js';
import mccData from '../../../diligent/data/mcc.json' with { type: 'json' };

/** The request parsers (zod) load with the first Diligent request, not at start. */
let inputModule: Promise<typeof import('./input.js')> | undefined;
const parsers = () => (inputModule ??= import('./input.js'));

export type DiligentVerbContext = VerbContext & {
  monitorings: MonitoringStore;
  websitePolicy: WebsitePolicy;
  /** Tells the scheduler a run was requested (a core notice; losing it only delays the run to the next poll). */
  announceDue: () => Promise<void>;
};

const iso = (v: number | null) => (v === null ? null : new Date(v).toISOString());
const now = (ctx: VerbContext) => (ctx.deps.now ?? Date.now)();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function presentMonitoring(m: Monitoring, latest: Execution | undefined) {
  return {
    id: m.id, website: m.website, customer_id: m.orgId, checks: m.checks, frequency: m.frequency, expires_at: iso(m.expiresAtMs)!,
    is_active: m.isActive, running_state: m.runningState, next_run_at: iso(m.nextRunAtMs), last_execution: iso(m.lastExecutionMs),
    execution_results: (latest?.results ?? []) as Array<Record<string, unknown>>, created_at: iso(m.createdAtMs)!, updated_at: iso(m.updatedAtMs)!,
  };
}

function presentExecution(e: Execution) {
  return {
    id: e.id, monitoring_id: e.monitoringId, trigger: e.trigger, status: e.status, checks: e.checks, queued_at: iso(e.queuedAtMs)!,
    started_at: iso(e.startedAtMs), finished_at: iso(e.finishedAtMs), results: (e.results ?? []) as Array<Record<string, unknown>>,
  };
}

const notFound = () => new DomainError('NOT_FOUND', 'Not found', 'Monitoring not found');

async function mustGet(ctx: DiligentVerbContext, id: string): Promise<Monitoring> {
  const m = UUID.test(id) ? await ctx.monitorings.get(ctx.principal.orgId, id) : undefined;
  if (!m) throw notFound();
  return m;
}

async function withLatest(ctx: DiligentVerbContext, m: Monitoring) {
  return presentMonitoring(m, (await ctx.monitorings.latestResults([m.id])).get(m.id));
}

/**
 * A monitoring counts against the plan's monitor quota, beside uptime monitors: both are
 * "things watched" and the plans name no separate limit (docs/decisions.md).
 */
async function assertQuota(ctx: DiligentVerbContext): Promise<void> {
  const org = await ctx.deps.orgs.get(ctx.principal.orgId);
  if (!org) return;
  const { monitors } = effectiveLimits(org.plan, org.addons);
  if (monitors === null) return;
  const { rows } = await ctx.deps.sql.query<{ n: number }>(`SELECT (SELECT count(*) FROM monitors WHERE org_id = $1) + (SELECT count(*) FROM diligent_monitorings WHERE org_id = $1) AS n`, [org.id]);
  if (Number(rows[0]?.n ?? 0) >= monitors) throw planLimitExceeded(org.plan, 'monitors', monitors);
}

export async function createMonitoring({ ctx, input }: { ctx: DiligentVerbContext; input: unknown }) {
  const t = now(ctx);
  const body = (await parsers()).parseCreate(input, t);
  const site = sanitiseWebsite(body.website);
  if (!site || !(await websiteAllowed(site, ctx.websitePolicy))) throw new DiligentValidationError([URL_REFUSED]);
  // A duplicate is answered as one even at the quota (the insert's unique index still decides races).
  if (await ctx.monitorings.hasOrigin(ctx.principal.orgId, site.canonicalOrigin)) throw new DuplicateMonitoring();
  await assertQuota(ctx);
  const created = await ctx.monitorings.create({
    id: randomUUID(), orgId: ctx.principal.orgId, website: site.website, canonicalOrigin: site.canonicalOrigin, checks: body.checks, frequency: body.frequency,
    nextRunAtMs: t + periodMs(body.frequency), runRequested: body.runNow, expiresAtMs: body.expiresAtMs ?? defaultExpiry(t), nowMs: t,
  });
  if (!created) throw new DuplicateMonitoring();
  if (body.runNow) await ctx.announceDue();
  return presentMonitoring(created, undefined);
}

/** `{"error": "Monitor already exists"}`, the document's words. */
export class DuplicateMonitoring extends Error {
  constructor() {
    super('Monitor already exists');
    this.name = 'DuplicateMonitoring';
  }
}

export async function listMonitorings({ ctx, input }: { ctx: DiligentVerbContext; input: unknown }) {
  const { limit, offset } = (await parsers()).parsePage(input);
  const { items, total } = await ctx.monitorings.list(ctx.principal.orgId, limit, offset);
  const latest = await ctx.monitorings.latestResults(items.map((m) => m.id));
  return { data: items.map((m) => presentMonitoring(m, latest.get(m.id))), total, limit, offset };
}

export async function getMonitoring({ ctx, input }: { ctx: DiligentVerbContext; input: { id: string } }) {
  return withLatest(ctx, await mustGet(ctx, input.id));
}

export async function updateMonitoring({ ctx, input }: { ctx: DiligentVerbContext; input: { id: string; body: unknown } }) {
  const changes = (await parsers()).parseUpdate(input.body);
  const m = await mustGet(ctx, input.id);
  const t = now(ctx);
  const frequency = changes.frequency ?? m.frequency;
  const expiresAtMs = changes.expiresAtMs ?? m.expiresAtMs;
  const active = changes.isActive ?? m.isActive;
  // A new expiry, or a change that makes the old one matter again, must satisfy the creation rule.
  if (changes.expiresAtMs !== undefined || (active && (changes.frequency !== undefined || (changes.isActive && !m.isActive)))) {
    const issue = expiryIssue(expiresAtMs, frequency, t);
    if (issue) throw new DiligentValidationError([issue]);
  }
  const update: MonitoringChanges = { checks: changes.checks, frequency: changes.frequency, expiresAtMs: changes.expiresAtMs, isActive: changes.isActive };
  // The next run follows the new period from the last run (or creation), never in the past.
  if (changes.frequency !== undefined || (changes.isActive && !m.isActive)) {
    update.nextRunAtMs = Math.max(t, (m.lastExecutionMs ?? m.createdAtMs) + periodMs(frequency));
  }
  const updated = await ctx.monitorings.update(ctx.principal.orgId, m.id, update, t);
  if (!updated) throw notFound();
  return withLatest(ctx, updated);
}

export async function deleteMonitoring({ ctx, input }: { ctx: DiligentVerbContext; input: { id: string } }) {
  if (!UUID.test(input.id) || !(await ctx.monitorings.delete(ctx.principal.orgId, input.id))) throw notFound();
}

export async function runMonitoringNow({ ctx, input }: { ctx: DiligentVerbContext; input: { id: string } }) {
  const m = await mustGet(ctx, input.id);
  if (!m.isActive) throw new DomainError('CONFLICT', 'Conflict', 'Monitoring is not active');
  const updated = await ctx.monitorings.requestRun(ctx.principal.orgId, m.id, now(ctx));
  if (!updated) throw notFound();
  await ctx.announceDue();
  return withLatest(ctx, updated);
}

export async function listExecutions({ ctx, input }: { ctx: DiligentVerbContext; input: { id: string; query: unknown } }) {
  const { limit, offset } = (await parsers()).parsePage(input.query);
  const m = await mustGet(ctx, input.id);
  const { items, total } = await ctx.monitorings.executions(ctx.principal.orgId, m.id, limit, offset);
  return { data: items.map(presentExecution), total, limit, offset };
}

/** The shipped high-risk MCC table, the organization's overrides, and the set in force. */
async function presentMccSettings(ctx: DiligentVerbContext) {
  const overrides = await ctx.monitorings.mccOverrides(ctx.principal.orgId);
  const effective = new Set(mccData.highRisk.map((h) => h.mcc));
  for (const [mcc, high] of overrides) if (high) effective.add(mcc); else effective.delete(mcc);
  return {
    table_version: mccData.version,
    program: mccData.highRisk.map((h) => ({ mcc: h.mcc, program: h.program, tier: h.tier })),
    overrides: [...overrides].map(([mcc, high]) => ({ mcc, high_risk: high })),
    high_risk_mccs: [...effective].sort(),
  };
}

export async function getMccSettings({ ctx }: { ctx: DiligentVerbContext; input?: unknown }) {
  return presentMccSettings(ctx);
}

export async function replaceMccSettings({ ctx, input }: { ctx: DiligentVerbContext; input: unknown }) {
  await ctx.monitorings.replaceMccOverrides(ctx.principal.orgId, (await parsers()).parseMccOverrides(input));
  return presentMccSettings(ctx);
}
