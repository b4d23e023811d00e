/**
 * Jobs that fell due while the bus refused them, kept until it takes them again or their
 * deadline passes (docs/decisions.md, "No silent gaps"). Bounded by count: past the bound
 * the oldest go first, since they are the closest to their deadline anyway. Whatever leaves
 * unpublished is handed back to be recorded as missed (`bus_unavailable`).
 */
import type { Monitor } from '../lib/monitors/model.js';

export interface KeptJob {
  monitor: Monitor;
  region: string;
  scheduledAtMs: number;
  deadlineMs: number;
}

export class JobBacklog {
  /** Oldest first. */
  private jobs: KeptJob[] = [];

  constructor(private readonly maxJobs: number) {}

  get size(): number {
    return this.jobs.length;
  }

  /** The earliest slot kept, if any. */
  oldestSlot(): number | undefined {
    let oldest: number | undefined;
    for (const j of this.jobs) if (oldest === undefined || j.scheduledAtMs < oldest) oldest = j.scheduledAtMs;
    return oldest;
  }

  /** Keeps `job`; returns the jobs dropped to stay within the bound. */
  keep(job: KeptJob): KeptJob[] {
    this.jobs.push(job);
    const over = this.jobs.length - this.maxJobs;
    return over > 0 ? this.jobs.splice(0, over) : [];
  }

  /** Removes and returns the jobs whose deadline is at or before `nowMs` (an agent would skip them). */
  expire(nowMs: number): KeptJob[] {
    const expired = this.jobs.filter((j) => j.deadlineMs <= nowMs);
    if (expired.length) this.jobs = this.jobs.filter((j) => j.deadlineMs > nowMs);
    return expired;
  }

  /** Publishes kept jobs oldest first until one fails; that one and the rest stay. Returns how many went. */
  async drain(publish: (job: KeptJob) => Promise<void>): Promise<number> {
    let sent = 0;
    try {
      for (const job of this.jobs) {
        await publish(job);
        sent += 1;
      }
    } catch {
      // Still unreachable: keep the rest for the next pass.
    }
    // One splice, not a shift per job: a backlog can hold 100,000 jobs.
    this.jobs.splice(0, sent);
    return sent;
  }
}
