/**
 * The status page form: title, address, description, custom domain, visibility (public or
 * password), components in order. Checks mirror the API's (services/api/routes/status-pages:
 * the slug and domain patterns are the same text, a unit test holds them equal).
 */
import type { FieldProblem } from './problems.js';

export const SLUG_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$';
export const DOMAIN_PATTERN = '^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$';
const SLUG = new RegExp(SLUG_PATTERN);
const DOMAIN = new RegExp(DOMAIN_PATTERN);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;

export interface ComponentValues {
  monitorId: string;
  displayName: string;
  group: string;
  showUptime: boolean;
}

export interface StatusPageFormValues {
  title: string;
  slug: string;
  description: string;
  customDomain: string;
  visibility: 'public' | 'password';
  /** Write-only: empty on an edit keeps the page's current password. */
  password: string;
  components: ComponentValues[];
}

export const emptyStatusPage = (): StatusPageFormValues => ({ title: '', slug: '', description: '', customDomain: '', visibility: 'public', password: '', components: [] });

/** The form's values for a page as the API answers it (a display name equal to the monitor's own shows as empty). */
export function statusPageForm(p: { title: string; slug: string; description: string; customDomain: string | null; visibility: string; components: Array<{ monitorId: string; displayName: string; group: string | null; showUptime: boolean }> }, monitorName: (id: string) => string | undefined): StatusPageFormValues {
  return {
    title: p.title, slug: p.slug, description: p.description, customDomain: p.customDomain ?? '', visibility: p.visibility === 'password' ? 'password' : 'public', password: '',
    components: p.components.map((c) => ({ monitorId: c.monitorId, displayName: c.displayName === monitorName(c.monitorId) ? '' : c.displayName, group: c.group ?? '', showUptime: c.showUptime })),
  };
}

/**
 * The body for POST (editing: false) or PUT (editing: the page's current visibility). A
 * password page being created needs a password; one already protected keeps its password
 * when the field is left empty.
 */
export function statusPageBody(v: StatusPageFormValues, editing: { visibility: string } | null): { body: Record<string, unknown>; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const title = v.title.trim();
  if (!title) problems.push({ field: '/title', message: 'is required' });
  else if (title.length > 200 || CONTROL.test(title)) problems.push({ field: '/title', message: 'at most 200 characters, no control characters' });
  if (!SLUG.test(v.slug)) problems.push({ field: '/slug', message: 'lower-case letters, digits and inner dashes (at most 63)' });
  if (v.description.length > 2000 || CONTROL.test(v.description)) problems.push({ field: '/description', message: 'at most 2000 characters, no control characters' });
  const customDomain = v.customDomain.trim().toLowerCase().replace(/\.$/, '');
  if (customDomain && !DOMAIN.test(customDomain)) problems.push({ field: '/customDomain', message: 'must be a host name such as status.example.com' });
  const body: Record<string, unknown> = {
    title, slug: v.slug, description: v.description, customDomain: customDomain || null, visibility: v.visibility,
    components: v.components.map((c) => ({ monitorId: c.monitorId, ...(c.displayName.trim() ? { displayName: c.displayName.trim() } : {}), group: c.group.trim() || null, showUptime: c.showUptime })),
  };
  v.components.forEach((c, i) => {
    if (c.displayName.trim().length > 100 || CONTROL.test(c.displayName)) problems.push({ field: `/components/${i}/displayName`, message: 'at most 100 characters' });
    if (c.group.trim().length > 100 || CONTROL.test(c.group)) problems.push({ field: `/components/${i}/group`, message: 'at most 100 characters' });
  });
  if (v.visibility === 'password') {
    if (v.password) {
      if (v.password.length < PASSWORD_MIN || v.password.length > PASSWORD_MAX) problems.push({ field: '/password', message: `must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters` });
      body.password = v.password;
    } else if (editing?.visibility !== 'password') {
      problems.push({ field: '/password', message: 'is required for a password-protected page' });
    }
  }
  return { body, problems };
}
