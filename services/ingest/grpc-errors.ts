/**
 * The one mapping from domain errors to gRPC status (DESIGN.md §9). Handlers throw
 * DomainErrors; anything else is an internal error whose details stay in the log.
 */
import { status, type ServiceError, Metadata } from '@grpc/grpc-js';
import { DomainError, type DomainErrorCode } from '../lib/errors.js';

const GRPC_STATUS: Record<DomainErrorCode, status> = {
  VALIDATION_ERROR: status.INVALID_ARGUMENT,
  UNAUTHORIZED: status.UNAUTHENTICATED,
  INSUFFICIENT_SCOPE: status.PERMISSION_DENIED,
  CSRF_TOKEN_INVALID: status.PERMISSION_DENIED,
  NOT_FOUND: status.NOT_FOUND,
  CONFLICT: status.ALREADY_EXISTS,
  PLAN_LIMIT_EXCEEDED: status.FAILED_PRECONDITION,
  RATE_LIMITED: status.RESOURCE_EXHAUSTED,
  // Agents reconnect with backoff and resend on UNAVAILABLE: the right answer to a
  // storage or bus failure.
  UNAVAILABLE: status.UNAVAILABLE,
  INTERNAL: status.INTERNAL,
};

export function toServiceError(err: unknown): Partial<ServiceError> & { code: status; details: string } {
  if (err instanceof DomainError) {
    return { code: GRPC_STATUS[err.code], details: err.message, metadata: new Metadata() };
  }
  return { code: status.INTERNAL, details: 'internal error', metadata: new Metadata() };
}

export const unauthenticated = (message: string) => new DomainError('UNAUTHORIZED', 'Unauthenticated', message);
export const permissionDenied = (message: string) => new DomainError('INSUFFICIENT_SCOPE', 'Permission denied', message);
export const unavailable = (message: string) => new DomainError('UNAVAILABLE', 'Unavailable', message);
