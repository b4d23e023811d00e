/**
 * A local webhook consumer for alerting tests and benchmarks: records every request (headers,
 * raw body, arrival time) and answers as the test says — 200, another status, or not at all
 * (the request is held open, as a stuck consumer would).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The raw body, as a signature is computed over it. */
  raw: string;
  body: any;
  atMs: number;
}

export type Answer = { status: number } | 'hold';

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** How the next requests are answered; `{ status: 200 }` unless set. */
  answer: (req: ReceivedWebhook) => Answer;
  /** Requests being held open. */
  held(): number;
  /** Called on each request as it arrives (benchmarks time arrivals without scanning). */
  onReceive?: (req: ReceivedWebhook) => void;
  byEvent(event: string): ReceivedWebhook[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const holding = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try { body = JSON.parse(raw); } catch { body = undefined; }
      const got: ReceivedWebhook = { headers: req.headers, raw, body, atMs: Date.now() };
      receiver.received.push(got);
      receiver.onReceive?.(got);
      const answer = receiver.answer(got);
      if (answer === 'hold') {
        holding.add(res);
        res.on('close', () => holding.delete(res));
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${port}/hooks/pharos`,
    received: [],
    answer: () => ({ status: 200 }),
    held: () => holding.size,
    byEvent: (event) => receiver.received.filter((r) => r.body?.event === event),
    close: () => new Promise<void>((r) => {
      for (const res of holding) res.destroy();
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
  return receiver;
}

/** A local target whose health the test switches: 200 when healthy, 503 otherwise. */
export async function startSwitchableTarget(): Promise<{ url: (path?: string) => string; healthy: boolean; close: () => Promise<void> }> {
  const target = {
    url: (p = '/health') => `http://127.0.0.1:${port}${p}`,
    healthy: true,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
  const server = createServer((_req, res) => {
    res.writeHead(target.healthy ? 200 : 503, { 'content-type': 'text/plain' }).end(target.healthy ? 'ok' : 'unavailable');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return target;
}
