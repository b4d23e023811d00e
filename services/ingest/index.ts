export { startIngest, type IngestDeps, type IngestServer } from './server.js';
export type { AgentTokenVerifier, AgentIdentity } from './agent-tokens.js';
