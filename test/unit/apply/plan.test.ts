import { describe, expect, it } from 'vitest';
import { monitorDefaults } from '../../../services/lib/monitors/model.js';
import { countSteps, formatStep, planChanges } from '../../../services/cli/apply/plan.js';
import { desiredConfig, minimalSpec, remoteConfig, type MonitorSpec, type RemoteMonitor } from '../../../services/cli/apply/monitor-config.js';

const REGIONS = ['UsEast', 'EuWest'];

/** A monitor as the API would answer it for this body (defaults filled, the way the server does). */
function remote(spec: MonitorSpec, id = `mon_${spec.name}`): RemoteMonitor {
  return { ...desiredConfig(spec, REGIONS), id, updatedAt: '2026-01-01T00:00:00.000Z' };
}

const web = (name: string, extra: Record<string, unknown> = {}): MonitorSpec => ({ name, type: 'Website', url: `https://${name}.example.com/`, ...extra });

describe('planChanges', () => {
  it('creates what is missing and leaves what matches alone', () => {
    const steps = planChanges({ desired: [web('a'), web('b')], actual: [remote(web('a'))], declaredRegions: REGIONS, prune: false });
    expect(steps.map((s) => [s.action, s.name])).toEqual([['unchanged', 'a'], ['create', 'b']]);
  });

  it('lists exactly the changed fields of an update', () => {
    const steps = planChanges({
      desired: [web('a', { intervalSeconds: 120, tags: ['prod'] })],
      actual: [remote(web('a'))],
      declaredRegions: REGIONS,
      prune: false,
    });
    expect(steps).toEqual([expect.objectContaining({ action: 'update', name: 'a', id: 'mon_a', fields: ['intervalSeconds', 'tags'] })]);
    expect(formatStep(steps[0]!)).toBe('~ update "a" (intervalSeconds, tags)');
  });

  it('shows a field left out of the file as a reset to its default, since PUT resets it', () => {
    const steps = planChanges({ desired: [web('a')], actual: [remote(web('a', { expectedStatusCode: 204, regions: ['UsEast'] }))], declaredRegions: REGIONS, prune: false });
    expect(steps[0]).toMatchObject({ action: 'update', fields: ['expectedStatusCode', 'regions'] });
  });

  it('applies the API defaults: type numbers, the timeout clamp, duplicate tags, header key order, nulls', () => {
    const actual = remote(web('a', { intervalSeconds: 10, requestHeaders: { b: '2', a: '1' }, tags: ['x'] }));
    expect(actual.timeoutSeconds).toBe(10);
    const steps = planChanges({
      desired: [{ name: ' a ', type: 10, url: 'https://a.example.com/', intervalSeconds: 10, requestHeaders: { a: '1', b: '2' }, tags: ['x', 'x'], keyword: null }],
      actual: [actual],
      declaredRegions: REGIONS,
      prune: false,
    });
    expect(steps).toEqual([{ action: 'unchanged', name: 'a', id: 'mon_a' }]);
  });

  it('ignores status, uptime and timestamps', () => {
    const actual = { ...remote(web('a')), status: 'Down', uptimePercentage: 12.5, lastCheckedAt: '2026-01-02T00:00:00Z' } as RemoteMonitor;
    expect(planChanges({ desired: [web('a')], actual: [actual], declaredRegions: REGIONS, prune: false })[0]!.action).toBe('unchanged');
  });

  it('deletes only with prune, only what is not in the file, after the rest', () => {
    const actual = [remote(web('keep')), remote(web('zeta')), remote(web('old'))];
    expect(planChanges({ desired: [web('keep')], actual, declaredRegions: REGIONS, prune: false }).map((s) => s.action)).toEqual(['unchanged']);
    const steps = planChanges({ desired: [web('keep'), web('new')], actual, declaredRegions: REGIONS, prune: true });
    expect(steps.map(formatStep)).toEqual(['= unchanged "keep"', '+ create "new"', '- delete "old"', '- delete "zeta"']);
    expect(countSteps(steps)).toEqual({ create: 1, update: 0, delete: 2, unchanged: 1 });
  });

  it('sends the trimmed name, which the API will store', () => {
    const [step] = planChanges({ desired: [web(' padded ')], actual: [], declaredRegions: REGIONS, prune: false });
    expect(step).toMatchObject({ action: 'create', name: 'padded', body: { name: 'padded' } });
  });
});

describe('minimalSpec (export)', () => {
  it('leaves out every default, so a default monitor is just name, type and url', () => {
    expect(minimalSpec(remoteConfig(remote(web('a'))), REGIONS)).toEqual(web('a'));
  });

  it('keeps non-defaults, including a timeout equal to 30 when the interval clamps the default lower', () => {
    const config = remoteConfig(remote(web('a', { intervalSeconds: 300, timeoutSeconds: 10, regions: ['EuWest'], alertOnDown: false })));
    expect(minimalSpec(config, REGIONS)).toEqual(web('a', { intervalSeconds: 300, timeoutSeconds: 10, regions: ['EuWest'], alertOnDown: false }));
    const clamped = remoteConfig(remote(web('b', { intervalSeconds: 10 })));
    expect(minimalSpec(clamped, REGIONS)).toEqual(web('b', { intervalSeconds: 10 }));
  });

  it('round-trips: the exported spec plans as unchanged against its source', () => {
    const sources = [
      remote(web('a', { intervalSeconds: 15, httpMethod: 'POST', requestBody: '{}', requestHeaders: { x: 'y' }, keyword: 'ok', regionQuorum: 2 })),
      remote({ name: 'db', type: 'Port', hostname: 'db.internal', port: 5432, tags: ['db'] }),
    ];
    const specs = sources.map((m) => minimalSpec(remoteConfig(m), REGIONS));
    expect(planChanges({ desired: specs, actual: sources, declaredRegions: REGIONS, prune: true }).every((s) => s.action === 'unchanged')).toBe(true);
  });

  it('covers every field the API stores', () => {
    expect(Object.keys(remoteConfig(remote(web('a')))).sort()).toEqual(['name', 'type', ...Object.keys(monitorDefaults([]))].sort());
  });
});
