import type { SqlClient } from '../lib/ports/sql-client.js';
import { createOrganizationWithAdminKey } from '../lib/tenancy/create-organization.js';

export interface BootstrapOutcome {
  orgId: string;
  /** True only on the very first start, when this call created the default organization. */
  created: boolean;
  /**
   * The admin key Pharos generated on that first start, to show once on the terminal. Never
   * set when the operator supplied PHAROS_BOOTSTRAP_KEY: they have it, and echoing a secret
   * they chose only puts it somewhere else (a terminal scrollback, a captured stdout).
   */
  generatedAdminKey?: string;
}

/**
 * On first start, creates the default organization and an admin key (`*`). The key is
 * PHAROS_BOOTSTRAP_KEY when given, otherwise generated; only its hash is stored. Serialised
 * by an advisory lock so two api processes starting together create one organization.
 */
export async function bootstrapOrganization(sql: SqlClient, bootstrapKey?: string): Promise<BootstrapOutcome> {
  return sql.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('pharos.bootstrap'))`);
    const existing = await tx.query<{ id: string }>(`SELECT id FROM organizations ORDER BY created_at, id LIMIT 1`);
    if (existing.rows[0]) return { orgId: existing.rows[0].id, created: false };
    const { organization, adminKey, adminKeyGenerated } = await createOrganizationWithAdminKey({
      ctx: { sql: tx },
      input: { name: 'default', plan: 'unlimited', adminKeyName: 'admin (bootstrap)', adminKey: bootstrapKey },
    });
    return { orgId: organization.id, created: true, ...(adminKeyGenerated ? { generatedAdminKey: adminKey } : {}) };
  });
}
