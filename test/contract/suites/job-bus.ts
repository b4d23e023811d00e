/**
 * JobBus contract (services/lib/ports/job-bus.ts), run against every adapter. Each test
 * gets a bus on its own subject prefix. No fixed sleeps: absence of a message is shown
 * with a barrier message that must arrive after it would have.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DurableMessage, JobBus, Subscription, WorkMessage } from '../../../services/lib/ports/job-bus.js';
import { eventually } from '../../support/services.js';

export interface JobBusFixture {
  bus: JobBus;
  prefix: string;
  /** Closes the bus and removes what the fixture created (e.g. the JetStream stream). */
  dispose(): Promise<void>;
}

/**
 * `open` must configure a redelivery backoff of `BACKOFF_MS` (every step) so the
 * redelivery tests run fast.
 */
export const BACKOFF_MS = 150;
/** `open` must configure this ack wait for work consumers, so hold and redelivery tests run fast. */
export const WORK_ACK_WAIT_MS = 600;

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

export function jobBusContract(name: string, open: () => Promise<JobBusFixture>): void {
  describe(`JobBus contract: ${name}`, () => {
    let f: JobBusFixture;
    let bus: JobBus;
    let p: string;
    const subs: Subscription[] = [];

    beforeEach(async () => {
      f = await open();
      bus = f.bus;
      p = f.prefix;
    });

    afterEach(async () => {
      for (const s of subs.splice(0)) await s.unsubscribe();
      await f.dispose();
    });

    async function sub(subject: string, into: string[], queue?: string): Promise<void> {
      subs.push(await bus.subscribe(subject, (d, s) => void into.push(`${s}=${dec(d)}`), { queue }));
    }

    async function work(
      subject: string,
      into: string[],
      onExpired?: (m: WorkMessage) => void,
    ): Promise<Subscription> {
      const s = await bus.consumeWork({ subject, onExpired }, async (m) => void into.push(dec(m.data)));
      subs.push(s);
      return s;
    }

    const inAMinute = () => Date.now() + 60_000;

    async function consume(
      opts: Parameters<JobBus['consumeDurable']>[0],
      handler: (m: DurableMessage) => Promise<void>,
    ): Promise<Subscription> {
      const s = await bus.consumeDurable(opts, handler);
      subs.push(s);
      return s;
    }

    it('refuses a core publish it cannot send now instead of keeping it for later', async () => {
      // A closed bus stands for an unreachable one (the NATS adapter refuses the same way while
      // disconnected: test/integration/nats-restart.test.ts); callers keep the job themselves.
      await bus.close();
      await expect(bus.publish(`${p}.jobs.eu`, enc('late'))).rejects.toThrow();
    });

    it('fans a core message out to every plain subscriber', async () => {
      const a: string[] = [];
      const b: string[] = [];
      await sub(`${p}.news`, a);
      await sub(`${p}.news`, b);
      await bus.flush();
      await bus.publish(`${p}.news`, enc('hello'));
      await eventually(() => a.length === 1 && b.length === 1, { what: 'both subscribers' });
      expect(a).toEqual([`${p}.news=hello`]);
      expect(b).toEqual([`${p}.news=hello`]);
    });

    it('delivers each queue-group message to exactly one member, sharing the load', async () => {
      const a: string[] = [];
      const b: string[] = [];
      const all: string[] = [];
      await sub(`${p}.tasks.eu`, a, 'agents');
      await sub(`${p}.tasks.eu`, b, 'agents');
      // Barrier: a plain subscriber sees every message, in publish order, after which
      // any duplicate to the group would already have been routed.
      await sub(`${p}.tasks.eu`, all);
      await bus.flush();
      const n = 40;
      for (let i = 0; i < n; i++) await bus.publish(`${p}.tasks.eu`, enc(String(i)));
      await bus.publish(`${p}.tasks.eu`, enc('end'));
      await eventually(() => all.length === n + 1 && a.length + b.length >= n + 1, { what: 'all jobs' });
      await bus.flush();
      const got = [...a, ...b].map((x) => x.split('=')[1]).sort();
      expect(got).toEqual([...Array.from({ length: n }, (_, i) => String(i)), 'end'].sort());
      expect(a.length).toBeGreaterThan(0);
      expect(b.length).toBeGreaterThan(0);
    });

    it('matches * to one token and > to one or more tokens', async () => {
      const star: string[] = [];
      const tail: string[] = [];
      const exact: string[] = [];
      await sub(`${p}.a.*`, star);
      await sub(`${p}.a.>`, tail);
      await sub(`${p}.a.b`, exact);
      await bus.flush();
      for (const s of [`${p}.a`, `${p}.a.b`, `${p}.a.b.c`, `${p}.x.b`, `${p}.a.end`]) await bus.publish(s, enc('1'));
      await eventually(() => star.includes(`${p}.a.end=1`) && tail.includes(`${p}.a.end=1`), { what: 'barrier' });
      expect(star).toEqual([`${p}.a.b=1`, `${p}.a.end=1`]);
      expect(tail).toEqual([`${p}.a.b=1`, `${p}.a.b.c=1`, `${p}.a.end=1`]);
      expect(exact).toEqual([`${p}.a.b=1`]);
    });

    it('does not run handlers inside publish and carries bytes unchanged', async () => {
      const got: Uint8Array[] = [];
      subs.push(await bus.subscribe(`${p}.bin`, (d) => void got.push(d)));
      await bus.flush();
      const bytes = new Uint8Array([0, 255, 1, 0, 128]);
      const pending = bus.publish(`${p}.bin`, bytes);
      expect(got).toHaveLength(0);
      await pending;
      await eventually(() => got.length === 1, { what: 'binary message' });
      expect(Array.from(got[0])).toEqual([0, 255, 1, 0, 128]);
    });

    it('stops delivering to a subscription after unsubscribe', async () => {
      const gone: string[] = [];
      const kept: string[] = [];
      const s = await bus.subscribe(`${p}.u`, (d) => void gone.push(dec(d)));
      await sub(`${p}.u`, kept);
      await bus.flush();
      await bus.publish(`${p}.u`, enc('1'));
      await eventually(() => gone.length === 1 && kept.length === 1, { what: 'first' });
      await s.unsubscribe();
      await bus.publish(`${p}.u`, enc('2'));
      await eventually(() => kept.length === 2, { what: 'second' });
      await bus.flush();
      expect(gone).toEqual(['1']);
    });

    it('redelivers a durable message whose handler threw, with deliveryCount 2', async () => {
      const seen: DurableMessage[] = [];
      await consume({ durable: 'alerting', subject: `${p}.durable.results.>` }, async (m) => {
        seen.push(m);
        if (m.deliveryCount === 1) throw new Error('transient failure');
      });
      await bus.publishDurable(`${p}.durable.results.eu`, enc('r1'), 'r1');
      await eventually(() => seen.length >= 2, { what: 'redelivery' });
      expect(seen.slice(0, 2).map((m) => [m.subject, dec(m.data), m.deliveryCount])).toEqual([
        [`${p}.durable.results.eu`, 'r1', 1],
        [`${p}.durable.results.eu`, 'r1', 2],
      ]);
    });

    it('hands out up to maxInFlight durable messages at once, acking each when its handler resolves and redelivering one that throws', async () => {
      const release = new Map<string, (fail?: boolean) => void>();
      const deliveries: string[] = [];
      let running = 0;
      let most = 0;
      await consume({ durable: 'inflight', subject: `${p}.durable.f`, maxInFlight: 3 }, async (m) => {
        deliveries.push(`${dec(m.data)}#${m.deliveryCount}`);
        most = Math.max(most, ++running);
        const fail = await new Promise<boolean | undefined>((resolve) => release.set(`${dec(m.data)}#${m.deliveryCount}`, resolve));
        running--;
        if (fail) throw new Error('failed once');
      });
      for (let i = 0; i < 5; i++) await bus.publishDurable(`${p}.durable.f`, enc(`m${i}`), `f${i}`);
      await eventually(() => release.size === 3, { what: 'three handlers running at once' });
      release.get('m0#1')!();
      release.get('m1#1')!(true);
      release.get('m2#1')!();
      await eventually(() => release.has('m3#1') && release.has('m4#1'), { what: 'the other two taken as slots freed' });
      release.get('m3#1')!();
      release.get('m4#1')!();
      await eventually(() => release.has('m1#2'), { what: 'the failed one redelivered' });
      release.get('m1#2')!();
      // "end" fails once: its redelivery comes one backoff after, when an unacked m0–m4 would be back too.
      await bus.publishDurable(`${p}.durable.f`, enc('end'), 'f-end');
      await eventually(() => release.has('end#1'), { what: 'end' });
      release.get('end#1')!(true);
      await eventually(() => release.has('end#2'), { what: 'end redelivered' });
      release.get('end#2')!();
      expect(most).toBe(3);
      expect(deliveries.sort()).toEqual(['end#1', 'end#2', 'm0#1', 'm1#1', 'm1#2', 'm2#1', 'm3#1', 'm4#1']);
    });

    it('stops redelivering after maxDeliver', async () => {
      const seen: string[] = [];
      await consume({ durable: 'giveup', subject: `${p}.durable.x`, maxDeliver: 2 }, async (m) => {
        seen.push(`${dec(m.data)}#${m.deliveryCount}`);
        // "b" fails once: its redelivery comes one backoff after a's last failure, by
        // which time a third delivery of "a" would have arrived.
        if (dec(m.data) === 'a' || m.deliveryCount === 1) throw new Error('nope');
      });
      await bus.publishDurable(`${p}.durable.x`, enc('a'), 'a');
      await eventually(() => seen.includes('a#2'), { what: 'second delivery of a' });
      await bus.publishDurable(`${p}.durable.x`, enc('b'), 'b');
      await eventually(() => seen.includes('b#2'), { what: 'redelivery of b' });
      expect(seen.filter((s) => s.startsWith('a'))).toEqual(['a#1', 'a#2']);
    });

    it('does not redeliver acked messages when a durable consumer is closed and reopened', async () => {
      const first: string[] = [];
      const opts = { durable: 'resume', subject: `${p}.durable.r`, ackWaitMs: BACKOFF_MS };
      const s1 = await consume(opts, async (m) => void first.push(dec(m.data)));
      for (const id of ['1', '2', '3']) await bus.publishDurable(`${p}.durable.r`, enc(id), id);
      await eventually(() => first.length === 3, { what: 'first three' });
      await s1.unsubscribe();

      await bus.publishDurable(`${p}.durable.r`, enc('4'), '4');
      const second: string[] = [];
      await consume(opts, async (m) => {
        second.push(`${dec(m.data)}#${m.deliveryCount}`);
        if (dec(m.data) === '5' && m.deliveryCount === 1) throw new Error('once');
      });
      // "5" comes back one backoff (> ack wait) later: any unacked 1–3 would be back by then.
      await bus.publishDurable(`${p}.durable.r`, enc('5'), '5');
      await eventually(() => second.includes('5#2'), { what: 'redelivery of 5' });
      expect(first).toEqual(['1', '2', '3']);
      expect(second).toEqual(['4#1', '5#1', '5#2']);
    });

    it('de-duplicates a durable re-publish with the same msgId', async () => {
      const seen: string[] = [];
      for (const [id, body] of [['m1', 'a'], ['m1', 'a-again'], ['m2', 'b']]) {
        await bus.publishDurable(`${p}.durable.d`, enc(body), id);
      }
      await consume({ durable: 'dedup', subject: `${p}.durable.d` }, async (m) => void seen.push(dec(m.data)));
      await eventually(() => seen.includes('b'), { what: 'b' });
      expect(seen).toEqual(['a', 'b']);
    });

    it('publishes a durable batch in order, de-duplicated by msgId within and across publishes', async () => {
      const seen: string[] = [];
      await bus.publishDurable(`${p}.durable.b.eu`, enc('zero'), 'b0');
      await bus.publishDurableBatch([
        { subject: `${p}.durable.b.eu`, data: enc('zero-again'), msgId: 'b0' },
        { subject: `${p}.durable.b.eu`, data: enc('a'), msgId: 'b1' },
        { subject: `${p}.durable.b.us`, data: enc('b'), msgId: 'b2' },
        { subject: `${p}.durable.b.eu`, data: enc('a-again'), msgId: 'b1' },
        { subject: `${p}.durable.b.eu`, data: enc('c'), msgId: 'b3' },
      ]);
      await bus.publishDurableBatch([]);
      await consume({ durable: 'batch', subject: `${p}.durable.b.*` }, async (m) => void seen.push(`${m.subject.split('.').pop()}=${dec(m.data)}`));
      await eventually(() => seen.includes('eu=c'), { what: 'last message of the batch' });
      expect(seen).toEqual(['eu=zero', 'eu=a', 'us=b', 'eu=c']);
    });

    it('filters a durable consumer by subject and gives separate durables their own copy', async () => {
      const eu: string[] = [];
      const everything: string[] = [];
      await consume({ durable: 'eu-only', subject: `${p}.durable.results.eu` }, async (m) => void eu.push(dec(m.data)));
      await consume({ durable: 'all', subject: `${p}.durable.results.*` }, async (m) => void everything.push(dec(m.data)));
      await bus.publishDurable(`${p}.durable.results.us`, enc('us1'), 'us1');
      await bus.publishDurable(`${p}.durable.results.eu`, enc('eu1'), 'eu1');
      await bus.publishDurable(`${p}.durable.other`, enc('o1'), 'o1');
      await bus.publishDurable(`${p}.durable.results.eu`, enc('eu2'), 'eu2');
      await eventually(() => eu.length === 2 && everything.length === 3, { what: 'both consumers' });
      expect(eu).toEqual(['eu1', 'eu2']);
      expect(everything).toEqual(['us1', 'eu1', 'eu2']);
    });

    it('shares a durable between two subscriptions of the same name, each message once', async () => {
      const got: string[] = [];
      const opts = { durable: 'shared', subject: `${p}.durable.s` };
      const a: string[] = [];
      const b: string[] = [];
      await consume(opts, async (m) => void (a.push(dec(m.data)), got.push(dec(m.data))));
      await consume(opts, async (m) => void (b.push(dec(m.data)), got.push(dec(m.data))));
      const n = 20;
      for (let i = 0; i < n; i++) await bus.publishDurable(`${p}.durable.s`, enc(String(i)), `s${i}`);
      await eventually(() => got.length >= n, { what: 'all shared messages' });
      expect([...got].sort()).toEqual(Array.from({ length: n }, (_, i) => String(i)).sort());
    });

    it('lets a consumer start before anything was ever published (on NATS, before the stream exists) and takes what comes', async () => {
      const got: string[] = [];
      const started = work(`${p}.jobs.fresh`, got);
      await bus.publishWork(`${p}.jobs.fresh`, enc('first'), { msgId: 'first', deadlineMs: inAMinute() });
      await started;
      await eventually(() => got.length === 1, { what: 'the first work message' });
      expect(got).toEqual(['first']);
    });

    it('holds a work message published while nobody consumes until a consumer arrives', async () => {
      await bus.publishWork(`${p}.jobs.eu`, enc('w1'), { msgId: 'w1', deadlineMs: inAMinute() });
      await bus.publishWork(`${p}.jobs.eu`, enc('w2'), { msgId: 'w2', deadlineMs: inAMinute() });
      const got: string[] = [];
      await work(`${p}.jobs.eu`, got);
      await eventually(() => got.length === 2, { what: 'both held messages' });
      expect(got).toEqual(['w1', 'w2']);
    });

    it('keeps work messages for a consumer that stopped until the next one takes them', async () => {
      const first: string[] = [];
      const s1 = await work(`${p}.jobs.eu`, first);
      await bus.publishWork(`${p}.jobs.eu`, enc('a'), { msgId: 'a', deadlineMs: inAMinute() });
      await eventually(() => first.length === 1, { what: 'a' });
      await s1.unsubscribe();
      await bus.publishWork(`${p}.jobs.eu`, enc('b'), { msgId: 'b', deadlineMs: inAMinute() });
      const second: string[] = [];
      await work(`${p}.jobs.eu`, second);
      await eventually(() => second.length === 1, { what: 'b after the restart' });
      await bus.publishWork(`${p}.jobs.eu`, enc('end'), { msgId: 'end', deadlineMs: inAMinute() });
      await eventually(() => second.includes('end'), { what: 'barrier' });
      expect(first).toEqual(['a']);
      expect(second).toEqual(['b', 'end']);
    });

    it('shares one work subject between its consumers, each message to one of them once', async () => {
      const a: string[] = [];
      const b: string[] = [];
      await work(`${p}.jobs.eu`, a);
      await work(`${p}.jobs.eu`, b);
      const n = 40;
      for (let i = 0; i < n; i++) await bus.publishWork(`${p}.jobs.eu`, enc(String(i)), { msgId: `s${i}`, deadlineMs: inAMinute() });
      await eventually(() => a.length + b.length >= n, { what: 'all shared work' });
      // Barrier: one more message, taken after any duplicate of the first n would have been.
      await bus.publishWork(`${p}.jobs.eu`, enc('end'), { msgId: 'end', deadlineMs: inAMinute() });
      await eventually(() => [...a, ...b].includes('end'), { what: 'barrier' });
      expect([...a, ...b].sort()).toEqual([...Array.from({ length: n }, (_, i) => String(i)), 'end'].sort());
    });

    it('keeps work subjects apart: a consumer takes only its own subject', async () => {
      const eu: string[] = [];
      const us: string[] = [];
      await work(`${p}.jobs.eu`, eu);
      await bus.publishWork(`${p}.jobs.us`, enc('us1'), { msgId: 'us1', deadlineMs: inAMinute() });
      await bus.publishWork(`${p}.jobs.eu`, enc('eu1'), { msgId: 'eu1', deadlineMs: inAMinute() });
      await eventually(() => eu.length === 1, { what: 'eu1' });
      await work(`${p}.jobs.us`, us);
      await eventually(() => us.length === 1, { what: 'us1, held for its own consumer' });
      expect(eu).toEqual(['eu1']);
      expect(us).toEqual(['us1']);
    });

    it('never hands a work message past its deadline to a handler, but reports it to onExpired', async () => {
      const soon = Date.now() + 300;
      await bus.publishWork(`${p}.jobs.eu`, enc('late'), { msgId: 'late', deadlineMs: Date.now() - 1 });
      await bus.publishWork(`${p}.jobs.eu`, enc('expires-waiting'), { msgId: 'ew', deadlineMs: soon });
      await bus.publishWork(`${p}.jobs.eu`, enc('fresh'), { msgId: 'fresh', deadlineMs: inAMinute() });
      await eventually(() => Date.now() > soon, { what: 'the second deadline to pass' });
      const got: string[] = [];
      const expired: WorkMessage[] = [];
      await work(`${p}.jobs.eu`, got, (m) => void expired.push(m));
      await eventually(() => got.length === 1 && expired.length === 2, { what: 'fresh handled, two expired' });
      expect(got).toEqual(['fresh']);
      expect(expired.map((m) => [m.subject, dec(m.data)])).toEqual([
        [`${p}.jobs.eu`, 'late'],
        [`${p}.jobs.eu`, 'expires-waiting'],
      ]);
      expect(expired[1].deadlineMs).toBe(soon);
    });

    it('de-duplicates a work re-publish with the same msgId', async () => {
      for (const [id, body] of [['j1', 'a'], ['j1', 'a-again'], ['j2', 'b']]) {
        await bus.publishWork(`${p}.jobs.eu`, enc(body), { msgId: id, deadlineMs: inAMinute() });
      }
      const got: string[] = [];
      await work(`${p}.jobs.eu`, got);
      await eventually(() => got.includes('b'), { what: 'b' });
      expect(got).toEqual(['a', 'b']);
    });

    it('redelivers a work message whose handler threw, up to maxDeliver', async () => {
      const seen: string[] = [];
      subs.push(
        await bus.consumeWork({ subject: `${p}.jobs.eu`, maxDeliver: 2 }, async (m) => {
          seen.push(`${dec(m.data)}#${m.deliveryCount}`);
          if (dec(m.data) === 'bad' || m.deliveryCount === 1) throw new Error('nope');
        }),
      );
      await bus.publishWork(`${p}.jobs.eu`, enc('bad'), { msgId: 'bad', deadlineMs: inAMinute() });
      await eventually(() => seen.includes('bad#2'), { what: 'second delivery of bad' });
      // "ok" fails once: its redelivery comes one backoff after bad's last failure.
      await bus.publishWork(`${p}.jobs.eu`, enc('ok'), { msgId: 'ok', deadlineMs: inAMinute() });
      await eventually(() => seen.includes('ok#2'), { what: 'redelivery of ok' });
      expect(seen.filter((x) => x.startsWith('bad'))).toEqual(['bad#1', 'bad#2']);
    });

    it('hands out up to maxInFlight work messages at once and removes each only when its handler resolves', async () => {
      const release = new Map<string, () => void>();
      const deliveries: string[] = [];
      let running = 0;
      let most = 0;
      subs.push(
        await bus.consumeWork({ subject: `${p}.jobs.eu`, maxInFlight: 3 }, async (m) => {
          deliveries.push(`${dec(m.data)}#${m.deliveryCount}`);
          most = Math.max(most, ++running);
          await new Promise<void>((resolve) => release.set(dec(m.data), resolve));
          running--;
        }),
      );
      for (let i = 0; i < 5; i++) await bus.publishWork(`${p}.jobs.eu`, enc(`m${i}`), { msgId: `m${i}`, deadlineMs: inAMinute() });
      await eventually(() => release.size === 3, { what: 'three handlers running at once' });
      for (const name of ['m0', 'm1', 'm2']) release.get(name)!();
      await eventually(() => release.size === 5, { what: 'the other two taken as slots freed' });
      release.get('m3')!();
      release.get('m4')!();
      // Barrier past two ack waits: an unremoved message would have come back by then.
      const barrierAt = Date.now() + 2 * WORK_ACK_WAIT_MS;
      await eventually(() => Date.now() > barrierAt, { what: 'two ack waits' });
      await bus.publishWork(`${p}.jobs.eu`, enc('end'), { msgId: 'end', deadlineMs: inAMinute() });
      await eventually(() => release.has('end'), { what: 'barrier' });
      release.get('end')!();
      expect(most).toBe(3);
      expect(deliveries.sort()).toEqual(['end#1', 'm0#1', 'm1#1', 'm2#1', 'm3#1', 'm4#1']);
    });

    it('keeps a work message with a live handler past ack wait up to holdMs, and without holdMs redelivers it', async () => {
      const heldFor = 3 * WORK_ACK_WAIT_MS;
      const run = async (subject: string, holdMs: number | undefined) => {
        const deliveries: number[] = [];
        let finished = false;
        const s = await bus.consumeWork({ subject, maxInFlight: 2, holdMs }, async (m) => {
          deliveries.push(m.deliveryCount);
          if (m.deliveryCount > 1) return;
          const until = Date.now() + heldFor;
          await eventually(() => Date.now() > until, { what: 'a slow handler', timeoutMs: heldFor * 2 });
          finished = true;
        });
        subs.push(s);
        await bus.publishWork(subject, enc('slow'), { msgId: `slow-${subject}`, deadlineMs: inAMinute() });
        await eventually(() => finished, { what: 'the slow handler to finish', timeoutMs: heldFor * 3 });
        return deliveries;
      };
      expect(await run(`${p}.jobs.held`, 10_000)).toEqual([1]);
      expect(await run(`${p}.jobs.unheld`, undefined)).toEqual([1, 2]);
    });

    it('removes an expired work message once onExpired settles, and hands it back when onExpired rejects', async () => {
      const seen: number[] = [];
      subs.push(
        await bus.consumeWork(
          {
            subject: `${p}.jobs.eu`,
            onExpired: async (m) => {
              seen.push(m.deliveryCount);
              if (m.deliveryCount === 1) throw new Error('not recorded yet');
            },
          },
          async () => undefined,
        ),
      );
      await bus.publishWork(`${p}.jobs.eu`, enc('late'), { msgId: 'late', deadlineMs: Date.now() - 1 });
      await eventually(() => seen.length === 2, { what: 'the expired message back after a rejection' });
      const barrierAt = Date.now() + 2 * WORK_ACK_WAIT_MS;
      await eventually(() => Date.now() > barrierAt, { what: 'two ack waits' });
      expect(seen).toEqual([1, 2]);
    });

    it('lets core subscribers of a work subject observe its messages without taking them', async () => {
      const seen: string[] = [];
      await sub(`${p}.jobs.eu`, seen);
      await bus.flush();
      await bus.publishWork(`${p}.jobs.eu`, enc('o1'), { msgId: 'o1', deadlineMs: inAMinute() });
      await eventually(() => seen.length === 1, { what: 'observed' });
      const got: string[] = [];
      await work(`${p}.jobs.eu`, got);
      await eventually(() => got.length === 1, { what: 'still taken by a consumer' });
      expect(seen).toEqual([`${p}.jobs.eu=o1`]);
      expect(got).toEqual(['o1']);
    });
  });
}
