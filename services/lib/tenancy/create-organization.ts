import type { SqlClient } from '../ports/sql-client.js';
import { ApiKeyStore } from './api-keys.js';
import { OrganizationStore, type Organization } from './organizations.js';
import type { PlanAddons } from './plans.js';

/**
 * What creating a tenant needs: the control-plane store itself, not its stores, because the
 * organization and its first key are written in one transaction of their own. Here, under
 * services/lib, so the CLI uses it without loading the api (Fastify).
 */
export interface TenancyContext {
  sql: SqlClient;
}

export interface NewOrganization {
  name: string;
  plan: string;
  addons?: PlanAddons;
  /** The key's name as `GET /api/keys` lists it. */
  adminKeyName?: string;
  /** The operator's own key (PHAROS_BOOTSTRAP_KEY); generated when absent. */
  adminKey?: string;
}

export interface CreatedOrganization {
  organization: Organization;
  /** The admin key's plaintext, which exists only here: the store keeps its hash. */
  adminKey: string;
  /** False when the caller supplied the key, so nobody echoes an operator's own secret back. */
  adminKeyGenerated: boolean;
}

/**
 * Creates an organization and its first admin key (`*`) together: an organization without a
 * key could never be used or reached by its tenant, so either both exist or neither does.
 * The one use case behind first-start bootstrap, `pharos org create` and `POST /admin/orgs`.
 * Inside a caller's transaction this becomes a savepoint.
 */
export async function createOrganizationWithAdminKey({ ctx, input }: { ctx: TenancyContext; input: NewOrganization }): Promise<CreatedOrganization> {
  return ctx.sql.transaction(async (tx) => {
    const organization = await new OrganizationStore(tx).create(input.name, input.plan, input.addons ?? {});
    const { plaintext } = await new ApiKeyStore(tx).create(organization.id, input.adminKeyName ?? 'admin', ['*'], input.adminKey);
    return { organization, adminKey: plaintext, adminKeyGenerated: input.adminKey === undefined };
  });
}
