import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorObject } from 'ajv';
import { DomainError, type DomainErrorCode, type FieldError } from '../../lib/errors.js';
import { fieldErrors } from './validation.js';

const STATUS: Record<DomainErrorCode, number> = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  INSUFFICIENT_SCOPE: 403,
  CSRF_TOKEN_INVALID: 403,
  PLAN_LIMIT_EXCEEDED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/**
 * An error body never grows with the request: at most MAX_DETAILS field details (plus a
 * count of the rest), each field and message cut to a bound. Fields echo the client's own
 * keys, which may be a megabyte long.
 */
export const MAX_DETAILS = 20;
const MAX_FIELD_CHARS = 200;
const MAX_MESSAGE_CHARS = 200;

export interface ErrorBody {
  error: string;
  message: string;
  code: string;
  details?: FieldError[];
  /** Field details left out of `details` (see MAX_DETAILS). */
  omittedDetails?: number;
}

/** Errors that know of more field details than they carry (validation stops counting early). */
export interface OmittedDetails {
  omittedDetails?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** How the request failed, for its wide log event (plugins/request-log.ts). */
    failure?: { code: string; err?: unknown };
  }
}

/** Text safe and short enough to echo: no NUL, no unpaired surrogate, bounded length. */
function echo(text: string, max: number): string {
  const clean = text.replace(/\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

export function boundedBody(err: { title: string; message: string; code: string; details?: readonly FieldError[] } & OmittedDetails): ErrorBody {
  const body: ErrorBody = { error: err.title, message: echo(err.message, MAX_MESSAGE_CHARS), code: err.code };
  if (err.details) {
    body.details = err.details.slice(0, MAX_DETAILS).map((d) => ({ field: echo(d.field, MAX_FIELD_CHARS), message: echo(d.message, MAX_MESSAGE_CHARS) }));
    const omitted = Math.max(0, err.details.length - MAX_DETAILS) + (err.omittedDetails ?? 0);
    if (omitted) body.omittedDetails = omitted;
  }
  return body;
}

/**
 * A Postgres data exception (SQLSTATE class 22: out of range, invalid encoding, NUL in
 * text…) means a value got past validation: the client's input is still the cause, so it
 * is a 400, not a 500, while the warning tells us which check is missing.
 */
const isDataException = (err: { code?: unknown }): boolean => typeof err.code === 'string' && /^22[0-9A-Z]{3}$/.test(err.code);

function send(request: FastifyRequest, reply: FastifyReply, status: number, body: ErrorBody, err?: unknown) {
  request.failure = { code: body.code, err };
  return reply.status(status).send(body);
}

/**
 * The one error handler: every error leaves as {error, message, code}, never a stack
 * trace. Errors are not logged here: the request's wide event carries the code, and for
 * a 500 the error with its stack (plugins/request-log.ts).
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & { validation?: ErrorObject[]; validationContext?: string }, request, reply) => {
    if (err instanceof DomainError) return send(request, reply, STATUS[err.code], boundedBody(err));
    if (err.validation) {
      const part = err.validationContext ?? 'body';
      const details = fieldErrors(err.validation, part === 'body' ? '' : `${part}:`);
      return send(request, reply, 400, boundedBody({ title: 'Validation failed', message: details.slice(0, 3).map((d) => `${d.field} ${d.message}`).join('; '), code: 'VALIDATION_ERROR', details }));
    }
    if (isDataException(err)) {
      request.log.warn({ sqlState: err.code }, 'store refused a value that passed validation');
      return send(request, reply, 400, { error: 'Validation failed', message: 'a value is out of range or cannot be stored', code: 'VALIDATION_ERROR' });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.name === 'SyntaxError' ? 'INVALID_JSON'
        : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'UNSUPPORTED_MEDIA_TYPE'
        : err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'PAYLOAD_TOO_LARGE'
        : err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'INVALID_JSON'
        : 'BAD_REQUEST';
      return send(request, reply, status, { error: 'Bad request', message: echo(err.message, MAX_MESSAGE_CHARS), code });
    }
    return send(request, reply, 500, { error: 'Internal server error', message: 'An unexpected error occurred', code: 'INTERNAL' }, err);
  });
  app.setNotFoundHandler((request, reply) =>
    send(request, reply, 404, { error: 'Not found', message: echo(`no route ${request.method} ${request.url.split('?')[0]}`, MAX_MESSAGE_CHARS), code: 'NOT_FOUND' }));
}

/**
 * Fastify's own refusals before routing (a URL whose percent-encoding is not UTF-8, a bad
 * Content-Type header) in the same error shape as every other error.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const code = err.code === 'FST_ERR_BAD_URL' ? 'BAD_URL' : 'BAD_REQUEST';
  void send(request, reply, 400, { error: 'Bad request', message: code === 'BAD_URL' ? 'the URL is not valid (its percent-encoding must be UTF-8)' : echo(err.message, MAX_MESSAGE_CHARS), code });
}
