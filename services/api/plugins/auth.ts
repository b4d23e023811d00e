import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../../lib/errors.js';
import { hasScope, type Scope } from '../../lib/tenancy/scopes.js';
import type { ApiKeyStore, Principal } from '../../lib/tenancy/api-keys.js';

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

/** The principal of an authenticated request (routes with a scope always have one). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new DomainError('UNAUTHORIZED', 'Unauthorized', 'missing API key');
  return request.principal;
}

/**
 * Every route declares the scope it needs (config.scope); a route without one is refused
 * at startup, so no endpoint is ever accidentally open.
 */
export function installAuth(app: FastifyInstance, apiKeys: ApiKeyStore): void {
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
    if (!key) throw new DomainError('UNAUTHORIZED', 'Unauthorized', 'missing API key: send it in the X-API-Key header');
    const principal = await apiKeys.authenticate(key);
    if (!principal) throw new DomainError('UNAUTHORIZED', 'Unauthorized', 'invalid or revoked API key');
    request.principal = principal;
    if (!hasScope(principal.scopes, scope)) {
      throw new DomainError('INSUFFICIENT_SCOPE', 'Forbidden', `this API key lacks the "${scope}" scope`);
    }
  });
}
