import { createHash } from 'node:crypto';

/** Secrets (API keys, agent tokens) are stored only as this hash. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** What a listing shows of a secret: its prefix and last four characters. */
export function maskSecret(secret: string): string {
  const underscore = secret.indexOf('_');
  const head = secret.slice(0, underscore + 5);
  return `${head}…${secret.slice(-4)}`;
}
