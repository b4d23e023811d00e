/**
 * Deliveries per second from one alerting process (one delivery worker) to a loopback
 * Webhook receiver: N due (event, channel) rows in the outbox, then the worker leases, signs,
 * POSTs and records each. Times from the worker's start to the last record Sent.
 * PGlite (the embedded default), or Postgres when PHAROS_BENCH_DATABASE_URL is set.
 * Run: node --import tsx test/bench/alert-deliveries.bench.ts [deliveries]
 * BENCH_MAX_IN_FLIGHT sets the worker's maxInFlight (default: the worker's own).
 */
import { monitorDefaults } from '../../services/lib/monitors/model.js';
import { newId } from '../../services/lib/store/ids.js';
import { startAlertingStack } from './support/alerting-stack.js';

const N = Number(process.argv[2] ?? process.env.BENCH_DELIVERIES ?? 5000);
const stack = await startAlertingStack();
const { h, orgId, channelId } = stack;
const engine = process.env.PHAROS_BENCH_DATABASE_URL ? 'postgres' : 'pglite';

const monitor = await h.monitors.create(orgId, { ...monitorDefaults(['local']), name: 'bench', type: 'Website', url: 'https://example.com', alertChannelIds: [channelId] });
const template = {
  event: 'monitor.down', orgId, monitor: { id: monitor.id, name: 'bench', url: 'https://example.com', type: 'Website' },
  alert: { type: 'Down', message: 'bench is down: connection refused', timestamp: new Date().toISOString(), responseTimeMs: null },
};
// N events with one delivery each, due now, written in chunks as the status transactions would.
const atMs = Date.now();
for (let i = 0; i < N; i += 500) {
  const ids = Array.from({ length: Math.min(500, N - i) }, () => newId('evt'));
  await h.sql.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO alert_events (id, org_id, monitor_id, type, payload, created_at)
       SELECT e, $2, $3, 'monitor.down', jsonb_set($4::jsonb, '{id}', to_jsonb(e)), to_timestamp($5 / 1000.0) FROM unnest($1::text[]) AS e`,
      [ids, orgId, monitor.id, JSON.stringify(template), atMs]);
    await tx.query(
      `INSERT INTO alert_deliveries (id, event_id, org_id, monitor_id, channel_id, channel_name, channel_type, alert_type, status, next_attempt_at, created_at, updated_at)
       SELECT 'alr_' || e, e, $2, $3, $4, 'bench', 'Webhook', 'Down', 'Pending', to_timestamp($5 / 1000.0), to_timestamp($5 / 1000.0), to_timestamp($5 / 1000.0)
         FROM unnest($1::text[]) AS e`,
      [ids, orgId, monitor.id, channelId, atMs]);
  });
}

const sentCount = async () => Number((await h.sql.query<{ n: string }>(`SELECT count(*) AS n FROM alert_deliveries WHERE status = 'Sent'`)).rows[0].n);
const started = performance.now();
const maxInFlight = process.env.BENCH_MAX_IN_FLIGHT ? Number(process.env.BENCH_MAX_IN_FLIGHT) : undefined;
const worker = stack.startWorker(maxInFlight ? { maxInFlight } : {});
worker.nudge();
for (;;) {
  if (stack.arrivals.length >= N && (await sentCount()) >= N) break;
  await new Promise((r) => setTimeout(r, 20));
}
const ms = performance.now() - started;
const unique = new Set(stack.arrivals.map((a) => a.webhookId)).size;
await stack.close();

const figures = { bench: 'alert-deliveries', engine, deliveries: N, maxInFlight: maxInFlight ?? 'default', received: stack.arrivals.length, unique, seconds: Math.round(ms) / 1000, perSecond: Math.round(N / (ms / 1000)) };
console.log(`BENCH ${JSON.stringify(figures)}`);
if (unique !== N) { console.error(`expected ${N} distinct deliveries, got ${unique}`); process.exit(1); }
