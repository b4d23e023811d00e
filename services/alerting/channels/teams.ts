/**
 * Microsoft Teams through a Workflows (Power Automate) incoming webhook: the "When a Teams
 * webhook request is received" trigger takes a message whose attachments hold an Adaptive
 * Card (contentType application/vnd.microsoft.card.adaptive, card version ≤ 1.5). The Office
 * 365 connector MessageCard is retired and is not sent. Adaptive Card TextBlocks render a
 * Markdown subset, so untrusted text is escaped for it.
 */
import type { AlertEvent } from '../events.js';
import type { ChannelType } from './channel.js';
import { jsonHeaders, summarize, truncate } from './summary.js';
import { urlSettings, webhookUrlField, type WebhookUrlSettings } from './url-setting.js';

const COLOR = { bad: 'Attention', good: 'Good', warn: 'Warning' } as const;

/** Backslash-escapes the characters Adaptive Card Markdown gives meaning to. */
export const escapeCardMarkdown = (text: string) => text.replace(/([\\`*_[\]()#+\-.!>~|])/g, '\\$1');

export function renderTeams(e: AlertEvent) {
  const s = summarize(e);
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    msteams: { width: 'Full' },
    body: [
      { type: 'TextBlock', text: escapeCardMarkdown(truncate(s.title, 256)), weight: 'Bolder', size: 'Medium', color: COLOR[s.tone], wrap: true },
      { type: 'TextBlock', text: escapeCardMarkdown(truncate(s.message || '(no message)', 4000)), wrap: true },
      // FactSet values are plain text in Teams (no Markdown), so only length is bounded.
      { type: 'FactSet', facts: s.facts.map((f) => ({ title: f.name, value: truncate(f.value, 1000) })) },
    ],
    ...(s.link ? { actions: [{ type: 'Action.OpenUrl', title: 'Open target', url: s.link }] } : {}),
  };
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] };
}

export const teams: ChannelType<WebhookUrlSettings> = {
  type: 'Teams',
  fields: { webhookUrl: webhookUrlField('Teams Workflows webhook URL ("When a Teams webhook request is received"); masked when read back') },
  ...urlSettings,
  send: (channel, event, ctx, tools) =>
    tools.post({ url: channel.settings.webhookUrl, headers: jsonHeaders(tools.userAgent), body: JSON.stringify(renderTeams(event)), signal: ctx.signal }),
};
