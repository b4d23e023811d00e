/**
 * A `pause` maintenance window stops a monitor's checks: the scheduler asks, per dispatch,
 * whether a window holds the monitor at that slot, and sends nothing when one does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CheckJob } from '../../proto/generated/pharos/v1/check.js';
import { MonitorChanged } from '../../proto/generated/pharos/v1/control.js';
import { startScheduler, type RunningScheduler } from '../../services/scheduler/scheduler.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { createLogger } from '../../services/lib/logger.js';
import { monitorDefaults, type Monitor } from '../../services/lib/monitors/model.js';
import { eventually } from '../support/services.js';
import { pagedList } from '../support/monitor-source.js';

const subjects = subjectsFor('sched-mw');
const running: RunningScheduler[] = [];
afterEach(async () => { await Promise.all(running.splice(0).map((s) => s.stop())); });

function monitor(id: string): Monitor {
  const now = new Date();
  return {
    ...monitorDefaults(['UsEast']), name: id, type: 'Website', url: 'http://127.0.0.1:9/',
    id, orgId: 'org_1', pingToken: null, paused: false, revision: 1, status: 'Pending', lastCheckedAt: null, createdAt: now, updatedAt: now,
  };
}

describe('scheduler and pause windows', () => {
  it('sends no check for a monitor a pause window holds, and checks the others', async () => {
    const bus = new MemoryJobBus();
    const held = monitor('mon_held');
    const free = monitor('mon_free');
    const byId = new Map<string, Monitor>();
    const jobs: CheckJob[] = [];
    await bus.subscribe(subjects.jobs('UsEast'), (data) => { jobs.push(CheckJob.decode(data)); });
    const asked: string[] = [];
    running.push(await startScheduler({
      monitors: { listActivePage: pagedList(() => [...byId.values()]), getById: async (id) => byId.get(id) ?? null },
      bus, hotState: new MemoryHotState(), subjects, logger: createLogger('silent'), schedulerId: 'solo',
      inPauseWindow: (m) => { asked.push(m.id); return m.id === held.id; },
    }));
    for (const m of [held, free]) {
      byId.set(m.id, m);
      await bus.publish(subjects.monitorsChanged, MonitorChanged.encode({ monitorId: m.id, orgId: m.orgId, checkNow: true }).finish());
    }
    await eventually(() => jobs.some((j) => j.monitorId === free.id), { what: 'the free monitor checked' });
    expect(asked).toContain(held.id);
    expect(jobs.map((j) => j.monitorId)).toEqual([free.id]);
  });
});
