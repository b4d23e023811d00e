import { instantParam, notFound } from '../../../lib/errors.js';
import { webhookPayload } from '../../../alerting/events.js';
import type { AlertRecord, AlertRecordStore } from '../../../alerting/deliveries/alert-records.js';
import type { VerbContext } from '../../context.js';
import type { ListAlertsQuery } from './schema.js';

export type AlertVerbContext = VerbContext & { alerts: AlertRecordStore };

const present = (a: AlertRecord) => ({
  id: a.id,
  monitorId: a.monitorId,
  type: a.type,
  status: a.status,
  message: a.event.alert.message,
  channel: a.channel,
  event: { id: a.event.id, type: a.event.event, payload: webhookPayload(a.event) },
  attemptCount: a.attemptCount,
  nextAttemptAt: a.nextAttemptAt?.toISOString() ?? null,
  createdAt: a.createdAt.toISOString(),
  updatedAt: a.updatedAt.toISOString(),
  attempts: a.attempts.map((t) => ({ attempt: t.attempt, at: t.at.toISOString(), statusCode: t.statusCode, error: t.error, durationMs: t.durationMs })),
});

export async function listAlerts({ ctx, input }: { ctx: AlertVerbContext; input: ListAlertsQuery }) {
  const { items, totalCount } = await ctx.alerts.list(ctx.principal.orgId, {
    monitorId: input.monitorId, status: input.status, type: input.type, limit: input.limit, offset: input.offset,
    fromMs: instantParam(input.from, 'from'), toMs: instantParam(input.to, 'to'),
  });
  return { items: items.map(present), totalCount };
}

export async function getAlert({ ctx, input }: { ctx: AlertVerbContext; input: { id: string } }) {
  const alert = await ctx.alerts.get(ctx.principal.orgId, input.id);
  if (!alert) throw notFound(`alert ${input.id}`);
  return present(alert);
}
