/**
 * Alert rules in the control-plane store. A rule's channels are a join table with a foreign
 * key to alert_channels (ON DELETE CASCADE), so deleting a channel removes it from every rule.
 * Channel and monitor ids are checked against the organization in the write's transaction:
 * another organization's id is a 400 naming the field, and nothing is stored.
 */
import type { SqlClient } from '../../lib/ports/sql-client.js';
import { validationError, type FieldError } from '../../lib/errors.js';
import { newId } from '../../lib/store/ids.js';
import type { AlertEventType } from '../events.js';

export interface AlertRuleInput {
  name: string;
  enabled: boolean;
  /** null = every monitor of the organization. */
  monitorIds: string[] | null;
  tags: string[];
  monitorTypes: string[];
  events: AlertEventType[];
  channelIds: string[];
  /** An escalation policy started for the incidents of the monitors the rule matches; null = none. */
  escalationPolicyId?: string | null;
}

export interface AlertRule extends AlertRuleInput {
  id: string;
  orgId: string;
  createdAt: Date;
  updatedAt: Date;
}

interface RuleRow {
  id: string;
  org_id: string;
  name: string;
  enabled: boolean;
  monitor_ids: string[] | null;
  tags: string[];
  monitor_types: string[];
  events: AlertEventType[];
  channel_ids: string[];
  escalation_policy_id: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const SELECT = `
  SELECT r.id, r.org_id, r.name, r.enabled, r.monitor_ids, r.tags, r.monitor_types, r.events, r.escalation_policy_id, r.created_at, r.updated_at,
         COALESCE((SELECT json_agg(c.channel_id ORDER BY c.channel_id) FROM alert_rule_channels c WHERE c.rule_id = r.id), '[]'::json) AS channel_ids
    FROM alert_rules r`;

const toRule = (r: RuleRow): AlertRule => ({
  id: r.id, orgId: r.org_id, name: r.name, enabled: r.enabled, monitorIds: r.monitor_ids, tags: r.tags, monitorTypes: r.monitor_types,
  events: r.events, channelIds: r.channel_ids, escalationPolicyId: r.escalation_policy_id, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
});

export class AlertRuleStore {
  constructor(private readonly sql: SqlClient) {}

  async list(orgId: string, limit: number, offset: number): Promise<{ items: AlertRule[]; totalCount: number }> {
    const count = await this.sql.query<{ n: string | number }>(`SELECT count(*) AS n FROM alert_rules WHERE org_id = $1`, [orgId]);
    const { rows } = await this.sql.query<RuleRow>(`${SELECT} WHERE r.org_id = $1 ORDER BY r.created_at, r.id LIMIT $2 OFFSET $3`, [orgId, limit, offset]);
    return { items: rows.map(toRule), totalCount: Number(count.rows[0]?.n ?? 0) };
  }

  async get(orgId: string, id: string, sql: SqlClient = this.sql): Promise<AlertRule | null> {
    const { rows } = await sql.query<RuleRow>(`${SELECT} WHERE r.org_id = $1 AND r.id = $2`, [orgId, id]);
    return rows[0] ? toRule(rows[0]) : null;
  }

  async create(orgId: string, input: AlertRuleInput): Promise<AlertRule> {
    return this.sql.transaction(async (tx) => {
      await assertOwned(tx, orgId, input);
      const id = newId('rule');
      await tx.query(
        `INSERT INTO alert_rules (id, org_id, name, enabled, monitor_ids, tags, monitor_types, events, escalation_policy_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [id, orgId, input.name, input.enabled, input.monitorIds === null ? null : JSON.stringify(input.monitorIds), JSON.stringify(input.tags), JSON.stringify(input.monitorTypes), JSON.stringify(input.events), input.escalationPolicyId ?? null],
      );
      await setChannels(tx, id, input.channelIds);
      return (await this.get(orgId, id, tx))!;
    });
  }

  /** Replaces the whole rule (PUT); null when the organization has no such rule. */
  async replace(orgId: string, id: string, input: AlertRuleInput): Promise<AlertRule | null> {
    return this.sql.transaction(async (tx) => {
      const { rowCount } = await tx.query(
        `UPDATE alert_rules SET name = $3, enabled = $4, monitor_ids = $5, tags = $6, monitor_types = $7, events = $8, escalation_policy_id = $9, updated_at = now()
          WHERE org_id = $1 AND id = $2`,
        [orgId, id, input.name, input.enabled, input.monitorIds === null ? null : JSON.stringify(input.monitorIds), JSON.stringify(input.tags), JSON.stringify(input.monitorTypes), JSON.stringify(input.events), null],
      );
      if (rowCount === 0) return null;
      await assertOwned(tx, orgId, input);
      // Set after the ownership check, so another organization's policy never reaches the foreign key.
      await tx.query(`UPDATE alert_rules SET escalation_policy_id = $2 WHERE id = $1`, [id, input.escalationPolicyId ?? null]);
      await tx.query(`DELETE FROM alert_rule_channels WHERE rule_id = $1`, [id]);
      await setChannels(tx, id, input.channelIds);
      return this.get(orgId, id, tx);
    });
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    const { rowCount } = await this.sql.query(`DELETE FROM alert_rules WHERE org_id = $1 AND id = $2`, [orgId, id]);
    return rowCount > 0;
  }
}

async function setChannels(tx: SqlClient, ruleId: string, channelIds: string[]): Promise<void> {
  for (const channelId of new Set(channelIds)) {
    await tx.query(`INSERT INTO alert_rule_channels (rule_id, channel_id) VALUES ($1, $2)`, [ruleId, channelId]);
  }
}

/** Every channel and monitor id must be the organization's own; otherwise a 400 per offending entry. */
async function assertOwned(tx: SqlClient, orgId: string, input: AlertRuleInput): Promise<void> {
  const problems: FieldError[] = [];
  const check = async (table: 'alert_channels' | 'monitors' | 'escalation_policies', field: string, ids: string[]) => {
    if (ids.length === 0) return;
    const { rows } = await tx.query<{ id: string }>(`SELECT id FROM ${table} WHERE org_id = $1 AND id = ANY($2::text[])`, [orgId, ids]);
    const found = new Set(rows.map((r) => r.id));
    ids.forEach((id, i) => {
      const noun = { monitors: 'monitor', alert_channels: 'alert channel', escalation_policies: 'escalation policy' }[table];
      const path = table === 'escalation_policies' ? `/${field}` : `/${field}/${i}`;
      if (!found.has(id)) problems.push({ field: path, message: `no ${noun} ${id} in this organization` });
    });
  };
  await check('alert_channels', 'channelIds', input.channelIds);
  await check('monitors', 'monitorIds', input.monitorIds ?? []);
  await check('escalation_policies', 'escalationPolicyId', input.escalationPolicyId ? [input.escalationPolicyId] : []);
  if (problems.length > 0) throw validationError('the rule names channels or monitors that are not this organization\'s', problems);
}
