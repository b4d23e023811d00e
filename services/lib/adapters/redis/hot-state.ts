/**
 * HotState over Redis (ioredis). Keys, under the configured prefix:
 *   lease:<name>   string holder, PX ttl
 *   rec:<group>    hash field -> "<expiresAtMs>:<value>" (see scripts.ts)
 *   seen:<ns>      sorted set id -> expiresAtMs
 *   rl:<key>       GCRA theoretical arrival time, PX until it passes
 * Marks are a sorted set per namespace rather than a key per id: thousands of ids per
 * call become one ZADD / ZMSCORE per 1000 ids, pipelined, instead of thousands of keys.
 */
import { Redis } from 'ioredis';
import type { HotState, RateLimitDecision } from '../../ports/hot-state.js';
import type { Logger } from '../../logger.js';
import { HotStateUnavailableError } from './errors.js';
import { redactUrl } from '../../redact.js';
import { ACQUIRE_LEASE, CONSUME_RATE_LIMIT, FILTER_SEEN, GET_RECORDS, MARK_SEEN, PUT_RECORD, RELEASE_LEASE } from './scripts.js';

export interface RedisHotStateOptions {
  url: string;
  /** Prepended to every key, e.g. `pharos:`; tests use a unique one. */
  prefix: string;
  logger?: Pick<Logger, 'warn' | 'info'>;
}

/** Lua `unpack` is limited by the C stack (~8000 values): stay well under it. */
const CHUNK = 1000;

type Scripted = Redis & {
  pharosAcquireLease(key: string, holder: string, ttlMs: number): Promise<number>;
  pharosReleaseLease(key: string, holder: string): Promise<number>;
  pharosPutRecord(key: string, field: string, value: string, ttlMs: number): Promise<number>;
  pharosGetRecords(key: string): Promise<string[]>;
  pharosMarkSeen(key: string, ttlMs: number, ...ids: string[]): Promise<number>;
  pharosFilterSeen(key: string, ...ids: string[]): Promise<number[]>;
  pharosConsumeRateLimit(key: string, limit: number, periodMs: number, nowMs: number): Promise<[number, number, number, number]>;
};

export async function openRedisHotState(opts: RedisHotStateOptions): Promise<RedisHotState> {
  const redis = new Redis(opts.url, {
    keyPrefix: opts.prefix,
    lazyConnect: true,
    // Fail a call after a few reconnect attempts instead of queueing it for minutes:
    // hot state callers treat an error as transient and carry on.
    maxRetriesPerRequest: 3,
    retryStrategy: (times) => Math.min(200 * 2 ** Math.min(times, 5), 5_000) + Math.floor(Math.random() * 250),
  }) as Scripted;
  redis.defineCommand('pharosAcquireLease', { numberOfKeys: 1, lua: ACQUIRE_LEASE });
  redis.defineCommand('pharosReleaseLease', { numberOfKeys: 1, lua: RELEASE_LEASE });
  redis.defineCommand('pharosPutRecord', { numberOfKeys: 1, lua: PUT_RECORD });
  redis.defineCommand('pharosGetRecords', { numberOfKeys: 1, lua: GET_RECORDS });
  redis.defineCommand('pharosMarkSeen', { numberOfKeys: 1, lua: MARK_SEEN });
  redis.defineCommand('pharosFilterSeen', { numberOfKeys: 1, lua: FILTER_SEEN });
  redis.defineCommand('pharosConsumeRateLimit', { numberOfKeys: 1, lua: CONSUME_RATE_LIMIT });
  const log = opts.logger;
  redis.on('error', (err) => log?.warn({ err }, 'redis connection error'));
  redis.on('reconnecting', () => log?.warn('redis reconnecting'));
  redis.on('ready', () => log?.info('redis ready'));
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new HotStateUnavailableError(`cannot connect to Redis at ${redactUrl(opts.url)}`, { cause: err });
  }
  return new RedisHotState(redis);
}

export class RedisHotState implements HotState {
  constructor(private readonly redis: Scripted) {}

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.pharosAcquireLease(`lease:${name}`, holder, ttl(ttlMs))) === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.redis.pharosReleaseLease(`lease:${name}`, holder);
  }

  async putRecord(group: string, field: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.pharosPutRecord(`rec:${group}`, field, value, ttl(ttlMs));
  }

  async getRecords(group: string): Promise<Record<string, string>> {
    const flat = await this.redis.pharosGetRecords(`rec:${group}`);
    const out: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) out[flat[i]] = flat[i + 1];
    return out;
  }

  async filterSeen(ns: string, ids: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    if (ids.length === 0) return out;
    const chunks = chunk(ids);
    const pipe = this.redis.pipeline() as unknown as { pharosFilterSeen(key: string, ...ids: string[]): void; exec(): Promise<[Error | null, unknown][] | null> };
    for (const c of chunks) pipe.pharosFilterSeen(`seen:${ns}`, ...c);
    const results = await execOrThrow(pipe);
    results.forEach((positions, i) => {
      for (const pos of positions as number[]) out.add(chunks[i][pos - 1]);
    });
    return out;
  }

  async markSeen(ns: string, ids: string[], ttlMs: number): Promise<void> {
    if (ids.length === 0) return;
    const pipe = this.redis.pipeline() as unknown as { pharosMarkSeen(key: string, ttlMs: number, ...ids: string[]): void; exec(): Promise<[Error | null, unknown][] | null> };
    for (const c of chunk(ids)) pipe.pharosMarkSeen(`seen:${ns}`, ttl(ttlMs), ...c);
    await execOrThrow(pipe);
  }

  async consumeRateLimit(key: string, limit: number, periodMs: number, nowMs: number): Promise<RateLimitDecision> {
    const [allowed, remaining, resetAtMs, retryAfterMs] = await this.redis.pharosConsumeRateLimit(`rl:${key}`, limit, periodMs, Math.floor(nowMs));
    return { allowed: allowed === 1, limit, remaining, resetAtMs, retryAfterMs };
  }

  async close(): Promise<void> {
    if (this.redis.status === 'end') return;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

function ttl(ms: number): number {
  // PX needs a positive integer; a zero TTL would be an error rather than "expire now".
  return Math.max(1, Math.ceil(ms));
}

function chunk(ids: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(ids.slice(i, i + CHUNK));
  return out;
}

async function execOrThrow(pipe: { exec(): Promise<[Error | null, unknown][] | null> }): Promise<unknown[]> {
  const results = await pipe.exec();
  if (!results) throw new HotStateUnavailableError('redis pipeline aborted');
  return results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}
