/**
 * The Encrata worker role (docs/encrata.md, "How runs work"). Two parts:
 *
 * - the scheduler loop: scans stored next-run times (and "run now" requests), opens a run per
 *   due monitor, and publishes its targets in chunks of up to 50 to the durable work queue
 *   `<prefix>.jobs.encrata` (JobBus publishWork: NATS JetStream or the in-process bus) on the
 *   same transaction, so a bus that refuses leaves the monitor due for the next scan;
 * - the enrichment consumer: takes chunks (consumeWork; workers share the queue), enriches
 *   each target with its type's module, and compares canonical snapshots: an unchanged hash
 *   costs no write; a changed one stores the snapshot, the changed tracked fields in the
 *   history, and an `entity.changed` event in the notifications outbox, on one transaction
 *   that also counts the chunk once (a redelivered chunk reports nothing twice).
 *
 * Enrichment never runs inside an api request. One wide log event per chunk.
 */
import type { Logger } from '../lib/logger.js';
import type { JobBus, Subscription, WorkMessage } from '../lib/ports/job-bus.js';
import type { SqlClient } from '../lib/ports/sql-client.js';
import type { Subjects } from '../lib/subjects.js';
import { randomUUID } from 'node:crypto';
import { AlertOutbox } from '../alerting/deliveries/outbox.js';
import { ALERT_TYPE_OF_EVENT, type EntityChangePayload } from '../alerting/events.js';
import { createPollLoop, type PollLoop } from '../lib/poll-loop.js';
import { nextRunAfter, type EntityType } from './model.js';
import { EntityMonitorStore, type FieldChange, type TargetSnapshot } from './store.js';
import { RunStore, type RunTally } from './runs.js';
import { canonicalRecord, changedFields, hashRecord, trackedFieldsOf } from './snapshot.js';
import type { Enricher, EnrichmentOutcome } from './enrichment/enricher.js';

/** Targets per work message: one transaction and at most one change event each. */
export const CHUNK_SIZE = 50;
/** Monitors opened per scan (the next scan takes the rest at once). */
const SCAN_BATCH = 20;
/** A chunk not taken within this is reported inconclusive (NATS keeps work messages an hour). */
const CHUNK_DEADLINE_MS = 50 * 60_000;

export const encrataWorkSubject = (subjects: Subjects) => subjects.jobs('encrata');

export interface EnrichmentJob { run_id: string; monitor_id: string; chunk: number; targets: string[] }

const encode = (job: EnrichmentJob) => new TextEncoder().encode(JSON.stringify(job));
const decode = (data: Uint8Array) => JSON.parse(new TextDecoder().decode(data)) as EnrichmentJob;

export interface EncrataSchedulerDeps { sql: SqlClient; bus: JobBus; subjects: Subjects; logger: Logger; now?: () => number; intervalMs: number }

