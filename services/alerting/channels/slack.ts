/**
 * Slack: an incoming-webhook URL and a Block Kit message (https://api.slack.com/block-kit):
 * a header block (plain_text, ≤ 150 chars), a section with the message (mrkdwn, ≤ 3000), a
 * section of up to 10 fields (≤ 2000 each) and a context line. `text` is the notification
 * fallback Slack requires alongside blocks. Untrusted text is escaped for mrkdwn (&, <, >),
 * so a monitor name cannot smuggle in a `<!channel>` mention or a disguised link.
 */
import type { AlertEvent } from '../events.js';
import type { ChannelType } from './channel.js';
import { jsonHeaders, summarize, truncate } from './summary.js';
import { urlSettings, webhookUrlField, type WebhookUrlSettings } from './url-setting.js';

const EMOJI = { bad: ':red_circle:', good: ':large_green_circle:', warn: ':large_orange_circle:' } as const;

export const escapeMrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderSlack(e: AlertEvent) {
  const s = summarize(e);
  return {
    text: truncate(`${s.title}: ${s.message}`, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncate(s.title, 150), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: truncate(`${EMOJI[s.tone]} ${escapeMrkdwn(s.message || '(no message)')}`, 3000) } },
      { type: 'section', fields: s.facts.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: truncate(`*${f.name}*\n${escapeMrkdwn(f.value)}`, 2000) })) },
      { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(`Pharos · event ${escapeMrkdwn(e.id)}`, 3000) }] },
    ],
  };
}

export const slack: ChannelType<WebhookUrlSettings> = {
  type: 'Slack',
  fields: { webhookUrl: webhookUrlField('Slack incoming-webhook URL (https://hooks.slack.com/services/…); masked when read back') },
  ...urlSettings,
  send: (channel, event, ctx, tools) =>
    tools.post({ url: channel.settings.webhookUrl, headers: jsonHeaders(tools.userAgent), body: JSON.stringify(renderSlack(event)), signal: ctx.signal }),
};
