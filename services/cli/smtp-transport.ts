/**
 * The operator's SMTP server (PHAROS_SMTP_URL) as a mail transport, for alert channels and
 * operator alerts. nodemailer (~0.4 MB of code) loads with the first mail, not at start: most
 * processes send none for a long time, and many never.
 */
import type { SmtpTransport } from '../alerting/channels/email.js';

export interface SmtpConnection extends SmtpTransport {
  close(): void;
}

export function openSmtpTransport(url: string): SmtpConnection {
  let transport: Promise<import('nodemailer').Transporter> | undefined;
  const opened = () => (transport ??= import('nodemailer').then(({ default: nodemailer }) =>
    // Bounded waits: a stuck SMTP server must not hold a delivery past its 10 s budget for long.
    nodemailer.createTransport(url, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 10_000 } as object)));
  return {
    sendMail: async (message) => (await opened()).sendMail(message),
    close: () => void transport?.then((t) => t.close(), () => undefined),
  };
}
