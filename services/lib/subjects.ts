/**
 * Every NATS subject Pharos uses, in one place, with its delivery semantics
 * (DESIGN.md §4). `prefix` isolates deployments and test suites sharing one NATS.
 *
 * | subject                          | semantics                                   | producer → consumer            |
 * | -------------------------------- | ------------------------------------------- | ------------------------------ |
 * | <p>.jobs.<region>                | JetStream work queue, msgId = job id, expires at the job's deadline; one pull consumer per region shared by its agents | scheduler, api (check now) → one agent of region |
 * | <p>.monitors.changed             | core fan-out (a missed notice is repaired by the scheduler's periodic full reload) | api → scheduler |
 * | <p>.durable.results.<region>     | JetStream, explicit ack, msgId = result id  | ingest → alerting (status)      |
 * | <p>.durable.heartbeats           | JetStream, explicit ack, msgId = batch id; a ResultBatch of Job results | api (pings), scheduler (watchdog) → ingest |
 * | <p>.durable.missed               | JetStream, explicit ack, msgId = batch id; a ResultBatch of missed slots | scheduler → ingest |
 *
 * Durable subjects live in one stream, `durableStreamName(prefix)`, bound to `<p>.durable.>`.
 * Job subjects live in one work-queue stream, `workStreamName(prefix)`, bound to
 * `<p>.jobs.>`, with one consumer per subject, `workConsumerName(subject)`.
 */
export interface Subjects {
  prefix: string;
  jobs(region: string): string;
  monitorsChanged: string;
  results(region: string): string;
  allResults: string;
  heartbeatResults: string;
  missedResults: string;
  durableStream: string;
  durableAll: string;
}

export function subjectsFor(prefix: string): Subjects {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new Error(`invalid subject prefix "${prefix}"`);
  return {
    prefix,
    jobs: (region) => `${prefix}.jobs.${region}`,
    monitorsChanged: `${prefix}.monitors.changed`,
    results: (region) => `${prefix}.durable.results.${region}`,
    allResults: `${prefix}.durable.results.>`,
    heartbeatResults: `${prefix}.durable.heartbeats`,
    missedResults: `${prefix}.durable.missed`,
    durableStream: durableStreamName(prefix),
    durableAll: `${prefix}.durable.>`,
  };
}

export function workStreamName(prefix: string): string {
  return `${prefix.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase()}_JOBS`;
}

/** The consumer every consumer of one work subject shares (`pharos.jobs.UsEast` → `pharos_jobs_UsEast`). */
export function workConsumerName(subject: string): string {
  return subject.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** Reply subjects of a region's agents (deploy/nats/nats.conf lets them subscribe to these only). */
export function agentInboxPrefix(region: string): string {
  return `_INBOX_agents_${region.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export function durableStreamName(prefix: string): string {
  return `${prefix.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase()}_DURABLE`;
}
