import { X509Certificate } from 'node:crypto';
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckPhase, CheckStatus, ErrorKind } from '../../../proto/generated/pharos/v1/result.js';
import { eventually } from '../../support/services.js';
import { createCheckers, runCheck } from '../../../probe-agent/checks/registry.js';
import { BlockedTargetError, type TargetResolver } from '../../../probe-agent/checks/target-resolver.js';
import {
  closedPort,
  generateCertificate,
  startHttpTarget,
  startHttpsTarget,
  startSilentTcpTarget,
  websiteJob,
  type LocalTarget,
  type TestCertificate,
} from './support/targets.js';

interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const seen: SeenRequest[] = [];
const checkers = createCheckers();
const run = (job: Parameters<typeof runCheck>[1]) => runCheck(checkers, job, new AbortController().signal);

function route(req: http.IncomingMessage, res: http.ServerResponse): void {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const url = new URL(req.url ?? '/', 'http://x');
    const [, first, second] = url.pathname.split('/');
    switch (first) {
      case 'ok':
        res.end('<html>hello pharos world</html>');
        return;
      case 'status':
        res.writeHead(Number(second)).end('status page');
        return;
      case 'redirect': {
        const left = Number(second);
        res.writeHead(302, { location: left > 1 ? `/redirect/${left - 1}` : '/ok' }).end();
        return;
      }
      case 'see-other':
        res.writeHead(303, { location: '/method' }).end();
        return;
      case 'method':
        res.end(`method=${req.method}`);
        return;
      case 'slow-headers':
        return; // never answers; the check's timeout must fire
      case 'slow-body':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first part of the body ');
        return; // never ends
      case 'reset':
        req.socket.destroy();
        return;
      default:
        res.writeHead(404).end('not found');
    }
  });
}

let target: LocalTarget;
let tlsTarget: LocalTarget;
let certificate: TestCertificate;

beforeAll(async () => {
  target = await startHttpTarget(route);
  certificate = await generateCertificate(new Date('2031-05-17T12:00:00Z'));
  tlsTarget = await startHttpsTarget(certificate, route);
});

afterAll(async () => {
  await target.close();
  await tlsTarget.close();
});

