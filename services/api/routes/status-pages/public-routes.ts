/**
 * Public status pages: no API key. HTML at /status/{slug} (and at / on a page's custom
 * domain), the Statuspage-compatible JSON under /status/{slug}/api/v2/, an Atom feed, and
 * the Enori document's public view at /api/status-pages/{slug}/public.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../../context.js';
import { DomainError } from '../../../lib/errors.js';
import type { StatusPage, StatusPageStore } from '../../../status-pages/store.js';
import type { PageCache } from '../../../status-pages/page-cache.js';
import { TTL_MS } from '../../../status-pages/page-cache.js';
import { accessKeyFrom } from '../../../status-pages/access-cookie.js';
import { renderNotFound, renderPasswordForm, renderSubscriptionPage } from '../../../status-pages/render-page.js';
import { LoginBody, OneClickBody, PublicStatusPage, SlugParams, SubscribeBody, TokenQuery, htmlResponse, statuspageResponses, subscribeResponses } from './public-schema.js';
import { followLink, linkIsGood, subscribe } from './subscription-verbs.js';
import {
  addressedPage, atomFeed, logIn, mayView, pageHtml, pageUrl, passwordRequired, publicView, statuspageJson, type PublicContext, type Rendered, type StatuspageDocument,
} from './public-verbs.js';

const tags = ['Public status pages'];
const open = { scope: 'public' } as const;
const FORM_BYTES = 4096;
/**
 * The page needs its inline stylesheet and a same-origin form post, nothing else: no script
 * may run even if a text ever escaped escaping. Framing stays allowed (people embed status pages).
 */
const HTML_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

