/**
 * Status page email subscriptions (issue 13), over Postgres and a real SMTP server: subscribe,
 * the confirmation mail and its link, incident mails through the outbox (one per confirmed
 * subscriber per event, none to a pending one or another page's), RFC 8058 one-click
 * unsubscribe, bad input, rate limits, no address enumeration, and escaping.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { eventually, realService } from '../support/services.js';
import { api, createMonitor } from '../support/status-page-fixtures.js';
import { startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from '../support/smtp-receiver.js';
import { createMailSender } from '../../services/alerting/channels/email.js';
import { createChannelSender } from '../../services/alerting/channels/index.js';
import { createDeliveryWorker } from '../../services/alerting/deliveries/worker.js';
import { DeliveryStore } from '../../services/alerting/deliveries/delivery-store.js';
import { channelIdentityLoader } from '../../services/alerting/deliveries/unconfigured-sender.js';
import { withStatusPageSubscribers } from '../../services/status-pages/subscriber-recipients.js';
import { createLogger } from '../../services/lib/logger.js';

const databaseUrl = realService('database');
const clock = Date.parse('2026-05-04T10:00:00Z');
const accessKey = randomBytes(32);
let smtp: SmtpReceiver;
let h: ApiHarness;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  h = await startApiHarness({ databaseUrl, now: () => clock, mail: createMailSender(smtp.transport, 'Status <status@pharos.test>'), statusPageAccessKey: accessKey });
});
afterAll(async () => {
  await h?.close();
  await smtp?.close();
});

/** An alerting process's delivery worker: subscribers resolved to their address and mailed over the real SMTP server. */
const deliveries = () => createDeliveryWorker({
  store: new DeliveryStore(h.sql), logger: createLogger('silent'), now: () => clock,
  loadChannel: withStatusPageSubscribers(h.sql, accessKey, channelIdentityLoader(h.sql), () => clock),
  deliverEvent: createChannelSender({ post: async () => ({ ok: false, statusCode: null, error: 'no http here' }), mail: createMailSender(smtp.transport, 'Status <status@pharos.test>') }),
});

const slug = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}`;
const unique = (name: string) => `${name}.${Math.random().toString(36).slice(2, 8)}@example.test`;
/** A client address of its own per test, so the per-client limit of one test does not reach another. */
const client = () => `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

const subscribe = (pageSlug: string, email: unknown, remoteAddress = '10.0.0.1', headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'POST', url: `/api/status-pages/${pageSlug}/subscribe`, payload: { email } as object, remoteAddress, headers });

/** The message as text: quoted-printable soft breaks joined and escapes decoded. */
const decoded = (m: ReceivedMail) => m.raw.replace(/\r?\n[ \t]+/g, ' ').replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_s, hex: string) => String.fromCharCode(parseInt(hex, 16)));
const htmlPart = (m: ReceivedMail) => decoded(m).split(/Content-Type: text\/html/i)[1] ?? '';
const to = (address: string) => smtp.mails.filter((m) => m.to.includes(address));
const link = (m: ReceivedMail, kind: 'confirm' | 'unsubscribe') => {
  const found = decoded(m).match(new RegExp(`https?://[^\\s"<>]+(/status/[a-z0-9-]+/subscriptions/${kind}\\?token=[A-Za-z0-9._~%-]+)`));
  expect(found, `a ${kind} link in the mail`).not.toBeNull();
  return found![1]!;
};

async function confirmed(pageSlug: string, email: string, remoteAddress: string): Promise<void> {
  expect((await subscribe(pageSlug, email, remoteAddress)).statusCode).toBe(202);
  const [mail] = await eventually(() => to(email).length === 1 && to(email), { what: `the confirmation mail to ${email}` });
  const res = await h.app.inject({ method: 'GET', url: link(mail!, 'confirm') });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.body).toContain('Subscription confirmed');
}

const stored = async (email: string) => (await h.sql.query<{ state: string; unsubscribed_at: Date | null }>(
  `SELECT state, unsubscribed_at FROM status_page_subscribers WHERE email = $1`, [email])).rows;

async function pageWith(key: string, monitorIds: string[], extra: Record<string, unknown> = {}): Promise<string> {
  const body = { slug: slug('subs'), title: 'Acme <Status>', components: monitorIds.map((monitorId) => ({ monitorId })), ...extra };
  const res = await api(h, key, 'POST', '/api/status-pages', body);
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return body.slug;
}

