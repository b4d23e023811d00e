/**
 * Missed slots recorded by the scheduler (services/scheduler/gap-recorder.ts) reach ingest on
 * a durable subject and take the agents' path from here: de-duplicated by result id (so a
 * real result that arrived first for the slot wins), stored, handed to alerting (which
 * ignores them). Only `missed` results are accepted here: this subject cannot claim a check
 * ran.
 */
import { ResultBatch } from '../../proto/generated/pharos/v1/agent.js';
import { CheckStatus } from '../../proto/generated/pharos/v1/result.js';
import type { JobBus, Subscription } from '../lib/ports/job-bus.js';
import type { Subjects } from '../lib/subjects.js';
import type { Logger } from '../lib/logger.js';
import type { ResultWriter } from './result-writer.js';
import { toStoredResult } from './to-stored-result.js';
import { INTAKE_IN_FLIGHT } from './heartbeat-intake.js';

export const MISSED_INTAKE_CONSUMER = 'ingest-missed';

export function startMissedIntake(deps: { bus: JobBus; subjects: Subjects; writer: ResultWriter; retentionDays: number; logger: Logger }): Promise<Subscription> {
  return deps.bus.consumeDurable(
    { durable: MISSED_INTAKE_CONSUMER, subject: deps.subjects.missedResults, maxDeliver: 50, ackWaitMs: 30_000, maxInFlight: INTAKE_IN_FLIGHT },
    async (msg) => {
      const batch = ResultBatch.decode(msg.data);
      const missed = batch.results.filter((r) => r.status === CheckStatus.CHECK_STATUS_MISSED && r.region !== '');
      if (missed.length !== batch.results.length) {
        deps.logger.warn({ event: 'ingest.missed_refused', batchId: batch.batchId, refused: batch.results.length - missed.length }, 'refused results on the missed subject that are not missed slots');
      }
      await deps.writer.write(missed.map((message) => ({ stored: toStoredResult(message, message.region, deps.retentionDays), message })));
    },
  );
}
