/**
 * Every AgentService call carries `authorization: Bearer <token>`; the token, not the
 * message, says which region the agent reports for.
 */
import type { Metadata } from '@grpc/grpc-js';
import type { AgentIdentity, AgentTokenVerifier } from './agent-tokens.js';
import { unauthenticated } from './grpc-errors.js';

export async function authenticate(metadata: Metadata, tokens: AgentTokenVerifier): Promise<AgentIdentity> {
  const header = metadata.get('authorization')[0];
  const value = typeof header === 'string' ? header : header?.toString('utf8');
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  if (!match) throw unauthenticated('missing agent token: send "authorization: Bearer <token>" metadata');
  const identity = await tokens.verify(match[1]);
  if (!identity) throw unauthenticated('unknown or revoked agent token');
  return identity;
}
