/**
 * The agent's only link to ingest: gRPC, outbound, the token in every call's metadata.
 * Register once per connection (the token decides the region, and it must be ours),
 * report presence while connected, and stream outbox batches over one long-lived bidi stream,
 * removing a batch from the outbox only when ingest acknowledges it. When the stream
 * breaks, reconnect with backoff and resend every unacknowledged batch, oldest first.
 */
import { readFileSync } from 'node:fs';
import { credentials, Metadata, type ChannelCredentials, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import {
  AgentServiceClient,
  type RegisterResponse,
  type StreamResultsRequest,
  type StreamResultsResponse,
} from '../proto/generated/pharos/v1/agent.js';
import type { CheckResult } from '../proto/generated/pharos/v1/result.js';
import type { AgentConfig } from '../services/lib/config.js';
import { createBackoff, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { AgentFatalError, fatalFromGrpc, isFatalGrpcError } from './ingest-errors.js';
import type { ResultOutbox } from './outbox.js';

export interface IngestTransportOptions {
  address: string;
  credentials: ChannelCredentials;
  token: string;
  agentId: string;
  region: string;
  version: string;
  hostname: string;
  /** Used unless ingest's register response suggests an interval. */
  presenceIntervalMs: number;
  outbox: ResultOutbox;
  inFlight: () => number;
  logger: Logger;
  backoff?: BackoffPolicy;
  /** Called each time the agent waits to reconnect to ingest (metrics). */
  onReconnecting?: () => void;
  random?: () => number;
  /** Batches sent but not yet acknowledged on one stream, at most. */
  maxUnackedBatches?: number;
  /** Called once when ingest refuses the agent for good after `start` resolved. */
  onFatal(err: AgentFatalError): void;
}

export interface IngestTransport {
  /**
   * Connects in the background. Resolves after the first register attempt: `registered`
   * false when ingest was unreachable (retries go on). Rejects with `AgentFatalError` when
   * ingest refuses the token or binds it to another region.
   */
  start(): Promise<{ registered: boolean }>;
  /** Resolves true once every result in the outbox is acknowledged, false after `timeoutMs`. */
  flush(timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
  connected(): boolean;
}

const CALL_DEADLINE_MS = 10_000;
const ROUND_ROBIN = JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] });
/** A stream that lived this long counts as healthy even without an ack, so backoff resets. */
const HEALTHY_STREAM_MS = 10_000;

