/**
 * Alerting's metrics, kept outside the status path and the delivery worker: a status store
 * that counts evaluations and transitions, a sender that counts and times each delivery,
 * and the outbox's pending count for scrapes.
 */
import type { AlertingMetrics } from '../lib/metrics/alerting-metrics.js';
import type { SqlClient } from '../lib/ports/sql-client.js';
import type { DeliverEvent } from './channels/channel.js';
import { MonitorStatusStore, type StatusBatch } from './status-store.js';

/**
 * Each `set` in a batch is one result evaluated by the state machine; a new status is a
 * transition. Counted once the batch's transaction commits, so a batch rolled back and
 * retried result by result is not counted twice.
 */
export class CountingStatusStore extends MonitorStatusStore {
  constructor(sql: SqlClient, private readonly metrics: AlertingMetrics) {
    super(sql);
  }

  override async updateMany<T>(monitors: ReadonlyArray<{ orgId: string; monitorId: string }>, run: (batch: StatusBatch) => Promise<T>): Promise<T> {
    let evaluated = 0;
    let transitions: Array<[string, string]> = [];
    const out = await super.updateMany(monitors, (batch) => {
      evaluated = 0;
      transitions = [];
      const counted: StatusBatch = {
        tx: batch.tx,
        get: (id) => batch.get(id),
        write: () => batch.write(),
        set: (id, state) => {
          evaluated++;
          const from = batch.get(id).status;
          if (from !== state.status) transitions.push([from, state.status]);
          batch.set(id, state);
        },
      };
      return run(counted);
    });
    for (let i = 0; i < evaluated; i++) this.metrics.evaluated();
    for (const [from, to] of transitions) this.metrics.transitioned(from, to);
    return out;
  }
}

/** The same sender, each attempt counted by channel type and outcome and timed (a throw counts as failed). */
export function countedDeliveries(deliver: DeliverEvent, metrics: AlertingMetrics): DeliverEvent {
  return async (channel, event, ctx) => {
    const started = performance.now();
    let ok = false;
    try {
      const outcome = await deliver(channel, event, ctx);
      ok = outcome.ok;
      return outcome;
    } finally {
      metrics.delivered(channel.type, ok, (performance.now() - started) / 1000);
    }
  };
}

/** Deliveries still to send, for the `pharos_alerting_outbox_pending` gauge. */
export function pendingDeliveries(sql: SqlClient): () => Promise<number> {
  return async () => {
    const { rows } = await sql.query<{ n: string | number }>(`SELECT count(*) AS n FROM alert_deliveries WHERE status IN ('Pending', 'Retrying')`);
    return Number(rows[0]?.n ?? 0);
  };
}
