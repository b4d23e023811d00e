import { describe, expect, it } from 'vitest';
import { recordPing, type PingContext, type PingInput } from '../../../services/api/routes/pings/verbs.js';
import { PingQueueFull } from '../../../services/heartbeats/ping-recorder.js';
import type { IncomingPing, PingReceipt } from '../../../services/heartbeats/heartbeat-store.js';

const input = (over: Partial<PingInput> = {}): PingInput => ({
  token: 'tok_0123456789abcdef', kind: 'success', exitCode: null, body: undefined, method: 'POST', sourceIp: '203.0.113.7', userAgent: 'cron', ...over,
});

function recorder(answer: (ping: IncomingPing) => Promise<PingReceipt>): PingContext & { pings: IncomingPing[] } {
  const pings: IncomingPing[] = [];
  return { pings, now: () => 1_700_000_000_000, recorder: { record: (ping) => (pings.push(ping), answer(ping)) } };
}

describe('recording a ping', () => {
  it('hands the recorder storable text: NULs replaced, the body counted in full, the user agent bounded', async () => {
    const ctx = recorder(async () => ({ recorded: true, pingId: 'png_1' }));
    const body = { kept: Buffer.from('exit\u0000ok'), bytes: 50_000 };
    expect(await recordPing({ ctx, input: input({ body, userAgent: `a\u0000${'x'.repeat(600)}` }) })).toBe('OK');
    expect(ctx.pings[0]).toMatchObject({ body: 'exit\uFFFDok', bodyBytes: 50_000, receivedAtMs: 1_700_000_000_000, sourceIp: '203.0.113.7' });
    expect(ctx.pings[0]!.userAgent).toHaveLength(512);
    expect(ctx.pings[0]!.userAgent!.startsWith('a\uFFFDx')).toBe(true);
  });

  it('keeps no message for a ping without a body', async () => {
    const ctx = recorder(async () => ({ recorded: true, pingId: 'png_2' }));
    await recordPing({ ctx, input: input({ body: { kept: Buffer.alloc(0), bytes: 0 }, userAgent: undefined }) });
    expect(ctx.pings[0]).toMatchObject({ body: null, bodyBytes: 0, userAgent: null });
  });

  it('answers an unknown token with NOT_FOUND and a full queue with UNAVAILABLE (the sender retries)', async () => {
    await expect(recordPing({ ctx: recorder(async () => ({ recorded: false })), input: input() })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(recordPing({ ctx: recorder(() => Promise.reject(new PingQueueFull())), input: input() })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const broken = new Error('store down');
    await expect(recordPing({ ctx: recorder(() => Promise.reject(broken)), input: input() })).rejects.toBe(broken);
  });
});