export function publicStatusRoutes(opts: { deps: ApiDeps; pages: StatusPageStore; cache: PageCache }) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const ctx: PublicContext = { ...opts, accessKey: opts.deps.statusPageAccessKey ?? accessKeyFrom(undefined) };
    // The password form posts urlencoded; only this plugin's routes accept it.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BYTES }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    // RFC 8058 lets a mail client post the one-click unsubscribe as multipart; its body says nothing the URL does not.
    app.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: FORM_BYTES }, (_req, _body, done) => done(null, {}));
    const maxAge = Math.floor(TTL_MS / 1000);
    const caching = (page: StatusPage) => (page.visibility === 'public' ? `public, max-age=${maxAge}` : 'private, no-store');

    /** Sends a rendering, or 304 when the client holds this very one (aggregators poll the JSON). */
    const sendRendered = (req: FastifyRequest, reply: FastifyReply, r: Rendered<string | Buffer>, body?: Buffer) => {
      reply.header('etag', r.etag);
      if (req.headers['if-none-match'] === r.etag) return reply.status(304).send();
      return reply.send(body ?? r.body);
    };

    const notFoundHtml = (reply: FastifyReply) => reply.status(404).headers(HTML_HEADERS).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderNotFound());

    async function sendPage(req: FastifyRequest, reply: FastifyReply, found: { page: StatusPage; onDomain: boolean } | null) {
      if (!found) return notFoundHtml(reply);
      const { page, onDomain } = found;
      const action = onDomain ? '/login' : `/status/${page.slug}/login`;
      if (!mayView(ctx, req, page)) {
        return reply.status(401).headers(HTML_HEADERS).type('text/html; charset=utf-8').header('cache-control', 'private, no-store').send(renderPasswordForm(page, action));
      }
      const { html, gzip } = await pageHtml(ctx, page);
      reply.headers(HTML_HEADERS).type('text/html; charset=utf-8').header('cache-control', caching(page)).header('vary', 'accept-encoding, cookie');
      if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return sendRendered(req, reply.header('content-encoding', 'gzip'), html, gzip);
      return sendRendered(req, reply, html);
    }

    /** The page for a JSON or feed route: 404 when none, 401 for a password page without access. */
    async function viewable(req: FastifyRequest, slug: string): Promise<{ page: StatusPage; url: string }> {
      const found = await addressedPage(ctx, req, slug);
      if (!found) throw new DomainError('NOT_FOUND', 'Not found', `status page ${slug} not found`);
      if (!mayView(ctx, req, found.page)) throw passwordRequired();
      return { page: found.page, url: pageUrl(ctx, req, found.page, false) };
    }

    app.get('/status/:slug', {
      config: open,
      schema: { tags, summary: 'The public status page (HTML)', security: [], params: SlugParams, response: htmlResponse('The page; 401 with a password form for a password page without access; 404 HTML when there is none') },
    }, async (req, reply) => sendPage(req, reply, await addressedPage(ctx, req, req.params.slug)));

    // A custom domain's page at its root; any other host gets the web dashboard (services/api/dashboard.ts).
    app.get('/', { config: open, schema: { hide: true } }, async (req, reply) => {
      const found = await addressedPage(ctx, req);
      if (!found && fastify.hasDecorator('dashboardHome')) return fastify.dashboardHome(reply);
      return sendPage(req, reply, found);
    });

    async function login(req: FastifyRequest, reply: FastifyReply, found: { page: StatusPage; onDomain: boolean } | null) {
      if (!found) return notFoundHtml(reply);
      const { page, onDomain } = found;
      const home = onDomain ? '/' : `/status/${page.slug}`;
      const action = onDomain ? '/login' : `/status/${page.slug}/login`;
      const outcome = await logIn(ctx, req, page, (req.body as { password: string }).password);
      const form = (status: number, error: string) => reply.status(status).headers(HTML_HEADERS).type('text/html; charset=utf-8').header('cache-control', 'private, no-store').send(renderPasswordForm(page, action, error));
      if (outcome.ok) return reply.status(303).header('set-cookie', outcome.cookie).header('location', home).send();
      if (outcome.reason === 'throttled') {
        reply.header('retry-after', outcome.retryAfterSeconds);
        return form(429, `Too many attempts. Try again in ${Math.ceil(outcome.retryAfterSeconds / 60)} minutes.`);
      }
      return form(401, 'That password is not right.');
    }
    const loginSchema = { tags, summary: 'Enter a password page\'s password (a form post); sets the access cookie and redirects to the page', security: [], consumes: ['application/x-www-form-urlencoded'], body: LoginBody };

    app.post('/status/:slug/login', { config: open, schema: { ...loginSchema, params: SlugParams } }, async (req, reply) => login(req, reply, await addressedPage(ctx, req, req.params.slug)));
    app.post('/login', { config: open, schema: { ...loginSchema, hide: true } }, async (req, reply) => login(req, reply, await addressedPage(ctx, req)));

    app.get('/status/:slug/feed.atom', {
      config: open,
      schema: { tags, summary: 'Atom feed of the page\'s incidents', security: [], params: SlugParams, response: { 200: { description: 'Atom 1.0', content: { 'application/atom+xml': { schema: { type: 'string' } } } } } },
    }, async (req, reply) => {
      const { page, url } = await viewable(req, req.params.slug);
      return sendRendered(req, reply.type('application/atom+xml; charset=utf-8').header('cache-control', caching(page)), await atomFeed(ctx, page, url));
    });

    for (const doc of Object.keys(statuspageResponses) as StatuspageDocument[]) {
      app.get(`/status/:slug/api/v2/${doc}`, {
        config: open,
        schema: { tags, summary: `Statuspage-compatible ${doc}`, security: [], params: SlugParams, response: statuspageResponses[doc] },
      }, async (req, reply) => {
        const { page, url } = await viewable(req, req.params.slug);
        return sendRendered(req, reply.type('application/json; charset=utf-8').header('cache-control', caching(page)).header('access-control-allow-origin', '*'),
          await statuspageJson(ctx, page, url, doc));
      });
    }

    app.post('/api/status-pages/:slug/subscribe', {
      config: open,
      schema: { tags, summary: 'Subscribe to status page updates via email (a confirmation link is mailed first)', security: [], params: SlugParams, body: SubscribeBody, response: subscribeResponses },
    }, async (req, reply) => {
      const { page } = await viewable(req, req.params.slug);
      const outcome = await subscribe(ctx, req, page, req.body);
      if (!outcome.ok) {
        reply.header('retry-after', outcome.retryAfterSeconds);
        throw new DomainError('RATE_LIMITED', 'Too many requests', `too many subscription requests; retry after ${outcome.retryAfterSeconds} s`);
      }
      return reply.status(202).header('cache-control', 'no-store').send({ message: 'If the address can be subscribed, a confirmation link is on its way to it.' });
    });

    const linkPage = (reply: FastifyReply, status: number, body: string) => reply.status(status).headers(HTML_HEADERS).type('text/html; charset=utf-8').header('cache-control', 'private, no-store').send(body);
    const badLink = (reply: FastifyReply, page: StatusPage) => linkPage(reply, 400, renderSubscriptionPage(page, 'This link is not valid', 'It may have expired or been copied incompletely. Subscribe again on the status page.'));
    const linkSchema = (summary: string) => ({ tags, summary, security: [], params: SlugParams, querystring: TokenQuery, response: htmlResponse('A small page saying what happened; 400 for a link that is not valid; 404 HTML when there is no such page') });

    // The signed link is the capability (it proves the mailbox), so it works without a password page's cookie: a mail client's one-click post has none.
    app.get('/status/:slug/subscriptions/confirm', { config: open, schema: linkSchema('Confirm an email subscription (the link in the confirmation mail)') }, async (req, reply) => {
      const found = await addressedPage(ctx, req, req.params.slug);
      if (!found) return notFoundHtml(reply);
      if (!(await followLink(ctx, found.page, 'confirm', req.query.token))) return badLink(reply, found.page);
      return linkPage(reply, 200, renderSubscriptionPage(found.page, 'Subscription confirmed', 'You will be emailed when an incident on this page starts, is updated or is resolved. Every mail has a link to unsubscribe.'));
    });

    app.get('/status/:slug/subscriptions/unsubscribe', { config: open, schema: linkSchema('Unsubscribe page: a button that posts the one-click unsubscribe') }, async (req, reply) => {
      const found = await addressedPage(ctx, req, req.params.slug);
      if (!found) return notFoundHtml(reply);
      if (!linkIsGood(ctx, 'unsubscribe', req.query.token)) return badLink(reply, found.page);
      // A GET changes nothing: link scanners open links in mail.
      return linkPage(reply, 200, renderSubscriptionPage(found.page, 'Unsubscribe', 'Stop the emails about this status page?',
        { action: `/status/${found.page.slug}/subscriptions/unsubscribe?token=${encodeURIComponent(req.query.token)}`, button: 'Unsubscribe' }));
    });

    app.post('/status/:slug/subscriptions/unsubscribe', {
      config: open,
      schema: { ...linkSchema('One-click unsubscribe (RFC 8058: List-Unsubscribe=One-Click), or the unsubscribe page\'s button'), consumes: ['application/x-www-form-urlencoded', 'multipart/form-data'], body: OneClickBody },
    }, async (req, reply) => {
      const found = await addressedPage(ctx, req, req.params.slug);
      if (!found) return notFoundHtml(reply);
      if (!(await followLink(ctx, found.page, 'unsubscribe', req.query.token))) return badLink(reply, found.page);
      return linkPage(reply, 200, renderSubscriptionPage(found.page, 'Unsubscribed', 'You will get no more emails about this status page.'));
    });

    app.get('/api/status-pages/:slug/public', {
      config: open,
      schema: { tags, summary: 'View a public status page: component statuses, uptime data and incident history', security: [], params: SlugParams, response: { 200: PublicStatusPage, 400: statuspageResponses['status.json'][400], 401: statuspageResponses['status.json'][401], 404: statuspageResponses['status.json'][404] } },
    }, async (req, reply) => {
      const { page } = await viewable(req, req.params.slug);
      return sendRendered(req, reply.type('application/json; charset=utf-8').header('cache-control', caching(page)), await publicView(ctx, page));
    });
  };
}
