/**
 * What a Website check records about a server's certificate. The chain and the host name
 * are judged apart (a certificate can chain to a trusted root and still be for another
 * host, or be for the right host and self-signed), so a result says which one failed; the
 * check itself fails when either does, unless the monitor ignores TLS errors.
 */
import tls from 'node:tls';
import type { TlsInfo } from '../../proto/generated/pharos/v1/result.js';

const DAY_MS = 86_400_000;
/** Used when OpenSSL rejects the chain without naming why (not seen in practice). */
const UNNAMED_CHAIN_ERROR = 'UNABLE_TO_VERIFY_CERTIFICATE';

/**
 * Describes the peer certificate of a finished handshake. `socket.authorized` must reflect
 * the chain alone: the handshake is made with Node's host-name check turned off, and the
 * host name is checked here against `host` (the SNI name, or the address for an IP URL).
 */
export function describePeerCertificate(socket: tls.TLSSocket, host: string): TlsInfo {
  const cert = socket.getPeerCertificate(false);
  // Node returns an empty object when the server sent no certificate.
  const present = Object.keys(cert).length > 0;
  const chainValid = socket.authorized;
  const identityError = present ? tls.checkServerIdentity(host, cert) : new Error('no certificate');
  const hostnameValid = identityError === undefined;
  return {
    notBeforeMs: dateMs(cert.valid_from),
    notAfterMs: dateMs(cert.valid_to),
    issuer: distinguishedName(present ? cert.issuer : undefined),
    subject: distinguishedName(present ? cert.subject : undefined),
    subjectAltNames: splitAltNames(cert.subjectaltname ?? ''),
    chainValid,
    hostnameValid,
    authorized: chainValid && hostnameValid,
    verificationError: chainValid
      ? hostnameValid
        ? ''
        : String((identityError as NodeJS.ErrnoException).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID')
      : String(socket.authorizationError ?? UNNAMED_CHAIN_ERROR),
    fingerprintSha256: cert.fingerprint256 ?? '',
    expiringSoon: false,
  };
}

/** Why an unauthorized certificate is not trusted, for the check's error message. */
export function untrustedReason(info: TlsInfo, host: string): string {
  if (!info.chainValid || info.hostnameValid) return `certificate not trusted: ${info.verificationError}`;
  const names = info.subjectAltNames.length > 0 ? info.subjectAltNames.join(', ') : `no names (subject ${info.subject})`;
  return `certificate not trusted: ${info.verificationError} (${host} is not among ${names})`;
}

/**
 * Flags a certificate that expires within `warningDays` of `nowMs`, or has expired.
 * 0 days turns the warning off (the API applies the default of 14).
 */
export function withExpiryWarning(info: TlsInfo, warningDays: number, nowMs: number): TlsInfo {
  const expiringSoon = warningDays > 0 && info.notAfterMs > 0 && info.notAfterMs - nowMs <= warningDays * DAY_MS;
  return { ...info, expiringSoon };
}

/**
 * Of two redirect hops' certificates, the one worth recording: an untrusted one first (it
 * is why the check failed or what was ignored), else the one expiring first (any hop's
 * expiry breaks the check, so that is the date worth alerting on).
 */
export function moreConcerning(current: TlsInfo | undefined, next: TlsInfo | undefined): TlsInfo | undefined {
  if (!current) return next;
  if (!next) return current;
  if (current.authorized !== next.authorized) return current.authorized ? next : current;
  return next.notAfterMs < current.notAfterMs ? next : current;
}

/**
 * Node's `subjectaltname` is one string ("DNS:a.test, IP Address:127.0.0.1"); a name with
 * a comma or quote in it is written as a JSON string ("DNS:\"a,b\""), so a plain split on
 * ", " is not enough. Entries keep Node's "Type:value" form, quotes removed.
 */
export function splitAltNames(text: string): string[] {
  const names: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    const colon = rest.indexOf(':');
    if (colon < 0) break;
    const type = rest.slice(0, colon + 1);
    let value: string;
    let consumed: number;
    if (rest[colon + 1] === '"') {
      consumed = closingQuote(rest, colon + 2) + 1;
      value = unquote(rest.slice(colon + 1, consumed));
    } else {
      const comma = rest.indexOf(', ', colon);
      consumed = comma < 0 ? rest.length : comma;
      value = rest.slice(colon + 1, consumed);
    }
    names.push(type + value);
    rest = rest.slice(consumed).replace(/^, /, '');
  }
  return names;
}

function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}

function unquote(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted;
  }
}

function dateMs(text: string | undefined): number {
  const ms = text ? Date.parse(text) : NaN;
  return Number.isFinite(ms) ? ms : 0;
}

function distinguishedName(name: object | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`)
    .join(', ');
}
