/**
 * A scheduler holds compact snapshots, not monitors (services/scheduler/snapshot.ts): the job
 * it publishes from a snapshot must be the job the full monitor gives, byte for byte, for every
 * check type an agent runs and every value of each of its settings.
 */
import { describe, expect, it } from 'vitest';
import { CheckJob } from '../../../proto/generated/pharos/v1/check.js';
import { AGENT_CHECKED_TYPES, CHECK_CONTRACTS, type MonitorTypeName } from '../../../contracts/checks/index.js';
import type { FieldSpec } from '../../../contracts/checks/contract.js';
import { buildCheckJob, encodeCheckJob } from '../../../services/lib/monitors/check-job.js';
import { monitorDefaults, type Monitor } from '../../../services/lib/monitors/model.js';
import { Interner, compactMonitor, encodeSnapshotJob, sameSnapshot } from '../../../services/scheduler/snapshot.js';
import { SETTING_BASE, SETTING_SAMPLES, settingValues } from '../../support/setting-values.js';

const BASE = SETTING_BASE;

/** Besides the shared samples: non-ASCII texts and long ones (a job's tail keeps them byte for byte). */
const MORE_SAMPLES: Partial<Record<MonitorTypeName, Record<string, unknown[]>>> = {
  Website: {
    url: ['http://192.0.2.10:8080/päth?q=ü'],
    requestHeaders: [{ 'X-Trace': 'a b', Authorization: 'Bearer t', 'X-Name': 'Grüße 🚀' }],
    requestBody: ['{"ping":"✓"}', 'x'.repeat(5000)],
    keyword: ['naïve'],
  },
};

function valuesFor(type: MonitorTypeName, name: string, spec: FieldSpec<unknown> & { limits?: { min: number; max: number } }): unknown[] {
  // A field the base sets stays set: null there would be a monitor that cannot exist.
  return settingValues(spec, spec.default === null && !(name in BASE[type]), [...(SETTING_SAMPLES[type][name] ?? []), ...(MORE_SAMPLES[type]?.[name] ?? [])]);
}

const created = new Date(0);
function monitorOf(type: MonitorTypeName, fields: Record<string, unknown>, over: Partial<Monitor> = {}): Monitor {
  return {
    ...monitorDefaults(['UsEast', 'EuWest']), name: 'm', type, ...BASE[type], ...fields,
    id: 'mon_01jzsnapshot0000000000000', orgId: 'org_01jzsnapshot0000000000000', pingToken: null, paused: false, revision: 7,
    status: 'Up', lastCheckedAt: null, createdAt: created, updatedAt: created, ...over,
  } as Monitor;
}

function expectSameJobs(m: Monitor, what: string) {
  const s = compactMonitor(m, new Interner());
  for (const region of m.regions) {
    for (const slot of [1_700_000_000_000, 1_700_000_012_345, 1]) {
      const job = buildCheckJob(m, region, slot);
      const fromSnapshot = encodeSnapshotJob(s, region, slot);
      expect(Buffer.from(fromSnapshot.data).equals(Buffer.from(encodeCheckJob(job))), `${what} in ${region} at ${slot}`).toBe(true);
      expect(CheckJob.decode(fromSnapshot.data)).toEqual(job);
      expect(fromSnapshot.jobId).toBe(job.jobId);
      expect(fromSnapshot.deadlineMs).toBe(job.deadlineMs);
    }
  }
}

describe.each(AGENT_CHECKED_TYPES)('%s: a job from the snapshot equals the job from the monitor', (type) => {
  const contract = CHECK_CONTRACTS[type];
  const cases: [string, unknown][] = [['(defaults)', undefined]];
  for (const [name, spec] of Object.entries(contract.fields as Record<string, FieldSpec<unknown>>)) {
    for (const value of valuesFor(type, name, spec)) cases.push([name, value]);
  }

  it(`for each of ${cases.length} setting values, in every region`, () => {
    expect(cases.length).toBeGreaterThan(1);
    for (const [name, value] of cases) {
      expectSameJobs(monitorOf(type, value === undefined ? {} : { [name]: value }), `${name} = ${JSON.stringify(value)?.slice(0, 60)}`);
    }
  });

  it('for the fields every monitor has: interval, timeout, revision, organization, one region', () => {
    expectSameJobs(monitorOf(type, {}, { intervalSeconds: 86_400, timeoutSeconds: 300, revision: 2 ** 40 }), 'long interval, big revision');
    expectSameJobs(monitorOf(type, {}, { intervalSeconds: 5, timeoutSeconds: 1, revision: 1, regions: ['ApSoutheast'] }), 'short interval, one region');
    expectSameJobs(monitorOf(type, {}, { orgId: 'org_ü', id: 'mon_ß' }), 'non-ASCII ids');
  });
});

describe('snapshots', () => {
  it('hold none of the monitor\'s other fields, and share equal lists and organization ids', () => {
    const intern = new Interner();
    const a = compactMonitor(monitorOf('Website', { tags: ['prod', 'api'] }), intern);
    const b = compactMonitor(monitorOf('Website', { tags: ['prod', 'api'] }, { id: 'mon_other' }), intern);
    expect(b.regions).toBe(a.regions);
    expect(b.tags).toBe(a.tags);
    expect(b.orgId).toBe(a.orgId);
    expect(Object.keys(a).sort()).toEqual(['handle', 'heldSince', 'id', 'intervalSeconds', 'jobTail', 'orgId', 'regions', 'seenIn', 'tags', 'timeoutSeconds', 'type'].sort());
  });

  it('are the same exactly when the jobs and the schedule would be', () => {
    const intern = new Interner();
    const m = monitorOf('Website', {});
    expect(sameSnapshot(compactMonitor(m, intern), compactMonitor({ ...m, name: 'renamed', status: 'Down', updatedAt: new Date() }, intern))).toBe(true);
    for (const change of [{ url: 'https://example.test/other' }, { intervalSeconds: 30 }, { timeoutSeconds: 9 }, { revision: 8 }, { regions: ['UsEast'] }, { tags: ['x'] }, { orgId: 'org_x' }] as Partial<Monitor>[]) {
      expect(sameSnapshot(compactMonitor(m, intern), compactMonitor({ ...m, ...change }, intern)), JSON.stringify(change)).toBe(false);
    }
  });
});
