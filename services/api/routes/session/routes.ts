/**
 * The web dashboard's sign-in (issue 17): an API key is exchanged for a server-side session
 * held in an HttpOnly, SameSite=Strict cookie. Requests with the cookie (and no key) act as
 * that key — same organization and scopes — and every change must echo the session's CSRF
 * token in X-CSRF-Token (plugins/auth.ts). API-key clients never need any of this.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../../context.js';
import { DomainError } from '../../../lib/errors.js';
import type { DashboardSession, DashboardSessionStore } from '../../../lib/tenancy/dashboard-sessions.js';
import { SESSION_COOKIE, assertCsrf, sessionOf } from '../../plugins/auth.js';
import { SessionResponse, SignInBody, errorResponses } from './schema.js';

const tags = ['Dashboard session'];
const open = { scope: 'public' } as const;
const security = [{ sessionCookie: [] }];

const present = (s: DashboardSession) => ({
  keyId: s.principal.keyId, orgId: s.principal.orgId, plan: s.principal.plan, scopes: s.principal.scopes, csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString(),
});

export function sessionRoutes(deps: ApiDeps, sessions: DashboardSessionStore) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    // Secure whenever the browser reached us over https (directly or per PHAROS_PUBLIC_URL).
    const secure = (req: FastifyRequest) => req.protocol === 'https' || (deps.config.publicUrl ?? '').startsWith('https:');
    const cookie = (req: FastifyRequest, reply: FastifyReply, value: string, expires: Date) =>
      reply.setCookie(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'strict', secure: secure(req), path: '/', expires });
    const mustHave = async (req: FastifyRequest) => {
      const session = await sessionOf(req, sessions);
      if (!session) throw new DomainError('UNAUTHORIZED', 'Unauthorized', 'not signed in, or the session has expired');
      return session;
    };

    app.post('/api/session', {
      config: open,
      schema: { tags, summary: 'Sign in to the web dashboard with an API key (sets the HttpOnly session cookie)', security: [], body: SignInBody, response: { 201: SessionResponse, ...errorResponses } },
    }, async (req, reply) => {
      // A browser names the page that posts: another site's page may not sign this browser in (login CSRF).
      const origin = req.headers.origin;
      if (origin && origin !== `${req.protocol}://${req.host}` && (!deps.config.publicUrl || origin !== new URL(deps.config.publicUrl).origin)) {
        throw new DomainError('CSRF_TOKEN_INVALID', 'Forbidden', 'sign-in is only accepted from the dashboard\'s own origin');
      }
      const opened = await sessions.open(req.body.apiKey.trim());
      if (!opened) throw new DomainError('UNAUTHORIZED', 'Unauthorized', 'invalid or revoked API key', [{ field: '/apiKey', message: 'is not a valid API key' }]);
      cookie(req, reply, opened.token, opened.session.expiresAt);
      return reply.status(201).header('cache-control', 'no-store').send(present(opened.session));
    });

    app.get('/api/session', {
      config: open,
      schema: { tags, summary: 'The signed-in session: its key, scopes and CSRF token', security, response: { 200: SessionResponse, ...errorResponses } },
    }, async (req, reply) => reply.header('cache-control', 'no-store').send(present(await mustHave(req))));

    app.delete('/api/session', {
      config: open,
      schema: { tags, summary: 'Sign out (needs the X-CSRF-Token header)', security, response: { 204: Type.Null(), ...errorResponses } },
    }, async (req, reply) => {
      const session = await mustHave(req);
      assertCsrf(req, session);
      await sessions.close(req.cookies[SESSION_COOKIE]!);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    });
  };
}
