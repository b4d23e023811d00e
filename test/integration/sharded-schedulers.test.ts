/**
 * Sharded schedulers (issue 16) as separate processes over real NATS and Redis: two split
 * the monitors; `kill -9` one and the other takes its share within the record TTL, with no
 * slot skipped; a third joins and takes a share, and from then on no slot is dispatched by
 * two of them. Every slot of every monitor reaches the region's work queue exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CheckJob } from '../../proto/generated/pharos/v1/check.js';
import { openNatsJobBus } from '../../services/lib/adapters/nats/job-bus.js';
import { createLogger } from '../../services/lib/logger.js';
import type { JobBus, Subscription, WorkMessage } from '../../services/lib/ports/job-bus.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { nextDueMs } from '../../services/scheduler/phase.js';
import { deletePrefixStreams } from '../support/nats-streams.js';
import { eventually, realService, uniqueName } from '../support/services.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MONITORS = 40;
const INTERVAL_MS = 6_000;
const SHARD_TTL_MS = 3_000;
const monitorIds = Array.from({ length: MONITORS }, (_, i) => `mon_shard_${String(i).padStart(4, '0')}`);

interface Child {
  id: string;
  proc: ChildProcess;
  out: string;
  /** monitor → slots this child dispatched itself (not re-published gained slots). */
  dispatched: Array<{ monitorId: string; dueMs: number; atMs: number }>;
  members: string;
  /** Monitors the scheduler holds in memory, as it last said. */
  holds: number;
}

const natsUrl = realService('nats');
const redisUrl = realService('redis');

