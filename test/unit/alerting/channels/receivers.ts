/** Local peers for channel tests: an HTTP receiver that records requests, and a sample event. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertEvent } from '../../../../services/alerting/events.js';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** What to answer next (status), or 'hold' to never answer. */
  answer: number | 'hold';
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const held: Array<() => void> = [];
  const r: Receiver = { url: '', received: [], answer: 200, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      r.received.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (r.answer === 'hold') {
        held.push(() => res.destroy());
        return;
      }
      res.writeHead(r.answer, r.answer >= 300 && r.answer < 400 ? { location: '/elsewhere' } : {}).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  r.close = async () => {
    held.forEach((release) => release());
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return r;
}

export function sampleEvent(overrides: Partial<AlertEvent> = {}): AlertEvent {
  return {
    id: 'evt_01test',
    event: 'monitor.down',
    orgId: 'org_test',
    monitor: { id: 'mon_abc123', name: 'Production API', url: 'https://api.example.com', type: 'Website' },
    alert: { type: 'Down', message: 'HTTP 503 Service Unavailable', timestamp: '2026-03-24T14:30:00Z', responseTimeMs: 5230 },
    ...overrides,
  };
}
