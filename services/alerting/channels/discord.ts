/**
 * Discord: a webhook URL and one embed, kept within Discord's documented limits
 * (https://discord.com/developers/docs/resources/message#embed-object-embed-limits): title
 * 256, description 4096, up to 25 fields with name 256 and value 1024, footer 2048, and 6000
 * characters over all of them. `allowed_mentions` with no parse types stops a monitor name or
 * an error message from pinging @everyone or a role.
 */
import type { AlertEvent } from '../events.js';
import type { ChannelType } from './channel.js';
import { jsonHeaders, summarize, truncate } from './summary.js';
import { urlSettings, webhookUrlField, type WebhookUrlSettings } from './url-setting.js';

export const DISCORD_LIMITS = { title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, footer: 2048, total: 6000 } as const;
const COLOR = { bad: 0xe01e5a, good: 0x2eb67d, warn: 0xecb22e } as const;

export function renderDiscord(e: AlertEvent) {
  const s = summarize(e);
  const title = truncate(s.title, DISCORD_LIMITS.title);
  const footer = truncate(`Pharos · ${e.id}`, DISCORD_LIMITS.footer);
  const fields = s.facts.slice(0, DISCORD_LIMITS.fields).map((f) => ({
    name: truncate(f.name, DISCORD_LIMITS.fieldName), value: truncate(f.value || '-', DISCORD_LIMITS.fieldValue), inline: f.value.length <= 40,
  }));
  // The description takes whatever the 6000-character budget leaves after everything else.
  const used = [title, footer, ...fields.flatMap((f) => [f.name, f.value])].reduce((n, t) => n + Array.from(t).length, 0);
  const description = truncate(s.message || '(no message)', Math.min(DISCORD_LIMITS.description, DISCORD_LIMITS.total - used));
  return {
    username: 'Pharos',
    allowed_mentions: { parse: [] },
    embeds: [{ title, description, color: COLOR[s.tone], fields, timestamp: s.timestamp, footer: { text: footer }, ...(s.link ? { url: s.link } : {}) }],
  };
}

export const discord: ChannelType<WebhookUrlSettings> = {
  type: 'Discord',
  fields: { webhookUrl: webhookUrlField('Discord webhook URL (https://discord.com/api/webhooks/…); masked when read back') },
  ...urlSettings,
  send: (channel, event, ctx, tools) =>
    tools.post({ url: channel.settings.webhookUrl, headers: jsonHeaders(tools.userAgent), body: JSON.stringify(renderDiscord(event)), signal: ctx.signal }),
};
