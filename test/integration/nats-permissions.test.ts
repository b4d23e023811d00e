/**
 * deploy/nats/nats.conf as shipped, on a private nats-server: an agent user can take (and
 * acknowledge) its own region's jobs from the work queue through the same bus code
 * `pharos agent` uses, and nothing of another region's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { openNatsJobBus, type NatsJobBus } from '../../services/lib/adapters/nats/job-bus.js';
import { createLogger } from '../../services/lib/logger.js';
import { agentInboxPrefix, subjectsFor, workStreamName } from '../../services/lib/subjects.js';
import { eventually, servicesRequired } from '../support/services.js';
import { NATS_SERVER, natsServerAvailable, privateNats, type PrivateNats } from '../support/private-nats.js';

if (!natsServerAvailable && servicesRequired) {
  it('nats-server is installed (PHAROS_TEST_SERVICES=required)', () => {
    throw new Error(`${NATS_SERVER} was not found; the NATS permissions suite needs it`);
  });
}

const CONF = path.resolve(import.meta.dirname, '../../deploy/nats/nats.conf');
const PASSWORDS = { PHAROS_NATS_SERVER_PASSWORD: 'server-pw', PHAROS_NATS_AGENT_USEAST_PASSWORD: 'useast-pw', PHAROS_NATS_AGENT_EUWEST_PASSWORD: 'euwest-pw' };
/** The prefix the shipped configuration is written for. */
const subjects = subjectsFor('pharos');
const logger = createLogger('silent');
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe.skipIf(!natsServerAvailable)('deploy/nats/nats.conf: agents take only their region\'s jobs', () => {
  let nats: PrivateNats;
  const buses: NatsJobBus[] = [];
  const url = (user: string, password: string) => nats.url.replace('nats://', `nats://${user}:${password}@`);

  async function agentBus(region: 'UsEast' | 'EuWest', user: string, password: string): Promise<NatsJobBus> {
    const bus = await openNatsJobBus({ url: url(user, password), prefix: subjects.prefix, logger, name: `perm-${user}`, declareStreams: false, inboxPrefix: agentInboxPrefix(region) });
    buses.push(bus);
    return bus;
  }

  beforeAll(async () => {
    nats = await privateNats({ config: CONF, env: PASSWORDS });
  });

  afterAll(async () => {
    for (const b of buses) await b.close();
    await nats?.dispose();
  });

  it('lets an agent create and take from its own region\'s consumer and ack, and refuses another region\'s', async () => {
    const server = await openNatsJobBus({ url: url('pharos-server', PASSWORDS.PHAROS_NATS_SERVER_PASSWORD), prefix: subjects.prefix, logger, name: 'perm-server' });
    buses.push(server);
    const useast = await agentBus('UsEast', 'agent-useast', PASSWORDS.PHAROS_NATS_AGENT_USEAST_PASSWORD);

    // Before the server ever published for the region: the agent creates its consumer itself.
    const got: string[] = [];
    await useast.consumeWork({ subject: subjects.jobs('UsEast') }, async (m) => void got.push(dec(m.data)));
    await server.publishWork(subjects.jobs('UsEast'), enc('us-1'), { msgId: 'us-1', deadlineMs: Date.now() + 60_000 });
    await server.publishWork(subjects.jobs('EuWest'), enc('eu-1'), { msgId: 'eu-1', deadlineMs: Date.now() + 60_000 });
    await eventually(() => got.length === 1, { what: 'the UsEast job' });
    expect(got).toEqual(['us-1']);

    // Acked: the work queue no longer holds it; the EuWest job still waits for its region.
    const nc = await connect({ servers: nats.url, user: 'pharos-server', pass: PASSWORDS.PHAROS_NATS_SERVER_PASSWORD });
    try {
      const jsm = await jetstreamManager(nc);
      await eventually(async () => (await jsm.streams.info(workStreamName(subjects.prefix))).state.messages === 1, { what: 'the acked job removed' });
    } finally {
      await nc.close();
    }

    // Another region's consumer: neither to read, nor to take from, nor to create.
    await expect(useast.consumeWork({ subject: subjects.jobs('EuWest') }, async () => undefined)).rejects.toThrow();
    // Nor may it publish jobs.
    await expect(useast.publishWork(subjects.jobs('UsEast'), enc('forged'), { msgId: 'forged', deadlineMs: Date.now() + 60_000 })).rejects.toThrow();

    // The EuWest agent takes the job that waited for it.
    const euwest = await agentBus('EuWest', 'agent-euwest', PASSWORDS.PHAROS_NATS_AGENT_EUWEST_PASSWORD);
    const eu: string[] = [];
    await euwest.consumeWork({ subject: subjects.jobs('EuWest') }, async (m) => void eu.push(dec(m.data)));
    await eventually(() => eu.length === 1, { what: 'the EuWest job' });
    expect(eu).toEqual(['eu-1']);
    expect(got).toEqual(['us-1']);
  });
});
