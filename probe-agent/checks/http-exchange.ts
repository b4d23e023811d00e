/**
 * One HTTP request/response over its own fresh connection: resolve (through the target
 * resolver, the SSRF hook), connect, handshake, then hand the connected socket to an undici
 * Client that sends exactly one request on it. Undici never dials by itself here, so the
 * address that was resolved (and guarded) is the address that is used.
 */
import type net from 'node:net';
import { Client, type Dispatcher } from 'undici';
import { CheckPhase, type TlsInfo } from '../../proto/generated/pharos/v1/result.js';
import { connectTcp, handshakeTls } from './connection.js';
import type { PhaseClock } from './phase-clock.js';
import { bareHostname, type TargetResolver } from './target-resolver.js';

/**
 * The reason given when a finished check's client is torn down. Undici creates an error
 * for every destroy without one, and formatting its stack (with source maps) costs more
 * than the rest of the teardown at thousands of checks per second; one shared, never
 * surfaced reason avoids that.
 */
const CONNECTION_RELEASED: Error = new Error('check finished, connection released');

export interface HttpRequestPlan {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpExchange {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  /** Certificate of this hop's server, for https. */
  tls?: TlsInfo;
  /** Releases the connection; the exchange is never reused. */
  close(): void;
}

export interface ExchangeOptions {
  resolveTarget: TargetResolver;
  ignoreTlsErrors: boolean;
  /** Trust anchors (PEM) for https; default: Node's root store. */
  ca?: string[];
}

export async function exchange(
  plan: HttpRequestPlan,
  options: ExchangeOptions,
  clock: PhaseClock,
  signal: AbortSignal,
): Promise<HttpExchange> {
  const { url } = plan;
  const secure = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : secure ? 443 : 80;

  clock.enter(CheckPhase.CHECK_PHASE_DNS);
  const target = await options.resolveTarget(url.hostname, signal);

  clock.enter(CheckPhase.CHECK_PHASE_CONNECT);
  let socket: net.Socket = await connectTcp(target, port, signal);
  let tls: TlsInfo | undefined;
  if (secure) {
    clock.enter(CheckPhase.CHECK_PHASE_TLS);
    const host = bareHostname(url.hostname);
    const connection = await handshakeTls(socket, { host, ignoreTlsErrors: options.ignoreTlsErrors, ca: options.ca }, signal);
    socket = connection.socket;
    tls = connection.info;
  }

  clock.enter(CheckPhase.CHECK_PHASE_TTFB);
  const connected = socket;
  let handedOver = false;
  const client = new Client(url.origin, {
    connect(_opts, callback) {
      // Undici ignores a resume triggered synchronously from inside its connect call, so
      // the ready socket is handed over on the next microtask.
      const first = !handedOver;
      handedOver = true;
      queueMicrotask(() => (first ? callback(null, connected) : callback(new Error('the check connection is single-use'), null)));
    },
    pipelining: 1,
  });
  const close = () => {
    client.destroy(CONNECTION_RELEASED).catch(() => undefined);
    connected.destroy();
  };
  try {
    const response = await client.request({
      path: `${url.pathname}${url.search}`,
      method: plan.method as Dispatcher.HttpMethod,
      headers: plan.headers,
      body: plan.body,
      signal,
      // No `Connection: close`: undici answers it by destroying the socket with an error
      // object per check (costly at this rate), and our own close right after the body
      // frees the server's side just as soon.
    });
    return { statusCode: response.statusCode, headers: response.headers, body: response.body, tls, close };
  } catch (err) {
    close();
    throw err;
  }
}

export interface ReadBody {
  text: string;
  /** Bytes kept: the whole body, or `maxBytes` when it was longer. */
  bytes: number;
  truncated: boolean;
}

/**
 * Reads the body as text, up to `maxBytes`. Called only when something needs the body
 * (a keyword, a Body or JsonPath assertion): otherwise the connection is closed unread.
 */
export async function readBody(body: HttpExchange['body'], maxBytes: number): Promise<ReadBody> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let truncated = false;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const room = maxBytes - bytes;
    if (chunk.length >= room) {
      chunks.push(chunk.subarray(0, room));
      bytes = maxBytes;
      // Exactly `maxBytes` with nothing after it is not truncation, but telling would mean waiting for more.
      truncated = true;
      break;
    }
    chunks.push(chunk);
    bytes += chunk.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), bytes, truncated };
}
