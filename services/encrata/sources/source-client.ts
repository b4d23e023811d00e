/**
 * One outside HTTP source (GLEIF, EDGAR, HIBP, a leak-site aggregator, Gravatar, RDAP): its
 * base URL and headers from configuration, a per-source spacing between requests (shared by
 * every worker through hot state when one is given — Redis in server mode — else per
 * process), a time limit per attempt, and retries with exponential
 * backoff on what may pass (a timeout, a refused connection, 429 — honouring Retry-After —
 * and 5xx). What still fails is an answer of its own, `inconclusive`, never an exception and
 * never an empty result: the caller keeps the last known value instead of reporting a change.
 */
import { fetch, type Dispatcher } from 'undici';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBackoff, type BackoffPolicy } from '../../../probe-agent/backoff.js';
import type { HotState } from '../../lib/ports/hot-state.js';

export type SourceAnswer<T> =
  | { kind: 'found'; status: number; body: T }
  | { kind: 'not_found' }
  | { kind: 'inconclusive'; reason: string };

export interface SourceClientOptions {
  /** For logs and reasons ("hibp", "gleif", …). */
  name: string;
  baseUrl: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  attempts: number;
  minIntervalMs: number;
  backoff?: BackoffPolicy;
  /** Longest Retry-After honoured; a longer one ends the attempts (inconclusive). */
  maxRetryAfterMs?: number;
  dispatcher?: Dispatcher;
  /**
   * Where the spacing is kept, so that every worker holding the same hot state shares one
   * allowance per source (`encrata-source:<name>`). Without it the spacing is this process's.
   */
  hotState?: HotState;
  /** Clock for the shared spacing (unix ms). */
  now?: () => number;
}

export interface SourceClient {
  readonly name: string;
  /** GET {baseUrl}{path}; JSON answers parsed, others as text when `text` is set. */
  get<T = unknown>(path: string, signal: AbortSignal, opts?: { text?: boolean; headers?: Record<string, string> }): Promise<SourceAnswer<T>>;
}

const RETRYABLE = (status: number) => status === 429 || status >= 500;

export function createSourceClient(o: SourceClientOptions): SourceClient {
  let nextSlotMs = 0;
  const maxRetryAfterMs = o.maxRetryAfterMs ?? 30_000;
  const now = o.now ?? Date.now;
  const sharedKey = `encrata-source:${o.name}`;
  // This process's callers take turns asking the shared allowance, so a worker costs one
  // hot-state round trip per request rather than one per waiting caller.
  let turn: Promise<void> = Promise.resolve();

  /** Waits for this process's next free slot (requests spaced minIntervalMs apart). */
  async function localSlot(signal: AbortSignal): Promise<void> {
    const current = Date.now();
    const at = Math.max(current, nextSlotMs);
    nextSlotMs = at + o.minIntervalMs;
    if (at > current) await sleep(at - current, undefined, { signal });
  }

  /** One request of `minIntervalMs`'s allowance shared through hot state (GCRA, 1 per interval). */
  async function sharedSlot(hotState: HotState, signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
      let decision;
      try {
        decision = await hotState.consumeRateLimit(sharedKey, 1, o.minIntervalMs, now());
      } catch {
        // Hot state unreachable: keep this process's own spacing rather than stop enriching.
        return localSlot(signal);
      }
      if (decision.allowed) return;
      await sleep(decision.retryAfterMs, undefined, { signal });
    }
  }

  /** Waits for this source's next free slot. */
  async function slot(signal: AbortSignal): Promise<void> {
    if (o.minIntervalMs <= 0) return;
    const hotState = o.hotState;
    if (!hotState) return localSlot(signal);
    const mine = turn.then(() => sharedSlot(hotState, signal));
    turn = mine.catch(() => undefined);
    return mine;
  }

  return {
    name: o.name,
    async get<T>(path: string, signal: AbortSignal, opts: { text?: boolean; headers?: Record<string, string> } = {}): Promise<SourceAnswer<T>> {
      const backoff = createBackoff(o.backoff ?? { baseMs: 250, capMs: 5_000 });
      let reason = 'no attempt made';
      for (let attempt = 1; attempt <= o.attempts; attempt++) {
        if (signal.aborted) return { kind: 'inconclusive', reason: `${o.name}: cancelled` };
        let waitMs = backoff.next();
        try {
          await slot(signal);
          const res = await fetch(`${o.baseUrl}${path}`, {
            headers: { accept: 'application/json', ...o.headers, ...opts.headers },
            signal: AbortSignal.any([signal, AbortSignal.timeout(o.timeoutMs)]),
            dispatcher: o.dispatcher,
          });
          if (res.status === 404) { await res.body?.cancel(); return { kind: 'not_found' }; }
          if (res.ok) {
            const body = (opts.text ? await res.text() : await res.json()) as T;
            return { kind: 'found', status: res.status, body };
          }
          await res.body?.cancel();
          reason = `${o.name}: HTTP ${res.status}`;
          if (!RETRYABLE(res.status)) return { kind: 'inconclusive', reason };
          const retryAfter = Number(res.headers.get('retry-after'));
          if (Number.isFinite(retryAfter) && retryAfter > 0) {
            if (retryAfter * 1000 > maxRetryAfterMs) return { kind: 'inconclusive', reason: `${reason} (retry after ${retryAfter} s)` };
            waitMs = Math.max(waitMs, retryAfter * 1000);
          }
        } catch (err) {
          if (signal.aborted) return { kind: 'inconclusive', reason: `${o.name}: cancelled` };
          const e = err as Error;
          reason = `${o.name}: ${e.name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : e.name === 'SyntaxError' ? 'the answer is not JSON' : (e.cause as Error | undefined)?.message ?? e.message}`;
          if (e.name === 'SyntaxError') return { kind: 'inconclusive', reason };
        }
        if (attempt < o.attempts) {
          try { await sleep(waitMs, undefined, { signal }); } catch { return { kind: 'inconclusive', reason: `${o.name}: cancelled` }; }
        }
      }
      return { kind: 'inconclusive', reason: `${reason} after ${o.attempts} attempt${o.attempts === 1 ? '' : 's'}` };
    },
  };
}
