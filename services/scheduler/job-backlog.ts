/**
 * Jobs that fell due while the bus refused them, kept until it takes them again or their
 * deadline passes (docs/decisions.md, "No silent gaps"). Bounded by count: past the bound
 * the oldest go first, since they are the closest to their deadline anyway. Whatever leaves
 * unpublished is handed back to be recorded as missed (`bus_unavailable`).
 */
/** A job due but not yet on the bus; `M` is what the job is built from (the scheduler's monitor snapshot). */
export interface KeptJob<M extends { readonly id: string } = { readonly id: string }> {
  monitor: M;
  region: string;
  scheduledAtMs: number;
  deadlineMs: number;
}

export class JobBacklog<J extends KeptJob = KeptJob> {
  /** Oldest first. */
  private jobs: J[] = [];

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
  keep(job: J): J[] {
    this.jobs.push(job);
    const over = this.jobs.length - this.maxJobs;
    return over > 0 ? this.jobs.splice(0, over) : [];
  }

  /** Removes and returns the jobs whose deadline is at or before `nowMs` (an agent would skip them). */
  expire(nowMs: number): J[] {
    const expired = this.jobs.filter((j) => j.deadlineMs <= nowMs);
    if (expired.length) this.jobs = this.jobs.filter((j) => j.deadlineMs > nowMs);
    return expired;
  }

  /** Publishes kept jobs oldest first until one fails; that one and the rest stay. Returns how many went. */
  async drain(publish: (job: J) => Promise<void>): Promise<number> {
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
