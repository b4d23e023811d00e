/**
 * Alert channels of an organization, with settings and signing secrets sealed at rest.
 * Every method takes the org, so tenants never cross; decrypted settings leave only as a
 * StoredChannel (for sending) and are never logged.
 */
import type { SqlClient } from '../../lib/ports/sql-client.js';
import { newId } from '../../lib/store/ids.js';
import type { Sealer } from '../../lib/store/sealed.js';
import type { ChannelTypeName, StoredChannel } from './channel.js';
import { newSigningSecret } from './signing.js';

/** How long a rotated-out signing secret keeps signing, so receivers can switch over. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

export interface ChannelRecord extends StoredChannel {
  createdAt: Date;
  updatedAt: Date;
  /** When the previous signing secret stops signing; null when only one secret is active. */
  previousSecretRetiresAt: Date | null;
}

interface SigningSecret { secret: string; retiresAt: number | null }
interface Row { id: string; org_id: string; name: string; type: ChannelTypeName; settings_sealed: string; signing_sealed: string; created_at: Date | string; updated_at: Date | string }

/** The ids among `ids` that are channels of `orgId` (a monitor may only name its own). */
export async function existingChannelIds(sql: SqlClient, orgId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await sql.query<{ id: string }>(`SELECT id FROM alert_channels WHERE org_id = $1 AND id = ANY($2::text[])`, [orgId, [...ids]]);
  return new Set(rows.map((r) => r.id));
}

export class AlertChannelStore {
  constructor(private readonly sql: SqlClient, private readonly sealer: Sealer, private readonly now: () => number = Date.now) {}

  // The row id is the associated data, so a sealed value moved to another row does not open.
  private sealSettings = (id: string, settings: object) => this.sealer.seal(JSON.stringify(settings), `settings:${id}`);
  private sealSecrets = (id: string, secrets: SigningSecret[]) => this.sealer.seal(JSON.stringify(secrets), `signing:${id}`);
  private openSecrets = (row: Row): SigningSecret[] => JSON.parse(this.sealer.open(row.signing_sealed, `signing:${row.id}`));

  private active(secrets: SigningSecret[]): SigningSecret[] {
    const now = this.now();
    return secrets.filter((s) => s.retiresAt === null || s.retiresAt > now);
  }

  private toRecord(row: Row): ChannelRecord {
    const secrets = this.active(this.openSecrets(row));
    const retiring = secrets.filter((s) => s.retiresAt !== null).map((s) => s.retiresAt!);
    return {
      id: row.id, orgId: row.org_id, name: row.name, type: row.type,
      settings: JSON.parse(this.sealer.open(row.settings_sealed, `settings:${row.id}`)),
      signingSecrets: secrets.map((s) => s.secret),
      createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at),
      previousSecretRetiresAt: retiring.length ? new Date(Math.max(...retiring)) : null,
    };
  }

  /** Creates a channel; a Webhook channel gets its first signing secret, returned once. */
  async create(orgId: string, input: { name: string; type: ChannelTypeName; settings: object }): Promise<{ channel: ChannelRecord; signingSecret: string | null }> {
    const id = newId('ch');
    const signingSecret = input.type === 'Webhook' ? newSigningSecret() : null;
    await this.sql.query(
      `INSERT INTO alert_channels (id, org_id, name, type, settings_sealed, signing_sealed) VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, orgId, input.name, input.type, this.sealSettings(id, input.settings), this.sealSecrets(id, signingSecret ? [{ secret: signingSecret, retiresAt: null }] : [])],
    );
    return { channel: (await this.get(orgId, id))!, signingSecret };
  }

  async get(orgId: string, id: string): Promise<ChannelRecord | null> {
    const { rows } = await this.sql.query<Row>(`SELECT * FROM alert_channels WHERE org_id = $1 AND id = $2`, [orgId, id]);
    return rows[0] ? this.toRecord(rows[0]) : null;
  }

  /** For the delivery worker, which holds a channel id from the outbox row. */
  async load(id: string): Promise<ChannelRecord | null> {
    const { rows } = await this.sql.query<Row>(`SELECT * FROM alert_channels WHERE id = $1`, [id]);
    return rows[0] ? this.toRecord(rows[0]) : null;
  }

  async list(orgId: string, limit: number, offset: number): Promise<{ items: ChannelRecord[]; totalCount: number }> {
    const { rows } = await this.sql.query<Row>(`SELECT * FROM alert_channels WHERE org_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3`, [orgId, limit, offset]);
    return { items: rows.map((r) => this.toRecord(r)), totalCount: await this.count(orgId) };
  }

  async count(orgId: string): Promise<number> {
    const { rows } = await this.sql.query<{ n: number }>(`SELECT count(*) AS n FROM alert_channels WHERE org_id = $1`, [orgId]);
    return Number(rows[0].n);
  }

  async update(orgId: string, id: string, input: { name: string; settings: object }): Promise<ChannelRecord | null> {
    const res = await this.sql.query(
      `UPDATE alert_channels SET name = $3, settings_sealed = $4, updated_at = now() WHERE org_id = $1 AND id = $2`,
      [orgId, id, input.name, this.sealSettings(id, input.settings)],
    );
    return res.rowCount ? this.get(orgId, id) : null;
  }

  /**
   * Deletes a channel and takes its id out of every monitor's `alertChannelIds` in the same
   * transaction, so no monitor is left naming a channel that is gone. (Alert rules reference
   * channels with ON DELETE CASCADE.)
   */
  async delete(orgId: string, id: string): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      const res = await tx.query(`DELETE FROM alert_channels WHERE org_id = $1 AND id = $2`, [orgId, id]);
      if (!res.rowCount) return false;
      await tx.query(
        `UPDATE monitors SET updated_at = now(), config = jsonb_set(config, '{alertChannelIds}',
           (SELECT coalesce(jsonb_agg(c), '[]'::jsonb) FROM jsonb_array_elements(config->'alertChannelIds') c WHERE c <> to_jsonb($2::text)))
         WHERE org_id = $1 AND config->'alertChannelIds' ? $2`,
        [orgId, id],
      );
      return true;
    });
  }

  /**
   * A new signing secret signs from now on; the ones active until now keep signing for the
   * overlap (every active secret signs each delivery), then drop out.
   */
  async rotateSecret(orgId: string, id: string, overlapMs = ROTATION_OVERLAP_MS): Promise<{ channel: ChannelRecord; signingSecret: string } | null> {
    return this.sql.transaction(async (tx) => {
      const { rows } = await tx.query<Row>(`SELECT * FROM alert_channels WHERE org_id = $1 AND id = $2 FOR UPDATE`, [orgId, id]);
      if (!rows[0]) return null;
      const retiresAt = this.now() + overlapMs;
      const kept = this.active(this.openSecrets(rows[0])).map((s) => ({ secret: s.secret, retiresAt: Math.min(s.retiresAt ?? retiresAt, retiresAt) }));
      const signingSecret = newSigningSecret();
      await tx.query(`UPDATE alert_channels SET signing_sealed = $3, updated_at = now() WHERE org_id = $1 AND id = $2`,
        [orgId, id, this.sealSecrets(id, [{ secret: signingSecret, retiresAt: null }, ...kept])]);
      const after = await tx.query<Row>(`SELECT * FROM alert_channels WHERE id = $1`, [id]);
      return { channel: this.toRecord(after.rows[0]), signingSecret };
    });
  }
}
