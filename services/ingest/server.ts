/**
 * The ingest process's gRPC server (DESIGN.md §2): AgentService over @grpc/grpc-js.
 * Dependencies come in; nothing here opens a store or reads the environment.
 */
import { readFileSync } from 'node:fs';
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';
import type { HotState } from '../lib/ports/hot-state.js';
import type { JobBus } from '../lib/ports/job-bus.js';
import type { ResultStore } from '../lib/ports/results-store.js';
import type { Subjects } from '../lib/subjects.js';
import {
  AgentServiceService,
  type AgentServiceServer,
  type RegisterRequest,
  type RegisterResponse,
  type ReportPresenceRequest,
  type ReportPresenceResponse,
} from '../../proto/generated/pharos/v1/agent.js';
import { AgentPresence } from '../lib/agent-presence.js';
import type { AgentTokenVerifier } from './agent-tokens.js';
import { authenticate } from './auth.js';
import { permissionDenied, toServiceError } from './grpc-errors.js';
import { ResultWriter, type MaintenanceLookup, type ResultWriterOptions } from './result-writer.js';
import { handleStreamResults } from './stream-results.js';
import { startHeartbeatIntake } from './heartbeat-intake.js';
import { startMissedIntake } from './missed-intake.js';
import { InstrumentedResultWriter } from './instrumented.js';
import type { IngestMetrics } from '../lib/metrics/ingest-metrics.js';

export interface IngestDeps {
  config: Readonly<Config>;
  resultStore: ResultStore;
  bus: JobBus;
  subjects: Subjects;
  hotState: HotState;
  tokens: AgentTokenVerifier;
  logger: Logger;
  now?: () => number;
  /** Tuning of the batch writer (tests and benchmarks). */
  writer?: ResultWriterOptions;
  /** Maintenance windows, to mark checks that uptime leaves out (none marked without it). */
  maintenance?: MaintenanceLookup;
  /** Prometheus metrics (services/lib/metrics/ingest-metrics.ts); absent = none kept. */
  metrics?: IngestMetrics;
}

export interface IngestServer {
  port: number;
  /** Writes what is queued, then closes every call (agents resend what was not acked). */
  stop(): Promise<void>;
  /**
   * Closes every call and the port at once, without writing what is queued: what a crash
   * does to the agents, who resend whatever was not acknowledged to another ingest.
   */
  abort(): void;
}

export async function startIngest(deps: IngestDeps): Promise<IngestServer> {
  const { config, tokens } = deps;
  const now = deps.now ?? Date.now;
  const logger = deps.logger.child({ component: 'ingest' });
  const presenceIntervalMs = config.agent.presenceIntervalMs;
  const presence = new AgentPresence(deps.hotState, presenceIntervalMs, now);
  const writerDeps = { store: deps.resultStore, hotState: deps.hotState, bus: deps.bus, subjects: deps.subjects, logger, maintenance: deps.maintenance };
  const writer = deps.metrics ? new InstrumentedResultWriter(deps.metrics, writerDeps, deps.writer) : new ResultWriter(writerDeps, deps.writer);

  const impl: AgentServiceServer = {
    register: unary<RegisterRequest, RegisterResponse>(logger, 'ingest.register', async (call, event) => {
      const who = await authenticate(call.metadata, tokens);
      const req = call.request;
      Object.assign(event, { agentId: req.agentId, region: who.region, tokenId: who.tokenId, version: req.version });
      if (req.region && req.region !== who.region) {
        throw permissionDenied(`this agent token is bound to region "${who.region}" but the agent was started for region "${req.region}"`);
      }
      await presence.registered(who.region, { agentId: req.agentId, hostname: req.hostname, version: req.version });
      return { region: who.region, presenceIntervalMs };
    }),
    reportPresence: unary<ReportPresenceRequest, ReportPresenceResponse>(logger, 'ingest.presence', async (call, event) => {
      const who = await authenticate(call.metadata, tokens);
      const req = call.request;
      Object.assign(event, { agentId: req.agentId, region: who.region, inFlight: req.inFlight, outboxDepth: req.outboxDepth });
      await presence.reported(who.region, { agentId: req.agentId, inFlight: req.inFlight, outboxDepth: req.outboxDepth });
      return { serverTimeMs: now() };
    }, 'debug'),
    streamResults: (call) =>
      handleStreamResults({ tokens, writer, logger, retentionDays: config.retentionDays }, call),
  };

  const heartbeatIntake = await startHeartbeatIntake({ bus: deps.bus, subjects: deps.subjects, writer, retentionDays: config.retentionDays });
  const missedIntake = await startMissedIntake({ bus: deps.bus, subjects: deps.subjects, writer, retentionDays: config.retentionDays, logger });

  const server = new Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  server.addService(AgentServiceService, impl);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${config.grpc.host}:${config.grpc.port}`, credentials(config), (err, p) => (err ? reject(err) : resolve(p))));
  logger.info({ event: 'ingest.listening', host: config.grpc.host, port, tls: Boolean(config.grpc.tlsCertFile) }, 'ingest listening');

  return {
    port,
    async stop() {
      await heartbeatIntake.unsubscribe();
      await missedIntake.unsubscribe();
      await writer.drain();
      server.forceShutdown();
    },
    abort() {
      void heartbeatIntake.unsubscribe().catch(() => undefined);
      void missedIntake.unsubscribe().catch(() => undefined);
      server.forceShutdown();
    },
  };
}

function credentials(config: Readonly<Config>): ServerCredentials {
  const { tlsCertFile, tlsKeyFile } = config.grpc;
  if (!tlsCertFile || !tlsKeyFile) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(null, [{ cert_chain: readFileSync(tlsCertFile), private_key: readFileSync(tlsKeyFile) }], false);
}

/** A unary handler with the domain-error mapping and one wide log event per call. */
function unary<Req, Res>(
  logger: Logger,
  name: string,
  fn: (call: ServerUnaryCall<Req, Res>, event: Record<string, unknown>) => Promise<Res>,
  level: 'info' | 'debug' = 'info',
) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    const started = performance.now();
    const event: Record<string, unknown> = { event: name };
    fn(call, event).then(
      (res) => {
        logger[level]({ ...event, durationMs: Math.round(performance.now() - started) }, name);
        callback(null, res);
      },
      (err: unknown) => {
        const status = toServiceError(err);
        logger.warn({ ...event, grpcCode: status.code, err, durationMs: Math.round(performance.now() - started) }, `${name} refused`);
        callback(status);
      },
    );
  };
}
