/** The `webhookUrl` setting that Slack, Discord, Teams and Webhook channels share. */
import { Type } from 'typebox';
import type { FieldProblem, FieldSpec } from '../../../contracts/checks/contract.js';

export const MAX_URL_LENGTH = 2048;

export interface WebhookUrlSettings {
  webhookUrl: string;
}

export function webhookUrlField(description: string): FieldSpec<string> {
  return { schema: Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH, description }), default: '' };
}

/** http(s), absolute, with a host and without credentials (a URL's user info would be logged by proxies). */
export function validateWebhookUrl(url: string, field = '/webhookUrl'): FieldProblem[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [{ field, message: 'must be an absolute http(s) URL' }];
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return [{ field, message: `must be http or https, not ${parsed.protocol.replace(':', '')}` }];
  if (!parsed.hostname) return [{ field, message: 'must name a host' }];
  if (parsed.username || parsed.password) return [{ field, message: 'must not carry a user name or password' }];
  if (url.length > MAX_URL_LENGTH) return [{ field, message: `must be at most ${MAX_URL_LENGTH} characters` }];
  return [];
}

/**
 * A webhook URL as read back: scheme, host and port stay (so one can tell which service it
 * points at); the path and query, where Slack, Discord and Teams keep the token, are masked.
 */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    const hidden = u.pathname.length > 1 || u.search ? '/****' : '';
    return `${u.protocol}//${u.host}${hidden}`;
  } catch {
    return '****';
  }
}

export const urlSettings = {
  masked: (s: WebhookUrlSettings): WebhookUrlSettings => ({ webhookUrl: maskUrl(s.webhookUrl) }),
  targetUrl: (s: WebhookUrlSettings) => s.webhookUrl,
  validate: (s: WebhookUrlSettings) => validateWebhookUrl(s.webhookUrl),
};