describe('website checker over HTTP', () => {
  it('is UP on a 2xx with plausible phase timings', async () => {
    const outcome = await run(websiteJob({ url: `${target.url}/ok` }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_UNSPECIFIED);
    expect(outcome.statusCode).toBe(200);
    expect(outcome.tls).toBeUndefined();
    const t = outcome.timings;
    expect(t.connectMs).toBeGreaterThan(0);
    expect(t.ttfbMs).toBeGreaterThan(0);
    expect(t.transferMs).toBeGreaterThanOrEqual(0);
    expect(t.tlsMs).toBe(0);
    expect(t.totalMs).toBeGreaterThanOrEqual(t.ttfbMs);
    expect(t.totalMs + 0.01).toBeGreaterThanOrEqual(t.dnsMs + t.connectMs + t.tlsMs + t.ttfbMs + t.transferMs);
    expect(t.totalMs).toBeLessThan(5_000);
  });

  it('opens a fresh connection for every check and closes it afterwards', async () => {
    const before = target.connections();
    for (let i = 0; i < 3; i++) await run(websiteJob({ url: `${target.url}/ok` }));
    expect(target.connections() - before).toBe(3);
    await eventually(() => target.openSockets() === 0, { what: 'check connections closed' });
  });

  it('times the DNS phase through the target resolver', async () => {
    const names: string[] = [];
    const slowDns: TargetResolver = async (hostname) => {
      names.push(hostname);
      await new Promise((r) => setTimeout(r, 20)); // a resolver that takes 20 ms
      return { address: '127.0.0.1', family: 4 };
    };
    const outcome = await runCheck(
      createCheckers({ resolveTarget: slowDns }),
      websiteJob({ url: `http://probe-target.test:${target.port}/ok` }),
      new AbortController().signal,
    );
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(names).toEqual(['probe-target.test']);
    expect(outcome.timings.dnsMs).toBeGreaterThanOrEqual(15);
    expect(seen.at(-1)?.headers.host).toBe(`probe-target.test:${target.port}`);
  });

  it('sends method, headers and body', async () => {
    const outcome = await run(
      websiteJob({
        url: `${target.url}/ok`,
        method: 'POST',
        headers: [{ name: 'X-Probe', value: 'yes' }, { name: 'content-type', value: 'application/json' }],
        body: '{"ping":true}',
      }),
    );
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    const last = seen.at(-1)!;
    expect(last.method).toBe('POST');
    expect(last.headers['x-probe']).toBe('yes');
    expect(last.headers['user-agent']).toMatch(/Pharos/);
    expect(last.body).toBe('{"ping":true}');
  });

  it('fails with unexpected_status when the status does not match', async () => {
    const down = await run(websiteJob({ url: `${target.url}/status/503` }));
    expect(down.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(down.errorKind).toBe(ErrorKind.ERROR_KIND_UNEXPECTED_STATUS);
    expect(down.errorPhase).toBe(CheckPhase.CHECK_PHASE_ASSERTION);
    expect(down.statusCode).toBe(503);
    expect(down.errorMessage).toContain('503');

    const wrongExact = await run(websiteJob({ url: `${target.url}/ok`, expectedStatusCode: 201 }));
    expect(wrongExact.errorKind).toBe(ErrorKind.ERROR_KIND_UNEXPECTED_STATUS);

    const expected404 = await run(websiteJob({ url: `${target.url}/status/404`, expectedStatusCode: 404 }));
    expect(expected404.status).toBe(CheckStatus.CHECK_STATUS_UP);
  });

  it.each([
    { keyword: 'pharos', keywordAbsent: false, up: true },
    { keyword: 'missing-word', keywordAbsent: false, up: false },
    { keyword: 'missing-word', keywordAbsent: true, up: true },
    { keyword: 'pharos', keywordAbsent: true, up: false },
  ])('keyword "$keyword" (absent=$keywordAbsent) → up=$up', async ({ keyword, keywordAbsent, up }) => {
    const outcome = await run(websiteJob({ url: `${target.url}/ok`, keyword, keywordAbsent }));
    expect(outcome.status).toBe(up ? CheckStatus.CHECK_STATUS_UP : CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(up ? ErrorKind.ERROR_KIND_UNSPECIFIED : ErrorKind.ERROR_KIND_KEYWORD);
    if (!up) expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_ASSERTION);
  });

  it('finds a keyword only in the capped prefix of a large body', async () => {
    const big = await startHttpTarget((_req, res) => {
      res.write('a'.repeat(2 * 1024 * 1024));
      res.end('needle');
    });
    try {
      const outcome = await run(websiteJob({ url: `${big.url}/`, keyword: 'needle' }));
      expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_KEYWORD);
      expect(outcome.errorMessage).toContain('first 1048576 bytes');
    } finally {
      await big.close();
    }
  });

  it('follows redirects hop by hop, each on its own connection', async () => {
    const before = target.connections();
    const outcome = await run(websiteJob({ url: `${target.url}/redirect/3`, followRedirects: true, maxRedirects: 5 }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.statusCode).toBe(200);
    expect(target.connections() - before).toBe(4);
  });

  it('fails with too_many_redirects past maxRedirects', async () => {
    const outcome = await run(websiteJob({ url: `${target.url}/redirect/4`, followRedirects: true, maxRedirects: 2 }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_TOO_MANY_REDIRECTS);
    expect(outcome.statusCode).toBe(302);
  });

  it('does not follow redirects when told not to', async () => {
    const down = await run(websiteJob({ url: `${target.url}/redirect/1`, followRedirects: false }));
    expect(down.errorKind).toBe(ErrorKind.ERROR_KIND_UNEXPECTED_STATUS);
    expect(down.statusCode).toBe(302);
    const up = await run(websiteJob({ url: `${target.url}/redirect/1`, followRedirects: false, expectedStatusCode: 302 }));
    expect(up.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(seen.at(-1)?.url).toBe('/redirect/1');
  });

  it('turns a POST into a GET on 303 See Other', async () => {
    const outcome = await run(websiteJob({ url: `${target.url}/see-other`, method: 'POST', body: 'x', keyword: 'method=GET' }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
  });

  it('passes every redirect hop through the target resolver, which may block it', async () => {
    const names: string[] = [];
    const guard: TargetResolver = async (hostname) => {
      names.push(hostname);
      if (hostname === 'internal.test') throw new BlockedTargetError('internal.test resolves to a private address');
      return { address: '127.0.0.1', family: 4 };
    };
    const redirector = await startHttpTarget((_req, res) => {
      res.writeHead(302, { location: `http://internal.test:${target.port}/ok` }).end();
    });
    try {
      const outcome = await runCheck(
        createCheckers({ resolveTarget: guard }),
        websiteJob({ url: `http://public.test:${redirector.port}/`, followRedirects: true }),
        new AbortController().signal,
      );
      expect(names).toEqual(['public.test', 'internal.test']);
      expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_BLOCKED_TARGET);
      expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_DNS);
    } finally {
      await redirector.close();
    }
  });

  it('times out while waiting for the first byte, recording the ttfb phase', async () => {
    const outcome = await run(websiteJob({ url: `${target.url}/slow-headers` }, 300));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_TIMEOUT);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_TTFB);
    expect(outcome.timings.totalMs).toBeGreaterThanOrEqual(290);
    expect(outcome.timings.totalMs).toBeLessThan(3_000);
    expect(outcome.timings.ttfbMs).toBeGreaterThan(250);
  });

  it('times out while reading the body, recording the transfer phase and the status', async () => {
    const outcome = await run(websiteJob({ url: `${target.url}/slow-body`, keyword: 'never' }, 300));
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_TIMEOUT);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_TRANSFER);
    expect(outcome.statusCode).toBe(200);
  });

  it('times out in the DNS phase when the resolver hangs', async () => {
    const hanging: TargetResolver = (_host, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    const outcome = await runCheck(
      createCheckers({ resolveTarget: hanging }),
      websiteJob({ url: 'http://stuck.test/' }, 200),
      new AbortController().signal,
    );
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_TIMEOUT);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_DNS);
  });

  it('reports a refused connection', async () => {
    const port = await closedPort();
    const outcome = await run(websiteJob({ url: `http://127.0.0.1:${port}/` }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_CONNECTION_REFUSED);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_CONNECT);
    expect(outcome.statusCode).toBe(0);
  });

  it('reports a reset connection', async () => {
    const outcome = await run(websiteJob({ url: `${target.url}/reset` }));
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_CONNECTION_RESET);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_TTFB);
  });

  it('reports an unresolvable name as a DNS failure', async () => {
    const outcome = await run(websiteJob({ url: 'http://something.invalid/' }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_DNS);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_DNS);
    expect(outcome.errorMessage).toContain('ENOTFOUND');
  });

  it('rejects invalid settings as data', async () => {
    const outcome = await run(websiteJob({ url: 'ftp://example.test/', headers: [{ name: 'Transfer-Encoding', value: 'chunked' }] }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_INTERNAL);
    expect(outcome.errorMessage).toContain('http or https');
    expect(outcome.errorMessage).toContain('Transfer-Encoding');
  });
});

