import { describe, expect, it } from 'vitest';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import { AgentPresence, PRESENCE_MISSED_REPORTS, regionPresence } from '../../services/lib/agent-presence.js';

/** What ingest writes is what the regions route reads, and an agent that stops reporting drops out. */
describe('agent presence', () => {
  const interval = 10_000;
  const setup = () => {
    let now = Date.parse('2026-03-01T12:00:00Z');
    const clock = { now: () => now, advance: (ms: number) => { now += ms; } };
    const hotState = new MemoryHotState({ now: clock.now });
    return { clock, hotState, presence: new AgentPresence(hotState, interval, clock.now) };
  };

  it('keeps hostname and version from Register across presence reports', async () => {
    const { clock, hotState, presence } = setup();
    await presence.registered('EuWest', { agentId: 'b-agent', hostname: 'vm-b', version: '1.2.3' });
    await presence.registered('EuWest', { agentId: 'a-agent', hostname: 'vm-a', version: '1.2.3' });
    clock.advance(interval);
    await presence.reported('EuWest', { agentId: 'b-agent', inFlight: 7, outboxDepth: 42 });

    const region = await regionPresence(hotState, 'EuWest');
    expect(region.agents.map((a) => a.agentId)).toEqual(['a-agent', 'b-agent']);
    expect(region.agents[1]).toEqual({
      agentId: 'b-agent', hostname: 'vm-b', version: '1.2.3', region: 'EuWest', lastSeenAt: '2026-03-01T12:00:10.000Z', inFlight: 7, outboxDepth: 42,
    });
    expect(region.lastSeenAt).toBe('2026-03-01T12:00:10.000Z');
    expect(await regionPresence(hotState, 'UsEast')).toEqual({ region: 'UsEast', agents: [], lastSeenAt: null });
  });

  it(`counts an agent gone after ${PRESENCE_MISSED_REPORTS} missed reports, not before`, async () => {
    const { clock, hotState, presence } = setup();
    await presence.registered('EuWest', { agentId: 'agent-1', hostname: 'vm', version: '1' });
    clock.advance(PRESENCE_MISSED_REPORTS * interval - 1);
    expect((await regionPresence(hotState, 'EuWest')).agents).toHaveLength(1);
    clock.advance(1);
    expect(await regionPresence(hotState, 'EuWest')).toMatchObject({ agents: [], lastSeenAt: null });
  });

  it('reads records written before the rename and ignores ones that are not records', async () => {
    const { hotState } = setup();
    await hotState.putRecord('agents:EuWest', 'old', JSON.stringify({ agentId: 'old', hostname: 'vm', version: '0.1.0', lastHeartbeatAt: '2026-03-01T11:59:59.000Z' }), 60_000);
    await hotState.putRecord('agents:EuWest', 'junk', 'not json', 60_000);
    await hotState.putRecord('agents:EuWest', 'undated', JSON.stringify({ agentId: 'undated' }), 60_000);
    const region = await regionPresence(hotState, 'EuWest');
    expect(region.agents).toEqual([{ agentId: 'old', hostname: 'vm', version: '0.1.0', region: 'EuWest', lastSeenAt: '2026-03-01T11:59:59.000Z', inFlight: 0, outboxDepth: 0 }]);
  });
});
