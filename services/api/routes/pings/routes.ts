/**
 * Heartbeat ping endpoints for Job monitors, as the Enori document describes them: no
 * authentication (the token in the URL is the credential), GET, HEAD and POST alike, any
 * body kept (bounded) as the run's log excerpt. A ping is answered only once it is durable.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { notFound } from '../../../lib/errors.js';
import type { PingKind } from '../../../heartbeats/heartbeat-state.js';
import { PingRecorder } from '../../../heartbeats/ping-recorder.js';
import { publishHeartbeatResults } from '../../../heartbeats/heartbeat-results.js';
import type { ApiDeps } from '../../context.js';
import { ErrorResponse } from '../shared-schemas.js';

/** Bytes of a ping's body kept as its message; the rest is counted, not stored. */
export const PING_BODY_KEPT_BYTES = 10 * 1024;
const PING_BODY_LIMIT_BYTES = 1024 * 1024;

const TokenParams = Type.Object({ token: Type.String({ minLength: 16, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });
const ExitCodeParams = Type.Object({ ...TokenParams.properties, exitCode: Type.Integer({ minimum: 0, maximum: 255 }) });
const Ok = Type.String({ description: 'OK' });
const tags = ['Heartbeats'];

export function pingRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const recorder = new PingRecorder(deps.heartbeats, (results) => publishHeartbeatResults(deps.bus, deps.subjects, results));
    app.addHook('onClose', async () => recorder.drain());
    // Job scripts post whatever they have (logs, JSON, nothing): every body is bytes here.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: PING_BODY_LIMIT_BYTES }, (_req, body, done) => done(null, body));

    const now = deps.now ?? Date.now;
    async function ping(req: FastifyRequest, token: string, kind: PingKind, exitCode: number | null) {
      const body = Buffer.isBuffer(req.body) && req.body.length ? req.body : null;
      const receipt = await recorder.record({
        token,
        kind,
        exitCode,
        receivedAtMs: now(),
        body: body ? body.subarray(0, PING_BODY_KEPT_BYTES).toString('utf8') : null,
        bodyBytes: body?.length ?? 0,
        method: req.method,
        sourceIp: req.ip ?? null,
        userAgent: req.headers['user-agent']?.slice(0, 512) ?? null,
      });
      if (!receipt.recorded) throw notFound('Job monitor with this ping token');
      return 'OK';
    }

    const route = (url: string, summary: string, kind: PingKind) =>
      app.route({
        method: ['GET', 'POST'],
        url,
        config: { scope: 'public' },
        schema: { tags, summary, security: [], params: TokenParams, response: { 200: Ok, 404: ErrorResponse } },
        handler: async (req) => ping(req, req.params.token, kind, null),
      });
    route('/ping/:token', 'Report job success (heartbeat); GET, HEAD or POST', 'success');
    route('/ping/:token/start', 'Report job start (enables runtime tracking)', 'start');
    route('/ping/:token/fail', 'Report job failure', 'fail');
    app.route({
      method: ['GET', 'POST'],
      url: '/ping/:token/:exitCode',
      config: { scope: 'public' },
      schema: { tags, summary: 'Report a finished run by its exit code (0 = success, else failure)', security: [], params: ExitCodeParams, response: { 200: Ok, 400: ErrorResponse, 404: ErrorResponse } },
      handler: async (req) => ping(req, req.params.token, req.params.exitCode === 0 ? 'success' : 'fail', req.params.exitCode),
    });
  };
}
