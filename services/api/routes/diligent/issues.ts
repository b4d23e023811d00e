/**
 * A Diligent request's problems in the document's shape (a zod issue list) and the error
 * that carries them; the parsers are in input.ts.
 */
import { periodMs, type Frequency } from '../../../diligent/contract.js';

export interface Issue {
  code: string;
  message: string;
  path: Array<string | number>;
}

/** Thrown with the issues; plugins in routes.ts answer 400 `{"error": issues}`. */
export class DiligentValidationError extends Error {
  constructor(readonly issues: Issue[]) {
    super('invalid request');
    this.name = 'DiligentValidationError';
  }
}

export const URL_REFUSED: Issue = { code: 'custom', message: 'URL is disallowed or invalid', path: ['website'] };

/** "Must be a future date; at least N days ahead where N equals the frequency period." */
export function expiryIssue(expiresAtMs: number, frequency: Frequency, nowMs: number): Issue | undefined {
  if (expiresAtMs <= nowMs) return { code: 'custom', message: 'expires_at must be a future date', path: ['expires_at'] };
  if (expiresAtMs - nowMs < periodMs(frequency)) {
    return { code: 'custom', message: `expires_at must be at least ${periodMs(frequency) / 86_400_000} days ahead for frequency ${frequency}`, path: ['expires_at'] };
  }
  return undefined;
}
