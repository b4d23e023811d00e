/**
 * Heartbeat ping endpoints for Job monitors, as the Enori document describes them: no
 * authentication (the token in the URL is the credential), GET, HEAD and POST alike, any
 * body kept (bounded) as the run's log excerpt. A ping is answered only once it is durable.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { PingKind } from '../../../heartbeats/heartbeat-state.js';
import { PingRecorder } from '../../../heartbeats/ping-recorder.js';
import { publishHeartbeatResults } from '../../../heartbeats/heartbeat-results.js';
import type { ApiDeps } from '../../context.js';
import { PING_BODY_LIMIT_BYTES, readPingBody, type PingBody } from './body.js';
import { ExitCodeParams, Ok, TokenParams, errorResponses } from './schema.js';
import { recordPing, type PingContext } from './verbs.js';

const tags = ['Heartbeats'];

export function pingRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const recorder = new PingRecorder(deps.heartbeats, (results) => publishHeartbeatResults(deps.bus, deps.subjects, results));
    const ctx: PingContext = { recorder, now: deps.now ?? Date.now };
    app.addHook('onClose', async () => recorder.drain());
    // Job scripts post whatever they have (logs, JSON, nothing): every body is bytes here.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { bodyLimit: PING_BODY_LIMIT_BYTES }, (_req, payload, done) => readPingBody(payload, done));
    // A 503 here only ever means the ping queue is full: the sender should retry shortly.
    app.addHook('onSend', async (_req, reply, payload) => {
      if (reply.statusCode === 503) reply.header('retry-after', '1');
      return payload;
    });

    const input = (req: FastifyRequest, token: string, kind: PingKind, exitCode: number | null) => ({
      token, kind, exitCode, body: req.body as PingBody | undefined, method: req.method, sourceIp: req.ip ?? null, userAgent: req.headers['user-agent'],
    });
    const route = (url: string, summary: string, kind: PingKind) =>
      app.route({
        method: ['GET', 'POST'],
        url,
        config: { scope: 'public' },
        schema: { tags, summary, security: [], params: TokenParams, response: { 200: Ok, ...errorResponses } },
        handler: async (req) => recordPing({ ctx, input: input(req, req.params.token, kind, null) }),
      });
    route('/ping/:token', 'Report job success (heartbeat); GET, HEAD or POST', 'success');
    route('/ping/:token/start', 'Report job start (enables runtime tracking)', 'start');
    route('/ping/:token/fail', 'Report job failure', 'fail');
    app.route({
      method: ['GET', 'POST'],
      url: '/ping/:token/:exitCode',
      config: { scope: 'public' },
      schema: { tags, summary: 'Report a finished run by its exit code (0 = success, else failure)', security: [], params: ExitCodeParams, response: { 200: Ok, ...errorResponses } },
      handler: async (req) => recordPing({ ctx, input: input(req, req.params.token, req.params.exitCode === 0 ? 'success' : 'fail', req.params.exitCode) }),
    });
  };
}
