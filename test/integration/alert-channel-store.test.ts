import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { openControlPlane } from '../support/api-harness.js';
import { uniqueName } from '../support/services.js';
import { AlertChannelStore, ROTATION_OVERLAP_MS } from '../../services/alerting/channels/store.js';
import { OrganizationStore } from '../../services/lib/tenancy/organizations.js';
import { createSealer } from '../../services/lib/store/sealed.js';
import type { SqlClient } from '../../services/lib/ports/sql-client.js';

let sql: SqlClient;
let drop: () => Promise<void>;
beforeAll(async () => ({ sql, drop } = await openControlPlane(process.env.PHAROS_TEST_DATABASE_URL)));
afterAll(async () => drop?.());

describe('AlertChannelStore', () => {
  it('keeps settings and secrets sealed at rest, and ends a rotation\'s overlap after 24 h on its clock', async () => {
    let now = Date.parse('2026-03-24T12:00:00Z');
    const key = randomBytes(32);
    const store = new AlertChannelStore(sql, createSealer(key), () => now);
    const org = await new OrganizationStore(sql).create(uniqueName('org'), 'unlimited');
    const { channel, signingSecret } = await store.create(org.id, { name: 'hook', type: 'Webhook', settings: { webhookUrl: 'https://example.com/secret-path' } });

    const { rows } = await sql.query<Record<string, string>>(`SELECT settings_sealed, signing_sealed FROM alert_channels WHERE id = $1`, [channel.id]);
    expect(JSON.stringify(rows[0])).not.toContain('secret-path');
    expect(JSON.stringify(rows[0])).not.toContain(signingSecret!.slice(6));
    // Another key cannot open them.
    await expect(new AlertChannelStore(sql, createSealer(randomBytes(32))).get(org.id, channel.id)).rejects.toThrow();

    const rotated = (await store.rotateSecret(org.id, channel.id))!;
    expect(rotated.channel.signingSecrets).toEqual([rotated.signingSecret, signingSecret]);
    expect(rotated.channel.previousSecretRetiresAt?.getTime()).toBe(now + ROTATION_OVERLAP_MS);
    now += ROTATION_OVERLAP_MS - 1;
    expect((await store.load(channel.id))!.signingSecrets).toHaveLength(2);
    now += 1;
    const after = (await store.load(channel.id))!;
    expect(after.signingSecrets).toEqual([rotated.signingSecret]);
    expect(after.previousSecretRetiresAt).toBeNull();
    expect(after.settings).toEqual({ webhookUrl: 'https://example.com/secret-path' });
  });
});
