/**
 * The operator-facing alert when a region loses all its agents, and when it has agents again
 * (issue 12): one event per change of a region, not per monitor and not per alerting process.
 *
 * Every alerting process reads presence (services/lib/agent-presence.ts, the one definition
 * of present) for each declared region every few seconds and compares it with the region's
 * row in `region_states`; while they agree, which is nearly always, nothing is written. A
 * change is made under that row's lock, in the transaction that writes its event to the
 * outbox for the deployment's operator channels, so of several processes seeing the same
 * change one announces it; the others then find the row already changed. Under the lock the
 * process reads presence again and changes the row only if that read still disagrees with it:
 * a read taken before another process's change (a slower process) cannot undo it, so
 * processes cannot flip a region back and forth between them.
 */
import type { Logger } from '../../lib/logger.js';
import type { HotState } from '../../lib/ports/hot-state.js';
import type { SqlClient } from '../../lib/ports/sql-client.js';
import { regionPresence, type RegionPresence } from '../../lib/agent-presence.js';
import { ALERT_TYPE_OF_EVENT, type OperatorEventType } from '../events.js';
import type { AlertOutbox, DeliveryTarget } from '../deliveries/outbox.js';
import type { DecidedEvent } from '../alert-decisions.js';
import { createPollLoop } from '../../lib/poll-loop.js';

export interface RegionWatchDeps {
  sql: SqlClient;
  hotState: HotState;
  outbox: AlertOutbox;
  /** The declared regions (PHAROS_REGIONS). */
  regions: readonly string[];
  /** The deployment's operator channels; none = changes are logged only. */
  targets: readonly DeliveryTarget[];
  logger: Logger;
  now?: () => number;
  /** How often to read presence. */
  pollIntervalMs?: number;
  /** Called after events were queued, to wake the delivery worker. */
  onQueued?: () => void;
}

export interface RegionChange { region: string; dark: boolean; announced: boolean }

export interface RegionWatch {
  /** Reads presence once and records (and announces) what changed; tests call it on their own. */
  check(): Promise<RegionChange[]>;
  stop(): Promise<void>;
}

function regionEvent(type: OperatorEventType, p: RegionPresence, atMs: number): DecidedEvent {
  const message = type === 'region.dark'
    ? `Region ${p.region} lost all its agents: its checks are not running and its monitors' verdicts there are unknown`
    : `Region ${p.region} has ${p.agents.length} agent${p.agents.length === 1 ? '' : 's'} again`;
  return {
    event: type, orgId: null, monitor: null,
    alert: { type: ALERT_TYPE_OF_EVENT[type], message, timestamp: new Date(atMs).toISOString(), responseTimeMs: null },
    region: { name: p.region, connectedAgents: p.agents.length, lastSeenAt: p.lastSeenAt },
  };
}

export function createRegionWatch(deps: RegionWatchDeps): RegionWatch & { run(): Promise<void> } {
  const now = deps.now ?? Date.now;

  /** Records one region's presence, read at `observedMs`; returns the change it made, if any. */
  async function record(p: RegionPresence, observedMs: number): Promise<RegionChange | null> {
    const dark = p.agents.length === 0;
    // The usual case, the region as it was: one read, nothing written.
    const { rows: [known] } = await deps.sql.query<{ dark: boolean }>(`SELECT dark FROM region_states WHERE region = $1`, [p.region]);
    if (known?.dark === dark) return null;
    return deps.sql.transaction(async (tx) => {
      // First sight: remembered, not announced (a region first seen dark never had agents to lose).
      const inserted = await tx.query(
        `INSERT INTO region_states (region, dark, announced, observed_at) VALUES ($1, $2, false, to_timestamp($3 / 1000.0)) ON CONFLICT DO NOTHING`,
        [p.region, dark, observedMs],
      );
      if (inserted.rowCount > 0) return null;
      const { rows: [row] } = await tx.query<{ dark: boolean; announced: boolean }>(
        `SELECT dark, announced FROM region_states WHERE region = $1 FOR UPDATE`, [p.region],
      );
      if (!row || row.dark === dark) return null;
      // Decided on presence as it is now, read under the row's lock: the first read may predate
      // another process's change (which a stale read must not undo), or the region may be back.
      const current = await regionPresence(deps.hotState, p.region);
      const currentMs = now();
      if ((current.agents.length === 0) !== dark) return null;
      // Going dark is always announced; coming back only when its going dark was. observed_at
      // is when the read that made the change was taken (migration 014's comment predates the
      // read under the lock: nothing compares it any more).
      const type: OperatorEventType | null = dark ? 'region.dark' : row.announced ? 'region.recovered' : null;
      await tx.query(
        `UPDATE region_states SET dark = $2, announced = $3, observed_at = to_timestamp($4 / 1000.0) WHERE region = $1`,
        [p.region, dark, dark, currentMs],
      );
      if (type) await deps.outbox.enqueueOperator(tx, regionEvent(type, current, currentMs), deps.targets, currentMs);
      return { region: p.region, dark, announced: type !== null };
    });
  }

  async function check(): Promise<RegionChange[]> {
    const changes: RegionChange[] = [];
    for (const region of deps.regions) {
      const observedMs = now();
      const change = await record(await regionPresence(deps.hotState, region), observedMs);
      if (!change) continue;
      changes.push(change);
      // One wide event per change, whichever process made it.
      deps.logger.warn({
        event: change.dark ? 'region.dark' : 'region.recovered', region, announced: change.announced, operatorChannels: deps.targets.length,
      }, change.dark ? 'region lost all its agents' : 'region has agents again');
    }
    if (changes.some((c) => c.announced) && deps.targets.length > 0) deps.onQueued?.();
    return changes;
  }

  const loop = createPollLoop({
    step: check,
    intervalMs: deps.pollIntervalMs ?? 5_000,
    // Transient (hot state or the database is away): the next poll reads presence again.
    onError: (err) => deps.logger.warn({ event: 'region.watch_failed', err }, 'region presence check failed'),
  });

  return {
    check,
    run: () => loop.run(),
    stop: () => loop.stop(),
  };
}

/** Creates a watch and starts its polling loop. */
export function startRegionWatch(deps: RegionWatchDeps): RegionWatch {
  const watch = createRegionWatch(deps);
  void watch.run();
  return watch;
}