describe.runIf(natsUrl && redisUrl)('sharded schedulers over real NATS and Redis', () => {
  const prefix = uniqueName('shard');
  const subjects = subjectsFor(prefix);
  const children: Child[] = [];
  const delivered = new Map<string, number>();
  let bus: JobBus;
  let consumer: Subscription;

  function startChild(id: string): Child {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'test/support/scheduler-child.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PHAROS_LOG_LEVEL: 'warn',
        PHAROS_NATS_URL: natsUrl!, PHAROS_NATS_PREFIX: prefix, PHAROS_REDIS_URL: redisUrl!, PHAROS_REDIS_PREFIX: `${prefix}:`,
        PHAROS_SCHEDULER_ID: id, SCHEDULER_CHILD_MONITORS: String(MONITORS), SCHEDULER_CHILD_INTERVAL_SECONDS: String(INTERVAL_MS / 1000),
        SCHEDULER_CHILD_SHARD_TTL_MS: String(SHARD_TTL_MS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child: Child = { id, proc, out: '', dispatched: [], members: '', holds: 0 };
    let partial = '';
    proc.stdout!.on('data', (d: Buffer) => {
      partial += d.toString();
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        child.out += `${line}\n`;
        const [word, a, b] = line.split(' ');
        if (word === 'dispatched') child.dispatched.push({ monitorId: a, dueMs: Number(b), atMs: Date.now() });
        if (word === 'members') child.members = a ?? '';
        if (word === 'holds') child.holds = Number(a);
      }
    });
    proc.stderr!.on('data', (d: Buffer) => { child.out += d.toString(); });
    children.push(child);
    return child;
  }

  const sees = (c: Child, members: string[]) => eventually(() => {
    if (c.proc.exitCode !== null) throw new Error(`scheduler ${c.id} exited ${c.proc.exitCode}:\n${c.out}`);
    return c.members === members.join(',');
  }, { timeoutMs: 20_000, intervalMs: 50, what: `${c.id} sees ${members.join(',')}` });

  beforeAll(async () => {
    // The test is the region's agent: it takes every job from the work queue and counts it.
    bus = await openNatsJobBus({ url: natsUrl!, prefix, logger: createLogger('silent'), name: 'shard-test' });
    const take = async (m: WorkMessage) => {
      const job = CheckJob.decode(m.data);
      delivered.set(job.jobId, (delivered.get(job.jobId) ?? 0) + 1);
    };
    consumer = await bus.consumeWork({ subject: subjects.jobs('local'), maxInFlight: 500, onExpired: take }, take);
  });
  afterAll(async () => {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    await consumer?.unsubscribe();
    await bus?.close();
    await deletePrefixStreams(natsUrl!, prefix).catch(() => undefined);
  });

  it('a killed scheduler\'s share moves within the record TTL, a joining one takes a share, and every slot is queued exactly once', async () => {
    const a = startChild('sched-a');
    const b = startChild('sched-b');
    await Promise.all([sees(a, ['sched-a', 'sched-b']), sees(b, ['sched-a', 'sched-b'])]);
    const from = Date.now();
    await eventually(() => Date.now() > from + 2 * INTERVAL_MS, { timeoutMs: 3 * INTERVAL_MS, intervalMs: 100, what: 'two intervals with two schedulers' });
    // Both published a share.
    const share = (c: Child, sinceMs: number, untilMs = Infinity) => new Set(c.dispatched.filter((d) => d.atMs >= sinceMs && d.atMs < untilMs).map((d) => d.monitorId));
    expect(share(a, from).size).toBeGreaterThan(0);
    expect(share(b, from).size).toBeGreaterThan(0);
    expect(share(a, from).size + share(b, from).size).toBe(MONITORS);
    // Each holds only its share in memory.
    expect(a.holds + b.holds).toBe(MONITORS);
    expect(Math.max(a.holds, b.holds)).toBeLessThan(MONITORS);

    a.proc.kill('SIGKILL');
    const killedAt = Date.now();
    await sees(b, ['sched-b']);
    const movedAfterMs = Date.now() - killedAt;
    // The record TTL plus one renewal, with a second of slack for a busy machine.
    expect(movedAfterMs).toBeLessThan(SHARD_TTL_MS + SHARD_TTL_MS / 3 + 1_000);
    const alone = Date.now();
    await eventually(() => Date.now() > alone + INTERVAL_MS + 500, { timeoutMs: 2 * INTERVAL_MS, intervalMs: 100, what: 'an interval with one scheduler' });
    expect(share(b, alone).size).toBe(MONITORS);
    expect(b.holds).toBe(MONITORS);

    const c = startChild('sched-c');
    await Promise.all([sees(b, ['sched-b', 'sched-c']), sees(c, ['sched-b', 'sched-c'])]);
    // Once both see both (plus a renewal for stragglers), each slot is dispatched by one of them.
    const settled = Date.now() + SHARD_TTL_MS / 3;
    await eventually(() => Date.now() > settled + 2 * INTERVAL_MS, { timeoutMs: 3 * INTERVAL_MS, intervalMs: 100, what: 'two intervals with b and c' });
    const stoppedAt = Date.now();
    const fromB = share(b, settled, stoppedAt);
    const fromC = share(c, settled, stoppedAt);
    expect(fromC.size).toBeGreaterThan(0);
    expect([...fromB].filter((id) => fromC.has(id))).toEqual([]);
    expect(fromB.size + fromC.size).toBe(MONITORS);

    // Every slot from the start to now reached the work queue, and once.
    const lastSlot = stoppedAt - 1_000;
    await eventually(() => monitorIds.every((id) => delivered.has(`${id}.local.${nextDueMs(id, INTERVAL_MS, lastSlot - INTERVAL_MS)}`)),
      { timeoutMs: 5_000, intervalMs: 100, what: 'the last slots delivered' });
    const missing: string[] = [];
    const doubled: string[] = [];
    let slots = 0;
    for (const id of monitorIds) {
      for (let slot = nextDueMs(id, INTERVAL_MS, from); slot <= lastSlot; slot += INTERVAL_MS) {
        slots++;
        const n = delivered.get(`${id}.local.${slot}`) ?? 0;
        if (n === 0) missing.push(`${id}@${new Date(slot).toISOString()}`);
        if (n > 1) doubled.push(`${id}@${new Date(slot).toISOString()}`);
      }
    }
    expect(slots).toBeGreaterThan(MONITORS * 5);
    expect({ missing, doubled, killedAt: new Date(killedAt).toISOString() }).toEqual({ missing: [], doubled: [], killedAt: new Date(killedAt).toISOString() });
  }, 120_000);
});
