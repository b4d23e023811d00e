import type { SqlClient } from '../ports/sql-client.js';
import { newId, newSecret } from '../store/ids.js';
import { hashSecret } from '../store/secrets.js';

export interface AgentTokenInfo {
  tokenId: string;
  region: string;
  name: string;
}

export const AGENT_TOKEN_PREFIX = 'pha';

/**
 * Per-agent tokens: each fixes the region its agent reports for. Stored hashed; ingest
 * verifies every gRPC call against this store (cached briefly, so a revocation takes
 * effect within the cache lifetime).
 */
export class AgentTokenStore {
  private readonly cache = new Map<string, { info: AgentTokenInfo | null; until: number }>();

  constructor(private readonly sql: SqlClient, private readonly cacheMs = 5_000, private readonly now = Date.now) {}

  /**
   * Issues a token, or registers one the operator chose (e.g. from a secrets manager, as
   * docker-compose does). Registering the same token again is a no-op.
   */
  async create(region: string, name: string, chosen?: string): Promise<{ token: string; info: AgentTokenInfo }> {
    const token = chosen ?? newSecret(AGENT_TOKEN_PREFIX);
    if (token.length < 24) throw new Error('an agent token must be at least 24 characters');
    const id = newId('agt');
    const { rows } = await this.sql.query<{ id: string; region: string; name: string }>(
      `INSERT INTO agent_tokens (id, name, region, token_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT (token_hash) DO UPDATE SET token_hash = EXCLUDED.token_hash
       RETURNING id, region, name`,
      [id, name, region, hashSecret(token)],
    );
    const row = rows[0];
    if (row.region !== region) throw new Error(`this token is already registered for region ${row.region}`);
    return { token, info: { tokenId: row.id, region: row.region, name: row.name } };
  }

  async list(): Promise<Array<AgentTokenInfo & { createdAt: Date }>> {
    const { rows } = await this.sql.query<{ id: string; name: string; region: string; created_at: Date | string }>(
      `SELECT id, name, region, created_at FROM agent_tokens WHERE revoked_at IS NULL ORDER BY created_at, id`);
    return rows.map((r) => ({ tokenId: r.id, name: r.name, region: r.region, createdAt: new Date(r.created_at) }));
  }

  async revoke(id: string): Promise<boolean> {
    const res = await this.sql.query(`UPDATE agent_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [id]);
    this.cache.clear();
    return res.rowCount > 0;
  }

  /** Revokes every live token with this name (the embedded network re-issues its own at each start). */
  async revokeByName(name: string): Promise<void> {
    await this.sql.query(`UPDATE agent_tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL`, [name]);
    this.cache.clear();
  }

  async verify(token: string): Promise<AgentTokenInfo | null> {
    const hash = hashSecret(token);
    const hit = this.cache.get(hash);
    if (hit && hit.until > this.now()) return hit.info;
    const { rows } = await this.sql.query<{ id: string; region: string; name: string }>(
      `SELECT id, region, name FROM agent_tokens WHERE token_hash = $1 AND revoked_at IS NULL`, [hash]);
    const info = rows[0] ? { tokenId: rows[0].id, region: rows[0].region, name: rows[0].name } : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { info, until: this.now() + this.cacheMs });
    return info;
  }
}
