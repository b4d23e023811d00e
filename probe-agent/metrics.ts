/**
 * The probe agent's Prometheus metrics. Imports prom-client only (no storage code), so the
 * agent's module closure stays small (test/e2e/agent-closure.test.ts).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { CheckType } from '../proto/generated/pharos/v1/check.js';
import { CheckStatus, type CheckResult } from '../proto/generated/pharos/v1/result.js';

export interface AgentGaugeSource {
  inFlight: number;
  outboxResults: number;
  outboxBytes: number;
  /** Age of the oldest unacknowledged result, ms (0 when the outbox is empty). */
  outboxOldestAgeMs: number;
  connected: boolean;
}

export interface AgentMetrics {
  checked(result: CheckResult): void;
  reconnecting(): void;
  /** Adds an agent whose state the gauges read at scrape time. */
  observe(source: () => AgentGaugeSource): void;
}

/** `CHECK_TYPE_WEBSITE` → `website`: the label values dashboards show. */
const typeName = (t: CheckType): string => (CheckType[t] ?? 'CHECK_TYPE_UNSPECIFIED').replace(/^CHECK_TYPE_/, '').toLowerCase();
const outcomeName = (s: CheckStatus): string => (CheckStatus[s] ?? 'CHECK_STATUS_UNSPECIFIED').replace(/^CHECK_STATUS_/, '').toLowerCase();

export function createAgentMetrics(registry: Registry): AgentMetrics {
  const checks = new Counter({ name: 'pharos_agent_checks_total', help: 'Checks finished, by check type and outcome (up, down, skipped).', labelNames: ['type', 'outcome'], registers: [registry] });
  const duration = new Histogram({
    name: 'pharos_agent_check_duration_seconds', help: 'Time a check took (its total timing), by check type.', labelNames: ['type'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: [registry],
  });
  const reconnects = new Counter({ name: 'pharos_agent_ingest_reconnects_total', help: 'Times the agent reconnected to ingest after its result stream broke or could not open.', registers: [registry] });
  // One source per agent of the process (`pharos dev` runs one per region): summed, the oldest age is the largest.
  const sources: Array<() => AgentGaugeSource> = [];
  const gauge = (name: string, help: string, read: (s: AgentGaugeSource) => number, combine: (a: number, b: number) => number = (a, b) => a + b) => new Gauge({
    name, help, registers: [registry],
    collect() {
      if (sources.length) this.set(sources.map((s) => read(s())).reduce(combine));
    },
  });
  gauge('pharos_agent_outbox_results', 'Results in the outbox not yet acknowledged by ingest.', (s) => s.outboxResults);
  gauge('pharos_agent_outbox_bytes', 'Encoded bytes of the results in the outbox.', (s) => s.outboxBytes);
  gauge('pharos_agent_outbox_oldest_age_seconds', 'Age of the oldest result in the outbox (0 when empty).', (s) => s.outboxOldestAgeMs / 1000, Math.max);
  gauge('pharos_agent_checks_in_flight', 'Checks running now.', (s) => s.inFlight);
  gauge('pharos_agent_ingest_connected', 'Result streams to ingest open now (1 per connected agent).', (s) => (s.connected ? 1 : 0));
  return {
    checked(result) {
      const type = typeName(result.type);
      checks.inc({ type, outcome: outcomeName(result.status) });
      const totalMs = result.timings?.totalMs ?? 0;
      if (totalMs > 0) duration.observe({ type }, totalMs / 1000);
    },
    reconnecting: () => reconnects.inc(),
    observe: (s) => { sources.push(s); },
  };
}
