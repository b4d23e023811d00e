/**
 * Mail through the operator's SMTP server (PHAROS_SMTP_URL, sent as PHAROS_SMTP_FROM), for
 * alert channels and operator alerts. nodemailer (~0.4 MB of code) loads with the first mail,
 * not at start: most processes send none for a long time, and many never.
 */
import type { Config } from '../lib/config.js';
import { createMailSender, type MailSender } from '../alerting/channels/email.js';

const DEFAULT_FROM = 'Pharos <pharos@localhost>';

export interface SmtpMail {
  send: MailSender;
  close(): void;
}

/** The sender, or null when no SMTP server is configured. */
export function openSmtpMail(smtp: Config['smtp']): SmtpMail | null {
  const { url } = smtp;
  if (!url) return null;
  let transport: Promise<import('nodemailer').Transporter> | undefined;
  const opened = () => (transport ??= import('nodemailer').then(({ default: nodemailer }) =>
    // Bounded waits: a stuck SMTP server must not hold a delivery past its 10 s budget for long.
    nodemailer.createTransport(url, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 10_000 } as object)));
  return {
    send: createMailSender({ sendMail: async (message) => (await opened()).sendMail(message) }, smtp.from ?? DEFAULT_FROM),
    close: () => void transport?.then((t) => t.close(), () => undefined),
  };
}
