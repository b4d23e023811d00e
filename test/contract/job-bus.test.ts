import { pino } from 'pino';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { openNatsJobBus } from '../../services/lib/adapters/nats/job-bus.js';
import { realService, uniqueName } from '../support/services.js';
import { deletePrefixStreams } from '../support/nats-streams.js';
import { BACKOFF_MS, WORK_ACK_WAIT_MS, jobBusContract } from './suites/job-bus.js';

jobBusContract('memory', async () => {
  const bus = new MemoryJobBus({ backoffMs: [BACKOFF_MS], workAckWaitMs: WORK_ACK_WAIT_MS });
  return { bus, prefix: uniqueName('jb'), dispose: () => bus.close() };
});

const natsUrl = realService('nats');
if (natsUrl) {
  const logger = pino({ level: 'silent' });
  jobBusContract('nats', async () => {
    const prefix = uniqueName('jb');
    const bus = await openNatsJobBus({ url: natsUrl, prefix, logger, name: 'pharos-contract-test', backoffMs: [BACKOFF_MS], workAckWaitMs: WORK_ACK_WAIT_MS });
    return {
      bus,
      prefix,
      dispose: async () => {
        await bus.close();
        // The suite owns its streams: delete them so repeated runs leave nothing behind.
        await deletePrefixStreams(natsUrl, prefix);
      },
    };
  });
}
