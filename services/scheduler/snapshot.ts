/**
 * Compact job snapshots (issue 16; docs/decisions.md "Compact job snapshots"). A scheduler
 * holding a million monitors keeps, per monitor, only what it schedules by and what the
 * job needs — not the monitor object as the store returns it (~2 KB of config, timestamps,
 * status). The job's fixed part is encoded to protobuf once, when the monitor is loaded,
 * and kept as a one-byte-per-byte string (V8 stores it inline with a 16-byte header: an own
 * Uint8Array costs ~260 bytes more, a slice of a shared arena ~100); a slot's job is that
 * fixed part behind its own fields, byte for byte what `encodeCheckJob(buildCheckJob(...))`
 * gives for the full monitor.
 */
import { CheckJob, CheckType } from '../../proto/generated/pharos/v1/check.js';
import { checkSettingsOf } from '../../contracts/checks/index.js';
import { MONITOR_TYPES, type Monitor, type MonitorTypeName } from '../lib/monitors/model.js';

/** What a scheduler holds per monitor. Structurally a `Pick<Monitor, …>` for the gap recorder, missed records and maintenance windows. */
export class MonitorSnapshot {
  constructor(
    readonly id: string,
    readonly orgId: string,
    readonly type: MonitorTypeName,
    readonly intervalSeconds: number,
    readonly timeoutSeconds: number,
    readonly regions: readonly string[],
    readonly tags: readonly string[],
    /**
     * CheckJob from field 8 on (timeout, attempt 1, revision, settings) as protobuf, one
     * byte per character (latin1). Fields 1–7 depend on the slot and region.
     */
    readonly jobTail: string,
    /** The scheduler's slot for this monitor (its due-queue handle). */
    public handle = -1,
    /** The last full reload that saw the monitor (the others are swept). */
    public seenIn = 0,
    /** The rebalance generation in which this scheduler first held the monitor. */
    public heldSince = 0,
  ) {}
}

/**
 * Shares equal small values between snapshots: a region list, an organization id, a tag set
 * is kept once however many monitors have it. Bounded by the distinct values seen; `reset`
 * starts over (a full reload re-interns what is still held).
 */
export class Interner {
  private strings = new Map<string, string>();
  private lists = new Map<string, readonly string[]>();

  string(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  }

  list(values: readonly string[]): readonly string[] {
    if (values.length === 0) return EMPTY;
    const key = values.join('\u0000');
    const known = this.lists.get(key);
    if (known) return known;
    const list = Object.freeze(values.map((v) => this.string(v)));
    this.lists.set(key, list);
    return list;
  }

  get size(): number {
    return this.strings.size + this.lists.size;
  }

  reset(): void {
    this.strings.clear();
    this.lists.clear();
  }
}

const EMPTY: readonly string[] = Object.freeze([]);

/** The job's slot-independent fields (8 on) for this monitor, as protobuf bytes. */
export function encodeJobTail(m: Monitor): Uint8Array {
  const settings = checkSettingsOf(m.type, m);
  if (!settings) throw new Error(`no agent checks ${m.type} monitors`);
  // Empty and zero fields are not written: this is exactly the tail of the whole job's encoding.
  return CheckJob.encode({
    jobId: '', orgId: '', monitorId: '', region: '', type: 0, scheduledAtMs: 0, deadlineMs: 0,
    timeoutMs: m.timeoutSeconds * 1000, attempt: 1, monitorRevision: m.revision, settings,
  }).finish();
}

export function compactMonitor(m: Monitor, intern: Interner): MonitorSnapshot {
  const tail = encodeJobTail(m);
  return new MonitorSnapshot(
    m.id, intern.string(m.orgId), m.type, m.intervalSeconds, m.timeoutSeconds,
    intern.list(m.regions), intern.list(m.tags ?? []),
    Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength).toString('latin1'),
  );
}

/** Whether two snapshots would build the same jobs and be scheduled alike. */
export function sameSnapshot(a: MonitorSnapshot, b: MonitorSnapshot): boolean {
  return a.jobTail === b.jobTail && a.intervalSeconds === b.intervalSeconds && a.orgId === b.orgId && a.type === b.type
    && a.timeoutSeconds === b.timeoutSeconds && a.regions === b.regions && a.tags === b.tags;
}

export interface EncodedJob {
  jobId: string;
  deadlineMs: number;
  data: Uint8Array;
}

/** The encoded CheckJob for one slot in one region: equal to `encodeCheckJob(buildCheckJob(monitor, region, scheduledAtMs))`. */
export function encodeSnapshotJob(s: MonitorSnapshot, region: string, scheduledAtMs: number): EncodedJob {
  const jobId = `${s.id}.${region}.${scheduledAtMs}`;
  const deadlineMs = scheduledAtMs + s.intervalSeconds * 1000;
  const head = CheckJob.encode({
    jobId, orgId: s.orgId, monitorId: s.id, region, type: MONITOR_TYPES[s.type] as CheckType, scheduledAtMs, deadlineMs,
    timeoutMs: 0, attempt: 0, monitorRevision: 0, settings: undefined,
  }).finish();
  const data = new Uint8Array(head.byteLength + s.jobTail.length);
  data.set(head, 0);
  Buffer.from(data.buffer, head.byteLength).write(s.jobTail, 'latin1');
  return { jobId, deadlineMs, data };
}
