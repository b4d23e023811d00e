import { DomainError, notFound } from '../../../lib/errors.js';
import type { PingKind } from '../../../heartbeats/heartbeat-state.js';
import { PingQueueFull, type PingRecorder } from '../../../heartbeats/ping-recorder.js';
import type { PingBody } from './body.js';

/**
 * Pings carry no API key (the token in the URL is the credential), so their verb acts for
 * no principal: it needs only the recorder that writes pings in group commits, and a clock.
 */
export interface PingContext {
  recorder: Pick<PingRecorder, 'record'>;
  now: () => number;
}

export interface PingInput {
  token: string;
  kind: PingKind;
  exitCode: number | null;
  body: PingBody | undefined;
  method: string;
  sourceIp: string | null;
  userAgent: string | undefined;
}

/** Text as Postgres can store it: no NUL characters (binary job output has them). */
const storable = (text: string) => text.replaceAll('\u0000', '\uFFFD');

/** Records one ping; resolves only once it is durable, so an answered ping is never lost. */
export async function recordPing({ ctx, input }: { ctx: PingContext; input: PingInput }): Promise<'OK'> {
  let receipt;
  try {
    receipt = await ctx.recorder.record({
      token: input.token,
      kind: input.kind,
      exitCode: input.exitCode,
      receivedAtMs: ctx.now(),
      body: input.body?.bytes ? storable(input.body.kept.toString('utf8')) : null,
      bodyBytes: input.body?.bytes ?? 0,
      method: input.method,
      sourceIp: input.sourceIp,
      userAgent: input.userAgent ? storable(input.userAgent.slice(0, 512)) : null,
    });
  } catch (err) {
    if (err instanceof PingQueueFull) {
      throw new DomainError('UNAVAILABLE', 'Service unavailable', 'too many pings are waiting to be recorded; retry shortly');
    }
    throw err;
  }
  if (!receipt.recorded) throw notFound('Job monitor with this ping token');
  return 'OK';
}
