/**
 * Boundary classification for SQL errors (DESIGN.md §9): connection loss, failover,
 * serialization failures and deadlocks are worth retrying; everything else (syntax,
 * constraint violations, type errors) is a bug or a domain conflict.
 */
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '53300', '55P03', '57P01', '57P02', '57P03']);

export function isTransientSqlError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: string }).code;
  if (!code) return /Connection terminated|timeout exceeded when trying to connect/i.test(err.message);
  return TRANSIENT_NODE_CODES.has(code) || TRANSIENT_SQLSTATES.has(code) || code.startsWith('08');
}
