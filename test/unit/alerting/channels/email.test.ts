import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { createChannelSender } from '../../../../services/alerting/channels/index.js';
import { createMailSender } from '../../../../services/alerting/channels/email.js';
import type { StoredChannel } from '../../../../services/alerting/channels/channel.js';
import { generateCertificate } from '../../checks/support/targets.js';
import { sampleEvent } from './receivers.js';

interface Delivered { from: string; to: string[]; secure: boolean; raw: string }
const delivered: Delivered[] = [];
let server: SMTPServer;
let port: number;
let ca: string;

beforeAll(async () => {
  const cert = await generateCertificate();
  ca = cert.cert;
  server = new SMTPServer({
    key: cert.key, cert: cert.cert, authOptional: true, logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        delivered.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          secure: session.secure,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

/** Just enough MIME for a nodemailer multipart/alternative message: subject and decoded parts. */
function parseMail(raw: string): { subject: string; text: string; html: string } {
  const [head] = raw.split('\r\n\r\n');
  const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
  const subject = /^Subject: (.*)$/m.exec(unfolded)![1];
  const boundary = /boundary="?([^";\r\n]+)"?/.exec(unfolded)![1];
  const parts: Record<string, string> = {};
  for (const part of raw.split(`--${boundary}`).slice(1, -1)) {
    const split = part.indexOf('\r\n\r\n');
    const headers = part.slice(0, split);
    let body = part.slice(split + 4).replace(/\r\n$/, '');
    const encoding = /Content-Transfer-Encoding: (\S+)/i.exec(headers)?.[1].toLowerCase();
    if (encoding === 'base64') body = Buffer.from(body, 'base64').toString('utf8');
    if (encoding === 'quoted-printable') {
      body = Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
    }
    parts[/Content-Type: text\/(\w+)/i.exec(headers)![1]] = body.replace(/\r\n/g, '\n');
  }
  return { subject, text: parts.plain, html: parts.html };
}

const channel: StoredChannel = { id: 'ch_mail', orgId: 'org_t', name: 'ops', type: 'Email', settings: { recipients: ['ops@example.test', 'oncall@example.test'] }, signingSecrets: [] };
const ctx = () => ({ signal: new AbortController().signal, now: Date.now });

describe('Email channel', () => {
  it('sends over STARTTLS to every recipient with a plain-text and an escaped HTML part', async () => {
    // requireTLS: nodemailer refuses to send unless STARTTLS succeeded against the test CA.
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, requireTLS: true, tls: { ca, servername: 'localhost' } });
    const deliver = createChannelSender({ post: async () => ({ ok: false, statusCode: null, error: 'unused' }), mail: createMailSender(transport, 'Pharos <alerts@pharos.test>') });
    const event = sampleEvent({ monitor: { id: 'mon_x', name: '<script>alert(1)</script> & shop', url: 'https://shop.example', type: 'Website' } });
    expect(await deliver(channel, event, ctx())).toEqual({ ok: true, statusCode: 250, error: null });
    transport.close();

    expect(delivered).toHaveLength(1);
    const [mail] = delivered;
    expect(mail.secure).toBe(true);
    expect(mail.from).toBe('alerts@pharos.test');
    expect(mail.to).toEqual(['ops@example.test', 'oncall@example.test']);
    const parsed = parseMail(mail.raw);
    expect(parsed.subject).toBe('[Pharos] <script>alert(1)</script> & shop is down');
    expect(parsed.text).toContain('HTTP 503 Service Unavailable');
    expect(parsed.text).toContain('Monitor: <script>alert(1)</script> & shop');
    expect(parsed.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; shop');
    expect(parsed.html).not.toContain('<script>');
  });

  it('reports a refused recipient and a missing SMTP configuration as data', async () => {
    const refusing = new SMTPServer({ disabledCommands: ['STARTTLS', 'AUTH'], logger: false, onRcptTo: (_a, _s, cb) => cb(Object.assign(new Error('no such user'), { responseCode: 550 })) });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: (refusing.server.address() as AddressInfo).port, secure: false, ignoreTLS: true });
    const deliver = createChannelSender({ post: async () => ({ ok: true, statusCode: 200, error: null }), mail: createMailSender(transport, 'alerts@pharos.test') });
    expect(await deliver(channel, sampleEvent(), ctx())).toMatchObject({ ok: false, statusCode: 550 });
    transport.close();
    await new Promise<void>((resolve) => refusing.close(() => resolve()));

    const unconfigured = createChannelSender({ post: async () => ({ ok: true, statusCode: 200, error: null }), mail: null });
    expect(await unconfigured(channel, sampleEvent(), ctx())).toEqual({ ok: false, statusCode: null, error: 'SMTP is not configured on this network (PHAROS_SMTP_URL)' });
  });
});
