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

/**
 * Resolves when `socket` emits `ready`, rejects on its first error or on abort; either way
 * the socket is destroyed on failure and every listener is removed.
 */
function settleOn(socket: net.Socket, ready: 'connect' | 'secureConnect', signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      socket.destroy();
      return reject(signal.reason);
    }
    const settle = () => {
      signal.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
      socket.removeListener(ready, onReady);
    };
    const fail = (err: unknown) => {
      settle();
      socket.destroy();
      reject(err);
    };
    const onAbort = () => fail(signal.reason);
    const onError = (err: Error) => fail(err);
    const onReady = () => {
      settle();
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once(ready, onReady);
  });
}

export async function connectTcp(target: ResolvedTarget, port: number, signal: AbortSignal): Promise<net.Socket> {
  if (signal.aborted) throw signal.reason;
  const socket = net.connect({ host: target.address, port, family: target.family, noDelay: true });
  await settleOn(socket, 'connect', signal);
  return socket;
}

export interface TlsConnection {
  socket: tls.TLSSocket;
  info: TlsInfo;
}

/**
 * Completes a TLS handshake over `socket`. Verification runs in every case, so `authorized`
 * and the certificate are recorded even when `ignoreTlsErrors` lets an invalid one pass.
 */
export async function handshakeTls(
  socket: net.Socket,
  servername: string | undefined,
  ignoreTlsErrors: boolean,
  signal: AbortSignal,
): Promise<TlsConnection> {
  if (signal.aborted) {
    socket.destroy();
    throw signal.reason;
  }
  const secure = tls.connect({
    socket,
    servername,
    // We decide after the handshake, with the certificate in hand (see above).
    rejectUnauthorized: false,
    ALPNProtocols: ['http/1.1'],
  });
  await settleOn(secure, 'secureConnect', signal);
  const info = certificateInfo(secure);
  if (!secure.authorized && !ignoreTlsErrors) {
    secure.destroy();
    const code = String(secure.authorizationError ?? 'TLS_VERIFICATION_FAILED');
    throw new TlsVerificationError(code, `certificate not trusted: ${code}`, info);
  }
  return { socket: secure, info };
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
