import { afterEach, describe, expect, it } from 'vitest';
import { CheckType } from '../../../proto/generated/pharos/v1/check.js';
import { CheckResult, CheckStatus } from '../../../proto/generated/pharos/v1/result.js';
import { createOutbox, type OutboxOptions, type ResultOutbox } from '../../../probe-agent/outbox.js';
import { eventually } from '../../support/services.js';
import { captureLogs } from './support/logs.js';

const open: ResultOutbox[] = [];
afterEach(() => open.splice(0).forEach((o) => o.close()));

let n = 0;
function result(extra = ''): CheckResult {
  n++;
  return CheckResult.fromPartial({
    resultId: `job_${n}${extra}`,
    jobId: `job_${n}${extra}`,
    orgId: 'org_1',
    monitorId: 'mon_1',
    type: CheckType.CHECK_TYPE_PORT,
    status: CheckStatus.CHECK_STATUS_UP,
    startedAtMs: 1_700_000_000_000 + n,
  });
}
const size = (r: CheckResult) => CheckResult.encode(r).finish().length;

function outboxWith(overrides: Partial<OutboxOptions> = {}) {
  const logs = captureLogs();
  let ids = 0;
  const outbox = createOutbox({
    maxBytes: 1024 * 1024,
    maxAgeMs: 60_000,
    batchMaxResults: 3,
    batchMaxDelayMs: 60_000,
    logger: logs.logger,
    now: Date.now,
    newBatchId: () => `batch_${++ids}`,
    ...overrides,
  });
  open.push(outbox);
  return { outbox, logs };
}

describe('result outbox', () => {
  it('seals a batch when it reaches batchMaxResults, keeping order', () => {
    const { outbox } = outboxWith();
    const sealed: string[] = [];
    outbox.onSealed((b) => sealed.push(b.batchId));
    const added = Array.from({ length: 7 }, () => result());
    added.forEach((r) => outbox.add(r));
    expect(sealed).toEqual(['batch_1', 'batch_2']);
    outbox.seal();
    const batches = [...outbox.pending()];
    expect(batches.map((b) => b.batchId)).toEqual(['batch_1', 'batch_2', 'batch_3']);
    expect(batches.flatMap((b) => b.results.map((r) => r.resultId))).toEqual(added.map((r) => r.resultId));
  });

  it('seals a partial batch after batchMaxDelayMs', async () => {
    const { outbox } = outboxWith({ batchMaxDelayMs: 20 });
    outbox.add(result());
    expect([...outbox.pending()]).toHaveLength(0);
    await eventually(() => [...outbox.pending()].length === 1, { what: 'delayed seal' });
  });

  it('keeps a batch (same id, same results) until it is acknowledged, then removes only it', () => {
    const { outbox } = outboxWith();
    for (let i = 0; i < 6; i++) outbox.add(result());
    const firstLook = [...outbox.pending()].map((b) => ({ id: b.batchId, results: b.results.map((r) => r.resultId) }));
    const secondLook = [...outbox.pending()].map((b) => ({ id: b.batchId, results: b.results.map((r) => r.resultId) }));
    expect(secondLook).toEqual(firstLook);
    expect(outbox.ack('batch_2')).toBe(true);
    expect(outbox.ack('batch_2')).toBe(false);
    expect(outbox.ack('nope')).toBe(false);
    expect([...outbox.pending()].map((b) => b.batchId)).toEqual(['batch_1']);
  });

  it('reports depth in results and encoded bytes', () => {
    const { outbox } = outboxWith();
    const added = [result(), result(), result(), result()];
    added.forEach((r) => outbox.add(r));
    const bytes = added.reduce((sum, r) => sum + size(r), 0);
    expect(outbox.depth()).toEqual({ results: 4, bytes, batches: 2 });
    outbox.ack('batch_1');
    expect(outbox.depth()).toEqual({ results: 1, bytes: size(added[3]), batches: 1 });
  });

  it('drops the oldest batches past the byte cap, logging and counting each drop', () => {
    const sample = size(result('-sample'));
    const { outbox, logs } = outboxWith({ batchMaxResults: 2, maxBytes: sample * 5 });
    for (let i = 0; i < 8; i++) outbox.add(result('-sample'));
    expect(outbox.depth().bytes).toBeLessThanOrEqual(sample * 5);
    const remaining = [...outbox.pending()].map((b) => b.batchId);
    expect(remaining[0]).not.toBe('batch_1');
    expect(remaining.at(-1)).toBe('batch_4');
    const drops = logs.lines.filter((l) => l.msg === 'outbox full: dropped unacknowledged results');
    expect(drops.length).toBeGreaterThan(0);
    expect(drops[0]).toMatchObject({ level: 50, batchId: 'batch_1', results: 2 });
    expect(outbox.dropped()).toEqual({ batches: drops.length, results: drops.length * 2 });
    expect(outbox.depth().results + outbox.dropped().results).toBe(8);
  });

  it('drops batches older than the age cap', () => {
    let clock = 1_000_000;
    const { outbox, logs } = outboxWith({ maxAgeMs: 1_000, now: () => clock });
    for (let i = 0; i < 3; i++) outbox.add(result());
    clock += 600;
    for (let i = 0; i < 3; i++) outbox.add(result());
    clock += 600; // the first batch is now 1.2 s old, the second 0.6 s
    outbox.expire();
    expect([...outbox.pending()].map((b) => b.batchId)).toEqual(['batch_2']);
    expect(outbox.dropped()).toEqual({ batches: 1, results: 3 });
    expect(logs.lines.some((l) => l.batchId === 'batch_1' && String(l.reason).includes('older than'))).toBe(true);
  });
});
