/** Status pages in the control-plane store (migration 015). */
import type { SqlClient } from '../lib/ports/sql-client.js';
import { DomainError } from '../lib/errors.js';
import { newId } from '../lib/store/ids.js';

export const VISIBILITIES = ['public', 'password'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export interface StatusPageComponent {
  monitorId: string;
  displayName: string;
  /** Components with the same group are shown together, groups in the order they first appear. */
  group: string | null;
  showUptime: boolean;
}

export interface StatusPageInput {
  slug: string;
  title: string;
  description: string;
  customDomain: string | null;
  visibility: Visibility;
  /** Null for a public page. */
  passwordHash: string | null;
  components: StatusPageComponent[];
}

export interface StatusPage extends StatusPageInput {
  id: string;
  orgId: string;
  createdAt: Date;
  updatedAt: Date;
}

interface PageRow {
  id: string; org_id: string; slug: string; title: string; description: string; custom_domain: string | null;
  visibility: Visibility; password_hash: string | null; components: StatusPageComponent[];
  created_at: Date | string; updated_at: Date | string;
}

const fromRow = (r: PageRow): StatusPage => ({
  id: r.id, orgId: r.org_id, slug: r.slug, title: r.title, description: r.description, customDomain: r.custom_domain,
  visibility: r.visibility, passwordHash: r.password_hash, components: r.components,
  createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
});

/** A unique index refused the row: say which public address is taken. */
function taken(err: unknown, page: StatusPageInput): never {
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e?.code !== '23505') throw err;
  const domain = (e.constraint ?? e.message ?? '').includes('domain');
  const field = domain ? 'customDomain' : 'slug';
  const value = domain ? page.customDomain : page.slug;
  throw new DomainError('CONFLICT', 'Conflict', `${field} "${value}" is taken by another status page`, [{ field: `/${field}`, message: 'is taken by another status page' }]);
}

export class StatusPageStore {
  constructor(private readonly sql: SqlClient, private readonly now: () => number = Date.now) {}

  async create(orgId: string, p: StatusPageInput): Promise<StatusPage> {
    try {
      const { rows } = await this.sql.query<PageRow>(
        `INSERT INTO status_pages (id, org_id, slug, title, description, custom_domain, visibility, password_hash, components, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, to_timestamp($10 / 1000.0), to_timestamp($10 / 1000.0)) RETURNING *`,
        [newId('sp'), orgId, p.slug, p.title, p.description, p.customDomain, p.visibility, p.passwordHash, JSON.stringify(p.components), this.now()],
      );
      return fromRow(rows[0]!);
    } catch (err) {
      return taken(err, p);
    }
  }

  async replace(orgId: string, id: string, p: StatusPageInput): Promise<StatusPage | null> {
    try {
      const { rows } = await this.sql.query<PageRow>(
        `UPDATE status_pages SET slug = $3, title = $4, description = $5, custom_domain = $6, visibility = $7, password_hash = $8, components = $9,
           updated_at = to_timestamp($10 / 1000.0)
          WHERE org_id = $1 AND id = $2 RETURNING *`,
        [orgId, id, p.slug, p.title, p.description, p.customDomain, p.visibility, p.passwordHash, JSON.stringify(p.components), this.now()],
      );
      return rows[0] ? fromRow(rows[0]) : null;
    } catch (err) {
      return taken(err, p);
    }
  }

  async get(orgId: string, id: string): Promise<StatusPage | null> {
    const { rows } = await this.sql.query<PageRow>(`SELECT * FROM status_pages WHERE org_id = $1 AND id = $2`, [orgId, id]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  /** The public side: a page by its address, whatever organization owns it. */
  async bySlug(slug: string): Promise<StatusPage | null> {
    const { rows } = await this.sql.query<PageRow>(`SELECT * FROM status_pages WHERE slug = $1`, [slug]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async byDomain(domain: string): Promise<StatusPage | null> {
    const { rows } = await this.sql.query<PageRow>(`SELECT * FROM status_pages WHERE custom_domain = $1`, [domain]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async list(orgId: string, limit: number, offset: number): Promise<{ items: StatusPage[]; totalCount: number }> {
    const count = await this.sql.query<{ n: string | number }>(`SELECT count(*) AS n FROM status_pages WHERE org_id = $1`, [orgId]);
    const { rows } = await this.sql.query<PageRow>(`SELECT * FROM status_pages WHERE org_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3`, [orgId, limit, offset]);
    return { items: rows.map(fromRow), totalCount: Number(count.rows[0]?.n ?? 0) };
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    return (await this.sql.query(`DELETE FROM status_pages WHERE org_id = $1 AND id = $2`, [orgId, id])).rowCount > 0;
  }
}
