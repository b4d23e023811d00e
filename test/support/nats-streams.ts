/**
 * Removes the JetStream streams a NATS job bus declared for one subject prefix (durable
 * results and the jobs work queue), so a suite on the machine's shared NATS leaves nothing
 * behind. Missing streams are fine (a suite that failed before declaring them).
 */
import { JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { durableStreamName, workStreamName } from '../../services/lib/subjects.js';

const STREAM_NOT_FOUND = 10059;

export async function deletePrefixStreams(url: string, prefix: string): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    for (const name of [durableStreamName(prefix), workStreamName(prefix)]) {
      try {
        await jsm.streams.delete(name);
      } catch (err) {
        if (!(err instanceof JetStreamApiError && err.code === STREAM_NOT_FOUND)) throw err;
      }
    }
  } finally {
    await nc.close();
  }
}