/** Opens the runs of due monitors and queues their chunks; returns how many runs it opened. */
export async function openDueRuns(deps: EncrataSchedulerDeps): Promise<number> {
  const now = deps.now?.() ?? Date.now();
  const subject = encrataWorkSubject(deps.subjects);
  return deps.sql.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string; org_id: string; frequency: Parameters<typeof nextRunAfter>[0]; due: boolean; data_source_type: 'csv' | 'list'; data_source_ref: string | null; requested: boolean }>(
      `SELECT id, org_id, frequency, data_source_type, data_source_ref, next_run_at <= to_timestamp($1 / 1000.0) AS due, run_requested_at IS NOT NULL AS requested
       FROM encrata_monitors
       WHERE status = 'active' AND (run_requested_at IS NOT NULL OR next_run_at <= to_timestamp($1 / 1000.0))
       ORDER BY next_run_at LIMIT ${SCAN_BATCH} FOR UPDATE SKIP LOCKED`, [now]);
    const store = new EntityMonitorStore(tx);
    const runs = new RunStore(tx);
    for (const m of rows) {
      const targets = await store.targetsOf({ id: m.id, dataSourceType: m.data_source_type, dataSourceRef: m.data_source_ref });
      // Records of targets no longer listed (a list entry removed, a CSV replaced) go with them.
      await tx.query(`DELETE FROM encrata_snapshots WHERE monitor_id = $1 AND NOT (target = ANY($2::text[]))`, [m.id, targets]);
      const { rows: snap } = await tx.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM encrata_snapshots WHERE monitor_id = $1) AS any`, [m.id]);
      const chunks = Math.ceil(targets.length / CHUNK_SIZE);
      const runId = await runs.open(tx, { id: m.id, orgId: m.org_id }, m.due ? 'scheduled' : 'requested', !snap[0].any, targets.length, chunks, now);
      // (The work deadline is wall-clock time: the bus compares it with its own clock.)
      // A scheduled run sets the next one a period from now (no catch-up storm after an outage); a requested one keeps the schedule.
      await tx.query(
        `UPDATE encrata_monitors SET run_requested_at = NULL, last_run_at = to_timestamp($2 / 1000.0), next_run_at = COALESCE(to_timestamp($3 / 1000.0), next_run_at) WHERE id = $1`,
        [m.id, now, m.due ? nextRunAfter(m.frequency, now) : null]);
      for (let i = 0; i < chunks; i++) {
        const job: EnrichmentJob = { run_id: runId, monitor_id: m.id, chunk: i, targets: targets.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE) };
        await deps.bus.publishWork(subject, encode(job), { msgId: `${runId}.${i}`, deadlineMs: Date.now() + CHUNK_DEADLINE_MS });
      }
    }
    return rows.length;
  });
}

export function createEncrataScheduler(deps: EncrataSchedulerDeps): PollLoop {
  return createPollLoop({
    intervalMs: deps.intervalMs,
    step: async () => {
      // Take every due monitor before sleeping.
      while ((await openDueRuns(deps)) === SCAN_BATCH);
    },
    onError: (err) => deps.logger.warn({ err, component: 'encrata-scheduler' }, 'encrata scan failed; retrying at the next scan'),
  });
}

export interface EncrataWorkerDeps {
  sql: SqlClient;
  bus: JobBus;
  subjects: Subjects;
  logger: Logger;
  enrichers: { readonly [T in EntityType]: Enricher };
  /** Chunks worked on at once by this worker. */
  concurrency: number;
  /** Targets of one chunk enriched at once. */
  targetConcurrency?: number;
  now?: () => number;
  /** Called after a chunk queued notification deliveries (to nudge the delivery workers). */
  onDeliveriesQueued?: () => void;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) { const i = next++; out[i] = await fn(items[i]); }
  }));
  return out;
}

interface TargetVerdict {
  target: string;
  write: { hash: string; record: Record<string, unknown>; inconclusive: string[]; changed: boolean } | null;
  changes: FieldChange[];
  record: Record<string, unknown>;
  inconclusive: boolean;
}

/** Compares one target's fresh enrichment with its last snapshot. */
export function judge(type: EntityType, tracked: readonly string[], target: string, outcome: EnrichmentOutcome, previous: TargetSnapshot | undefined): TargetVerdict {
  const record = { ...outcome.record };
  const unanswered = [...new Set(outcome.inconclusive.map((i) => i.section))].sort();
  // A section no source could answer keeps its last known value: never a change.
  if (previous) for (const section of unanswered) record[section] = previous.record[section] ?? null;
  const canonical = canonicalRecord(type, record);
  const hash = hashRecord(canonical);
  const inconclusive = unanswered.length > 0;
  if (previous && previous.hash === hash && previous.inconclusive.join() === unanswered.join()) {
    return { target, write: null, changes: [], record: canonical, inconclusive };
  }
  const changes = previous ? changedFields(previous.record, canonical, tracked, previous.inconclusive) : [];
  return { target, write: { hash, record: canonical, inconclusive: unanswered, changed: changes.length > 0 }, changes, record: canonical, inconclusive };
}

export async function startEncrataWorker(deps: EncrataWorkerDeps): Promise<Subscription> {
  const store = new EntityMonitorStore(deps.sql);
  const runs = new RunStore(deps.sql);
  const outbox = new AlertOutbox();
  const now = () => deps.now?.() ?? Date.now();
  const log = deps.logger.child({ component: 'encrata-worker' });

  async function work(msg: WorkMessage): Promise<void> {
    const started = Date.now();
    const job = decode(msg.data);
    const monitor = await store.getById(job.monitor_id);
    if (!monitor) { log.info({ runId: job.run_id, monitorId: job.monitor_id, outcome: 'monitor_deleted' }, 'encrata chunk'); return; }
    const { rows: runRows } = await deps.sql.query<{ baseline: boolean }>(`SELECT baseline FROM encrata_runs WHERE id = $1`, [job.run_id]);
    // The scan publishes inside its transaction: a chunk can arrive before the run is visible.
    // Handed back, it is redelivered after the commit (or, if the scan rolled back, dropped
    // after its deliveries: the monitor is still due and the next scan opens a new run).
    if (!runRows[0]) throw new Error(`run ${job.run_id} is not visible (yet)`);
    const baseline = runRows[0].baseline;
    const type = monitor.monitorType;
    const tracked = trackedFieldsOf(type, monitor.trackedFields);
    const pins = type === 'company' ? await store.pins(monitor.id) : new Map<string, string>();
    const previous = await store.snapshots(monitor.id, job.targets);
    const signal = AbortSignal.timeout(CHUNK_DEADLINE_MS);
    const verdicts = await mapLimit(job.targets, deps.targetConcurrency ?? 16, async (target) => {
      const outcome = await deps.enrichers[type].enrich(target, { signal, pinnedId: pins.get(target) });
      return judge(type, tracked, target, outcome, previous.get(target));
    });
    const tally: RunTally = {
      changed: verdicts.filter((v) => v.changes.length > 0).length,
      unchanged: verdicts.filter((v) => v.changes.length === 0).length,
      inconclusive: verdicts.filter((v) => v.inconclusive).length,
    };
    const at = now();
    let queued = 0;
    const fresh = await deps.sql.transaction(async (tx) => {
      if (!(await runs.countChunk(tx, job.run_id, job.chunk, tally, at))) return false;
      for (const v of verdicts) {
        if (!v.write) continue;
        await tx.query(
          `INSERT INTO encrata_snapshots (monitor_id, target, hash, record, inconclusive, enriched_at, changed_at)
           VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, to_timestamp($6 / 1000.0), to_timestamp($6 / 1000.0))
           ON CONFLICT (monitor_id, target) DO UPDATE SET hash = EXCLUDED.hash, record = EXCLUDED.record, inconclusive = EXCLUDED.inconclusive,
             enriched_at = EXCLUDED.enriched_at, changed_at = CASE WHEN $7 THEN EXCLUDED.changed_at ELSE encrata_snapshots.changed_at END`,
          [monitor.id, v.target, v.write.hash, JSON.stringify(v.write.record), JSON.stringify(v.write.inconclusive), at, v.write.changed]);
        if (v.changes.length > 0) {
          await tx.query(`INSERT INTO encrata_changes (id, monitor_id, run_id, target, changes, created_at) VALUES ($1, $2, $3, $4, $5::jsonb, to_timestamp($6 / 1000.0)) ON CONFLICT DO NOTHING`,
            [randomUUID(), monitor.id, job.run_id, v.target, JSON.stringify(v.changes), at]);
        }
      }
      const reported = monitor.changeDetection === 'full_refresh'
        ? verdicts.map((v) => ({ target: v.target, changes: v.changes, record: v.record }))
        : baseline ? [] : verdicts.filter((v) => v.changes.length > 0).map((v) => ({ target: v.target, changes: v.changes }));
      if (reported.length > 0) {
        const entityChange: EntityChangePayload = {
          monitor: { id: monitor.id, name: monitor.name, monitor_type: type, change_detection: monitor.changeDetection },
          run_id: job.run_id, baseline, targets: reported,
        };
        const changedCount = reported.filter((r) => r.changes.length > 0).length;
        queued = await outbox.enqueueForOrganization(tx, monitor.orgId, {
          event: 'entity.changed', orgId: monitor.orgId, monitor: null, entityChange,
          alert: {
            type: ALERT_TYPE_OF_EVENT['entity.changed'],
            message: `${monitor.name}: ${changedCount} of ${verdicts.length} ${type} target${verdicts.length === 1 ? '' : 's'} changed${monitor.changeDetection === 'full_refresh' ? ' (full refresh)' : ''}`,
            timestamp: new Date(at).toISOString(), responseTimeMs: null,
          },
        }, at);
      }
      return true;
    });
    if (queued > 0) deps.onDeliveriesQueued?.();
    log.info({
      runId: job.run_id, monitorId: monitor.id, orgId: monitor.orgId, monitorType: type, chunk: job.chunk, targets: job.targets.length,
      ...tally, written: verdicts.filter((v) => v.write).length, deliveriesQueued: queued, redelivered: !fresh, durationMs: Date.now() - started,
    }, 'encrata chunk');
  }

  return deps.bus.consumeWork({
    subject: encrataWorkSubject(deps.subjects),
    maxInFlight: deps.concurrency,
    maxDeliver: 5,
    ackWaitMs: 60_000,
    holdMs: CHUNK_DEADLINE_MS,
    // Not taken in time: the chunk's targets count as inconclusive; nothing else changes.
    onExpired: async (msg) => {
      const job = decode(msg.data);
      await deps.sql.transaction((tx) => runs.countChunk(tx, job.run_id, job.chunk, { changed: 0, unchanged: 0, inconclusive: job.targets.length }, now()));
      log.warn({ runId: job.run_id, monitorId: job.monitor_id, chunk: job.chunk, outcome: 'expired' }, 'encrata chunk');
    },
  }, work);
}