describe('status page subscriptions', () => {
  it('confirm by the mailed link, then mail each incident change once to confirmed subscribers of the page only, until one-click unsubscribe', async () => {
    const t = await h.tenant();
    const checkout = await createMonitor(h, t.key, 'checkout');
    const search = await createMonitor(h, t.key, 'search');
    const page = await pageWith(t.key, [checkout]);
    const otherPage = await pageWith(t.key, [search]);
    const ip = client();
    const alice = unique('alice');
    const pending = unique('pending');
    const carol = unique('carol');

    // Mixed case is stored lower-cased; the confirmation mail has a signed link and the unsubscribe headers.
    expect((await subscribe(page, alice.toUpperCase(), ip)).statusCode).toBe(202);
    const [confirmation] = await eventually(() => to(alice).length === 1 && to(alice), { what: 'the confirmation mail' });
    expect(decoded(confirmation!)).toMatch(/^Subject: Confirm your subscription to Acme <Status> status/m);
    expect(decoded(confirmation!)).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(htmlPart(confirmation!)).toContain('Acme &lt;Status&gt;');
    expect(await stored(alice)).toEqual([{ state: 'pending', unsubscribed_at: null }]);
    // A forged or mangled link confirms nothing.
    const confirmLink = link(confirmation!, 'confirm');
    expect((await h.app.inject({ method: 'GET', url: `${confirmLink.slice(0, -3)}xyz` })).statusCode).toBe(400);
    expect((await h.app.inject({ method: 'GET', url: `/status/${page}/subscriptions/confirm?token=sub_01jtest0000000000000000000.0.abc` })).statusCode).toBe(400);
    const res = await h.app.inject({ method: 'GET', url: confirmLink });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(await stored(alice)).toEqual([{ state: 'confirmed', unsubscribed_at: null }]);

    expect((await subscribe(page, pending, ip)).statusCode).toBe(202);
    await eventually(() => to(pending).length === 1, { what: 'the pending address\'s confirmation mail' });
    await confirmed(otherPage, carol, ip);

    const worker = deliveries();
    const opened = await api(h, t.key, 'POST', '/api/incidents', { title: '<b>Checkout</b> & payments down', message: 'Looking into it', monitorId: checkout });
    expect(opened.status, JSON.stringify(opened.json)).toBe(201);
    await worker.drain();
    const afterCreate = to(alice).slice(1);
    expect(afterCreate).toHaveLength(1);
    const created = decoded(afterCreate[0]!);
    expect(created).toMatch(/^List-Unsubscribe: <http[^>]+\/status\/[a-z0-9-]+\/subscriptions\/unsubscribe\?token=[^>]+>/m);
    expect(created).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(created).toContain('Investigating');
    expect(created).toContain('Looking into it');
    expect(htmlPart(afterCreate[0]!)).toContain('&lt;b&gt;Checkout&lt;/b&gt; &amp; payments down');
    expect(htmlPart(afterCreate[0]!)).not.toContain('<b>Checkout');
    expect(htmlPart(afterCreate[0]!)).toContain(`/status/${page}`);

    expect((await api(h, t.key, 'POST', `/api/incidents/${opened.json.id}/updates`, { status: 'Identified', message: 'A bad deploy' })).status).toBe(201);
    await worker.drain();
    expect(to(alice)).toHaveLength(3);
    expect(decoded(to(alice)[2]!)).toContain('A bad deploy');
    expect(decoded(to(alice)[2]!)).toContain('Identified');

    expect((await api(h, t.key, 'POST', `/api/incidents/${opened.json.id}/resolve`, { message: 'Rolled back' })).status).toBe(200);
    await worker.drain();
    expect(to(alice)).toHaveLength(4);
    expect(decoded(to(alice)[3]!)).toContain('Resolved');
    expect(decoded(to(alice)[3]!)).toContain('Rolled back');
    // Nothing to the pending address or to another page's subscriber; at most once per subscriber and event.
    expect(to(pending)).toHaveLength(1);
    expect(to(carol)).toHaveLength(1);
    const { rows } = await h.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM alert_deliveries WHERE channel_id LIKE 'sub_%' AND org_id = $1`, [t.orgId]);
    expect(rows[0]!.n).toBe(3);

    // The unsubscribe page changes nothing by itself (mail scanners open links); the one-click post does.
    const unsubscribe = link(to(alice)[3]!, 'unsubscribe');
    const form = await h.app.inject({ method: 'GET', url: unsubscribe });
    expect(form.statusCode).toBe(200);
    expect(form.body).toMatch(/<form[^>]+method="post"/);
    expect(await stored(alice)).toEqual([{ state: 'confirmed', unsubscribed_at: null }]);
    const oneClick = await h.app.inject({ method: 'POST', url: unsubscribe, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(oneClick.statusCode, oneClick.body).toBe(200);
    expect((await stored(alice))[0]!.unsubscribed_at).not.toBeNull();

    const again = await api(h, t.key, 'POST', '/api/incidents', { title: 'Checkout slow', monitorId: checkout });
    expect(again.status).toBe(201);
    await worker.drain();
    expect(to(alice)).toHaveLength(4);
  });

  it('mail a new maintenance window covering a page\'s monitor once to that page\'s confirmed subscribers only', async () => {
    const t = await h.tenant();
    const db = await createMonitor(h, t.key, 'db');
    const web = await createMonitor(h, t.key, 'web');
    const page = await pageWith(t.key, [db, web]);
    const otherPage = await pageWith(t.key, [web]);
    const ip = client();
    const dana = unique('dana');
    const erin = unique('erin');
    await confirmed(page, dana, ip);
    await confirmed(otherPage, erin, ip);

    const hour = 3_600_000;
    const window = await api(h, t.key, 'POST', '/api/maintenance-windows', {
      name: 'Database <upgrade>', mode: 'mute', startsAt: new Date(clock + hour).toISOString(), endsAt: new Date(clock + 2 * hour).toISOString(),
      cronExpression: null, rrule: null, monitorIds: [db],
    });
    expect(window.status, JSON.stringify(window.json)).toBe(201);
    await deliveries().drain();
    expect(to(dana)).toHaveLength(2);
    const mail = decoded(to(dana)[1]!);
    expect(mail).toContain('Scheduled maintenance');
    expect(mail).toContain('2026-05-04 11:00 to 2026-05-04 12:00 UTC');
    expect(mail).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(htmlPart(to(dana)[1]!)).toContain('Database &lt;upgrade&gt;');
    expect(to(erin)).toHaveLength(1);
  });

  it('unsubscribe by a multipart one-click post too; subscribing again starts over with a confirmation', async () => {
    const t = await h.tenant();
    const page = await pageWith(t.key, [await createMonitor(h, t.key, 'queue')]);
    const ip = client();
    const frank = unique('frank');
    await confirmed(page, frank, ip);
    const unsubscribe = link(to(frank)[0]!, 'unsubscribe');
    const boundary = 'pharosboundary';
    const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    const res = await h.app.inject({ method: 'POST', url: unsubscribe, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: multipart });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('Unsubscribed');
    expect((await stored(frank))[0]!.unsubscribed_at).not.toBeNull();
    // A link of another page does nothing here.
    const other = await pageWith(t.key, []);
    expect((await h.app.inject({ method: 'POST', url: unsubscribe.replace(page, other), headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' })).statusCode).toBe(400);

    expect((await subscribe(page, frank, ip)).statusCode).toBe(202);
    await eventually(() => to(frank).length === 2, { what: 'a new confirmation mail' });
    expect(await stored(frank)).toEqual([{ state: 'pending', unsubscribed_at: null }]);
  });

  it('answers 202 the same for a new, pending and confirmed address, and lists no subscriber anywhere public', async () => {
    const t = await h.tenant();
    const page = await pageWith(t.key, [await createMonitor(h, t.key, 'api')]);
    const ip = client();
    const known = unique('known');
    await confirmed(page, known, ip);
    const answers = [await subscribe(page, unique('new'), ip), await subscribe(page, known, ip), await subscribe(page, known, ip)];
    for (const a of answers) {
      expect(a.statusCode).toBe(202);
      expect(a.body).toBe(answers[0]!.body);
    }
    expect(await stored(known)).toEqual([{ state: 'confirmed', unsubscribed_at: null }]);
    for (const url of [`/status/${page}`, `/api/status-pages/${page}/public`, `/status/${page}/api/v2/summary.json`]) {
      expect((await h.app.inject({ method: 'GET', url })).body).not.toContain('example.test');
    }
  });

  it('refuses a bad address with field details and stores nothing; a password page needs its password first', async () => {
    const t = await h.tenant();
    const monitor = await createMonitor(h, t.key, 'web');
    const page = await pageWith(t.key, [monitor]);
    const before = Number((await h.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM status_page_subscribers`)).rows[0]!.n);
    for (const bad of ['not-an-address', 'a@b', 'x@example.test, y@example.test', 'a b@example.test', 'x'.repeat(250) + '@example.test', 42, '']) {
      const res = await subscribe(page, bad, client());
      expect(res.statusCode, String(bad)).toBe(400);
      expect(res.json().details?.[0]?.field ?? res.json().details).toBeDefined();
    }
    expect((await subscribe(page, 'not-an-address', client())).json()).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ field: '/email' }] });
    const locked = await pageWith(t.key, [monitor], { visibility: 'password', password: 'correct horse battery' });
    expect((await subscribe(locked, unique('locked'), client())).statusCode).toBe(401);
    expect((await subscribe('no-such-page', unique('none'), client())).statusCode).toBe(404);
    expect(Number((await h.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM status_page_subscribers`)).rows[0]!.n)).toBe(before);
  });

  it('limits requests per address and per client address, with Retry-After', async () => {
    const t = await h.tenant();
    const page = await pageWith(t.key, [await createMonitor(h, t.key, 'db')]);
    const address = unique('flooded');
    for (let i = 0; i < 3; i++) expect((await subscribe(page, address, client())).statusCode).toBe(202);
    const limited = await subscribe(page, address, client());
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    const ip = client();
    for (let i = 0; i < 20; i++) expect((await subscribe(page, unique(`many${i}`), ip)).statusCode).toBe(202);
    const fromClient = await subscribe(page, unique('one-more'), ip);
    expect(fromClient.statusCode).toBe(429);
    expect(fromClient.json().code).toBe('RATE_LIMITED');
    expect(Number(fromClient.headers['retry-after'])).toBeGreaterThan(0);
    // Every mail sent is a confirmation: the flooded address got at most its three.
    await eventually(() => to(address).length === 3, { what: 'three confirmation mails' });
  });
});
