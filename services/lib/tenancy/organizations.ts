import type { SqlClient } from '../ports/sql-client.js';
import { newId } from '../store/ids.js';

import { planOf, type PlanAddons } from './plans.js';

export interface Organization {
  id: string;
  name: string;
  plan: string;
  addons: PlanAddons;
  createdAt: Date;
}

interface OrgRow { id: string; name: string; plan: string; addons: PlanAddons | null; created_at: Date | string }
const toOrg = (r: OrgRow): Organization => ({ id: r.id, name: r.name, plan: r.plan, addons: r.addons ?? {}, createdAt: new Date(r.created_at) });

export class OrganizationStore {
  constructor(private readonly sql: SqlClient) {}

  async create(name: string, plan = 'unlimited', addons: PlanAddons = {}): Promise<Organization> {
    planOf(plan);
    const id = newId('org');
    await this.sql.query(`INSERT INTO organizations (id, name, plan, addons) VALUES ($1, $2, $3, $4)`, [id, name, plan, JSON.stringify(addons)]);
    return (await this.get(id))!;
  }

  async get(id: string): Promise<Organization | null> {
    const { rows } = await this.sql.query<OrgRow>(`SELECT id, name, plan, addons, created_at FROM organizations WHERE id = $1`, [id]);
    return rows[0] ? toOrg(rows[0]) : null;
  }

  async list(): Promise<Organization[]> {
    const { rows } = await this.sql.query<OrgRow>(`SELECT id, name, plan, addons, created_at FROM organizations ORDER BY created_at, id`);
    return rows.map(toOrg);
  }

  async setPlan(id: string, plan: string, addons: PlanAddons): Promise<Organization | null> {
    planOf(plan);
    await this.sql.query(`UPDATE organizations SET plan = $2, addons = $3 WHERE id = $1`, [id, plan, JSON.stringify(addons)]);
    return this.get(id);
  }
}
