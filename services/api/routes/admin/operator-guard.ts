import type { FastifyReply } from 'fastify';
import { DomainError } from '../../../lib/errors.js';
import type { HotState } from '../../../lib/ports/hot-state.js';
import type { Logger } from '../../../lib/logger.js';

/**
 * Brute-force brake for the operator key, per client address: a few wrong keys are answered
 * 401 as usual; past that burst an address may try once per `refillMs`, and every other
 * request from it — with any key, the right one too, so a 200 cannot confirm a guess — gets
 * 429 with Retry-After until its next try is due. Failures are a GCRA allowance in hot state
 * (shared by every api process on Redis); the lockout is a record whose end is compared
 * with the injected clock. A success does not reset the count: the burst is small only
 * for someone guessing, and it refills by itself.
 */
export interface OperatorGuardPolicy {
  /** Wrong keys answered 401 before the brake applies. */
  burst: number;
  /** After the burst, one more try per this long. */
  refillMs: number;
}

export const OPERATOR_GUARD_POLICY: OperatorGuardPolicy = { burst: 5, refillMs: 60_000 };

export class OperatorKeyGuard {
  constructor(private readonly deps: { hotState: HotState; logger: Logger; now: () => number; policy?: OperatorGuardPolicy }) {}

  private get policy(): OperatorGuardPolicy {
    return this.deps.policy ?? OPERATOR_GUARD_POLICY;
  }

  /** Refuses a locked-out address before its key is even compared. */
  async assertNotLockedOut(address: string, reply: FastifyReply): Promise<void> {
    let until: number;
    try {
      until = Number((await this.deps.hotState.getRecords(lockoutGroup(address))).until ?? 0);
    } catch (err) {
      // Same stance as the per-key limiter: a hot-state outage must not lock the operator out.
      this.deps.logger.warn({ err }, 'operator key guard unavailable; request let through');
      return;
    }
    const waitMs = until - this.deps.now();
    if (waitMs > 0) throw tooMany(reply, waitMs);
  }

  /** Counts a wrong key; throws 429 (and locks the address out) once the burst is spent. */
  async recordFailure(address: string, reply: FastifyReply): Promise<void> {
    const { burst, refillMs } = this.policy;
    const now = this.deps.now();
    try {
      const d = await this.deps.hotState.consumeRateLimit(`operator-auth:${address}`, burst, burst * refillMs, now);
      if (d.allowed) return;
      await this.deps.hotState.putRecord(lockoutGroup(address), 'until', String(now + d.retryAfterMs), d.retryAfterMs);
      this.deps.logger.warn({ address, retryAfterMs: d.retryAfterMs }, 'operator API: repeated wrong keys; address locked out');
      throw tooMany(reply, d.retryAfterMs);
    } catch (err) {
      if (err instanceof DomainError) throw err;
      this.deps.logger.warn({ err }, 'operator key guard unavailable; failure not counted');
    }
  }
}

const lockoutGroup = (address: string) => `operator-lockout:${address}`;

function tooMany(reply: FastifyReply, waitMs: number): DomainError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  reply.header('Retry-After', seconds);
  return new DomainError('RATE_LIMITED', 'Too many requests', `too many wrong operator keys from this address; retry after ${seconds} s`);
}
