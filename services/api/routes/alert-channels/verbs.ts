import { DomainError, notFound, validationError } from '../../../lib/errors.js';
import { newId } from '../../../lib/store/ids.js';
import type { ChannelTypeName } from '../../../alerting/channels/channel.js';
import { channelType } from '../../../alerting/channels/index.js';
import type { ChannelRecord } from '../../../alerting/channels/store.js';
import type { AlertEvent } from '../../../alerting/events.js';
import type { AlertChannelDeps, VerbContext } from '../../context.js';
import type { ChannelBody } from './schema.js';
import { settingsOf, targetProblems } from './settings-input.js';

/** A channel as read: settings with secrets masked; the signing secret only where it is created. */
function present(c: ChannelRecord, signingSecret?: string) {
  return {
    id: c.id, name: c.name, type: c.type,
    ...channelType(c.type).masked(c.settings),
    ...(signingSecret ? { signingSecret } : {}),
    ...(c.type === 'Webhook' ? { previousSecretRetiresAt: c.previousSecretRetiresAt?.toISOString() ?? null } : {}),
    createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString(),
  };
}

/** Channels need the sealing key; without one this network has no channels to offer. */
function channelDeps(ctx: VerbContext): AlertChannelDeps {
  const deps = ctx.deps.alertChannels;
  if (!deps) throw new DomainError('UNAVAILABLE', 'Alert channels unavailable', 'alert channels need PHAROS_SECRETS_KEY on this network; ask the operator');
  return deps;
}

async function mustGet(ctx: VerbContext, id: string): Promise<ChannelRecord> {
  const channel = await channelDeps(ctx).store.get(ctx.principal.orgId, id);
  if (!channel) throw notFound(`alert channel ${id}`);
  return channel;
}

async function checkedSettings(ctx: VerbContext, type: ChannelTypeName, body: Record<string, unknown>) {
  const { settings, problems } = settingsOf(type, body);
  if (problems.length === 0) problems.push(...await targetProblems(type, settings, channelDeps(ctx).resolver));
  if (problems.length) throw validationError(`invalid ${type} channel: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
  return settings;
}

export async function createChannel({ ctx, input }: { ctx: VerbContext; input: ChannelBody }) {
  const settings = await checkedSettings(ctx, input.type, input);
  await ctx.deps.quotas.assertCanAddAlertChannel(ctx.principal.orgId);
  const { channel, signingSecret } = await channelDeps(ctx).store.create(ctx.principal.orgId, { name: input.name.trim(), type: input.type, settings });
  return present(channel, signingSecret ?? undefined);
}

export async function listChannels({ ctx, input }: { ctx: VerbContext; input: { limit: number; offset: number } }) {
  const { items, totalCount } = await channelDeps(ctx).store.list(ctx.principal.orgId, input.limit, input.offset);
  return { items: items.map((c) => present(c)), totalCount };
}

export async function getChannel({ ctx, input }: { ctx: VerbContext; input: { id: string } }) {
  return present(await mustGet(ctx, input.id));
}

export async function updateChannel({ ctx, input }: { ctx: VerbContext; input: { id: string; body: ChannelBody } }) {
  const current = await mustGet(ctx, input.id);
  if (input.body.type !== current.type) {
    throw validationError('a channel\'s type cannot change; create a new channel', [{ field: '/type', message: `must stay ${current.type}` }]);
  }
  // A client that PUTs back what it read sends the masked URL: that means "unchanged".
  const masked = channelType(current.type).masked(current.settings);
  const body: Record<string, unknown> = { ...input.body };
  for (const [key, value] of Object.entries(masked)) {
    if (typeof value === 'string' && body[key] === value && value !== current.settings[key]) body[key] = current.settings[key];
  }
  const settings = await checkedSettings(ctx, current.type, body);
  const updated = await channelDeps(ctx).store.update(ctx.principal.orgId, current.id, { name: input.body.name.trim(), settings });
  if (!updated) throw notFound(`alert channel ${input.id}`);
  return present(updated);
}

export async function deleteChannel({ ctx, input }: { ctx: VerbContext; input: { id: string } }) {
  if (!(await channelDeps(ctx).store.delete(ctx.principal.orgId, input.id))) throw notFound(`alert channel ${input.id}`);
}

export async function rotateChannelSecret({ ctx, input }: { ctx: VerbContext; input: { id: string } }) {
  const channel = await mustGet(ctx, input.id);
  if (channel.type !== 'Webhook') {
    throw validationError('only Webhook channels sign their deliveries', [{ field: '/type', message: `is ${channel.type}; only Webhook channels have a signing secret` }]);
  }
  const rotated = await channelDeps(ctx).store.rotateSecret(ctx.principal.orgId, channel.id);
  if (!rotated) throw notFound(`alert channel ${input.id}`);
  return present(rotated.channel, rotated.signingSecret);
}

/**
 * Sends a test alert now and reports what the receiver said. It is shaped as a recovery
 * (`monitor.up`, alert type `Test`) so a receiver that pages on `monitor.down` is not woken.
 */
export async function testChannel({ ctx, input }: { ctx: VerbContext; input: { id: string } }) {
  const channel = await mustGet(ctx, input.id);
  const deps = channelDeps(ctx);
  const now = (ctx.deps.now ?? Date.now)();
  const event: AlertEvent = {
    id: newId('evt'),
    event: 'monitor.up',
    orgId: channel.orgId,
    monitor: { id: 'mon_test', name: 'Pharos test alert', url: null, type: 'Website' },
    alert: { type: 'Test', message: `Test alert for channel "${channel.name}": if you can read this, alerts reach you.`, timestamp: new Date(now).toISOString(), responseTimeMs: null },
  };
  const outcome = await deps.deliver(channel, event, { signal: new AbortController().signal, now: () => (ctx.deps.now ?? Date.now)() });
  ctx.deps.logger.info({ channelId: channel.id, channelType: channel.type, eventId: event.id, ok: outcome.ok, statusCode: outcome.statusCode }, 'test alert sent');
  return { delivered: outcome.ok, statusCode: outcome.statusCode, error: outcome.error, eventId: event.id };
}
