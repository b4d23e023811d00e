import type { SqlClient } from '../lib/ports/sql-client.js';
import { ApiKeyStore } from '../lib/tenancy/api-keys.js';
import { OrganizationStore } from '../lib/tenancy/organizations.js';

export interface BootstrapOutcome {
  /** Set only on the very first start: the admin key, shown once. */
  adminKey?: string;
  orgId: string;
}

/**
 * On first start, creates the default organization and an admin key (`*`). The key is
 * PHAROS_BOOTSTRAP_KEY when given, otherwise generated; it is returned once and only its
 * hash is stored. Serialised by an advisory lock so two api processes starting together
 * create one organization.
 */
export async function bootstrapOrganization(sql: SqlClient, bootstrapKey?: string): Promise<BootstrapOutcome> {
  return sql.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('pharos.bootstrap'))`);
    const existing = await tx.query<{ id: string }>(`SELECT id FROM organizations ORDER BY created_at, id LIMIT 1`);
    if (existing.rows[0]) return { orgId: existing.rows[0].id };
    const org = await new OrganizationStore(tx).create('default', 'unlimited');
    const { plaintext } = await new ApiKeyStore(tx).create(org.id, 'admin (bootstrap)', ['*'], bootstrapKey);
    return { orgId: org.id, adminKey: plaintext };
  });
}
