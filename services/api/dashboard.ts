/**
 * The web dashboard (issue 17): built assets under dist/dashboard (web/, built by
 * deploy/build.mjs) served by the api — no CDN, works air-gapped. index.html at `/` (any
 * host that is not a status page's custom domain) and `/dashboard/`, hashed assets under
 * /dashboard/assets/ (cached for a year, served pre-compressed). Its policy forbids inline
 * script and every origin but this one: the dashboard talks only to this api.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import staticFiles from '@fastify/static';

declare module 'fastify' {
  interface FastifyInstance {
    /** Answers with the dashboard's page (or a 503 page when it was not built). */
    dashboardHome: (reply: FastifyReply) => FastifyReply;
  }
}

/** Beside the sources (services/api/) and beside the bundle (dist/cli/), both two levels down from the root. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard/', import.meta.url));

export const DASHBOARD_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

const NOT_BUILT = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pharos</title></head><body><h1>Pharos</h1><p>The dashboard was not built. Run <code>npm run build</code>. The API is at <a href="/reference">/reference</a>.</p></body></html>';

export async function installDashboard(app: FastifyInstance, dir = DASHBOARD_DIR): Promise<void> {
  const index = existsSync(`${dir}index.html`) ? readFileSync(`${dir}index.html`) : null;
  app.decorate('dashboardHome', (reply: FastifyReply) => {
    reply.headers(DASHBOARD_HEADERS).header('cache-control', 'no-cache').type('text/html; charset=utf-8');
    return index ? reply.send(index) : reply.status(503).send(NOT_BUILT);
  });
  app.get('/dashboard', { config: { scope: 'public' }, schema: { hide: true } }, async (_req, reply) => reply.redirect('/', 302));
  app.get('/dashboard/', { config: { scope: 'public' }, schema: { hide: true } }, async (_req, reply) => app.dashboardHome(reply));
  if (!index) return;
  await app.register(staticFiles, {
    root: `${dir}assets`,
    prefix: '/dashboard/assets/',
    preCompressed: true,
    index: false,
    wildcard: true,
    immutable: true,
    maxAge: '365d',
    setHeaders: (res) => {
      res.headers(DASHBOARD_HEADERS);
    },
  });
}
