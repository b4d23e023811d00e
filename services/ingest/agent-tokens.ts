/**
 * How ingest learns who is calling: an agent token fixes the agent's region (DESIGN.md §2).
 * The control plane implements this over Postgres with hashed tokens
 * (services/lib/tenancy/agent-tokens.ts); ingest only needs the verdict.
 */
export interface AgentIdentity {
  tokenId: string;
  region: string;
  name: string;
}

export interface AgentTokenVerifier {
  /** The identity a token stands for, or null when it is unknown or revoked. */
  verify(token: string): Promise<AgentIdentity | null>;
}
