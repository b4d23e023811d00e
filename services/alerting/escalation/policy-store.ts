/**
 * Escalation policies: ordered steps ("after N minutes unacknowledged, notify these
 * channels / these team members by email"), run once and then repeated `repeatCount` more
 * times. A delay counts from the step before (the first step's from the incident's start).
 */
import type { SqlClient } from '../../lib/ports/sql-client.js';
import { newId } from '../../lib/store/ids.js';

export interface EscalationStep {
  delayMinutes: number;
  channelIds: string[];
  /** Team members (`mem_…`) of the organization, emailed through the operator's SMTP. */
  memberIds: string[];
}

export interface EscalationPolicyInput {
  name: string;
  steps: EscalationStep[];
  repeatCount: number;
}

export interface EscalationPolicy extends EscalationPolicyInput {
  id: string;
  orgId: string;
  createdAt: Date;
  updatedAt: Date;
}

interface PolicyRow {
  id: string;
  org_id: string;
  name: string;
  steps: EscalationStep[];
  repeat_count: number;
  created_at: Date | string;
  updated_at: Date | string;
}

// Steps stored before members could be named have no memberIds.
const stepFromJson = (s: Partial<EscalationStep> & { delayMinutes: number }): EscalationStep => ({
  delayMinutes: s.delayMinutes, channelIds: s.channelIds ?? [], memberIds: s.memberIds ?? [],
});

export const policyFromRow = (r: PolicyRow): EscalationPolicy => ({
  id: r.id, orgId: r.org_id, name: r.name, steps: r.steps.map(stepFromJson), repeatCount: r.repeat_count,
  createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
});
export type { PolicyRow };

export class EscalationPolicyStore {
  constructor(private readonly sql: SqlClient, private readonly now: () => number = Date.now) {}

  async create(orgId: string, input: EscalationPolicyInput): Promise<EscalationPolicy> {
    const { rows } = await this.sql.query<PolicyRow>(
      `INSERT INTO escalation_policies (id, org_id, name, steps, repeat_count, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0), to_timestamp($6 / 1000.0)) RETURNING *`,
      [newId('esc'), orgId, input.name, JSON.stringify(input.steps), input.repeatCount, this.now()],
    );
    return policyFromRow(rows[0]!);
  }

  async get(orgId: string, id: string, tx: SqlClient = this.sql): Promise<EscalationPolicy | null> {
    const { rows } = await tx.query<PolicyRow>(`SELECT * FROM escalation_policies WHERE org_id = $1 AND id = $2`, [orgId, id]);
    return rows[0] ? policyFromRow(rows[0]) : null;
  }

  async list(orgId: string, limit: number, offset: number): Promise<{ items: EscalationPolicy[]; totalCount: number }> {
    const count = await this.sql.query<{ n: string | number }>(`SELECT count(*) AS n FROM escalation_policies WHERE org_id = $1`, [orgId]);
    const { rows } = await this.sql.query<PolicyRow>(
      `SELECT * FROM escalation_policies WHERE org_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3`, [orgId, limit, offset],
    );
    return { items: rows.map(policyFromRow), totalCount: Number(count.rows[0]?.n ?? 0) };
  }

  async replace(orgId: string, id: string, input: EscalationPolicyInput): Promise<EscalationPolicy | null> {
    const { rows } = await this.sql.query<PolicyRow>(
      `UPDATE escalation_policies SET name = $3, steps = $4, repeat_count = $5, updated_at = to_timestamp($6 / 1000.0)
        WHERE org_id = $1 AND id = $2 RETURNING *`,
      [orgId, id, input.name, JSON.stringify(input.steps), input.repeatCount, this.now()],
    );
    return rows[0] ? policyFromRow(rows[0]) : null;
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    const { rowCount } = await this.sql.query(`DELETE FROM escalation_policies WHERE org_id = $1 AND id = $2`, [orgId, id]);
    return rowCount > 0;
  }

  /** What names this policy: the organization's monitors (escalationPolicyId) and alert rules. */
  async usedBy(orgId: string, id: string): Promise<string[]> {
    const { rows } = await this.sql.query<{ what: string }>(
      `(SELECT 'monitor ' || name AS what FROM monitors WHERE org_id = $1 AND config->>'escalationPolicyId' = $2 ORDER BY name LIMIT 10)
       UNION ALL (SELECT 'alert rule ' || name AS what FROM alert_rules WHERE org_id = $1 AND escalation_policy_id = $2 ORDER BY name LIMIT 10)`, [orgId, id],
    );
    return rows.map((r) => r.what);
  }
}
