import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS } from './registry.js';

/** What alerting reports (services/alerting/instrumented.ts wires these around its stores and sender). */
export interface AlertingMetrics {
  evaluated(): void;
  transitioned(from: string, to: string): void;
  delivered(channelType: string, ok: boolean, seconds: number): void;
  /** Counts outbox rows still to send, at scrape time (a query: bounded by a timeout). */
  observePending(count: () => Promise<number>): void;
}

export function createAlertingMetrics(registry: Registry): AlertingMetrics {
  const evaluations = new Counter({ name: 'pharos_alerting_evaluations_total', help: 'Check results evaluated by the monitor status state machine.', registers: [registry] });
  const transitions = new Counter({ name: 'pharos_alerting_status_transitions_total', help: 'Monitor status changes, by from and to status.', labelNames: ['from', 'to'], registers: [registry] });
  const deliveries = new Counter({ name: 'pharos_alerting_deliveries_total', help: 'Notification delivery attempts, by channel type and outcome (sent, failed).', labelNames: ['channel_type', 'outcome'], registers: [registry] });
  const latency = new Histogram({ name: 'pharos_alerting_delivery_duration_seconds', help: 'Time one delivery attempt took.', labelNames: ['channel_type'], buckets: LATENCY_BUCKETS, registers: [registry] });
  let pending: (() => Promise<number>) | undefined;
  new Gauge({
    name: 'pharos_alerting_outbox_pending', help: 'Deliveries in the outbox still to send (Pending or Retrying).', registers: [registry],
    async collect() {
      if (!pending) return;
      // A slow database must not hang the scrape: leave the last value.
      const n = await Promise.race([pending().catch(() => undefined), new Promise<undefined>((r) => setTimeout(() => r(undefined), 2000).unref())]);
      if (n !== undefined) this.set(n);
    },
  });
  return {
    evaluated: () => evaluations.inc(),
    transitioned: (from, to) => transitions.inc({ from, to }),
    delivered(channelType, ok, seconds) {
      deliveries.inc({ channel_type: channelType, outcome: ok ? 'sent' : 'failed' });
      latency.observe({ channel_type: channelType }, seconds);
    },
    observePending: (count) => { pending = count; },
  };
}
