import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../../lib/errors.js';
import { hasScope, type Scope } from '../../lib/tenancy/scopes.js';
import type { ApiKeyStore, Principal } from '../../lib/tenancy/api-keys.js';
import { csrfTokenMatches, type DashboardSession, type DashboardSessionStore } from '../../lib/tenancy/dashboard-sessions.js';

/** The web dashboard's session cookie (HttpOnly, SameSite=Strict; routes/session). */
export const SESSION_COOKIE = 'pharos_session';
/** The header a cookie-authenticated change must carry its session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a key needs for this route; 'public' for routes without auth. */
    scope?: Scope | 'public';
  }
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyInstance {
    /** Every route with the scope it declared, for the route × scope matrix test and docs. */
    routeScopes: Array<{ method: string; url: string; scope: Scope | 'public' }>;
  }
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.trim()) return header.trim();
  const auth = request.headers.authorization;
  if (auth && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim() || undefined;
  return undefined;
}

/** The dashboard session a request's cookie stands for, or null. */
export async function sessionOf(request: FastifyRequest, sessions: DashboardSessionStore): Promise<DashboardSession | null> {
  const token = request.cookies?.[SESSION_COOKIE];
  return token ? sessions.authenticate(token) : null;
}

/** Refuses a change made with a session cookie unless it echoes the session's CSRF token. */
export function assertCsrf(request: FastifyRequest, session: DashboardSession): void {
  if (SAFE_METHODS.has(request.method)) return;
  const presented = request.headers[CSRF_HEADER];
  if (!csrfTokenMatches(session, typeof presented === 'string' ? presented : undefined)) {
    throw new DomainError('CSRF_TOKEN_INVALID', 'Forbidden', `a change made with the dashboard session must carry its CSRF token in the ${CSRF_HEADER} header`);
  }
}

/** The principal of an authenticated request (routes with a scope always have one). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new DomainError('UNAUTHORIZED', 'Unauthorized', 'missing API key');
  return request.principal;
}

/**
 * Every route declares the scope it needs (config.scope); a route without one is refused
 * at startup, so no endpoint is ever accidentally open.
 */
export function installAuth(app: FastifyInstance, apiKeys: ApiKeyStore, sessions?: DashboardSessionStore): void {
  const routeScopes: FastifyInstance['routeScopes'] = [];
  app.decorate('routeScopes', routeScopes);
  app.addHook('onRoute', (route) => {
    const scope = route.config?.scope;
    if (!scope && (route.url.startsWith('/api') || route.url.startsWith('/encrata/api'))) {
      throw new Error(`route ${route.method} ${route.url} declares no scope`);
    }
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routeScopes.push({ method, url: route.url, scope: scope ?? 'public' });
    }
  });
  app.addHook('onRequest', async (request) => {
    const scope = request.routeOptions.config?.scope;
    if (!scope || scope === 'public') return;
    const key = presentedKey(request);
    let principal: Principal | null;
    if (key) {
      principal = await apiKeys.authenticate(key);
      if (!principal) throw new DomainError('UNAUTHORIZED', 'Unauthorized', 'invalid or revoked API key');
    } else {
      // No key: the web dashboard's session cookie may stand for one (a key, when sent, always wins).
      const session = sessions ? await sessionOf(request, sessions) : null;
      if (!session) {
        throw new DomainError('UNAUTHORIZED', 'Unauthorized', request.cookies?.[SESSION_COOKIE]
          ? 'the dashboard session has expired, was signed out, or its API key was revoked'
          : 'missing API key: send it in the X-API-Key header');
      }
      assertCsrf(request, session);
      principal = session.principal;
    }
    request.principal = principal;
    if (!hasScope(principal.scopes, scope)) {
      throw new DomainError('INSUFFICIENT_SCOPE', 'Forbidden', `this API key lacks the "${scope}" scope`);
    }
  });
}