/** Channel credentials for ingest from the agent's configuration (reads the CA file). */
export function ingestCredentials(config: Pick<AgentConfig, 'ingestTls' | 'ingestCaFile'>): ChannelCredentials {
  if (!config.ingestTls) return credentials.createInsecure();
  if (!config.ingestCaFile) return credentials.createSsl();
  try {
    return credentials.createSsl(readFileSync(config.ingestCaFile));
  } catch (err) {
    throw new AgentFatalError(`cannot read the ingest CA file ${config.ingestCaFile}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

interface OpenStream {
  call: ClientDuplexStream<StreamResultsRequest, StreamResultsResponse>;
}

export function createIngestTransport(o: IngestTransportOptions): IngestTransport {
  const policy = o.backoff ?? DEFAULT_BACKOFF;
  const window = o.maxUnackedBatches ?? 32;
  const log = o.logger;
  const client = new AgentServiceClient(o.address, o.credentials, {
    // Several ingest processes behind one name (a Kubernetes headless Service resolves to
    // every ready pod): round_robin connects to each address and spreads calls over them,
    // so agents spread over the ingests, and a stream that broke with its ingest reopens on
    // one still up. One address (one ingest, a load balancer) behaves as before.
    'grpc.service_config': ROUND_ROBIN,
    // Keep grpc-js's own channel reconnects in step with ours instead of its 120 s default cap.
    'grpc.initial_reconnect_backoff_ms': policy.baseMs,
    'grpc.max_reconnect_backoff_ms': policy.capMs,
    // The stream mostly sends; pings detect a silently dead connection.
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
  });
  const backoff = createBackoff(policy, o.random);
  const stopping = new AbortController();
  let stream: OpenStream | undefined;
  let presenceTimer: NodeJS.Timeout | undefined;
  let loop: Promise<void> | undefined;
  let firstAttempt: { resolve(v: { registered: boolean }): void; reject(err: Error): void } | undefined;
  let fatal: AgentFatalError | undefined;

  function metadata(): Metadata {
    const md = new Metadata();
    md.set('authorization', `Bearer ${o.token}`);
    return md;
  }

  function register(): Promise<RegisterResponse> {
    return new Promise((resolve, reject) => {
      client.register(
        { agentId: o.agentId, region: o.region, version: o.version, hostname: o.hostname },
        metadata(),
        { deadline: Date.now() + CALL_DEADLINE_MS },
        (err, response) => (err ? reject(err) : resolve(response)),
      );
    });
  }

  async function run(): Promise<void> {
    while (!stopping.signal.aborted) {
      let healthy = false;
      try {
        const registration = await register();
        if (registration.region !== o.region) {
          throw new AgentFatalError(
            `this agent was started for region "${o.region}" but its token belongs to region "${registration.region}": ` +
              `start it with --region ${registration.region} or give it a token for ${o.region}`,
          );
        }
        log.info({ address: o.address, region: o.region, outbox: o.outbox.depth() }, 'registered with ingest');
        settleFirst({ registered: true });
        startPresenceReports(registration.presenceIntervalMs || o.presenceIntervalMs);
        healthy = await streamUntilBroken();
      } catch (err) {
        if (err instanceof AgentFatalError || isFatalGrpcError(err)) {
          return failFatal(err instanceof AgentFatalError ? err : fatalFromGrpc(err as ServiceError, 'the agent'));
        }
        if (!stopping.signal.aborted) log.warn({ address: o.address, err: describe(err) }, 'cannot reach ingest, will retry');
        settleFirst({ registered: false });
      } finally {
        stopPresenceReports();
      }
      if (stopping.signal.aborted) return;
      if (healthy) backoff.reset();
      o.onReconnecting?.();
      await sleep(backoff.next(), stopping.signal);
    }
  }

  /** Resolves when the stream ends (true if it was healthy); rejects on a fatal status. */
  function streamUntilBroken(): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const call = client.streamResults(metadata());
      const sent = new Set<string>();
      const openedAt = Date.now();
      let acked = false;
      let ended = false;
      const current: OpenStream = { call };
      stream = current;

      const pump = () => {
        if (ended) return;
        let unacked = 0;
        for (const batch of o.outbox.pending()) {
          if (sent.has(batch.batchId)) {
            unacked++;
            continue;
          }
          if (unacked >= window) break;
          call.write({ batch: { batchId: batch.batchId, results: batch.results as CheckResult[] } });
          sent.add(batch.batchId);
          unacked++;
        }
      };
      const unsubscribe = o.outbox.onSealed(pump);

      const finish = (err?: ServiceError) => {
        if (ended) return;
        ended = true;
        unsubscribe();
        if (stream === current) stream = undefined;
        call.cancel();
        if (err && isFatalGrpcError(err)) return reject(fatalFromGrpc(err, 'the result stream'));
        if (!stopping.signal.aborted) {
          log.warn(
            { address: o.address, err: err ? describe(err) : 'ended by ingest', unacked: sent.size, outbox: o.outbox.depth() },
            'result stream broke, will reconnect and resend unacknowledged batches',
          );
        }
        resolve(acked || Date.now() - openedAt >= HEALTHY_STREAM_MS);
      };

      call.on('data', (response: StreamResultsResponse) => {
        const ack = response.ack;
        if (!ack) return;
        acked = true;
        sent.delete(ack.batchId);
        o.outbox.ack(ack.batchId);
        pump();
      });
      // Listeners stay attached after finish: cancel() still emits a CANCELLED error.
      call.on('error', (err: ServiceError) => finish(err));
      call.on('end', () => finish());
      pump();
    });
  }

  function startPresenceReports(intervalMs: number): void {
    stopPresenceReports();
    presenceTimer = setInterval(reportPresence, intervalMs);
    presenceTimer.unref();
    reportPresence();
  }

  function stopPresenceReports(): void {
    if (presenceTimer) clearInterval(presenceTimer);
    presenceTimer = undefined;
  }

  function reportPresence(): void {
    const depth = o.outbox.depth();
    client.reportPresence(
      { agentId: o.agentId, inFlight: o.inFlight(), outboxDepth: depth.results },
      metadata(),
      { deadline: Date.now() + CALL_DEADLINE_MS },
      (err) => {
        if (!err || stopping.signal.aborted) return;
        if (isFatalGrpcError(err)) failFatal(fatalFromGrpc(err, 'the presence report'));
        else log.warn({ err: describe(err) }, 'presence report failed');
      },
    );
  }

  function settleFirst(outcome: { registered: boolean }): void {
    firstAttempt?.resolve(outcome);
    firstAttempt = undefined;
  }

  function failFatal(err: AgentFatalError): void {
    if (fatal) return;
    fatal = err;
    shutDown();
    if (firstAttempt) {
      firstAttempt.reject(err);
      firstAttempt = undefined;
    } else {
      o.onFatal(err);
    }
  }

  function shutDown(): void {
    stopping.abort();
    stopPresenceReports();
    stream?.call.cancel();
  }

  return {
    start() {
      if (loop) throw new Error('transport already started');
      const first = new Promise<{ registered: boolean }>((resolve, reject) => {
        firstAttempt = { resolve, reject };
      });
      loop = run();
      return first;
    },

    async flush(timeoutMs) {
      o.outbox.seal();
      const deadline = Date.now() + timeoutMs;
      while (o.outbox.depth().results > 0) {
        if (Date.now() >= deadline || stopping.signal.aborted) return false;
        await sleep(20, stopping.signal);
      }
      return true;
    },

    async stop() {
      shutDown();
      await loop;
      client.close();
    },

    connected: () => stream !== undefined,
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function describe(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && 'details' in err) {
    const e = err as ServiceError;
    return `${e.code} ${e.details || e.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}
