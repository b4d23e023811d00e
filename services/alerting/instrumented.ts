/**
 * Alerting's metrics, kept outside the status path and the delivery worker: a status store
 * that counts evaluations and transitions, a sender that counts and times each delivery,
 * and the outbox's pending count for scrapes.
 */
import type { AlertingMetrics } from '../lib/metrics/alerting-metrics.js';
import type { SqlClient } from '../lib/ports/sql-client.js';
import type { DeliverEvent } from './channels/channel.js';
import { MonitorStatusStore } from './status-store.js';

/** Each `update` is one result evaluated by the state machine; a non-null answer with from/to is a status change. */
export class CountingStatusStore extends MonitorStatusStore {
  constructor(sql: SqlClient, private readonly metrics: AlertingMetrics) {
    super(sql);
  }

  override async update<T>(
    orgId: string,
    monitorId: string,
    fn: Parameters<MonitorStatusStore['update']>[2],
    alongside?: (tx: SqlClient, result: T) => Promise<void>,
  ): Promise<T | null> {
    this.metrics.evaluated();
    const out = await super.update<T>(orgId, monitorId, fn as never, alongside);
    const change = out as { from?: unknown; to?: unknown } | null;
    if (change && typeof change.from === 'string' && typeof change.to === 'string') this.metrics.transitioned(change.from, change.to);
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
