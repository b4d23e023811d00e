import type { SqlClient } from '../ports/sql-client.js';
import { newId, newSecret } from '../store/ids.js';
import { hashSecret, maskSecret } from '../store/secrets.js';

export interface ApiKey {
  id: string;
  orgId: string;
  name: string;
  maskedKey: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface Principal {
  keyId: string;
  orgId: string;
  scopes: string[];
  /** The organization's plan as of this request, for its per-key rate limits. */
  plan: string;
}

interface KeyRow {
  id: string;
  org_id: string;
  name: string;
  masked_key: string;
  scopes: string[];
  created_at: Date | string;
  last_used_at: Date | string | null;
}

const toKey = (r: KeyRow): ApiKey => ({
  id: r.id,
  orgId: r.org_id,
  name: r.name,
  maskedKey: r.masked_key,
  scopes: r.scopes,
  createdAt: new Date(r.created_at),
  lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
});

export const API_KEY_PREFIX = 'phk';

export class ApiKeyStore {
  constructor(private readonly sql: SqlClient) {}

  /** Creates a key; the plaintext is returned here once and never stored. */
  async create(orgId: string, name: string, scopes: string[], plaintext = newSecret(API_KEY_PREFIX)): Promise<{ key: ApiKey; plaintext: string }> {
    const id = newId('key');
    await this.sql.query(
      `INSERT INTO api_keys (id, org_id, name, key_hash, masked_key, scopes) VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, orgId, name, hashSecret(plaintext), maskSecret(plaintext), scopes],
    );
    const key = (await this.get(orgId, id))!;
    return { key, plaintext };
  }

  async get(orgId: string, id: string): Promise<ApiKey | null> {
    const { rows } = await this.sql.query<KeyRow>(
      `SELECT * FROM api_keys WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL`, [orgId, id]);
    return rows[0] ? toKey(rows[0]) : null;
  }

  async list(orgId: string): Promise<ApiKey[]> {
    const { rows } = await this.sql.query<KeyRow>(
      `SELECT * FROM api_keys WHERE org_id = $1 AND revoked_at IS NULL ORDER BY created_at, id`, [orgId]);
    return rows.map(toKey);
  }

  async revoke(orgId: string, id: string): Promise<boolean> {
    const res = await this.sql.query(
      `UPDATE api_keys SET revoked_at = now() WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL`, [orgId, id]);
    return res.rowCount > 0;
  }

  /** The principal a presented key stands for, or null for unknown/revoked keys. */
  async authenticate(plaintext: string): Promise<Principal | null> {
    const { rows } = await this.sql.query<{ id: string; org_id: string; scopes: string[]; plan: string }>(
      `UPDATE api_keys k SET last_used_at = now() FROM organizations o
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND o.id = k.org_id
        RETURNING k.id, k.org_id, k.scopes, o.plan`,
      [hashSecret(plaintext)],
    );
    const r = rows[0];
    return r ? { keyId: r.id, orgId: r.org_id, scopes: r.scopes, plan: r.plan } : null;
  }

  async countActive(): Promise<number> {
    const { rows } = await this.sql.query<{ n: string | number }>(`SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL`);
    return Number(rows[0]?.n ?? 0);
  }
}
