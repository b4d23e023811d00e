/**
 * Heartbeat ping endpoints for Job monitors, as the Enori document describes them: no
 * authentication (the token in the URL is the credential), GET, HEAD and POST alike, any
 * body kept (bounded) as the run's log excerpt. A ping is answered only once it is durable.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Readable } from 'node:stream';
import { DomainError, notFound } from '../../../lib/errors.js';
import type { PingKind } from '../../../heartbeats/heartbeat-state.js';
import { PingQueueFull, PingRecorder } from '../../../heartbeats/ping-recorder.js';
import { publishHeartbeatResults } from '../../../heartbeats/heartbeat-results.js';
import type { ApiDeps } from '../../context.js';
import { ErrorResponse } from '../shared-schemas.js';

/** Bytes of a ping's body kept as its message; the rest is counted, not stored. */
export const PING_BODY_KEPT_BYTES = 10 * 1024;
/** A body is read to its end (a job's whole log may be posted) but never held beyond the kept bytes. */
const PING_BODY_LIMIT_BYTES = 100 * 1024 * 1024;

interface PingBody {
  kept: Buffer;
  bytes: number;
}

/** Reads a ping's body keeping only its first bytes, so a large log costs no memory. */
function readPingBody(payload: Readable, done: (err: Error | null, body?: PingBody) => void): void {
  const chunks: Buffer[] = [];
  let kept = 0;
  let bytes = 0;
  payload.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (kept < PING_BODY_KEPT_BYTES) {
      const part = chunk.subarray(0, PING_BODY_KEPT_BYTES - kept);
      chunks.push(part);
      kept += part.length;
    }
    if (bytes > PING_BODY_LIMIT_BYTES) payload.destroy(Object.assign(new Error('ping body over 100 MiB'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }));
  });
  payload.on('end', () => done(null, { kept: Buffer.concat(chunks), bytes }));
  payload.on('error', (err) => done(err));
}

/** Text as Postgres can store it: no NUL characters (binary job output has them). */
const storable = (text: string) => text.replaceAll('\u0000', '\uFFFD');

const TokenParams = Type.Object({ token: Type.String({ minLength: 16, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });
const ExitCodeParams = Type.Object({ ...TokenParams.properties, exitCode: Type.Integer({ minimum: 0, maximum: 255 }) });
const Ok = Type.String({ description: 'OK' });
const pingErrors = { 400: ErrorResponse, 404: ErrorResponse, 413: ErrorResponse, 503: ErrorResponse };
const tags = ['Heartbeats'];

export function pingRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const recorder = new PingRecorder(deps.heartbeats, (results) => publishHeartbeatResults(deps.bus, deps.subjects, results));
    app.addHook('onClose', async () => recorder.drain());
    // Job scripts post whatever they have (logs, JSON, nothing): every body is bytes here.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { bodyLimit: PING_BODY_LIMIT_BYTES }, (_req, payload, done) => readPingBody(payload, done));

    const now = deps.now ?? Date.now;
    async function ping(req: FastifyRequest, reply: FastifyReply, token: string, kind: PingKind, exitCode: number | null) {
      const body = req.body as PingBody | undefined;
      const userAgent = req.headers['user-agent'];
      let receipt;
      try {
        receipt = await recorder.record({
          token,
          kind,
          exitCode,
          receivedAtMs: now(),
          body: body?.bytes ? storable(body.kept.toString('utf8')) : null,
          bodyBytes: body?.bytes ?? 0,
          method: req.method,
          sourceIp: req.ip ?? null,
          userAgent: userAgent ? storable(userAgent.slice(0, 512)) : null,
        });
      } catch (err) {
        if (err instanceof PingQueueFull) {
          reply.header('retry-after', '1');
          throw new DomainError('UNAVAILABLE', 'Service unavailable', 'too many pings are waiting to be recorded; retry shortly');
        }
        throw err;
      }
      if (!receipt.recorded) throw notFound('Job monitor with this ping token');
      return 'OK';
    }

    const route = (url: string, summary: string, kind: PingKind) =>
      app.route({
        method: ['GET', 'POST'],
        url,
        config: { scope: 'public' },
        schema: { tags, summary, security: [], params: TokenParams, response: { 200: Ok, ...pingErrors } },
        handler: async (req, reply) => ping(req, reply, req.params.token, kind, null),
      });
    route('/ping/:token', 'Report job success (heartbeat); GET, HEAD or POST', 'success');
    route('/ping/:token/start', 'Report job start (enables runtime tracking)', 'start');
    route('/ping/:token/fail', 'Report job failure', 'fail');
    app.route({
      method: ['GET', 'POST'],
      url: '/ping/:token/:exitCode',
      config: { scope: 'public' },
      schema: { tags, summary: 'Report a finished run by its exit code (0 = success, else failure)', security: [], params: ExitCodeParams, response: { 200: Ok, ...pingErrors } },
      handler: async (req, reply) => ping(req, reply, req.params.token, req.params.exitCode === 0 ? 'success' : 'fail', req.params.exitCode),
    });
  };
}
