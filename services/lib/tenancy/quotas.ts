import type { SqlClient } from '../ports/sql-client.js';
import { OrganizationStore } from './organizations.js';
import { effectiveLimits, planLimitExceeded, type PlanLimits } from './plans.js';

/**
 * Checks an organization's plan before something is added. A check and the insert that
 * follows are not one transaction, so two concurrent creations at the boundary may both
 * pass; the next one is refused.
 */
export class PlanQuotas {
  private readonly orgs: OrganizationStore;

  constructor(private readonly sql: SqlClient) {
    this.orgs = new OrganizationStore(sql);
  }

  private async limits(orgId: string): Promise<{ plan: string; limits: PlanLimits }> {
    const org = await this.orgs.get(orgId);
    if (!org) throw new Error(`organization ${orgId} not found`);
    return { plan: org.plan, limits: effectiveLimits(org.plan, org.addons) };
  }

  private async count(sql: string, orgId: string): Promise<number> {
    const { rows } = await this.sql.query<{ n: number }>(sql, [orgId]);
    return Number(rows[0]?.n ?? 0);
  }

  async assertCanAddMonitor(orgId: string): Promise<void> {
    const { plan, limits } = await this.limits(orgId);
    if (limits.monitors === null) return;
    if ((await this.count(`SELECT count(*) AS n FROM monitors WHERE org_id = $1`, orgId)) >= limits.monitors) {
      throw planLimitExceeded(plan, 'monitors', limits.monitors);
    }
  }

  async assertInterval(orgId: string, intervalSeconds: number): Promise<void> {
    const { plan, limits } = await this.limits(orgId);
    if (limits.minIntervalSeconds !== null && intervalSeconds < limits.minIntervalSeconds) {
      throw planLimitExceeded(plan, 'minIntervalSeconds', limits.minIntervalSeconds);
    }
  }

  async assertCanAddApiKey(orgId: string): Promise<void> {
    const { plan, limits } = await this.limits(orgId);
    if (limits.apiKeys === null) return;
    if ((await this.count(`SELECT count(*) AS n FROM api_keys WHERE org_id = $1 AND revoked_at IS NULL`, orgId)) >= limits.apiKeys) {
      throw planLimitExceeded(plan, 'apiKeys', limits.apiKeys);
    }
  }

  async assertCanAddAlertChannel(orgId: string): Promise<void> {
    const { plan, limits } = await this.limits(orgId);
    if (limits.alertChannels === null) return;
    if ((await this.count(`SELECT count(*) AS n FROM alert_channels WHERE org_id = $1`, orgId)) >= limits.alertChannels) {
      throw planLimitExceeded(plan, 'alertChannels', limits.alertChannels);
    }
  }

  async assertCanAddEscalationPolicy(orgId: string): Promise<void> {
    const { plan, limits } = await this.limits(orgId);
    if (limits.escalationPolicies === null) return;
    if ((await this.count(`SELECT count(*) AS n FROM escalation_policies WHERE org_id = $1`, orgId)) >= limits.escalationPolicies) {
      throw planLimitExceeded(plan, 'escalationPolicies', limits.escalationPolicies);
    }
  }

  async assertCanAddMaintenanceWindow(orgId: string): Promise<void> {
    const { plan, limits } = await this.limits(orgId);
    if (limits.maintenanceWindows === null) return;
    if ((await this.count(`SELECT count(*) AS n FROM maintenance_windows WHERE org_id = $1`, orgId)) >= limits.maintenanceWindows) {
      throw planLimitExceeded(plan, 'maintenanceWindows', limits.maintenanceWindows);
    }
  }

  /** "Reports per Month": reports generated since the start of the current UTC month, deleted ones included. */
  async assertCanGenerateReport(orgId: string, nowMs: number): Promise<void> {
    const { plan, limits } = await this.limits(orgId);
    if (limits.reportsPerMonth === null) return;
    const now = new Date(nowMs);
    const monthStartMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const { rows } = await this.sql.query<{ n: number }>(
      `SELECT count(*) AS n FROM sla_reports WHERE org_id = $1 AND created_at >= to_timestamp($2 / 1000.0)`, [orgId, monthStartMs]);
    if (Number(rows[0]?.n ?? 0) >= limits.reportsPerMonth) throw planLimitExceeded(plan, 'reportsPerMonth', limits.reportsPerMonth);
  }

  async assertCanAddStatusPage(orgId: string): Promise<void> {
    const { plan, limits } = await this.limits(orgId);
    if (limits.statusPages === null) return;
    if ((await this.count(`SELECT count(*) AS n FROM status_pages WHERE org_id = $1`, orgId)) >= limits.statusPages) {
      throw planLimitExceeded(plan, 'statusPages', limits.statusPages);
    }
  }

  async assertCanAddTeam(orgId: string): Promise<void> {
    const { plan, limits } = await this.limits(orgId);
    if (limits.teams === null) return;
    if ((await this.count(`SELECT count(*) AS n FROM teams WHERE org_id = $1`, orgId)) >= limits.teams) {
      throw planLimitExceeded(plan, 'teams', limits.teams);
    }
  }

  async assertCanAddTeamMember(orgId: string, teamId: string): Promise<void> {
    const { plan, limits } = await this.limits(orgId);
    if (limits.membersPerTeam === null) return;
    const { rows } = await this.sql.query<{ n: number }>(`SELECT count(*) AS n FROM team_members WHERE team_id = $1`, [teamId]);
    if (Number(rows[0]?.n ?? 0) >= limits.membersPerTeam) throw planLimitExceeded(plan, 'membersPerTeam', limits.membersPerTeam);
  }
}
