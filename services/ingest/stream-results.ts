/**
 * One agent's long-lived StreamResults call: batches up, acks down. A batch is acked only
 * when the ResultWriter says all its results are stored and handed to alerting; if that
 * fails the call ends with UNAVAILABLE, and the agent reconnects and resends what is
 * unacknowledged (the writer makes the resend safe).
 */
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { Logger } from '../lib/logger.js';
import type { StreamResultsRequest, StreamResultsResponse } from '../../proto/generated/pharos/v1/agent.js';
import type { CheckResult } from '../../proto/generated/pharos/v1/result.js';
import type { AgentIdentity, AgentTokenVerifier } from './agent-tokens.js';
import { authenticate } from './auth.js';
import { toServiceError, unavailable } from './grpc-errors.js';
import type { IncomingResult, ResultWriter } from './result-writer.js';
import { InvalidResult, toStoredResult } from './to-stored-result.js';

export interface StreamResultsDeps {
  tokens: AgentTokenVerifier;
  writer: ResultWriter;
  logger: Logger;
  retentionDays: number;
  /** Batches of one stream waiting for their ack before the stream stops reading. */
  maxBatchesInFlight?: number;
}

type Call = ServerDuplexStream<StreamResultsRequest, StreamResultsResponse>;

export function handleStreamResults(deps: StreamResultsDeps, call: Call): void {
  const maxInFlight = deps.maxBatchesInFlight ?? 16;
  const identity = authenticate(call.metadata, deps.tokens);
  let closed = false;
  let inFlight = 0;
  let clientDone = false;

  const fail = (err: unknown) => {
    if (closed) return;
    closed = true;
    call.emit('error', toServiceError(err));
  };
  const maybeEnd = () => {
    if (clientDone && inFlight === 0 && !closed) {
      closed = true;
      call.end();
    }
  };

  identity.catch(fail);
  call.on('cancelled', () => {
    closed = true;
  });
  call.on('end', () => {
    clientDone = true;
    maybeEnd();
  });
  call.on('data', (req: StreamResultsRequest) => {
    if (closed || !req.batch) return;
    inFlight += 1;
    // Backpressure: a stream cannot queue more than maxInFlight batches in ingest's memory.
    if (inFlight >= maxInFlight) call.pause();
    void identity
      .then((who) => handleBatch(deps, who, req.batch!.batchId, req.batch!.results))
      .then((ack) => {
        if (!closed) call.write({ ack });
      })
      .catch(fail)
      .finally(() => {
        inFlight -= 1;
        if (inFlight < maxInFlight && !closed) call.resume();
        maybeEnd();
      });
  });
}

async function handleBatch(deps: StreamResultsDeps, who: AgentIdentity, batchId: string, results: CheckResult[]) {
  const started = performance.now();
  const items: IncomingResult[] = [];
  const invalid: string[] = [];
  for (const r of results) {
    try {
      // The decoded message is this call's own: the token's region is written into it, not into a copy.
      r.region = who.region;
      items.push({ stored: toStoredResult(r, who.region, deps.retentionDays), message: r });
    } catch (err) {
      // No resend can fix a malformed result: leave it out of the ack counts and say why.
      if (err instanceof InvalidResult) invalid.push(err.message);
      else throw err;
    }
  }
  const event = { event: 'ingest.batch', batchId, region: who.region, tokenId: who.tokenId, agentId: results[0]?.agentId, results: results.length, invalid: invalid.length };
  try {
    const outcome = await deps.writer.write(items);
    deps.logger.info({ ...event, ...outcome, invalidReasons: invalid.slice(0, 5), durationMs: Math.round(performance.now() - started) }, 'result batch stored');
    return { batchId, accepted: outcome.accepted, duplicates: outcome.duplicates };
  } catch (err) {
    deps.logger.error({ ...event, err, durationMs: Math.round(performance.now() - started) }, 'result batch not stored; not acknowledged');
    throw unavailable('results were not stored; resend the batch');
  }
}
