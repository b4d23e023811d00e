/**
 * Web dashboard sessions (issue 17): a browser signs in with an API key once and then holds
 * an HttpOnly cookie whose secret stands for that key. The session is the key — same
 * organization, same scopes — so the dashboard can never do what the key could not, and it
 * ends with the key (revoked → the lookup finds nothing). Only the secret's hash is stored.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SqlClient } from '../ports/sql-client.js';
import { newSecret } from '../store/ids.js';
import { hashSecret } from '../store/secrets.js';
import type { ApiKeyStore, Principal } from './api-keys.js';

/** How long a session lasts from sign-in; then the browser signs in again. */
export const SESSION_TTL_MS = 12 * 3_600_000;
export const SESSION_PREFIX = 'phs';

export interface DashboardSession {
  principal: Principal;
  csrfToken: string;
  expiresAt: Date;
}

export class DashboardSessionStore {
  constructor(private readonly sql: SqlClient, private readonly apiKeys: ApiKeyStore, private readonly now: () => number = Date.now) {}

  /** Signs in with a key: null when the key is unknown or revoked; else the cookie's secret and the session. */
  async open(apiKey: string): Promise<{ token: string; session: DashboardSession } | null> {
    const principal = await this.apiKeys.authenticate(apiKey);
    if (!principal) return null;
    const token = newSecret(SESSION_PREFIX);
    const csrfToken = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = new Date(now + SESSION_TTL_MS);
    // Expired sessions of this key go as a new one opens, so the table does not grow without bound.
    await this.sql.query(`DELETE FROM dashboard_sessions WHERE key_id = $1 AND expires_at <= $2`, [principal.keyId, new Date(now)]);
    await this.sql.query(
      `INSERT INTO dashboard_sessions (token_hash, key_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      [hashSecret(token), principal.keyId, csrfToken, new Date(now), expiresAt],
    );
    return { token, session: { principal, csrfToken, expiresAt } };
  }

  /** The live session a cookie's secret stands for, or null (unknown, expired, or its key revoked). */
  async authenticate(token: string): Promise<DashboardSession | null> {
    if (!token.startsWith(`${SESSION_PREFIX}_`) || token.length > 128) return null;
    const { rows } = await this.sql.query<{ key_id: string; org_id: string; scopes: string[]; plan: string; csrf_token: string; expires_at: Date | string }>(
      `SELECT s.key_id, k.org_id, k.scopes, o.plan, s.csrf_token, s.expires_at
         FROM dashboard_sessions s JOIN api_keys k ON k.id = s.key_id JOIN organizations o ON o.id = k.org_id
        WHERE s.token_hash = $1 AND s.expires_at > $2 AND k.revoked_at IS NULL`,
      [hashSecret(token), new Date(this.now())],
    );
    const r = rows[0];
    if (!r) return null;
    return { principal: { keyId: r.key_id, orgId: r.org_id, scopes: r.scopes, plan: r.plan }, csrfToken: r.csrf_token, expiresAt: new Date(r.expires_at) };
  }

  async close(token: string): Promise<void> {
    await this.sql.query(`DELETE FROM dashboard_sessions WHERE token_hash = $1`, [hashSecret(token)]);
  }
}

/** Whether a presented CSRF token is the session's, compared in constant time. */
export function csrfTokenMatches(session: DashboardSession, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}
