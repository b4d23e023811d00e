/**
 * Which schedulers are alive, for sharded scheduling (PHAROS_SCHEDULER_SHARDED). Each
 * scheduler keeps a record under its id in hot state with a short TTL and renews it; the
 * live ones are the records not yet expired. A scheduler whose renewals fail stops owning
 * anything once its own record may have expired, because the others will have taken its
 * share by then: two schedulers may briefly both publish a slot (the bus de-duplicates it by
 * job id), but a slot is never left to nobody knowingly.
 */
import type { HotState } from '../lib/ports/hot-state.js';
import { ownerOf } from './rendezvous.js';

export const SHARDS_GROUP = 'scheduler-shards';

export interface ShardMembershipOptions {
  hotState: HotState;
  schedulerId: string;
  /** This process's incarnation (a restart under the same id replaces the record). */
  incarnation: string;
  /** How long a record lives without renewal: how long a dead scheduler's share waits. */
  ttlMs: number;
  now?: () => number;
}

export interface MembershipChange {
  /** The live set differs from the one last read. */
  changed: boolean;
  /**
   * This scheduler's previous renewal was too old to trust (a stall longer than the record's
   * validity, or hot state unreachable): it owned nothing meanwhile, so its own monitors'
   * recent slots may be unpublished.
   */
  lapsed: boolean;
  previous: readonly string[];
  current: readonly string[];
}

export interface ShardMembership {
  /** Live schedulers as last read (sorted); empty until the first successful renewal. */
  members(): readonly string[];
  /** Whether this scheduler publishes the monitor's slots now. */
  owns(monitorId: string): boolean;
  /**
   * Whether the monitor is this scheduler's by the live set last read, even while its renewal
   * is late: what it keeps in memory. (A late renewal alone changes no owner; dropping the
   * share then would leave it unheld until the next full reload.)
   */
  holds(monitorId: string): boolean;
  /** Renews this scheduler's record and reads the others'. Throws when hot state fails. */
  renew(): Promise<MembershipChange>;
  /** Gives up this scheduler's share at once (graceful stop): its record expires now. */
  leave(): Promise<void>;
}

export function createShardMembership(opts: ShardMembershipOptions): ShardMembership {
  const now = opts.now ?? Date.now;
  let members: readonly string[] = [];
  let renewedAt = -Infinity;
  // Stop owning a little before our record can expire, so we never publish after others took over.
  const validMs = Math.max(0, opts.ttlMs - Math.min(1_000, opts.ttlMs / 4));
  const active = () => now() - renewedAt < validMs;
  return {
    members: () => (active() ? members : []),
    // (The last set read is kept while inactive: a lapse alone is not a change of owners.)
    owns: (monitorId) => active() && ownerOf(monitorId, members) === opts.schedulerId,
    holds: (monitorId) => ownerOf(monitorId, members) === opts.schedulerId,
    async renew() {
      const started = now();
      await opts.hotState.putRecord(SHARDS_GROUP, opts.schedulerId, opts.incarnation, opts.ttlMs);
      const records = await opts.hotState.getRecords(SHARDS_GROUP);
      const current = Object.keys(records).sort();
      // Our own record is there (we just wrote it) unless hot state lost it in between.
      if (!current.includes(opts.schedulerId)) throw new Error('own scheduler record not found after renewal');
      const previous = members;
      const lapsed = renewedAt !== -Infinity && !active();
      members = current;
      renewedAt = started;
      return { changed: previous.join('\n') !== current.join('\n'), lapsed, previous, current };
    },
    async leave() {
      renewedAt = -Infinity;
      await opts.hotState.putRecord(SHARDS_GROUP, opts.schedulerId, 'leaving', 1);
    },
  };
}
