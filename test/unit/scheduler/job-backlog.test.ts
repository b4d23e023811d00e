import { describe, expect, it } from 'vitest';
import { JobBacklog, type KeptJob } from '../../../services/scheduler/job-backlog.js';
import type { Monitor } from '../../../services/lib/monitors/model.js';

const monitor = { id: 'mon_1' } as Monitor;
const job = (scheduledAtMs: number, deadlineMs = scheduledAtMs + 1_000): KeptJob => ({ monitor, region: 'UsEast', scheduledAtMs, deadlineMs });
const slots = (jobs: KeptJob[]) => jobs.map((j) => j.scheduledAtMs);

describe('job backlog', () => {
  it('drops the oldest past its bound and hands them back', () => {
    const backlog = new JobBacklog(2);
    expect(backlog.keep(job(1))).toEqual([]);
    expect(backlog.keep(job(2))).toEqual([]);
    expect(slots(backlog.keep(job(3)))).toEqual([1]);
    expect(backlog.size).toBe(2);
  });

  it('names its earliest slot, which the progress marker must stay before', () => {
    const backlog = new JobBacklog(10);
    expect(backlog.oldestSlot()).toBeUndefined();
    backlog.keep(job(5_000));
    backlog.keep(job(3_000));
    backlog.keep(job(4_000));
    expect(backlog.oldestSlot()).toBe(3_000);
    backlog.expire(4_000);
    expect(backlog.oldestSlot()).toBe(4_000);
  });

  it('hands back the jobs whose deadline has passed, keeping the rest', () => {
    const backlog = new JobBacklog(10);
    backlog.keep(job(1, 100));
    backlog.keep(job(2, 300));
    backlog.keep(job(3, 200));
    expect(slots(backlog.expire(200))).toEqual([1, 3]);
    expect(backlog.size).toBe(1);
  });

  it('publishes oldest first and keeps the failed job and those after it', async () => {
    const backlog = new JobBacklog(10);
    for (const s of [1, 2, 3]) backlog.keep(job(s));
    const sent: number[] = [];
    let fail = true;
    const publish = async (j: KeptJob) => {
      if (j.scheduledAtMs === 2 && fail) throw new Error('bus down');
      sent.push(j.scheduledAtMs);
    };
    expect(await backlog.drain(publish)).toBe(1);
    expect(backlog.size).toBe(2);
    fail = false;
    expect(await backlog.drain(publish)).toBe(2);
    expect(sent).toEqual([1, 2, 3]);
    expect(backlog.size).toBe(0);
  });
});