describe('website checker over HTTPS', () => {
  it('refuses a self-signed certificate but still records it', async () => {
    const outcome = await run(websiteJob({ url: `${tlsTarget.url}/ok` }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_TLS);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_TLS);
    expect(outcome.errorMessage).toMatch(/SELF_SIGNED/);
    expect(outcome.tls?.authorized).toBe(false);
    expect(outcome.tls?.notAfterMs).toBe(certificate.notAfter.getTime());
  });

  it('passes with ignoreTlsErrors and records expiry, issuer, subject and TLS time', async () => {
    const outcome = await run(websiteJob({ url: `${tlsTarget.url}/ok`, ignoreTlsErrors: true, keyword: 'pharos' }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.tls).toEqual({
      notBeforeMs: certificate.notBefore.getTime(),
      notAfterMs: certificate.notAfter.getTime(),
      issuer: 'CN=pharos-test',
      subject: 'CN=pharos-test',
      subjectAltNames: ['DNS:localhost', 'IP Address:127.0.0.1'],
      chainValid: false,
      hostnameValid: true,
      authorized: false,
      verificationError: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      fingerprintSha256: new X509Certificate(certificate.cert).fingerprint256,
      expiringSoon: false,
    });
    expect(outcome.timings.tlsMs).toBeGreaterThan(0);
    expect(outcome.timings.totalMs).toBeGreaterThanOrEqual(outcome.timings.tlsMs + outcome.timings.ttfbMs);
  });

  it('opens a fresh TLS connection (full handshake) for every check', async () => {
    const before = tlsTarget.connections();
    await run(websiteJob({ url: `${tlsTarget.url}/ok`, ignoreTlsErrors: true }));
    await run(websiteJob({ url: `${tlsTarget.url}/ok`, ignoreTlsErrors: true }));
    expect(tlsTarget.connections() - before).toBe(2);
  });

  it('times out in the TLS phase against a server that never answers the handshake', async () => {
    const silent = await startSilentTcpTarget();
    try {
      const outcome = await run(websiteJob({ url: `https://127.0.0.1:${silent.port}/` }, 250));
      expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_TIMEOUT);
      expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_TLS);
      expect(outcome.timings.connectMs).toBeGreaterThan(0);
    } finally {
      await silent.close();
    }
  });
});
