/**
 * Jobs the agent has taken from its region's queue but not yet acknowledged. A job is
 * acknowledged only once its result is durable in the outbox log — the batch holding it
 * sealed and fsynced — so an agent killed while the check runs, or before the open batch
 * seals, leaves the job in the queue and another agent (or this one, restarted) runs it
 * (docs/decisions.md, "No silent gaps").
 */
export interface HeldJobs {
  /** Resolves once a result with this id is durable; rejects when the job is let go unfinished. */
  hold(resultId: string): Promise<void>;
  /** Results of a batch that is now on disk: their jobs are acknowledged. */
  durable(resultIds: Iterable<string>): void;
  /** The job ends without a result (an abandoned check): it goes back to the queue. */
  release(resultId: string, reason: string): void;
  /** Lets every held job go back to the queue (the agent is stopping without their results). */
  releaseAll(reason: string): void;
  size(): number;
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

export function createHeldJobs(): HeldJobs {
  // A redelivered job can be held twice (same id): both wait for the first durable result.
  const waiters = new Map<string, Waiter[]>();
  let count = 0;

  function take(resultId: string): Waiter[] {
    const list = waiters.get(resultId) ?? [];
    waiters.delete(resultId);
    count -= list.length;
    return list;
  }

  return {
    hold(resultId) {
      return new Promise<void>((resolve, reject) => {
        const list = waiters.get(resultId);
        if (list) list.push({ resolve, reject });
        else waiters.set(resultId, [{ resolve, reject }]);
        count++;
      });
    },
    durable(resultIds) {
      for (const id of resultIds) for (const w of take(id)) w.resolve();
    },
    release(resultId, reason) {
      for (const w of take(resultId)) w.reject(new Error(reason));
    },
    releaseAll(reason) {
      for (const id of [...waiters.keys()]) for (const w of take(id)) w.reject(new Error(reason));
    },
    size: () => count,
  };
}
