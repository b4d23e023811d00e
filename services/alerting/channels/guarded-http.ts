/**
 * Outbound HTTP to tenant URLs (alert channel webhooks) through the SSRF guard: undici with a
 * dispatcher whose every new connection first resolves the host with the guarded resolver
 * and then connects to exactly the address that was checked (TLS still verifies the host
 * name). Redirects are never followed, so there is no second hop to check; a 3xx is a failed
 * delivery like any other non-2xx answer.
 */
import { isIP } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
import type { GuardedResolver } from '../../lib/ssrf/guarded-resolver.js';
import { BlockedTargetError } from '../../lib/ssrf/blocked-target-error.js';
import type { DeliveryOutcome } from './channel.js';

export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

/** POSTs a body and reports the answer as data; never throws. */
export type GuardedPost = (req: OutboundRequest) => Promise<DeliveryOutcome>;

export interface GuardedHttp {
  post: GuardedPost;
  close(): Promise<void>;
}

/** How long a name's resolution may take before the connection attempt fails. */
const RESOLVE_TIMEOUT_MS = 5_000;

export function createGuardedHttp(opts: { resolver: GuardedResolver; connectTimeoutMs?: number; ca?: string | Buffer }): GuardedHttp {
  const connect = buildConnector({ timeout: opts.connectTimeoutMs ?? 10_000, ...(opts.ca ? { ca: opts.ca } : {}) });
  const dispatcher = new Agent({
    // Alerts are rare per origin; a short keep-alive avoids holding sockets to many tenants.
    keepAliveTimeout: 4_000,
    connect: (options, callback) => {
      const host = options.hostname;
      const bare = host.startsWith('[') ? host.slice(1, -1) : host;
      opts.resolver(bare, AbortSignal.timeout(RESOLVE_TIMEOUT_MS)).then(
        (target) => connect({ ...options, hostname: target.address, servername: isIP(bare) ? undefined : (options.servername ?? bare) }, callback),
        (err: Error) => callback(err, null),
      );
    },
  });
  return {
    async post(req) {
      try {
        const res = await request(req.url, { method: 'POST', headers: req.headers, body: req.body, signal: req.signal, dispatcher });
        // Drain a little so the connection can be reused; a receiver's body is never kept.
        await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        const ok = res.statusCode >= 200 && res.statusCode < 300;
        return { ok, statusCode: res.statusCode, error: ok ? null : `HTTP ${res.statusCode}` };
      } catch (err) {
        return { ok: false, statusCode: null, error: describeFailure(err, req.signal) };
      }
    },
    close: () => dispatcher.close(),
  };
}

/** A short reason free of secrets: the URL (which carries the webhook's token) is never quoted. */
export function describeFailure(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'timed out';
  const e = err as Error & { code?: string; cause?: Error & { code?: string } };
  const root = e instanceof BlockedTargetError ? e : e.cause instanceof BlockedTargetError ? e.cause : undefined;
  if (root) return `blocked: ${root.message}`;
  const code = e.code ?? e.cause?.code;
  if (code === 'ENOTFOUND') return 'host name not found';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect timed out';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  if (code?.startsWith('ERR_TLS') || code?.includes('CERT')) return `TLS error (${code})`;
  return code ? `request failed (${code})` : 'request failed';
}
