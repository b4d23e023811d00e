/**
 * The links mailed to a status page subscriber: `<subscriberId>.<expires>.<mac>`, an
 * HMAC-SHA256 over the purpose, the subscriber id and the expiry under the status page access
 * key (derived from PHAROS_SECRETS_KEY, so the api that checks a link and the alerting process
 * that mails it agree). Nothing is stored per link; a confirmation link expires, an
 * unsubscribe link does not (it must work in any old mail).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TokenPurpose = 'confirm' | 'unsubscribe';

export const CONFIRM_TTL_SECONDS = 7 * 24 * 3600;
const NEVER = 0;

const mac = (key: Buffer, purpose: TokenPurpose, id: string, expires: number) =>
  createHmac('sha256', key).update(`pharos subscription\u0000${purpose}\u0000${id}\u0000${expires}`).digest('base64url');

export function signSubscriberToken(key: Buffer, purpose: TokenPurpose, subscriberId: string, nowMs: number): string {
  const expires = purpose === 'confirm' ? Math.floor(nowMs / 1000) + CONFIRM_TTL_SECONDS : NEVER;
  return `${subscriberId}.${expires}.${mac(key, purpose, subscriberId, expires)}`;
}

/** The subscriber id a token names, or null when it is malformed, forged, for another purpose or expired. */
export function verifySubscriberToken(key: Buffer, purpose: TokenPurpose, token: string | undefined, nowMs: number): string | null {
  if (!token) return null;
  const [id, expiresText, given, extra] = token.split('.');
  if (!id || !given || extra !== undefined || !/^sub_[0-9a-z]{26}$/.test(id)) return null;
  const expires = Number(expiresText);
  if (!Number.isSafeInteger(expires) || (expires !== NEVER && expires * 1000 <= nowMs)) return null;
  const expected = Buffer.from(mac(key, purpose, id, expires));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? id : null;
}
