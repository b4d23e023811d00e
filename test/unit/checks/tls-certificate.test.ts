import { X509Certificate } from 'node:crypto';
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckJob } from '../../../proto/generated/pharos/v1/check.js';
import { CheckPhase, CheckStatus, ErrorKind } from '../../../proto/generated/pharos/v1/result.js';
import { splitAltNames } from '../../../probe-agent/checks/certificate.js';
import { createCheckers, runCheck, type CheckerTable } from '../../../probe-agent/checks/registry.js';
import type { TargetResolver } from '../../../probe-agent/checks/target-resolver.js';
import { createWebsiteChecker } from '../../../probe-agent/checks/website.js';
import {
  generateCertificate,
  generateCertificateAuthority,
  issueCertificate,
  startHttpsTarget,
  websiteJob,
  type LocalTarget,
  type TestCertificate,
} from './support/targets.js';

const DAY_MS = 86_400_000;

/** Every *.test name is this machine. */
const loopback: TargetResolver = async () => ({ address: '127.0.0.1', family: 4 });

const ok = (_req: http.IncomingMessage, res: http.ServerResponse) => res.end('hello');

interface Served {
  certificate: TestCertificate;
  target: LocalTarget;
  /** https://good.test:<port>, which resolves to the server. */
  url: string;
}

const served: Record<'valid' | 'soon' | 'expired' | 'notYetValid' | 'wrongHost' | 'selfSigned', Served> = {} as never;
let caCert: string;

async function serve(certificate: TestCertificate, handler = ok): Promise<Served> {
  const target = await startHttpsTarget(certificate, handler);
  return { certificate, target, url: `https://good.test:${target.port}` };
}

/** Checkers that trust the test CA (or only Node's root store) and judge expiry warnings at `nowMs`. */
function checkersAt(nowMs = Date.now(), trust: 'testCa' | 'nodeRoots' = 'testCa'): CheckerTable {
  const ca = trust === 'testCa' ? [caCert] : undefined;
  return { ...createCheckers(), website: createWebsiteChecker({ resolveTarget: loopback, ca, now: () => nowMs }) };
}

const run = (job: CheckJob, checkers = checkersAt()) => runCheck(checkers, job, new AbortController().signal);

beforeAll(async () => {
  const ca = await generateCertificateAuthority();
  caCert = ca.cert;
  const now = Date.now();
  const good = { dnsNames: ['good.test'], ips: ['127.0.0.1'] };
  const [valid, soon, expired, notYetValid, wrongHost, selfSigned] = await Promise.all([
    issueCertificate(ca, good),
    issueCertificate(ca, { ...good, notAfter: new Date(now + 10 * DAY_MS) }),
    issueCertificate(ca, { ...good, notBefore: new Date(now - 30 * DAY_MS), notAfter: new Date(now - DAY_MS) }),
    issueCertificate(ca, { ...good, notBefore: new Date(now + DAY_MS), notAfter: new Date(now + 30 * DAY_MS) }),
    issueCertificate(ca, { dnsNames: ['other.test'] }),
    generateCertificate(),
  ]);
  Object.assign(served, {
    valid: await serve(valid),
    soon: await serve(soon),
    expired: await serve(expired),
    notYetValid: await serve(notYetValid),
    wrongHost: await serve(wrongHost),
    selfSigned: await serve(selfSigned),
  });
});

afterAll(async () => {
  await Promise.all(Object.values(served).map((s) => s.target.close()));
});

