/**
 * Opens one fresh TCP (and TLS) connection for one check, step by step, so every step is
 * timed on its own and a failure is attributed to the step that failed. Sessions are never
 * resumed: a resumed handshake would hide the real TLS time.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { TlsInfo } from '../../proto/generated/pharos/v1/result.js';
import type { ResolvedTarget } from './target-resolver.js';
import { TlsVerificationError } from './failure-kind.js';

export function connectTcp(target: ResolvedTarget, port: number, signal: AbortSignal): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const socket = net.connect({ host: target.address, port, family: target.family, noDelay: true });
    const settle = () => {
      signal.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
      socket.removeListener('connect', onConnect);
    };
    const onAbort = () => {
      settle();
      socket.destroy();
      reject(signal.reason);
    };
    const onError = (err: Error) => {
      settle();
      socket.destroy();
      reject(err);
    };
    const onConnect = () => {
      settle();
      resolve(socket);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('connect', onConnect);
  });
}

export interface TlsConnection {
  socket: tls.TLSSocket;
  info: TlsInfo;
}

/**
 * Completes a TLS handshake over `socket`. Verification runs in every case, so `authorized`
 * and the certificate are recorded even when `ignoreTlsErrors` lets an invalid one pass.
 */
export function handshakeTls(
  socket: net.Socket,
  servername: string | undefined,
  ignoreTlsErrors: boolean,
  signal: AbortSignal,
): Promise<TlsConnection> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      socket.destroy();
      return reject(signal.reason);
    }
    const secure = tls.connect({
      socket,
      servername,
      // We decide after the handshake, with the certificate in hand (see above).
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    const settle = () => {
      signal.removeEventListener('abort', onAbort);
      secure.removeListener('error', onError);
      secure.removeListener('secureConnect', onSecure);
    };
    const onAbort = () => {
      settle();
      secure.destroy();
      reject(signal.reason);
    };
    const onError = (err: Error) => {
      settle();
      secure.destroy();
      reject(err);
    };
    const onSecure = () => {
      settle();
      const info = certificateInfo(secure);
      if (!secure.authorized && !ignoreTlsErrors) {
        secure.destroy();
        const code = String(secure.authorizationError ?? 'TLS_VERIFICATION_FAILED');
        reject(new TlsVerificationError(code, `certificate not trusted: ${code}`, info));
        return;
      }
      resolve({ socket: secure, info });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    secure.once('error', onError);
    secure.once('secureConnect', onSecure);
  });
}

function certificateInfo(socket: tls.TLSSocket): TlsInfo {
  const cert = socket.getPeerCertificate(false);
  const notAfter = cert && cert.valid_to ? Date.parse(cert.valid_to) : NaN;
  return {
    notAfterMs: Number.isFinite(notAfter) ? notAfter : 0,
    issuer: distinguishedName(cert?.issuer),
    subject: distinguishedName(cert?.subject),
    authorized: socket.authorized,
  };
}

function distinguishedName(name: object | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`)
    .join(', ');
}
