/**
 * The public side of status pages: find the page a request addresses (slug, or Host for a
 * custom domain), check a password page's access cookie, and give the page's renderings
 * from the cache. No API key: a page is public by its owner's choice, and shows only what
 * loadPageView reads for its own organization.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { FastifyRequest } from 'fastify';
import type { ApiDeps } from '../../context.js';
import { DomainError } from '../../../lib/errors.js';
import type { StatusPage, StatusPageStore } from '../../../status-pages/store.js';
import { PageCache, type CachedView } from '../../../status-pages/page-cache.js';
import { loadPageView, type IncidentView, type PageView } from '../../../status-pages/view.js';
import { renderPage } from '../../../status-pages/render-page.js';
import { StatuspageDocuments } from '../../../status-pages/statuspage-json.js';
import { renderAtom } from '../../../status-pages/feed.js';
import { cookieName, readCookie, signAccess, verifyAccess } from '../../../status-pages/access-cookie.js';
import { verifyPassword } from '../../../status-pages/password.js';

export interface PublicContext {
  deps: ApiDeps;
  pages: StatusPageStore;
  cache: PageCache;
  accessKey: Buffer;
}

/** Wrong passwords per page and client address before a pause (a brake on guessing). */
export const LOGIN_ATTEMPTS = { limit: 10, periodMs: 10 * 60_000 };

const now = (ctx: PublicContext) => (ctx.deps.now ?? Date.now)();

/**
 * The page a request addresses. On a custom domain, `/` is its page and `/status/{slug}`
 * answers only for that page's own slug, so one organization's domain never shows another's page.
 */
export async function addressedPage(ctx: PublicContext, req: FastifyRequest, slug?: string): Promise<{ page: StatusPage; onDomain: boolean } | null> {
  const host = req.hostname.toLowerCase();
  const byHost = await ctx.cache.page(`domain:${host}`, () => ctx.pages.byDomain(host));
  if (slug === undefined) return byHost ? { page: byHost, onDomain: true } : null;
  if (byHost && byHost.slug !== slug) return null;
  const page = await ctx.cache.page(`slug:${slug}`, () => ctx.pages.bySlug(slug));
  return page ? { page, onDomain: false } : null;
}

export function mayView(ctx: PublicContext, req: FastifyRequest, page: StatusPage): boolean {
  if (page.visibility === 'public' || !page.passwordHash) return true;
  return verifyAccess(ctx.accessKey, { id: page.id, passwordHash: page.passwordHash }, readCookie(req.headers.cookie, cookieName(page.id)), now(ctx));
}

export function pageUrl(ctx: PublicContext, req: FastifyRequest, page: StatusPage, onDomain: boolean): string {
  if (onDomain) return `${req.protocol}://${req.host}`;
  return `${ctx.deps.config.publicUrl ?? `${req.protocol}://${req.host}`}/status/${page.slug}`;
}

export function cachedView(ctx: PublicContext, page: StatusPage): Promise<CachedView> {
  return ctx.cache.view(page, () => loadPageView(ctx.deps, page, ctx.cache.days));
}

/** A rendering with its entity tag, both made once per cached view. */
export interface Rendered<T extends string | Buffer = string> { body: T; etag: string }

function rendered<T extends string | Buffer>(cached: CachedView, kind: string, make: () => T, perHost = false): Rendered<T> {
  const body = PageCache.rendering(cached, kind, make, perHost);
  // Weak: the gzipped and plain HTML are one page to a cache revalidating it.
  const etag = PageCache.rendering(cached, `${kind} etag`, () => `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`, perHost);
  return { body, etag };
}

/** The page's HTML as bytes, plain and gzipped (each made once per cached view, so a hit costs no encoding). */
export async function pageHtml(ctx: PublicContext, page: StatusPage): Promise<{ html: Rendered<Buffer>; gzip: Buffer }> {
  const cached = await cachedView(ctx, page);
  const html = rendered(cached, 'html', () => Buffer.from(renderPage(cached.view, `/status/${page.slug}`)));
  const gzip = PageCache.rendering(cached, 'html.gz', () => gzipSync(html.body));
  return { html, gzip };
}

export type StatuspageDocument = 'summary.json' | 'status.json' | 'components.json' | 'incidents.json' | 'incidents/unresolved.json'
  | 'scheduled-maintenances.json' | 'scheduled-maintenances/upcoming.json' | 'scheduled-maintenances/active.json';

