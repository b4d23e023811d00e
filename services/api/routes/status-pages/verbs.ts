import { notFound, validationError, type FieldError } from '../../../lib/errors.js';
import { hashPassword } from '../../../status-pages/password.js';
import type { StatusPage, StatusPageInput, StatusPageStore } from '../../../status-pages/store.js';
import type { VerbContext } from '../../context.js';
import { DOMAIN_PATTERN, type ListStatusPagesQuery, type StatusPageBody } from './schema.js';

export type StatusPageVerbContext = VerbContext & {
  pages: StatusPageStore;
  /** Called after a page changes or goes, so this process stops serving its cached rendering. */
  forget: (page: StatusPage) => void;
};

const DOMAIN = new RegExp(DOMAIN_PATTERN);

function present(ctx: VerbContext, p: StatusPage) {
  return {
    id: p.id, slug: p.slug, title: p.title, description: p.description, customDomain: p.customDomain, visibility: p.visibility,
    components: p.components, url: `${ctx.baseUrl ?? ''}/status/${p.slug}`,
    createdAt: p.createdAt.toISOString(), updatedAt: p.updatedAt.toISOString(),
  };
}

/**
 * The body with its defaults, checked against what the schema cannot see: the monitors are
 * this organization's (another's is "not found", as everywhere), the domain is a host name,
 * and a password page has a password. Nothing is stored when any of it fails.
 */
async function inputOf(ctx: StatusPageVerbContext, b: StatusPageBody, existing: StatusPage | null): Promise<StatusPageInput> {
  const problems: FieldError[] = [];
  const ids = [...new Set(b.components.map((c) => c.monitorId))];
  const names = new Map<string, string>();
  if (ids.length) {
    const { rows } = await ctx.deps.sql.query<{ id: string; name: string }>(
      `SELECT id, config->>'name' AS name FROM monitors WHERE org_id = $1 AND id = ANY($2::text[])`, [ctx.principal.orgId, ids],
    );
    for (const r of rows) names.set(r.id, r.name);
  }
  const seen = new Set<string>();
  b.components.forEach((c, i) => {
    if (!names.has(c.monitorId)) problems.push({ field: `/components/${i}/monitorId`, message: `monitor ${c.monitorId} not found` });
    else if (seen.has(c.monitorId)) problems.push({ field: `/components/${i}/monitorId`, message: 'is already a component of this page' });
    seen.add(c.monitorId);
  });
  const customDomain = b.customDomain ? b.customDomain.toLowerCase().replace(/\.$/, '') : null;
  if (customDomain !== null && !DOMAIN.test(customDomain)) problems.push({ field: '/customDomain', message: 'must be a host name such as status.example.com' });
  let passwordHash: string | null = null;
  const visibility = b.visibility ?? 'public';
  if (visibility === 'password') {
    if (b.password !== undefined) passwordHash = await hashPassword(b.password);
    else if (existing?.passwordHash) passwordHash = existing.passwordHash;
    else problems.push({ field: '/password', message: 'is required for a password-protected page' });
  } else if (b.password !== undefined) {
    problems.push({ field: '/password', message: 'applies only to visibility "password"' });
  }
  if (problems.length) throw validationError(problems.map((p) => `${p.field.slice(1)} ${p.message}`).join('; '), problems);
  return {
    slug: b.slug, title: b.title, description: b.description ?? '', customDomain, visibility, passwordHash,
    components: b.components.map((c) => ({ monitorId: c.monitorId, displayName: c.displayName ?? names.get(c.monitorId)!, group: c.group ?? null, showUptime: c.showUptime ?? true })),
  };
}

async function mustGet(ctx: StatusPageVerbContext, id: string): Promise<StatusPage> {
  const p = await ctx.pages.get(ctx.principal.orgId, id);
  if (!p) throw notFound(`status page ${id}`);
  return p;
}

export async function createStatusPage({ ctx, input }: { ctx: StatusPageVerbContext; input: StatusPageBody }) {
  const page = await inputOf(ctx, input, null);
  await ctx.deps.quotas.assertCanAddStatusPage(ctx.principal.orgId);
  const created = await ctx.pages.create(ctx.principal.orgId, page);
  ctx.forget(created);
  return present(ctx, created);
}

export async function listStatusPages({ ctx, input }: { ctx: StatusPageVerbContext; input: ListStatusPagesQuery }) {
  const { items, totalCount } = await ctx.pages.list(ctx.principal.orgId, input.limit, input.offset);
  return { items: items.map((p) => present(ctx, p)), totalCount };
}

export async function getStatusPage({ ctx, input }: { ctx: StatusPageVerbContext; input: { id: string } }) {
  return present(ctx, await mustGet(ctx, input.id));
}

export async function replaceStatusPage({ ctx, input }: { ctx: StatusPageVerbContext; input: { id: string; body: StatusPageBody } }) {
  const existing = await mustGet(ctx, input.id);
  const page = await ctx.pages.replace(ctx.principal.orgId, input.id, await inputOf(ctx, input.body, existing));
  if (!page) throw notFound(`status page ${input.id}`);
  ctx.forget(existing);
  ctx.forget(page);
  return present(ctx, page);
}

export async function deleteStatusPage({ ctx, input }: { ctx: StatusPageVerbContext; input: { id: string } }) {
  const existing = await mustGet(ctx, input.id);
  if (!(await ctx.pages.delete(ctx.principal.orgId, input.id))) throw notFound(`status page ${input.id}`);
  ctx.forget(existing);
}
