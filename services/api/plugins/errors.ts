import type { FastifyError, FastifyInstance } from 'fastify';
import { DomainError, type DomainErrorCode, type FieldError } from '../../lib/errors.js';

const STATUS: Record<DomainErrorCode, number> = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  INSUFFICIENT_SCOPE: 403,
  PLAN_LIMIT_EXCEEDED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export interface ErrorBody {
  error: string;
  message: string;
  code: string;
  details?: FieldError[];
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Ajv's errors as field-level details: the path of the field and what is wrong with it. */
function fieldErrors(errors: AjvError[], part: string): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const e of errors) {
    let field = e.instancePath || '';
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      field = `${field}/${String(e.params.missingProperty)}`;
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      field = `${field}/${String(e.params.additionalProperty)}`;
      message = 'is not a known field';
    } else if (e.keyword === 'enum') {
      message = `must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}`;
    }
    const f = `${part === 'body' ? '' : `${part}:`}${field || '/'}`;
    const key = `${f}|${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ field: f, message });
    }
  }
  return out;
}

/** The one error handler: every error leaves as {error, message, code}, never a stack trace. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & { validation?: AjvError[]; validationContext?: string }, request, reply) => {
    if (err instanceof DomainError) {
      const body: ErrorBody = { error: err.title, message: err.message, code: err.code };
      if (err.details) body.details = err.details;
      return reply.status(STATUS[err.code]).send(body);
    }
    if (err.validation) {
      const details = fieldErrors(err.validation, err.validationContext ?? 'body');
      return reply.status(400).send({
        error: 'Validation failed',
        message: details.map((d) => `${d.field} ${d.message}`).join('; '),
        code: 'VALIDATION_ERROR',
        details,
      } satisfies ErrorBody);
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.name === 'SyntaxError' ? 'INVALID_JSON'
        : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'UNSUPPORTED_MEDIA_TYPE'
        : err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'PAYLOAD_TOO_LARGE'
        : err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'INVALID_JSON'
        : 'BAD_REQUEST';
      return reply.status(status).send({ error: 'Bad request', message: err.message, code } satisfies ErrorBody);
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: 'Internal server error', message: 'An unexpected error occurred', code: 'INTERNAL' } satisfies ErrorBody);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: 'Not found', message: `no route ${request.method} ${request.url.split('?')[0]}`, code: 'NOT_FOUND' } satisfies ErrorBody);
  });
}
