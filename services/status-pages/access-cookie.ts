/**
 * Access to a password page: after the password, a cookie `<expires>.<mac>` with an
 * HMAC-SHA256 over the page id, the expiry and the stored password hash, under a key
 * derived from the deployment's secrets key. Changing the password invalidates every
 * cookie given for the old one; nothing is stored per visitor.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export const ACCESS_TTL_SECONDS = 12 * 3600;

/** The signing key: derived from PHAROS_SECRETS_KEY, or random for this process when there is none. */
export function accessKeyFrom(secretsKey: Buffer | undefined): Buffer {
  if (!secretsKey) return randomBytes(32);
  return Buffer.from(hkdfSync('sha256', secretsKey, Buffer.alloc(0), 'pharos status page access v1', 32));
}

export const cookieName = (pageId: string) => `pharos_sp_${pageId}`;

const mac = (key: Buffer, pageId: string, expires: number, passwordHash: string) =>
  createHmac('sha256', key).update(`${pageId}\u0000${expires}\u0000${passwordHash}`).digest('base64url');

export function signAccess(key: Buffer, page: { id: string; passwordHash: string }, nowMs: number): { value: string; maxAge: number } {
  const expires = Math.floor(nowMs / 1000) + ACCESS_TTL_SECONDS;
  return { value: `${expires}.${mac(key, page.id, expires, page.passwordHash)}`, maxAge: ACCESS_TTL_SECONDS };
}

export function verifyAccess(key: Buffer, page: { id: string; passwordHash: string }, value: string | undefined, nowMs: number): boolean {
  if (!value) return false;
  const [expiresText, given] = value.split('.');
  const expires = Number(expiresText);
  if (!Number.isSafeInteger(expires) || !given || expires * 1000 <= nowMs) return false;
  const expected = Buffer.from(mac(key, page.id, expires, page.passwordHash));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The value of one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
