/**
 * GETs pages of a monitored website through the SSRF guard: every new connection resolves its
 * host with the guarded resolver and connects to exactly the address that was checked (TLS
 * still verifies the name), and redirects are followed by hand, so each hop's host is
 * resolved and checked again. Bodies are read up to a byte cap; failures come back as data
 * with the phase they happened in, never as exceptions.
 */
import { isIP } from 'node:net';
import { Agent, buildConnector, request, type Dispatcher } from 'undici';
import type { GuardedResolver } from '../../lib/ssrf/guarded-resolver.js';
import { BlockedTargetError } from '../../lib/ssrf/blocked-target-error.js';

export type FetchFailure = 'dns' | 'blocked' | 'connect' | 'tls' | 'timeout' | 'too_many_redirects' | 'protocol';

export interface FetchedPage {
  ok: true;
  /** The URL asked for. */
  url: string;
  /** Where the last redirect led. */
  finalUrl: string;
  /** Each URL that answered with a redirect, in order. */
  redirects: string[];
  status: number;
  headers: Record<string, string>;
  body: string;
  truncated: boolean;
}

export interface FailedFetch {
  ok: false;
  url: string;
  finalUrl: string;
  redirects: string[];
  failure: FetchFailure;
  message: string;
}

export type FetchOutcome = FetchedPage | FailedFetch;

export interface SiteFetcherOptions {
  resolver: GuardedResolver;
  /** Trust anchors (PEM) for https; default Node's root store. Tests pass their CA. */
  ca?: string | string[];
  /** Where "port 80" and "port 443" are (tests serve fixture sites on other ports). */
  defaultPorts?: { http: number; https: number };
  userAgent?: string;
  /** Per request (connect to last byte). Default 10 s. */
  timeoutMs?: number;
  /** Bytes of a body kept; the rest is not read. Default 512 KiB. */
  maxBodyBytes?: number;
  maxRedirects?: number;
}

export interface SiteFetcher {
  get(url: string, signal: AbortSignal, opts?: { accept?: string; followRedirects?: boolean }): Promise<FetchOutcome>;
  close(): Promise<void>;
}

export const DEFAULT_USER_AGENT = 'Mozilla/5.0 (compatible; PharosRiskBot/1.0; +https://github.com/pharos/pharos)';

export function createSiteFetcher(opts: SiteFetcherOptions): SiteFetcher {
  const ports = opts.defaultPorts ?? { http: 80, https: 443 };
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxBytes = opts.maxBodyBytes ?? 512 * 1024;
  const maxRedirects = opts.maxRedirects ?? 5;
  const connect = buildConnector({ timeout: timeoutMs, ...(opts.ca ? { ca: opts.ca } : {}) });
  const dispatcher = new Agent({
    keepAliveTimeout: 2_000,
    connections: 4,
    connect: (options, callback) => {
      const host = options.hostname;
      const bare = host.startsWith('[') ? host.slice(1, -1) : host;
      const https = options.protocol === 'https:';
      const given = Number(options.port);
      const port = !given || given === (https ? 443 : 80) ? (https ? ports.https : ports.http) : given;
      opts.resolver(bare, AbortSignal.timeout(timeoutMs)).then(
        (target) => connect({ ...options, hostname: target.address, port: String(port), servername: isIP(bare) ? undefined : (options.servername ?? bare) }, callback),
        (err: Error) => callback(err, null),
      );
    },
  });

  async function once(url: URL, signal: AbortSignal, accept: string): Promise<{ status: number; headers: Record<string, string>; body: string; truncated: boolean }> {
    const res = await request(url, {
      method: 'GET', dispatcher, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs,
      headers: { 'user-agent': opts.userAgent ?? DEFAULT_USER_AGENT, accept, 'accept-encoding': 'identity', 'accept-language': 'en;q=0.9, *;q=0.5' },
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const { text, truncated } = await readCapped(res.body, maxBytes);
    return { status: res.statusCode, headers, body: text, truncated };
  }

  return {
    async get(first, outer, o = {}) {
      const accept = o.accept ?? 'text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8';
      const signal = AbortSignal.any([outer, AbortSignal.timeout(timeoutMs)]);
      const redirects: string[] = [];
      let url: URL;
      try {
        url = new URL(first);
      } catch {
        return { ok: false, url: first, finalUrl: first, redirects, failure: 'protocol', message: 'not a URL' };
      }
      for (;;) {
        let answer;
        try {
          answer = await once(url, signal, accept);
        } catch (err) {
          return { ok: false, url: first, finalUrl: url.href, redirects, ...classify(err, signal) };
        }
        const location = answer.headers.location;
        if (o.followRedirects !== false && answer.status >= 300 && answer.status < 400 && location) {
          if (redirects.length >= maxRedirects) return { ok: false, url: first, finalUrl: url.href, redirects, failure: 'too_many_redirects', message: `more than ${maxRedirects} redirects` };
          let next: URL;
          try {
            next = new URL(location, url);
          } catch {
            return { ok: false, url: first, finalUrl: url.href, redirects, failure: 'protocol', message: 'redirect to an invalid URL' };
          }
          if (next.protocol !== 'http:' && next.protocol !== 'https:') return { ok: false, url: first, finalUrl: next.href, redirects, failure: 'protocol', message: `redirect to ${next.protocol}` };
          redirects.push(url.href);
          url = next;
          continue;
        }
        return { ok: true, url: first, finalUrl: url.href, redirects, ...answer };
      }
    },
    close: () => dispatcher.close(),
  };
}

async function readCapped(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let truncated = false;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (bytes + chunk.length > maxBytes) {
      chunks.push(chunk.subarray(0, maxBytes - bytes));
      truncated = true;
      body.destroy();
      break;
    }
    chunks.push(chunk);
    bytes += chunk.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated };
}

function classify(err: unknown, signal: AbortSignal): { failure: FetchFailure; message: string } {
  const e = err as Error & { code?: string; cause?: Error & { code?: string } };
  const root = e instanceof BlockedTargetError ? e : e.cause instanceof BlockedTargetError ? e.cause : undefined;
  if (root) return { failure: 'blocked', message: root.message };
  if (signal.aborted) return { failure: 'timeout', message: 'timed out' };
  const code = e.code ?? e.cause?.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA') return { failure: 'dns', message: `host name not found (${code})` };
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') return { failure: 'timeout', message: `timed out (${code})` };
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'EPROTO' || code.startsWith('ERR_SSL') || /certificate|SSL|TLS/i.test(e.message)) return { failure: 'tls', message: `TLS failed (${code || e.message})` };
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return { failure: 'connect', message: `connection failed (${code})` };
  return { failure: 'protocol', message: code ? `request failed (${code})` : `request failed (${e.message})` };
}
