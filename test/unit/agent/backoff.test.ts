import { describe, expect, it } from 'vitest';
import { createBackoff } from '../../../probe-agent/backoff.js';
import { AgentFatalError, fatalFromGrpc, isFatalGrpcError } from '../../../probe-agent/ingest-errors.js';
import { status, type ServiceError } from '@grpc/grpc-js';

describe('reconnect backoff', () => {
  it('doubles its ceiling up to the cap, drawing uniformly below it (full jitter)', () => {
    const atCeiling = createBackoff({ baseMs: 250, capMs: 30_000 }, () => 0.999999);
    const ceilings = Array.from({ length: 10 }, () => atCeiling.next());
    expect(ceilings.slice(0, 5)).toEqual([249, 499, 999, 1999, 3999]);
    expect(Math.max(...ceilings)).toBe(29_999);
    const atFloor = createBackoff({ baseMs: 250, capMs: 30_000 }, () => 0);
    expect([atFloor.next(), atFloor.next()]).toEqual([0, 0]);
  });

  it('starts over after reset', () => {
    const backoff = createBackoff({ baseMs: 100, capMs: 10_000 }, () => 0.5);
    backoff.next();
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(50);
  });
});

describe('ingest error classes', () => {
  const grpcError = (code: status): ServiceError => Object.assign(new Error('x'), { code, details: 'd', metadata: undefined as never });

  it('treats auth and contract failures as fatal, the rest as transient', () => {
    expect(isFatalGrpcError(grpcError(status.UNAUTHENTICATED))).toBe(true);
    expect(isFatalGrpcError(grpcError(status.PERMISSION_DENIED))).toBe(true);
    expect(isFatalGrpcError(grpcError(status.UNAVAILABLE))).toBe(false);
    expect(isFatalGrpcError(grpcError(status.DEADLINE_EXCEEDED))).toBe(false);
    expect(isFatalGrpcError(new Error('socket hang up'))).toBe(false);
  });

  it('explains a refused token', () => {
    const err = fatalFromGrpc(grpcError(status.UNAUTHENTICATED), 'the agent');
    expect(err).toBeInstanceOf(AgentFatalError);
    expect(err.message).toMatch(/UNAUTHENTICATED.*agent token/);
  });
});