export async function statuspageJson(ctx: PublicContext, page: StatusPage, url: string, doc: StatuspageDocument): Promise<Rendered> {
  const cached = await cachedView(ctx, page);
  return rendered(cached, `${doc} ${url}`, () => {
    const d = new StatuspageDocuments(cached.view, url);
    const body = {
      'summary.json': () => d.summary(), 'status.json': () => d.status(), 'components.json': () => d.componentsDoc(),
      'incidents.json': () => d.incidents(), 'incidents/unresolved.json': () => d.unresolvedIncidents(),
      'scheduled-maintenances.json': () => d.scheduledMaintenances('all'), 'scheduled-maintenances/upcoming.json': () => d.scheduledMaintenances('upcoming'),
      'scheduled-maintenances/active.json': () => d.scheduledMaintenances('active'),
    }[doc]();
    return JSON.stringify(body);
  }, true);
}

export async function atomFeed(ctx: PublicContext, page: StatusPage, url: string): Promise<Rendered> {
  const cached = await cachedView(ctx, page);
  return rendered(cached, `atom ${url}`, () => renderAtom(cached.view, url), true);
}

const iso = (d: Date | number) => new Date(d).toISOString();

function publicIncident(view: PageView, i: IncidentView) {
  const names = new Map(view.components.map((c) => [c.monitorId, c.name]));
  return {
    id: i.id, title: i.title, message: i.message, severity: i.severity, status: i.phase, startedAt: iso(i.startedAt), resolvedAt: i.resolvedAt ? iso(i.resolvedAt) : null,
    components: i.monitorIds.map((id) => names.get(id)).filter((n): n is string => n !== undefined),
    updates: i.updates.map((u) => ({ status: u.status, message: u.message, createdAt: iso(u.createdAt) })),
  };
}

/** The Enori document's public view: "component statuses, uptime data, and incident history". */
export async function publicView(ctx: PublicContext, page: StatusPage): Promise<Rendered> {
  const cached = await cachedView(ctx, page);
  return rendered(cached, 'public.json', () => {
    const v = cached.view;
    const names = new Map(v.components.map((c) => [c.monitorId, c.name]));
    return JSON.stringify({
      slug: page.slug, title: page.title, description: page.description, status: v.overall, updatedAt: iso(v.generatedAtMs),
      components: v.components.map((c) => ({
        id: c.monitorId, name: c.name, group: c.group, status: c.status,
        uptimePercentage: c.showUptime ? c.uptime : null,
        uptimeDays: c.showUptime ? c.days.map((d) => ({ date: d.day, uptimePercentage: d.uptime })) : [],
      })),
      activeIncidents: v.activeIncidents.map((i) => publicIncident(v, i)),
      incidentHistory: v.pastIncidents.map((i) => publicIncident(v, i)),
      scheduledMaintenance: v.maintenance.map((m) => ({
        id: m.id, name: m.name, startsAt: iso(m.startMs), endsAt: iso(m.endMs), inProgress: m.inProgress,
        components: m.monitorIds.map((id) => names.get(id)).filter((n): n is string => n !== undefined),
      })),
    });
  });
}

export const passwordRequired = () => new DomainError('UNAUTHORIZED', 'Unauthorized', 'this status page is password-protected: enter the password on the page first');

export type LoginOutcome = { ok: true; cookie: string } | { ok: false; reason: 'wrong' } | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/** Checks a password page's password; a right one gives the access cookie. Wrong ones are braked per page and address. */
export async function logIn(ctx: PublicContext, req: FastifyRequest, page: StatusPage, password: string): Promise<LoginOutcome> {
  if (!page.passwordHash) return { ok: false, reason: 'wrong' };
  const t = now(ctx);
  const d = await ctx.deps.hotState.consumeRateLimit(`status-page-login:${page.id}:${req.ip}`, LOGIN_ATTEMPTS.limit, LOGIN_ATTEMPTS.periodMs, t);
  if (!d.allowed) return { ok: false, reason: 'throttled', retryAfterSeconds: Math.max(1, Math.ceil(d.retryAfterMs / 1000)) };
  if (!(await verifyPassword(password, page.passwordHash))) return { ok: false, reason: 'wrong' };
  const { value, maxAge } = signAccess(ctx.accessKey, { id: page.id, passwordHash: page.passwordHash }, t);
  const secure = req.protocol === 'https' || (ctx.deps.config.publicUrl ?? '').startsWith('https:');
  return { ok: true, cookie: `${cookieName(page.id)}=${value}; Max-Age=${maxAge}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}` };
}
