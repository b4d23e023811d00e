/**
 * The NATS job bus across a NATS server restart: a private nats-server (JetStream on, its
 * own port and store directory) is started, stopped and started again by the test, so the
 * machine's shared NATS is never touched. Work consumers (agents' jobs) and durable
 * consumers (results for alerting) must both carry on after the reconnect, and nothing
 * published to a stream before the restart is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { workStreamName } from '../../services/lib/subjects.js';
import { openNatsJobBus, type NatsJobBus } from '../../services/lib/adapters/nats/job-bus.js';
import { createLogger } from '../../services/lib/logger.js';
import { isTransientBusError } from '../../services/lib/adapters/nats/errors.js';
import { eventually, servicesRequired, uniqueName } from '../support/services.js';
import { NATS_SERVER, natsServerAvailable, privateNats, type PrivateNats } from '../support/private-nats.js';

const available = natsServerAvailable;

if (!available && servicesRequired) {
  it('nats-server is installed (PHAROS_TEST_SERVICES=required)', () => {
    throw new Error(`${NATS_SERVER} was not found; the NATS restart suite needs it`);
  });
}

describe.skipIf(!available)(`NATS job bus across a server restart (needs ${NATS_SERVER})`, () => {
  const prefix = uniqueName('restart');
  let nats: PrivateNats;
  let bus: NatsJobBus;

  beforeAll(async () => {
    nats = await privateNats();
    bus = await openNatsJobBus({ url: nats.url, prefix, logger: createLogger('silent'), name: 'restart-test' });
  });

  afterAll(async () => {
    await bus?.close();
    await nats?.dispose();
  });

  it('keeps delivering jobs and durable results after NATS restarts', async () => {
    const jobs: string[] = [];
    const results: string[] = [];
    const job = (id: string) => bus.publishWork(`${prefix}.jobs.UsEast`, Buffer.from(id), { msgId: id, deadlineMs: Date.now() + 60_000 });
    await bus.consumeWork({ subject: `${prefix}.jobs.UsEast` }, async (msg) => { jobs.push(Buffer.from(msg.data).toString()); });
    await bus.consumeDurable({ durable: 'restart-status', subject: `${prefix}.durable.results.>` }, async (msg) => {
      results.push(Buffer.from(msg.data).toString());
    });

    await job('job-before');
    await bus.publishDurable(`${prefix}.durable.results.UsEast`, Buffer.from('result-before'), 'r-before');
    await eventually(() => jobs.includes('job-before') && results.includes('result-before'), { what: 'delivery before the restart' });
    // Handled is not yet acknowledged at the server: stop NATS only once both acks have
    // arrived, or redelivering the unacknowledged one after the restart is at-least-once
    // delivery doing its job, not a duplicate.
    const watcher = await connect({ servers: nats.url });
    try {
      const jsm = await jetstreamManager(watcher);
      await eventually(async () => (await jsm.consumers.info(bus.streamName, 'restart-status')).num_ack_pending === 0
        && (await jsm.streams.info(workStreamName(prefix))).state.messages === 0, { what: 'both acknowledgements at the server' });
    } finally {
      await watcher.close();
    }

    await nats.stop();
    // Acknowledged while NATS is down would be a lie: a durable publish fails until it is back.
    await expect(bus.publishDurable(`${prefix}.durable.results.UsEast`, Buffer.from('result-down'), 'r-down')).rejects.toThrow();
    // A job is refused (transient), not buffered to be sent however late after a reconnect:
    // the scheduler keeps it and decides by its deadline.
    const refused = await eventually(async () => {
      try {
        await job('job-down');
        return false;
      } catch (err) {
        return err as Error;
      }
    }, { timeoutMs: 5_000, what: 'a job publish to be refused while NATS is down' });
    expect(isTransientBusError(refused)).toBe(true);
    await nats.start();

    // The client reconnects by itself (jittered, forever); publish once it has.
    await eventually(async () => {
      await bus.publishDurable(`${prefix}.durable.results.UsEast`, Buffer.from('result-after'), 'r-after');
      return true;
    }, { timeoutMs: 20_000, intervalMs: 250, what: 'a durable publish after the restart' });
    // Published once the bus takes it (a retry has the same msgId); the consumer, pulling
    // again after the reconnect, gets it however soon after the restart it was published.
    await eventually(async () => {
      await job('job-after');
      return true;
    }, { timeoutMs: 20_000, intervalMs: 250, what: 'a job publish after the restart' });
    await eventually(() => jobs.includes('job-after'), { timeoutMs: 20_000, what: 'a job delivered after the restart' });
    await eventually(() => results.includes('result-after'), { timeoutMs: 20_000, what: 'a durable result consumed after the restart' });
    // The message stored before the restart was consumed once, and not again after it.
    expect(results.filter((r) => r === 'result-before')).toHaveLength(1);
    expect(jobs).not.toContain('job-down');
    expect(jobs.filter((j) => j === 'job-before')).toHaveLength(1);
    expect(jobs.filter((j) => j === 'job-after')).toHaveLength(1);
  });
});
