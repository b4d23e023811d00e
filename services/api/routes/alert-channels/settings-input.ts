/**
 * A channel body → the type's settings, with every problem in REST field names: settings of
 * another type, missing settings, the type's own rules, and a URL whose host is (or resolves
 * to) an address the SSRF policy refuses.
 */
import type { FieldProblem } from '../../../../contracts/checks/contract.js';
import type { ChannelTypeName } from '../../../alerting/channels/channel.js';
import { channelType, CHANNEL_TYPE_TABLE } from '../../../alerting/channels/index.js';
import { BlockedTargetError } from '../../../lib/ssrf/blocked-target-error.js';
import type { GuardedResolver } from '../../../lib/ssrf/guarded-resolver.js';

const COMMON = new Set(['name', 'type']);
const ALL_SETTINGS = new Set(Object.values(CHANNEL_TYPE_TABLE).flatMap((t) => Object.keys(t.fields)));
/** A name that does not resolve now may later; only a refused answer is a 400. */
const RESOLVE_BUDGET_MS = 3_000;

export function settingsOf(type: ChannelTypeName, body: Record<string, unknown>): { settings: Record<string, unknown>; problems: FieldProblem[] } {
  const own = Object.keys(channelType(type).fields);
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(body)) {
    if (!COMMON.has(key) && ALL_SETTINGS.has(key) && !own.includes(key)) problems.push({ field: `/${key}`, message: `is not a setting of ${type} channels` });
  }
  const settings: Record<string, unknown> = {};
  for (const key of own) {
    if (body[key] === undefined) problems.push({ field: `/${key}`, message: `is required for ${type} channels` });
    else settings[key] = body[key];
  }
  if (problems.length === 0) problems.push(...channelType(type).validate(settings));
  return { settings, problems };
}

/** The SSRF policy at creation time (delivery checks again, on every connection). */
export async function targetProblems(type: ChannelTypeName, settings: Record<string, unknown>, resolver: GuardedResolver): Promise<FieldProblem[]> {
  const url = channelType(type).targetUrl(settings);
  if (url === null) return [];
  try {
    await resolver(new URL(url).hostname, AbortSignal.timeout(RESOLVE_BUDGET_MS));
    return [];
  } catch (err) {
    if (err instanceof BlockedTargetError) return [{ field: '/webhookUrl', message: err.message }];
    return [];
  }
}