describe('certificate details of an HTTPS check', () => {
  it('records a valid CA-signed certificate in full and is UP', async () => {
    const { certificate, url } = served.valid;
    const outcome = await run(websiteJob({ url: `${url}/` }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.tls).toEqual({
      notBeforeMs: certificate.notBefore.getTime(),
      notAfterMs: certificate.notAfter.getTime(),
      issuer: 'CN=Pharos Test CA',
      subject: 'CN=good.test',
      subjectAltNames: ['DNS:good.test', 'IP Address:127.0.0.1'],
      chainValid: true,
      hostnameValid: true,
      authorized: true,
      verificationError: '',
      fingerprintSha256: new X509Certificate(certificate.cert).fingerprint256,
      expiringSoon: false,
    });
  });

  it('checks an IP URL against the certificate IP names', async () => {
    const outcome = await run(websiteJob({ url: `${served.valid.target.url}/` }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.tls?.hostnameValid).toBe(true);

    const noIpName = await run(websiteJob({ url: `${served.wrongHost.target.url}/` }));
    expect(noIpName.tls).toMatchObject({ chainValid: true, hostnameValid: false, verificationError: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('does not trust the test CA unless it is injected (default: Node root store)', async () => {
    const outcome = await run(websiteJob({ url: `${served.valid.url}/` }), checkersAt(Date.now(), 'nodeRoots'));
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_TLS);
    expect(outcome.tls).toMatchObject({ chainValid: false, hostnameValid: true, verificationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  describe('expiringSoon', () => {
    const notAfter = () => served.valid.certificate.notAfter.getTime();
    const expiringSoonAt = async (nowMs: number, sslExpiryWarningDays: number) =>
      (await run(websiteJob({ url: `${served.valid.url}/`, sslExpiryWarningDays }), checkersAt(nowMs))).tls?.expiringSoon;

    it('is set from exactly sslExpiryWarningDays before expiry', async () => {
      expect(await expiringSoonAt(notAfter() - 14 * DAY_MS, 14)).toBe(true);
      expect(await expiringSoonAt(notAfter() - 14 * DAY_MS - 1, 14)).toBe(false);
      expect(await expiringSoonAt(notAfter() - 40 * DAY_MS, 60)).toBe(true);
    });

    it('is never set with sslExpiryWarningDays 0', async () => {
      expect(await expiringSoonAt(notAfter() - DAY_MS, 0)).toBe(false);
    });

    it('keeps the check UP: a warning, not a failure', async () => {
      const outcome = await run(websiteJob({ url: `${served.soon.url}/`, sslExpiryWarningDays: 14 }));
      expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
      expect(outcome.tls?.expiringSoon).toBe(true);
    });

    it('is set for an expired certificate', async () => {
      const outcome = await run(websiteJob({ url: `${served.expired.url}/`, sslExpiryWarningDays: 1 }));
      expect(outcome.tls?.expiringSoon).toBe(true);
    });
  });
});

describe('certificates that are not trusted', () => {
  const cases = [
    { name: 'expired', code: 'CERT_HAS_EXPIRED', chainValid: false, hostnameValid: true },
    { name: 'notYetValid', code: 'CERT_NOT_YET_VALID', chainValid: false, hostnameValid: true },
    { name: 'wrongHost', code: 'ERR_TLS_CERT_ALTNAME_INVALID', chainValid: true, hostnameValid: false },
    { name: 'selfSigned', code: 'DEPTH_ZERO_SELF_SIGNED_CERT', chainValid: false, hostnameValid: true },
  ] as const;
  // The self-signed certificate names localhost and 127.0.0.1, so it is reached by address.
  const urlOf = (name: (typeof cases)[number]['name']) => (name === 'selfSigned' ? served.selfSigned.target.url : served[name].url);

  it.each(cases)('$name: DOWN with a TLS error $code, certificate still recorded', async ({ name, code, chainValid, hostnameValid }) => {
    const { certificate } = served[name];
    const outcome = await run(websiteJob({ url: `${urlOf(name)}/` }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_TLS);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_TLS);
    expect(outcome.errorMessage).toContain(code);
    expect(outcome.statusCode).toBe(0);
    expect(outcome.tls).toMatchObject({
      notBeforeMs: certificate.notBefore.getTime(),
      notAfterMs: certificate.notAfter.getTime(),
      chainValid,
      hostnameValid,
      authorized: false,
      verificationError: code,
      fingerprintSha256: new X509Certificate(certificate.cert).fingerprint256,
    });
    expect(outcome.tls?.subjectAltNames.length).toBeGreaterThan(0);
  });

  it.each(cases)('$name with ignoreTlsErrors: UP, recording authorized false and $code', async ({ name, code, chainValid, hostnameValid }) => {
    const outcome = await run(websiteJob({ url: `${urlOf(name)}/`, ignoreTlsErrors: true }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.statusCode).toBe(200);
    expect(outcome.tls).toMatchObject({ authorized: false, chainValid, hostnameValid, verificationError: code });
  });

  it('names the host and the names the certificate has on a host mismatch', async () => {
    const outcome = await run(websiteJob({ url: `${served.wrongHost.url}/` }));
    expect(outcome.errorMessage).toBe('certificate not trusted: ERR_TLS_CERT_ALTNAME_INVALID (good.test is not among DNS:other.test)');
    expect(outcome.tls?.subjectAltNames).toEqual(['DNS:other.test']);
  });
});

describe('certificates across redirects', () => {
  const redirectTo = (url: string) => (_req: http.IncomingMessage, res: http.ServerResponse) => res.writeHead(302, { location: url }).end();
  let redirectors: LocalTarget[] = [];
  const redirector = async (certificate: TestCertificate, url: string) => {
    const hop = await serve(certificate, redirectTo(url));
    redirectors.push(hop.target);
    return hop.url;
  };

  afterAll(async () => {
    await Promise.all(redirectors.map((t) => t.close()));
    redirectors = [];
  });

  it('records the certificate expiring first when every hop is trusted', async () => {
    const start = await redirector(served.soon.certificate, `${served.valid.url}/`);
    const outcome = await run(websiteJob({ url: `${start}/`, followRedirects: true }));
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.tls?.notAfterMs).toBe(served.soon.certificate.notAfter.getTime());
  });

  it('records the untrusted certificate of a later hop, whether it fails the check or is ignored', async () => {
    const start = await redirector(served.soon.certificate, `${served.wrongHost.url}/`);
    const failed = await run(websiteJob({ url: `${start}/`, followRedirects: true }));
    expect(failed.errorKind).toBe(ErrorKind.ERROR_KIND_TLS);
    expect(failed.tls?.verificationError).toBe('ERR_TLS_CERT_ALTNAME_INVALID');

    const ignored = await run(websiteJob({ url: `${start}/`, followRedirects: true, ignoreTlsErrors: true }));
    expect(ignored.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(ignored.tls?.subjectAltNames).toEqual(['DNS:other.test']);
  });
});

describe('subject alternative names', () => {
  it('splits Node names, unquoting those with a comma or quote in them', () => {
    expect(splitAltNames('DNS:a.test, IP Address:127.0.0.1, IP Address:::1')).toEqual(['DNS:a.test', 'IP Address:127.0.0.1', 'IP Address:::1']);
    expect(splitAltNames('DNS:"a, b.test", URI:"x\\"y", DNS:c.test')).toEqual(['DNS:a, b.test', 'URI:x"y', 'DNS:c.test']);
    expect(splitAltNames('')).toEqual([]);
  });
});
