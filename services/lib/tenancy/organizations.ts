import type { SqlClient } from '../ports/sql-client.js';
import { newId } from '../store/ids.js';

export interface Organization {
  id: string;
  name: string;
  plan: string;
  createdAt: Date;
}

export class OrganizationStore {
  constructor(private readonly sql: SqlClient) {}

  async create(name: string, plan = 'unlimited'): Promise<Organization> {
    const id = newId('org');
    await this.sql.query(`INSERT INTO organizations (id, name, plan) VALUES ($1, $2, $3)`, [id, name, plan]);
    return { id, name, plan, createdAt: new Date() };
  }

  async list(): Promise<Organization[]> {
    const { rows } = await this.sql.query<{ id: string; name: string; plan: string; created_at: Date | string }>(
      `SELECT id, name, plan, created_at FROM organizations ORDER BY created_at, id`);
    return rows.map((r) => ({ id: r.id, name: r.name, plan: r.plan, createdAt: new Date(r.created_at) }));
  }
}
