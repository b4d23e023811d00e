import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One pino logger per process, passed down. Secrets are redacted by path wherever they
 * might appear in a wide event.
 */
export function createLogger(level: string, name = 'pharos'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        'req.headers["x-api-key"]',
        'req.headers.authorization',
        'headers["x-api-key"]',
        'headers.authorization',
        'req.headers.cookie',
        'headers.cookie',
        '*.token',
        '*.apiKey',
        '*.password',
        // Database drivers attach the failed statement's parameters (tenants' data) to errors.
        'err.params',
        'err.query',
      ],
      censor: '[redacted]',
    },
  });
}
