import { describe, expect, it } from 'vitest';
import { applyResult, initialState, type MonitorState, type StatusPolicy } from '../../../services/alerting/status-machine.js';

const policy = (over: Partial<StatusPolicy> = {}): StatusPolicy => ({
  regions: ['UsEast', 'EuWest', 'ApSouth'], failureThreshold: 2, recoveryThreshold: 2, quorum: 2, ...over,
});

let t = 1_000;
const result = (region: string, up: boolean, id = `r${++t}`) => ({ resultId: id, region, up, startedAtMs: ++t, errorMessage: up ? '' : 'HTTP 503' });

function run(state: MonitorState, p: StatusPolicy, ...rs: ReturnType<typeof result>[]) {
  const transitions = [];
  for (const r of rs) {
    const e = applyResult(state, p, r);
    state = e.state;
    if (e.transition) transitions.push(e.transition);
  }
  return { state, transitions };
}

describe('status state machine', () => {
  it('starts Pending and turns Up on the first success', () => {
    const { state, transitions } = run(initialState(), policy(), result('UsEast', true));
    expect(state.status).toBe('Up');
    expect(transitions).toEqual([expect.objectContaining({ from: 'Pending', to: 'Up' })]);
  });

  it('needs failureThreshold consecutive failures in a region before the region counts as down', () => {
    const p = policy({ quorum: 1 });
    let { state } = run(initialState(), p, result('UsEast', true), result('UsEast', false));
    expect(state.status).toBe('Up');
    expect(state.regions.UsEast.consecutiveFailures).toBe(1);
    ({ state } = run(state, p, result('UsEast', false)));
    expect(state.status).toBe('Down');
  });

  it('a success resets the failure count', () => {
    const p = policy({ quorum: 1 });
    const { state } = run(initialState(), p, result('UsEast', false), result('UsEast', true), result('UsEast', false));
    expect(state.status).toBe('Up');
    expect(state.regions.UsEast.consecutiveFailures).toBe(1);
  });

  it('is Down only when the quorum of regions is down, with the evidence of each region', () => {
    const p = policy();
    let { state, transitions } = run(initialState(), p,
      result('UsEast', true), result('EuWest', true),
      result('UsEast', false), result('UsEast', false));
    expect(state.status).toBe('Up');
    ({ state, transitions } = run(state, p, result('EuWest', false), result('EuWest', false)));
    expect(state.status).toBe('Down');
    expect(transitions).toHaveLength(1);
    expect(transitions[0].evidence).toEqual(expect.arrayContaining([
      expect.objectContaining({ region: 'UsEast', verdict: 'down', lastError: 'HTTP 503' }),
      expect.objectContaining({ region: 'EuWest', verdict: 'down' }),
    ]));
  });

  it('keeps, per failing region, the error kind and phase and the first result of its run of failures', () => {
    const p = policy({ regions: ['UsEast'], quorum: 1, failureThreshold: 2 });
    const fail = (id: string, kind: string) => ({ ...result('UsEast', false, id), errorKind: kind, errorPhase: 'connect' });
    const { transitions } = run(initialState(), p, result('UsEast', true), fail('r-a', 'timeout'), result('UsEast', true), fail('r-first', 'timeout'), fail('r-second', 'connection_refused'));
    expect(transitions.at(-1)).toMatchObject({ to: 'Down', evidence: [{
      region: 'UsEast', verdict: 'down', consecutiveFailures: 2, errorKind: 'connection_refused', errorPhase: 'connect', firstFailingResultId: 'r-first',
    }] });
  });

  it('leaves a dark region\'s stale verdict out of the quorum, and is Unknown when every region is dark', () => {
    const p = policy({ regions: ['UsEast', 'EuWest'], quorum: 1, failureThreshold: 1 });
    let { state } = run(initialState(), p, result('EuWest', false));
    expect(state.status).toBe('Down');
    // EuWest went dark holding its down verdict: UsEast's success alone decides.
    ({ state } = run(state, { ...p, unknownRegions: ['EuWest'] }, result('UsEast', true)));
    expect(state.status).toBe('Up');
    const { state: unknown, transitions } = run(state, { ...p, unknownRegions: ['EuWest', 'UsEast'] }, result('UsEast', true));
    expect(unknown.status).toBe('Unknown');
    expect(transitions.map((t) => t.to)).toEqual(['Unknown']);
  });

  it('stays Up while fewer regions than the quorum are down, even if the others have no verdict yet', () => {
    const p = policy({ regions: ['UsEast', 'EuWest'], quorum: 2, failureThreshold: 2 });
    const { state, transitions } = run(initialState(), p,
      result('UsEast', true), result('UsEast', false), result('EuWest', false), result('UsEast', false));
    expect(state.regions.UsEast.verdict).toBe('down');
    expect(state.regions.EuWest.verdict).toBe('pending');
    expect(state.status).toBe('Up');
    expect(transitions.map((t) => t.to)).toEqual(['Up']);
  });

  it('recovers after recoveryThreshold successes', () => {
    const p = policy({ quorum: 1, failureThreshold: 1 });
    let { state } = run(initialState(), p, result('UsEast', false));
    expect(state.status).toBe('Down');
    ({ state } = run(state, p, result('UsEast', true)));
    expect(state.status).toBe('Down');
    const out = run(state, p, result('UsEast', true));
    expect(out.state.status).toBe('Up');
    expect(out.transitions[0]).toMatchObject({ from: 'Down', to: 'Up' });
  });

  it('ignores a result it has already applied and results older than the last one', () => {
    const p = policy({ quorum: 1, failureThreshold: 1 });
    const first = result('UsEast', true);
    let { state } = run(initialState(), p, first);
    const again = applyResult(state, p, first);
    expect(again.applied).toBe(false);
    const older = applyResult(state, p, { ...result('UsEast', false), startedAtMs: first.startedAtMs - 10 });
    expect(older.applied).toBe(false);
    ({ state } = run(state, p, result('UsEast', false)));
    expect(state.status).toBe('Down');
  });

  it('ignores results from regions the monitor is not pinned to', () => {
    const e = applyResult(initialState(), policy({ regions: ['UsEast'] }), result('EuWest', false));
    expect(e.applied).toBe(false);
    expect(e.state.status).toBe('Pending');
  });

  it('tracks lastCheckedAt as the newest result time', () => {
    const r = result('UsEast', true);
    const { state } = run(initialState(), policy(), r);
    expect(state.lastCheckedAtMs).toBe(r.startedAtMs);
  });
});
