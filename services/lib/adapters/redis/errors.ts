/**
 * Boundary classification for hot state (DESIGN.md §9): a Redis outage or timeout is
 * transient (callers degrade or retry); a script or argument error is a bug.
 */
export class HotStateUnavailableError extends Error {
  readonly transient = true;
  constructor(message: string, opts?: ErrorOptions) {
    super(message, opts);
    this.name = 'HotStateUnavailableError';
  }
}

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

export function isTransientRedisError(err: unknown): boolean {
  if (err instanceof HotStateUnavailableError) return true;
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: string }).code;
  if (code && TRANSIENT_CODES.has(code)) return true;
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|READONLY/.test(err.message)
  );
}
