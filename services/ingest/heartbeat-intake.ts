/**
 * Job monitors' results (from pings and the lateness watchdog) reach ingest on a durable
 * subject rather than an agent stream; from here they take the agents' path: de-duplicated
 * by result id, stored, then handed to alerting. A batch is acknowledged only after that.
 */
import { ResultBatch } from '../../proto/generated/pharos/v1/agent.js';
import type { JobBus, Subscription } from '../lib/ports/job-bus.js';
import type { Subjects } from '../lib/subjects.js';
import { HEARTBEAT_REGION } from '../lib/monitors/model.js';
import type { ResultWriter } from './result-writer.js';
import { toStoredResult } from './to-stored-result.js';

export const HEARTBEAT_INTAKE_CONSUMER = 'ingest-heartbeats';
/** Messages handed over before the first is acked. */
export const INTAKE_IN_FLIGHT = 256;

export function startHeartbeatIntake(deps: { bus: JobBus; subjects: Subjects; writer: ResultWriter; retentionDays: number }): Promise<Subscription> {
  return deps.bus.consumeDurable(
    // Many messages at once: each waits for its insert (up to the writer's quietDelayMs), and
    // one ping is one message, so one at a time would be one ping per insert.
    { durable: HEARTBEAT_INTAKE_CONSUMER, subject: deps.subjects.heartbeatResults, maxDeliver: 50, ackWaitMs: 30_000, maxInFlight: INTAKE_IN_FLIGHT },
    async (msg) => {
      const batch = ResultBatch.decode(msg.data);
      // The region is the server's, whatever a message says, as ingest does for agents' tokens.
      const items = batch.results.map((r) => {
        const message = { ...r, region: HEARTBEAT_REGION };
        return { stored: toStoredResult(message, HEARTBEAT_REGION, deps.retentionDays), message };
      });
      await deps.writer.write(items);
    },
  );
}
