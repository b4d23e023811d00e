/**
 * A sharded scheduler in its own process, for crash tests (`kill -9` must kill a process).
 * Its monitors are a fixed list made from the environment (SCHEDULER_CHILD_MONITORS Website
 * monitors every SCHEDULER_CHILD_INTERVAL_SECONDS in region `local`), so every child holds
 * the same ones without a database; NATS and Redis are real. Prints each slot it dispatches
 * (`dispatched <monitor> <due ms>`) and its view of the live schedulers when it changes
 * (`members a,b`) and how many monitors it holds (`holds n`).
 *
 *   node --import tsx test/support/scheduler-child.ts   (PHAROS_NATS_URL, PHAROS_REDIS_URL, PHAROS_SCHEDULER_ID, …)
 */
import { openNatsJobBus } from '../../services/lib/adapters/nats/job-bus.js';
import { openRedisHotState } from '../../services/lib/adapters/redis/hot-state.js';
import { loadConfig } from '../../services/lib/config.js';
import { createLogger } from '../../services/lib/logger.js';
import { monitorDefaults, type Monitor } from '../../services/lib/monitors/model.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { startScheduler } from '../../services/scheduler/scheduler.js';
import { pagedList } from './monitor-source.js';

const config = loadConfig('cli', process.env);
const logger = createLogger(config.logLevel);
const count = Number(process.env.SCHEDULER_CHILD_MONITORS ?? 40);
const intervalSeconds = Number(process.env.SCHEDULER_CHILD_INTERVAL_SECONDS ?? 6);
const created = new Date(0);
const monitors: Monitor[] = Array.from({ length: count }, (_, i) => ({
  ...monitorDefaults(['local']), name: `m${i}`, type: 'Website', url: 'http://127.0.0.1:9/', intervalSeconds,
  id: `mon_shard_${String(i).padStart(4, '0')}`, orgId: 'org_shards', pingToken: null, paused: false, revision: 1, status: 'Pending',
  lastCheckedAt: null, createdAt: created, updatedAt: created,
}));
const byId = new Map(monitors.map((m) => [m.id, m]));

const bus = await openNatsJobBus({ url: config.natsUrl ?? process.env.PHAROS_NATS_URL!, prefix: config.natsPrefix, logger, name: `scheduler-child-${config.schedulerId}` });
const hotState = await openRedisHotState({ url: process.env.PHAROS_REDIS_URL!, prefix: config.redisPrefix });
const out = (line: string) => process.stdout.write(`${line}\n`);
const scheduler = await startScheduler({
  monitors: { listActivePage: pagedList(() => monitors), getById: async (id) => byId.get(id) ?? null },
  bus, hotState, subjects: subjectsFor(config.natsPrefix), logger, schedulerId: config.schedulerId,
  sharding: { ttlMs: Number(process.env.SCHEDULER_CHILD_SHARD_TTL_MS ?? 3000) },
  onDispatch: (monitorId, dueMs) => out(`dispatched ${monitorId} ${dueMs}`),
});
let seen = '';
let held = -1;
setInterval(() => {
  if (scheduler.size() !== held) out(`holds ${(held = scheduler.size())}`);
  const members = scheduler.shardMembers().join(',');
  if (members !== seen) out(`members ${(seen = members)}`);
}, 100);
process.on('SIGTERM', () => void scheduler.stop().then(() => process.exit(0)));
out('started');
