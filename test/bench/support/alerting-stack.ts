/**
 * The alerting side of a network for benchmarks, assembled as services/cli/network.ts does:
 * the api harness's stores (PGlite, or Postgres when PHAROS_BENCH_DATABASE_URL is set; chDB;
 * the in-process bus), a Webhook channel sealed with a fresh key, the SSRF-guarded HTTP
 * client and channel senders, and a loopback receiver in a worker thread (a consumer is
 * another machine: it must not share the alerting process's event loop).
 */
import { Worker } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import { startApiHarness, type ApiHarness } from '../../support/api-harness.js';
import { createSealer } from '../../../services/lib/store/sealed.js';
import { AlertChannelStore } from '../../../services/alerting/channels/store.js';
import { createGuardedResolver } from '../../../services/lib/ssrf/guarded-resolver.js';
import { createGuardedHttp } from '../../../services/alerting/channels/guarded-http.js';
import { createChannelSender } from '../../../services/alerting/channels/index.js';
import { DeliveryStore } from '../../../services/alerting/deliveries/delivery-store.js';
import { startDeliveryWorker, type DeliveryWorker, type DeliveryWorkerDeps } from '../../../services/alerting/deliveries/worker.js';
import { createLogger } from '../../../services/lib/logger.js';

export interface Arrival { webhookId: string; event: string; monitorId: string; atMs: number }

const RECEIVER = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const atMs = performance.timeOrigin + performance.now();
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    parentPort.postMessage({ webhookId: req.headers['webhook-id'], event: body.event, monitorId: body.monitor.id, atMs });
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
`;

export interface AlertingStack {
  h: ApiHarness;
  orgId: string;
  channelId: string;
  arrivals: Arrival[];
  listeners: Set<(a: Arrival) => void>;
  startWorker(opts?: Partial<DeliveryWorkerDeps>): DeliveryWorker;
  close(): Promise<void>;
}

export async function startAlertingStack(): Promise<AlertingStack> {
  const h = await startApiHarness({ databaseUrl: process.env.PHAROS_BENCH_DATABASE_URL });
  const receiver = new Worker(RECEIVER, { eval: true });
  const port = await new Promise<number>((resolve) => receiver.once('message', (m: { port: number }) => resolve(m.port)));
  const stack: AlertingStack = {
    h, orgId: '', channelId: '', arrivals: [], listeners: new Set(),
    startWorker: (opts = {}) => {
      const w = startDeliveryWorker({
        store: new DeliveryStore(h.sql), logger: createLogger('silent'),
        loadChannel: async (orgId, channelId) => {
          const c = await channels.load(channelId);
          return c && c.orgId === orgId ? c : null;
        },
        deliverEvent: deliver,
        ...opts,
      });
      workers.push(w);
      return w;
    },
    async close() {
      for (const w of workers) await w.stop();
      await receiver.terminate();
      await http.close();
      await h.close();
    },
  };
  receiver.on('message', (a: Arrival) => { stack.arrivals.push(a); for (const l of stack.listeners) l(a); });
  const workers: DeliveryWorker[] = [];
  const channels = new AlertChannelStore(h.sql, createSealer(randomBytes(32)));
  const http = createGuardedHttp({ resolver: createGuardedResolver({ allowPrivateTargets: true }) });
  const deliver = createChannelSender({ post: http.post, mail: null });
  const { orgId } = await h.tenant();
  const { channel } = await channels.create(orgId, { name: 'bench', type: 'Webhook', settings: { webhookUrl: `http://127.0.0.1:${port}/hooks` } });
  stack.orgId = orgId;
  stack.channelId = channel.id;
  return stack;
}

/** Resolves when `pred` holds for an arrival (checked on each one), or rejects after `ms`. */
export function arrivalWhere(stack: AlertingStack, pred: (a: Arrival) => boolean, ms = 10_000): Promise<Arrival> {
  const seen = stack.arrivals.find(pred);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const listener = (a: Arrival) => {
      if (pred(a)) { clearTimeout(t); stack.listeners.delete(listener); resolve(a); }
    };
    const t = setTimeout(() => { stack.listeners.delete(listener); reject(new Error(`no matching arrival within ${ms} ms`)); }, ms);
    stack.listeners.add(listener);
  });
}
