/**
 * What a domain serves on the web, fetched through the SSRF guard (the domain is a tenant's
 * target): every connection, redirects included, resolves its host with the guarded resolver
 * and connects to exactly the address it checked. Redirects are followed by hand, at most 5,
 * each hop guarded again. The TLS certificate comes from a guarded TLS handshake on 443.
 */
import tls from 'node:tls';
import { isIP } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
import type { GuardedResolver } from '../../lib/ssrf/guarded-resolver.js';

export const SECURITY_HEADERS = ['strict-transport-security', 'content-security-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy', 'permissions-policy'] as const;

export type WebAnswer =
  | { kind: 'answer'; finalUrl: string | null; status: number | null; securityHeaders: string[]; bodySample: string; error: string | null }
  | { kind: 'inconclusive'; reason: string };

export type CertificateAnswer =
  | { kind: 'answer'; present: boolean; issuer: string | null; subject: string | null; validTo: string | null; altNames: string[]; authorized: boolean; error: string | null }
  | { kind: 'inconclusive'; reason: string };

export interface GuardedWeb {
  fetchHome(domain: string, signal: AbortSignal): Promise<WebAnswer>;
  certificate(domain: string, signal: AbortSignal): Promise<CertificateAnswer>;
  close(): Promise<void>;
}

const ANSWER_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'UND_ERR_SOCKET']);
const errCode = (err: unknown): string => { const e = err as { code?: string; cause?: { code?: string }; name?: string }; return e.code ?? e.cause?.code ?? e.name ?? 'error'; };

export function createGuardedWeb(opts: { resolver: GuardedResolver; timeoutMs: number; ports?: { http: number; https: number }; ca?: string | Buffer }): GuardedWeb {
  const ports = opts.ports ?? { http: 80, https: 443 };
  const connect = buildConnector({ timeout: opts.timeoutMs, ...(opts.ca ? { ca: opts.ca } : {}) });
  const dispatcher = new Agent({
    keepAliveTimeout: 1_000,
    connect: (options, callback) => {
      const host = options.hostname.startsWith('[') ? options.hostname.slice(1, -1) : options.hostname;
      opts.resolver(host, AbortSignal.timeout(opts.timeoutMs)).then(
        (target) => connect({ ...options, hostname: target.address, servername: isIP(host) ? undefined : (options.servername ?? host) }, callback),
        (err: Error) => callback(err, null),
      );
    },
  });

  return {
    async fetchHome(domain, signal) {
      let url = `https://${domain}:${ports.https}/`.replace(':443/', '/');
      let triedHttp = false;
      for (let hop = 0; hop <= 5; hop++) {
        try {
          const res = await request(url, { method: 'GET', dispatcher, signal: AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs)]), headers: { 'user-agent': 'Pharos-Encrata/1.0' } });
          const location = res.headers.location;
          if (res.statusCode >= 300 && res.statusCode < 400 && typeof location === 'string' && hop < 5) {
            await res.body.dump();
            url = new URL(location, url).toString();
            continue;
          }
          const text = (await res.body.text()).slice(0, 64 * 1024);
          const present = SECURITY_HEADERS.filter((h) => res.headers[h] !== undefined);
          return { kind: 'answer', finalUrl: url, status: res.statusCode, securityHeaders: [...present], bodySample: text, error: null };
        } catch (err) {
          if (signal.aborted) return { kind: 'inconclusive', reason: 'cancelled' };
          const code = errCode(err);
          if (code === 'BlockedTargetError') return { kind: 'answer', finalUrl: null, status: null, securityHeaders: [], bodySample: '', error: 'blocked by the SSRF guard' };
          // No HTTPS on the first hop: try plain HTTP once.
          if (hop === 0 && !triedHttp && (ANSWER_CODES.has(code) || code.startsWith('ERR_TLS') || code.includes('CERT'))) {
            triedHttp = true;
            url = `http://${domain}:${ports.http}/`.replace(':80/', '/');
            hop = -1;
            continue;
          }
          if (ANSWER_CODES.has(code)) return { kind: 'answer', finalUrl: null, status: null, securityHeaders: [], bodySample: '', error: code };
          return { kind: 'inconclusive', reason: `web: ${code}` };
        }
      }
      return { kind: 'answer', finalUrl: url, status: null, securityHeaders: [], bodySample: '', error: 'too many redirects' };
    },

    async certificate(domain, signal) {
      let address: string;
      try {
        address = (await opts.resolver(domain, AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs)]))).address;
      } catch (err) {
        const code = errCode(err);
        if (code === 'BlockedTargetError' || code === 'ENOTFOUND') return { kind: 'answer', present: false, issuer: null, subject: null, validTo: null, altNames: [], authorized: false, error: code };
        return { kind: 'inconclusive', reason: `tls: ${code}` };
      }
      return new Promise<CertificateAnswer>((resolve) => {
        const socket = tls.connect({ host: address, port: ports.https, servername: domain, rejectUnauthorized: false, ...(opts.ca ? { ca: opts.ca } : {}) });
        const timer = setTimeout(() => { socket.destroy(); resolve({ kind: 'inconclusive', reason: `tls: no handshake within ${opts.timeoutMs} ms` }); }, opts.timeoutMs);
        socket.once('secureConnect', () => {
          clearTimeout(timer);
          const cert = socket.getPeerCertificate();
          const name = (o: Record<string, unknown> | undefined) => (o ? String(o.O ?? o.CN ?? '') || null : null);
          resolve({
            kind: 'answer', present: Boolean(cert?.valid_to), issuer: name(cert?.issuer as unknown as Record<string, unknown>), subject: cert?.subject ? String((cert.subject as unknown as Record<string, unknown>).CN ?? '') || null : null,
            validTo: cert?.valid_to ? new Date(cert.valid_to).toISOString() : null,
            altNames: (cert?.subjectaltname ?? '').split(',').map((s) => s.trim().replace(/^DNS:/, '').toLowerCase()).filter(Boolean),
            authorized: socket.authorized, error: socket.authorized ? null : String(socket.authorizationError ?? ''),
          });
          socket.end();
        });
        socket.once('error', (err) => {
          clearTimeout(timer);
          const code = errCode(err);
          resolve(ANSWER_CODES.has(code) ? { kind: 'answer', present: false, issuer: null, subject: null, validTo: null, altNames: [], authorized: false, error: code } : { kind: 'inconclusive', reason: `tls: ${code}` });
        });
      });
    },

    close: () => dispatcher.close(),
  };
}
