import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openControlPlane } from '../support/api-harness.js';
import { failingOn } from '../support/failing-sql.js';
import { realService, uniqueName } from '../support/services.js';
import { createOrganizationWithAdminKey } from '../../services/lib/tenancy/create-organization.js';
import { ApiKeyStore } from '../../services/lib/tenancy/api-keys.js';
import { bootstrapOrganization } from '../../services/cli/bootstrap.js';
import { runOrgCreate } from '../../services/cli/org-command.js';
import type { SqlClient } from '../../services/lib/ports/sql-client.js';

/** The step after the organization's insert: the first key's insert fails. */
const AFTER_ORG_INSERT = /INSERT INTO api_keys/;

const orgsNamed = async (sql: SqlClient, name: string) =>
  (await sql.query<{ id: string }>(`SELECT id FROM organizations WHERE name = $1`, [name])).rows;

/**
 * "Create an organization and its first admin key" is one use case in one transaction, on
 * every engine, and each of its callers (first-start bootstrap, `pharos org create`; the
 * admin API in test/integration/admin-api.test.ts) leaves nothing behind when it fails.
 */
function createOrganizationContract(engine: string, databaseUrl?: string) {
  describe(`creating an organization with its admin key on ${engine}`, () => {
    let sql: SqlClient;
    let drop: () => Promise<void>;
    beforeAll(async () => ({ sql, drop } = await openControlPlane(databaseUrl)));
    afterAll(async () => drop?.());

    it('creates both, the key with every scope; a supplied key is used and marked as not generated', async () => {
      const name = uniqueName('org');
      const made = await createOrganizationWithAdminKey({ ctx: { sql }, input: { name, plan: 'pro', addons: { extraMonitors: 2 } } });
      expect(made.organization).toMatchObject({ name, plan: 'pro', addons: { extraMonitors: 2 } });
      expect(made.adminKeyGenerated).toBe(true);
      expect(await new ApiKeyStore(sql).authenticate(made.adminKey)).toMatchObject({ orgId: made.organization.id, scopes: ['*'] });
      expect((await new ApiKeyStore(sql).list(made.organization.id)).map((k) => k.name)).toEqual(['admin']);

      const supplied = `phk_${uniqueName('supplied')}`;
      const own = await createOrganizationWithAdminKey({ ctx: { sql }, input: { name: uniqueName('org'), plan: 'base', adminKey: supplied } });
      expect(own).toMatchObject({ adminKey: supplied, adminKeyGenerated: false });
      expect(await new ApiKeyStore(sql).authenticate(supplied)).toMatchObject({ orgId: own.organization.id });
    });

    it('leaves no organization behind when the key cannot be stored', async () => {
      const name = uniqueName('org');
      await expect(createOrganizationWithAdminKey({ ctx: { sql: failingOn(sql, AFTER_ORG_INSERT) }, input: { name, plan: 'base' } }))
        .rejects.toThrow(/injected failure/);
      expect(await orgsNamed(sql, name)).toEqual([]);
    });

    it('pharos org create rolls back the same way, and prints the key it made', async () => {
      const name = uniqueName('cli');
      await expect(runOrgCreate(failingOn(sql, AFTER_ORG_INSERT), { name, plan: 'base' })).rejects.toThrow(/injected failure/);
      expect(await orgsNamed(sql, name)).toEqual([]);

      const out = await runOrgCreate(sql, { name, plan: 'base', extraMonitors: '3' });
      const [org] = await orgsNamed(sql, name);
      const key = out.match(/Admin API key \(shown only this once\): (\S+)/)?.[1];
      expect(out.startsWith(`${org!.id}\t${name}\tbase\n`)).toBe(true);
      expect(await new ApiKeyStore(sql).authenticate(key!)).toMatchObject({ orgId: org!.id, scopes: ['*'] });
    });
  });

  describe(`first-start bootstrap on ${engine}`, () => {
    let sql: SqlClient;
    let drop: () => Promise<void>;
    beforeAll(async () => ({ sql, drop } = await openControlPlane(databaseUrl)));
    afterAll(async () => drop?.());

    it('rolls back a half-made default organization, so the next start bootstraps cleanly', async () => {
      await expect(bootstrapOrganization(failingOn(sql, AFTER_ORG_INSERT))).rejects.toThrow(/injected failure/);
      expect(await orgsNamed(sql, 'default')).toEqual([]);

      const boot = await bootstrapOrganization(sql);
      expect(boot.created).toBe(true);
      expect(await new ApiKeyStore(sql).authenticate(boot.generatedAdminKey!)).toMatchObject({ orgId: boot.orgId, scopes: ['*'] });
      expect((await new ApiKeyStore(sql).list(boot.orgId)).map((k) => k.name)).toEqual(['admin (bootstrap)']);
    });
  });
}

const databaseUrl = realService('database');
createOrganizationContract('PGlite');
if (databaseUrl) createOrganizationContract('PostgreSQL', databaseUrl);
