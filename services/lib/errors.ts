/**
 * Typed domain errors. Verbs throw these; one error handler maps `code` to HTTP status
 * (services/api/plugins/errors.ts) and one interceptor to gRPC status (services/ingest).
 */
export type DomainErrorCode =
  | 'VALIDATION_ERROR'
  | 'UNAUTHORIZED'
  | 'INSUFFICIENT_SCOPE'
  | 'CSRF_TOKEN_INVALID'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PLAN_LIMIT_EXCEEDED'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export interface FieldError {
  /** JSON pointer-ish path of the offending field, e.g. "/intervalSeconds". */
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    /** Short summary, the `error` of the response body. */
    readonly title: string,
    message: string,
    readonly details?: FieldError[],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', 'Not found', `${what} not found`);

export const validationError = (message: string, details: FieldError[]) =>
  new DomainError('VALIDATION_ERROR', 'Validation failed', message, details);

/**
 * An ISO 8601 instant as unix ms, or undefined when absent. Schema validation lets through
 * instants JavaScript cannot represent (a leap second, 23:59:60Z); those are a 400 here.
 */
export function instantParam(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw validationError(`${field} is not a representable instant`, [{ field: `/${field}`, message: 'is not a representable instant' }]);
  return ms;
}
