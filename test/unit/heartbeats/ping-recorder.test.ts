/**
 * The ping recorder's batching rules, over a store double that records what it was asked
 * (the store itself is tested against Postgres and PGlite in test/integration).
 */
import { describe, expect, it } from 'vitest';
import { PingQueueFull, PingRecorder } from '../../../services/heartbeats/ping-recorder.js';
import type { HeartbeatStore, IncomingPing, PingReceipt } from '../../../services/heartbeats/heartbeat-store.js';
import { CheckResult } from '../../../proto/generated/pharos/v1/result.js';
import { ResultBatch } from '../../../proto/generated/pharos/v1/agent.js';
import { finishResult, publishHeartbeatResults } from '../../../services/heartbeats/heartbeat-results.js';
import { MemoryJobBus } from '../../../services/lib/adapters/memory/job-bus.js';
import { subjectsFor } from '../../../services/lib/subjects.js';
import { eventually } from '../../support/services.js';

const ping = (token: string): IncomingPing => ({
  token, kind: 'success', exitCode: null, receivedAtMs: 0, body: null, bodyBytes: 0, method: 'GET', sourceIp: null, userAgent: null,
});

function storeDouble(opts: { refuse?: string; gate?: Promise<void> } = {}) {
  const batches: string[][] = [];
  const store = {
    async recordPings(pings: readonly IncomingPing[]): Promise<PingReceipt[]> {
      batches.push(pings.map((p) => p.token));
      await opts.gate;
      if (pings.some((p) => p.token === opts.refuse)) throw new Error('refused by the store');
      return pings.map((p) => ({ recorded: true, pingId: `png_${p.token}` }));
    },
  } as unknown as HeartbeatStore;
  return { store, batches };
}

describe('ping recorder', () => {
  it('writes the pings of one burst as one batch', async () => {
    const { store, batches } = storeDouble();
    const recorder = new PingRecorder(store, async () => {});
    const receipts = await Promise.all(['a', 'b', 'c'].map((t) => recorder.record(ping(t))));
    expect(batches).toEqual([['a', 'b', 'c']]);
    expect(receipts.map((r) => r.recorded && r.pingId)).toEqual(['png_a', 'png_b', 'png_c']);
  });

  it('fails only the ping the store refuses, not its batch-mates', async () => {
    const { store } = storeDouble({ refuse: 'bad' });
    const recorder = new PingRecorder(store, async () => {});
    const outcomes = await Promise.allSettled(['a', 'bad', 'c'].map((t) => recorder.record(ping(t))));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('refuses pings beyond its queue bound instead of buffering them', async () => {
    let open!: () => void;
    const { store } = storeDouble({ gate: new Promise<void>((r) => { open = r; }) });
    const recorder = new PingRecorder(store, async () => {}, { maxBatch: 2, maxQueued: 3 });
    const first = recorder.record(ping('a'));
    await new Promise<void>((r) => setImmediate(r)); // the first batch is now being written
    const queued = [recorder.record(ping('b')), recorder.record(ping('c')), recorder.record(ping('d'))];
    await expect(recorder.record(ping('e'))).rejects.toBeInstanceOf(PingQueueFull);
    open();
    await expect(Promise.all([first, ...queued])).resolves.toHaveLength(4);
  });
});

describe('heartbeat result hand-off', () => {
  it('splits a large batch into messages under NATS\'s default payload limit, losing none', async () => {
    const bus = new MemoryJobBus();
    const subjects = subjectsFor('hb');
    const sizes: number[] = [];
    const ids: string[] = [];
    await bus.consumeDurable({ durable: 't', subject: subjects.heartbeatResults }, async (msg) => {
      sizes.push(msg.data.length);
      ids.push(...ResultBatch.decode(msg.data).results.map((r) => r.resultId));
    });
    const longLine = '失'.repeat(400);
    const results: CheckResult[] = Array.from({ length: 2_000 }, (_, i) =>
      finishResult({ id: 'mon_1', orgId: 'org_1' }, { id: `png_${i}`, kind: 'fail', exitCode: 1, receivedAtMs: i, runtimeMs: null, body: longLine }));
    expect(Buffer.byteLength(results[0]!.errorMessage)).toBeLessThanOrEqual(240);
    await publishHeartbeatResults(bus, subjects, results);
    await eventually(() => ids.length === 2_000, { what: 'every result consumed' });
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThan(1024 * 1024);
    expect(new Set(ids).size).toBe(2_000);
    await bus.close();
  });
});
