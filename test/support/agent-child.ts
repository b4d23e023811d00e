/**
 * A real agent in its own process, for crash tests (`kill -9` must kill a process, not a
 * test worker). Configured from the environment as `pharos agent` is. Without
 * PHAROS_NATS_URL its jobs come from stdin, one CheckJob as JSON per line, through an
 * in-process bus, so the test decides exactly which slots exist without depending on NATS.
 * With it, the agent takes its region's work queue on NATS as `pharos agent` does (the
 * test publishes); AGENT_CHILD_WORK_ACK_WAIT_MS shortens the queue's ack wait to the test's.
 * AGENT_CHILD_OUTBOX_DURABILITY=process-crash runs it as `pharos dev` runs its embedded agents.
 *
 *   node --import tsx test/support/agent-child.ts   (PHAROS_REGION, PHAROS_AGENT_TOKEN, …)
 */
import readline from 'node:readline';
import { CheckJob } from '../../proto/generated/pharos/v1/check.js';
import { startAgent } from '../../probe-agent/agent.js';
import { createCheckers } from '../../probe-agent/checks/registry.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { openNatsJobBus } from '../../services/lib/adapters/nats/job-bus.js';
import { loadConfig } from '../../services/lib/config.js';
import { createLogger } from '../../services/lib/logger.js';
import { agentInboxPrefix, subjectsFor } from '../../services/lib/subjects.js';

const config = loadConfig('agent', process.env);
const region = config.agent.region!;
const logger = createLogger(config.logLevel);
const natsUrl = process.env.PHAROS_NATS_URL;
const bus = natsUrl
  ? await openNatsJobBus({
      url: natsUrl, prefix: config.natsPrefix, logger, name: 'pharos-agent-child', declareStreams: false,
      inboxPrefix: agentInboxPrefix(region),
      workAckWaitMs: Number(process.env.AGENT_CHILD_WORK_ACK_WAIT_MS) || undefined,
    })
  : new MemoryJobBus();
const subjects = subjectsFor(natsUrl ? config.natsPrefix : 'agent-child');
const agent = await startAgent({
  config: config.agent,
  region,
  token: config.agent.token!,
  bus,
  subjects,
  logger,
  checkers: createCheckers(),
  backoff: { baseMs: 50, capMs: 500 },
  outboxDurability: process.env.AGENT_CHILD_OUTBOX_DURABILITY === 'process-crash' ? 'process-crash' : undefined,
});
process.stdout.write(`READY ${JSON.stringify(agent.stats().outbox)}\n`);

if (!natsUrl) {
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const job = CheckJob.fromJSON(JSON.parse(line));
    // Jobs reach agents through their region's work queue, as the scheduler publishes them.
    void bus.publishWork(subjects.jobs(region), CheckJob.encode(job).finish(), { msgId: job.jobId, deadlineMs: Number(job.deadlineMs) });
  });
}
process.once('SIGTERM', () => void agent.stop().then(() => bus.close()).then(() => process.exit(0)));
