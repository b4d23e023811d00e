/**
 * Which failures talking to ingest are worth retrying. Auth and contract failures will not
 * heal by reconnecting, so the agent stops with a clear message instead of looping.
 */
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';

/** The agent cannot go on; the operator must act (token, region, address, version). */
export class AgentFatalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentFatalError';
  }
}

const FATAL_CODES = new Set<number>([
  GrpcStatus.UNAUTHENTICATED,
  GrpcStatus.PERMISSION_DENIED,
  GrpcStatus.UNIMPLEMENTED,
  GrpcStatus.INVALID_ARGUMENT,
]);

export function isFatalGrpcError(err: unknown): boolean {
  const code = (err as Partial<ServiceError> | null)?.code;
  return typeof code === 'number' && FATAL_CODES.has(code);
}

export function fatalFromGrpc(err: ServiceError, what: string): AgentFatalError {
  const name = GrpcStatus[err.code] ?? String(err.code);
  const hint =
    err.code === GrpcStatus.UNAUTHENTICATED || err.code === GrpcStatus.PERMISSION_DENIED
      ? ' (check the agent token: it may be wrong, revoked or for another network)'
      : '';
  return new AgentFatalError(`ingest refused ${what}: ${name}: ${err.details || err.message}${hint}`, { cause: err });
}
