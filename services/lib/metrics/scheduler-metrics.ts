import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the scheduler reports (services/scheduler/scheduler.ts calls these). */
export interface SchedulerMetrics {
  /** One monitor's slot dispatched: how late after its due time the jobs were published. */
  dispatched(lateMs: number): void;
  published(region: string, jobs: number): void;
  /** Slots not sent: `paused` (maintenance pause window), `bus_unavailable` (recorded as missed). */
  skipped(reason: 'paused' | 'bus_unavailable', jobs: number): void;
  /** Reads the scheduler's state at scrape time. */
  observe(source: () => { monitors: number; leader: boolean; backlog?: number }): void;
}

export function createSchedulerMetrics(registry: Registry): SchedulerMetrics {
  const lateness = new Histogram({
    name: 'pharos_scheduler_dispatch_lateness_seconds',
    help: 'Time from a monitor slot\'s due time to its jobs being published.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const published = new Counter({ name: 'pharos_scheduler_jobs_published_total', help: 'Check jobs published to a region\'s work queue.', labelNames: ['region'], registers: [registry] });
  const skipped = new Counter({ name: 'pharos_scheduler_jobs_skipped_total', help: 'Check jobs not sent, by reason (paused: maintenance pause window; bus_unavailable: recorded as missed).', labelNames: ['reason'], registers: [registry] });
  let source: (() => { monitors: number; leader: boolean; backlog?: number }) | undefined;
  new Gauge({
    name: 'pharos_scheduler_monitors', help: 'Monitors this scheduler holds in memory.', registers: [registry],
    collect() { if (source) this.set(source().monitors); },
  });
  new Gauge({
    name: 'pharos_scheduler_leader', help: '1 while this scheduler holds the lease and publishes, 0 on standby.', registers: [registry],
    collect() { if (source) this.set(source().leader ? 1 : 0); },
  });
  new Gauge({
    name: 'pharos_scheduler_backlog_jobs', help: 'Jobs kept while the bus refuses them.', registers: [registry],
    collect() { if (source) this.set(source().backlog ?? 0); },
  });
  return {
    dispatched: (lateMs) => lateness.observe(Math.max(0, lateMs) / 1000),
    published: (region, jobs) => published.inc({ region }, jobs),
    skipped: (reason, jobs) => skipped.inc({ reason }, jobs),
    observe: (s) => { source = s; },
  };
}
