/**
 * Links in subscriber mails never come from a Host header a stranger can set: PHAROS_PUBLIC_URL,
 * the page's own custom domain, or (`pharos dev` only) the request's origin; otherwise a
 * subscription is refused.
 */
import { describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { mailLinkBase } from '../../../services/api/routes/status-pages/subscription-verbs.js';
import type { PublicContext } from '../../../services/api/routes/status-pages/public-verbs.js';
import type { StatusPage } from '../../../services/status-pages/store.js';

const page = { slug: 'acme', customDomain: 'status.acme.test' } as StatusPage;
const ctxOf = (role: string, publicUrl?: string) => ({ deps: { config: { role, publicUrl } } }) as unknown as PublicContext;
const req = (host: string) => ({ protocol: 'https', host }) as FastifyRequest;

describe('subscriber mail links', () => {
  it('use PHAROS_PUBLIC_URL whatever the Host', () => {
    expect(mailLinkBase(ctxOf('server', 'https://status.example.com'), req('evil.test'), page)).toBe('https://status.example.com/status/acme');
  });

  it('use the page\'s custom domain when the request came to it', () => {
    expect(mailLinkBase(ctxOf('api'), req('STATUS.acme.test'), page)).toBe('https://status.acme.test/status/acme');
  });

  it('use the request\'s origin in pharos dev only', () => {
    expect(mailLinkBase(ctxOf('dev'), req('127.0.0.1:8080'), page)).toBe('https://127.0.0.1:8080/status/acme');
  });

  it('refuse a server without a public URL rather than trust the Host header', () => {
    for (const role of ['server', 'api']) {
      expect(() => mailLinkBase(ctxOf(role), req('evil.test'), page)).toThrow(/PHAROS_PUBLIC_URL/);
    }
  });
});
