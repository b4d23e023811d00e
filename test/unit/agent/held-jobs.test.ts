import { describe, expect, it } from 'vitest';
import { createHeldJobs } from '../../../probe-agent/held-jobs.js';

const settled = async (p: Promise<void>) => p.then(() => 'acked', (e: Error) => `back: ${e.message}`);

describe('held jobs (acknowledged once their result is durable)', () => {
  it('settles a job only when a batch holding its result is durable', async () => {
    const held = createHeldJobs();
    let state = 'held';
    const job = held.hold('mon_1.EuWest.1000').then(() => void (state = 'acked'));
    held.durable(['mon_2.EuWest.1000']);
    await Promise.resolve();
    expect(state).toBe('held');
    expect(held.size()).toBe(1);
    held.durable(['mon_2.EuWest.1000', 'mon_1.EuWest.1000']);
    await job;
    expect(state).toBe('acked');
    expect(held.size()).toBe(0);
  });

  it('settles a job delivered twice with the first durable result of that id', async () => {
    const held = createHeldJobs();
    const first = settled(held.hold('mon_1.EuWest.1000'));
    const again = settled(held.hold('mon_1.EuWest.1000'));
    expect(held.size()).toBe(2);
    held.durable(['mon_1.EuWest.1000']);
    expect(await Promise.all([first, again])).toEqual(['acked', 'acked']);
    expect(held.size()).toBe(0);
  });

  it('hands back a job released without a result, and every job still held at a stop', async () => {
    const held = createHeldJobs();
    const abandoned = settled(held.hold('a'));
    const running = settled(held.hold('b'));
    const done = settled(held.hold('c'));
    held.release('a', 'check abandoned');
    held.durable(['c']);
    held.releaseAll('agent stopped');
    expect(await Promise.all([abandoned, running, done])).toEqual(['back: check abandoned', 'back: agent stopped', 'acked']);
    expect(held.size()).toBe(0);
  });
});
