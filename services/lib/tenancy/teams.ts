import type { SqlClient } from '../ports/sql-client.js';
import { DomainError } from '../errors.js';
import { newId } from '../store/ids.js';

export const TEAM_ROLES = ['Owner', 'Admin', 'Member'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

export interface TeamMember {
  id: string;
  teamId: string;
  name: string;
  email: string;
  role: TeamRole;
  createdAt: Date;
}

export interface Team {
  id: string;
  orgId: string;
  name: string;
  description: string | null;
  memberCount: number;
  createdAt: Date;
  updatedAt: Date;
}

interface TeamRow { id: string; org_id: string; name: string; description: string | null; member_count: number; created_at: Date | string; updated_at: Date | string }
interface MemberRow { id: string; team_id: string; name: string; email: string; role: TeamRole; created_at: Date | string }

const toTeam = (r: TeamRow): Team => ({
  id: r.id, orgId: r.org_id, name: r.name, description: r.description, memberCount: Number(r.member_count),
  createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
});
const toMember = (r: MemberRow): TeamMember => ({ id: r.id, teamId: r.team_id, name: r.name, email: r.email, role: r.role, createdAt: new Date(r.created_at) });

const SELECT = `SELECT t.*, (SELECT count(*) FROM team_members m WHERE m.team_id = t.id) AS member_count FROM teams t`;

function conflict(err: unknown, what: string): never {
  if ((err as { code?: string }).code === '23505') throw new DomainError('CONFLICT', 'Already exists', what);
  throw err;
}

/** Teams of an organization; every method takes the org, so tenants never cross. */
export class TeamStore {
  constructor(private readonly sql: SqlClient) {}

  async create(orgId: string, name: string, description: string | null): Promise<Team> {
    const id = newId('team');
    await this.sql.query(`INSERT INTO teams (id, org_id, name, description) VALUES ($1, $2, $3, $4)`, [id, orgId, name, description])
      .catch((err) => conflict(err, `a team named "${name}" already exists`));
    return (await this.get(orgId, id))!;
  }

  async get(orgId: string, id: string): Promise<Team | null> {
    const { rows } = await this.sql.query<TeamRow>(`${SELECT} WHERE t.org_id = $1 AND t.id = $2`, [orgId, id]);
    return rows[0] ? toTeam(rows[0]) : null;
  }

  async list(orgId: string, limit: number, offset: number): Promise<{ items: Team[]; totalCount: number }> {
    const { rows } = await this.sql.query<TeamRow>(`${SELECT} WHERE t.org_id = $1 ORDER BY t.created_at, t.id LIMIT $2 OFFSET $3`, [orgId, limit, offset]);
    return { items: rows.map(toTeam), totalCount: await this.count(orgId) };
  }

  async count(orgId: string): Promise<number> {
    const { rows } = await this.sql.query<{ n: number }>(`SELECT count(*) AS n FROM teams WHERE org_id = $1`, [orgId]);
    return Number(rows[0].n);
  }

  async update(orgId: string, id: string, name: string, description: string | null): Promise<Team | null> {
    const res = await this.sql.query(`UPDATE teams SET name = $3, description = $4, updated_at = now() WHERE org_id = $1 AND id = $2`, [orgId, id, name, description])
      .catch((err) => conflict(err, `a team named "${name}" already exists`));
    return res.rowCount ? this.get(orgId, id) : null;
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    return (await this.sql.query(`DELETE FROM teams WHERE org_id = $1 AND id = $2`, [orgId, id])).rowCount > 0;
  }

  async members(teamId: string): Promise<TeamMember[]> {
    const { rows } = await this.sql.query<MemberRow>(`SELECT * FROM team_members WHERE team_id = $1 ORDER BY created_at, id`, [teamId]);
    return rows.map(toMember);
  }

  async addMember(teamId: string, m: { name: string; email: string; role: TeamRole }): Promise<TeamMember> {
    const id = newId('mem');
    await this.sql.query(`INSERT INTO team_members (id, team_id, name, email, role) VALUES ($1, $2, $3, $4, $5)`, [id, teamId, m.name, m.email, m.role])
      .catch((err) => conflict(err, `${m.email} is already a member of this team`));
    const { rows } = await this.sql.query<MemberRow>(`SELECT * FROM team_members WHERE id = $1`, [id]);
    return toMember(rows[0]);
  }

  async removeMember(teamId: string, memberId: string): Promise<boolean> {
    return (await this.sql.query(`DELETE FROM team_members WHERE team_id = $1 AND id = $2`, [teamId, memberId])).rowCount > 0;
  }
}
