import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openControlPlane } from '../support/api-harness.js';
import { realService } from '../support/services.js';
import { MonitorStore } from '../../services/lib/monitors/store.js';
import { monitorDefaults, type MonitorConfig } from '../../services/lib/monitors/model.js';
import { ApiKeyStore } from '../../services/lib/tenancy/api-keys.js';
import { AgentTokenStore } from '../../services/lib/tenancy/agent-tokens.js';
import { OrganizationStore } from '../../services/lib/tenancy/organizations.js';
import { MonitorStatusStore } from '../../services/alerting/status-store.js';
import type { MonitorState } from '../../services/alerting/status-machine.js';
import { bootstrapOrganization } from '../../services/cli/bootstrap.js';
import type { SqlClient } from '../../services/lib/ports/sql-client.js';

const config = (name: string, over: Partial<MonitorConfig> = {}): MonitorConfig => ({
  ...monitorDefaults(['UsEast']), name, type: 'Website', url: 'https://x.test/', ...over,
});

/** The domain stores, written once in Postgres SQL, must behave the same on every engine. */
function controlPlaneStoresContract(engine: string, databaseUrl?: string) {
  describe(`control-plane stores on ${engine}`, () => {
    let sql: SqlClient;
    let drop: () => Promise<void>;
    beforeAll(async () => ({ sql, drop } = await openControlPlane(databaseUrl)));
    afterAll(async () => drop?.());

    it('bootstraps one organization and one admin key, once, even when started twice at once', async () => {
      const supplied = 'phk_bootstrap_key_for_contract_suite';
      const [a, b] = await Promise.all([bootstrapOrganization(sql, supplied), bootstrapOrganization(sql)]);
      expect(a.orgId).toBe(b.orgId);
      expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
      // The operator's own key is never handed back for display; a generated one is, once.
      expect(a.generatedAdminKey).toBeUndefined();
      expect(b.generatedAdminKey === undefined).toBe(a.created);
      const again = await bootstrapOrganization(sql);
      expect(again).toEqual({ orgId: a.orgId, created: false });
      const keys = new ApiKeyStore(sql);
      const principal = await keys.authenticate(a.created ? supplied : b.generatedAdminKey!);
      expect(principal).toMatchObject({ orgId: a.orgId, scopes: ['*'] });
    });

    it('stores monitors per organization: create, unique names, filters, replace, delete', async () => {
      const orgs = new OrganizationStore(sql);
      const store = new MonitorStore(sql);
      const [o1, o2] = [await orgs.create('one'), await orgs.create('two')];
      const a = await store.create(o1.id, config('a', { tags: ['prod', 'api'] }));
      await store.create(o1.id, config('b', { tags: ['prod'] }));
      await store.create(o1.id, config('p', { type: 'Port', url: null, hostname: 'h', port: 22, tags: ['prod', 'api'] }));
      await store.create(o2.id, config('a'));
      expect(a).toMatchObject({ name: 'a', orgId: o1.id, status: 'Pending', revision: 1, paused: false, lastCheckedAt: null });
      expect(a.createdAt).toBeInstanceOf(Date);
      await expect(store.create(o1.id, config('a'))).rejects.toMatchObject({ code: 'CONFLICT' });

      expect((await store.list(o1.id, { tags: ['prod', 'api'], limit: 10, offset: 0 })).items.map((m) => m.name).sort()).toEqual(['a', 'p']);
      expect((await store.list(o1.id, { type: 'Website', tags: ['prod'], limit: 10, offset: 0 })).items.map((m) => m.name).sort()).toEqual(['a', 'b']);
      expect((await store.list(o1.id, { limit: 1, offset: 0 })).totalCount).toBe(3);
      expect(await store.get(o2.id, a.id)).toBeNull();

      const replaced = await store.replace(o1.id, a.id, config('a2', { intervalSeconds: 30 }));
      expect(replaced).toMatchObject({ name: 'a2', intervalSeconds: 30, tags: [], revision: 2 });
      expect(await store.replace(o2.id, a.id, config('x'))).toBeNull();
      expect(await store.getByName(o1.id, 'a2')).toMatchObject({ id: a.id });
      expect(await store.delete(o2.id, a.id)).toBe(false);
      expect(await store.delete(o1.id, a.id)).toBe(true);
      expect(await store.getById(a.id)).toBeNull();
      expect((await store.listActive()).every((m) => !m.paused)).toBe(true);
    });

    it('pages the active monitors in id order, skipping paused ones', async () => {
      const org = await new OrganizationStore(sql).create('pages');
      const store = new MonitorStore(sql);
      const made: Array<{ id: string }> = [];
      for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) made.push(await store.create(org.id, config(name)));
      await store.setPaused(org.id, made[2].id, true);
      const mine = new Set(made.map((m) => m.id));
      const paged: string[] = [];
      for (let after: string | null = null, pages = 0; pages < 1000; pages++) {
        const page = await store.listActivePage(after, 2);
        expect(page.length).toBeLessThanOrEqual(2);
        paged.push(...page.map((m) => m.id));
        if (page.length < 2) break;
        after = page[page.length - 1].id;
      }
      expect(paged).toEqual((await store.listActive()).map((m) => m.id));
      expect(paged.filter((id) => mine.has(id))).toEqual(made.filter((m) => m.id !== made[2].id).map((m) => m.id).sort());
    });

    it('keeps API keys hashed, authenticates live keys only', async () => {
      const org = await new OrganizationStore(sql).create('keys');
      const keys = new ApiKeyStore(sql);
      const { key, plaintext } = await keys.create(org.id, 'ci', ['monitors:read']);
      expect(key.maskedKey).not.toBe(plaintext);
      const { rows } = await sql.query<{ n: number }>(`SELECT count(*) AS n FROM api_keys WHERE key_hash = $1 OR masked_key = $1`, [plaintext]);
      expect(rows[0].n).toBe(0);
      expect(await keys.authenticate(plaintext)).toMatchObject({ keyId: key.id, orgId: org.id });
      expect((await keys.list(org.id))[0].lastUsedAt).toBeInstanceOf(Date);
      expect(await keys.revoke(org.id, key.id)).toBe(true);
      expect(await keys.authenticate(plaintext)).toBeNull();
      expect(await keys.authenticate('phk_never_issued')).toBeNull();
    });

    it('agent tokens fix a region, verify while live, register idempotently', async () => {
      let now = 0;
      const tokens = new AgentTokenStore(sql, 1_000, () => now);
      const { token, info } = await tokens.create('UsEast', 'vm1');
      expect(await tokens.verify(token)).toEqual(info);
      const chosen = 'operator-chosen-token-0123456789';
      const first = await tokens.create('EuWest', 'vm2', chosen);
      expect((await tokens.create('EuWest', 'vm2', chosen)).info.tokenId).toBe(first.info.tokenId);
      await expect(tokens.create('UsEast', 'vm2', chosen)).rejects.toThrow(/already registered for region EuWest/);
      await tokens.revoke(info.tokenId);
      now += 2_000;
      expect(await tokens.verify(token)).toBeNull();
      expect(await tokens.verify('pha_unknown')).toBeNull();
    });

    it('updates monitor statuses in batches under row locks, serialising concurrent evaluations', async () => {
      const org = await new OrganizationStore(sql).create('status');
      const store = new MonitorStore(sql);
      const a = await store.create(org.id, config('s1'));
      const b = await store.create(org.id, config('s2'));
      const statuses = new MonitorStatusStore(sql);
      const succeed = (state: MonitorState, atMs: number): MonitorState => ({
        ...state, status: 'Up', lastCheckedAtMs: atMs,
        regions: { UsEast: { ...(state.regions.UsEast ?? { verdict: 'up', consecutiveFailures: 0, lastResultAtMs: 0, lastResultId: '', lastError: '' }), consecutiveSuccesses: (state.regions.UsEast?.consecutiveSuccesses ?? 0) + 1 } },
      });
      // Each batch names both monitors (in either order) and bumps a twice: once written mid-batch, once at its end.
      const bump = (i: number) => statuses.updateMany(
        (i % 2 ? [a, b] : [b, a]).map((m) => ({ orgId: org.id, monitorId: m.id })),
        async (batch) => {
          batch.set(a.id, succeed(batch.get(a.id), 1_795_000_000_000));
          await batch.write();
          batch.set(a.id, succeed(batch.get(a.id), 1_795_000_000_000));
          if (i === 0) batch.set(b.id, succeed(batch.get(b.id), 1_795_000_001_000));
        },
      );
      await Promise.all(Array.from({ length: 8 }, (_, i) => bump(i)));
      expect(await store.getById(a.id)).toMatchObject({ status: 'Up' });
      expect((await store.getById(a.id))?.lastCheckedAt?.getTime()).toBe(1_795_000_000_000);
      expect((await store.getById(b.id))?.lastCheckedAt?.getTime()).toBe(1_795_000_001_000);
      const { rows } = await sql.query<{ monitor_id: string; region_state: { UsEast: { consecutiveSuccesses: number } } }>(`SELECT monitor_id, region_state FROM monitor_status WHERE monitor_id = ANY($1::text[])`, [[a.id, b.id]]);
      expect(rows.find((r) => r.monitor_id === a.id)?.region_state.UsEast.consecutiveSuccesses).toBe(16);
      expect(rows.find((r) => r.monitor_id === b.id)?.region_state.UsEast.consecutiveSuccesses).toBe(1);
    });

    it('rolls a failed status batch back whole', async () => {
      const org = await new OrganizationStore(sql).create('status-rollback');
      const m = await new MonitorStore(sql).create(org.id, config('r'));
      const statuses = new MonitorStatusStore(sql);
      await expect(statuses.updateMany([{ orgId: org.id, monitorId: m.id }], async (batch) => {
        batch.set(m.id, { status: 'Down', lastCheckedAtMs: 1_795_000_000_000, regions: {} });
        await batch.write();
        throw new Error('incident write failed');
      })).rejects.toThrow('incident write failed');
      const monitor = await new MonitorStore(sql).getById(m.id);
      expect(monitor?.status).not.toBe('Down');
      expect(monitor?.lastCheckedAt).toBeNull();
    });
  });
}

controlPlaneStoresContract('PGlite');
const databaseUrl = realService('database');
if (databaseUrl) controlPlaneStoresContract('PostgreSQL', databaseUrl);
