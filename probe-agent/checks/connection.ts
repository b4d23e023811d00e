/**
 * Opens one fresh TCP (and TLS) connection for one check, step by step, so every step is
 * timed on its own and a failure is attributed to the step that failed. Sessions are never
 * resumed: a resumed handshake would hide the real TLS time.
 */
import net, { isIP } from 'node:net';
import tls from 'node:tls';
import type { TlsInfo } from '../../proto/generated/pharos/v1/result.js';
import { describePeerCertificate, untrustedReason } from './certificate.js';
import { TlsVerificationError } from './failure-kind.js';
import type { ResolvedTarget } from './target-resolver.js';

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

export interface TlsHandshakeOptions {
  /** The URL's host (brackets stripped): sent as SNI unless it is an IP, and checked against the certificate. */
  host: string;
  ignoreTlsErrors: boolean;
  /** Trust anchors (PEM); default: Node's root store. */
  ca?: string[];
}

/**
 * Completes a TLS handshake over `socket`. Verification runs in every case, so the
 * certificate and why it is not trusted are recorded even when `ignoreTlsErrors` lets it pass.
 */
export async function handshakeTls(socket: net.Socket, options: TlsHandshakeOptions, signal: AbortSignal): Promise<TlsConnection> {
  if (signal.aborted) {
    socket.destroy();
    throw signal.reason;
  }
  const secure = tls.connect({
    socket,
    servername: isIP(options.host) ? undefined : options.host,
    ca: options.ca,
    // We decide after the handshake, with the certificate in hand (see above); the host
    // name is checked apart from the chain, so `authorized` here means the chain alone.
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
    ALPNProtocols: ['http/1.1'],
  });
  await settleOn(secure, 'secureConnect', signal);
  const info = describePeerCertificate(secure, options.host);
  if (!info.authorized && !options.ignoreTlsErrors) {
    secure.destroy();
    throw new TlsVerificationError(info.verificationError, untrustedReason(info, options.host), info);
  }
  return { socket: secure, info };
}
