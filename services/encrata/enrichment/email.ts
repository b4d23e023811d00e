/**
 * Email enrichment: syntax (RFC 5322 parser), the domain's mail exchangers (a null MX per
 * RFC 7505 refuses mail; no MX falls back to the implicit MX, the domain's own address, per
 * RFC 5321 §5.1), SPF and DMARC parsed, disposable and free-provider domains (maintained
 * lists from npm), role accounts (RFC 2142 and common role names), Gravatar presence.
 *
 * No SMTP RCPT probing: docs/encrata.md says why (it is unreliable against catch-all and
 * greylisting servers, gets the prober's address blocklisted, and is abusive to mail hosts).
 */
import { createHash } from 'node:crypto';
import addrs from 'email-addresses';
import spfParse from 'spf-parse';
import dmarcParse from 'dmarc-parse';
import roleNames from 'role-based-email-addresses';
import { disposableEmailBlocklistSet } from 'disposable-email-domains-js';
import freeProviders from 'email-providers';
import type { DnsLookup } from '../sources/dns-lookup.js';
import type { SourceClient } from '../sources/source-client.js';
import { RecordBuilder, type Enricher } from './enricher.js';

const DISPOSABLE = disposableEmailBlocklistSet();
const FREE = new Set<string>(freeProviders as string[]);
/** RFC 2142's mailbox names (§§3–5) with the common role names of role-based-email-addresses. */
const ROLES = new Set<string>([...roleNames, 'info', 'marketing', 'sales', 'support', 'abuse', 'noc', 'security', 'postmaster', 'hostmaster', 'usenet', 'news', 'webmaster', 'www', 'uucp', 'ftp']);

export interface EmailEnricherDeps { dns: DnsLookup; gravatar: SourceClient }

export function spfOf(txt: readonly string[]) {
  const records = txt.filter((t) => /^v=spf1(\s|$)/i.test(t));
  if (records.length === 0) return { present: false, valid: false, record: null, all: null, includes: [] as string[] };
  if (records.length > 1) return { present: true, valid: false, record: records.sort().join(' | '), all: null, includes: [] as string[] };
  const parsed = spfParse(records[0]);
  const all = parsed.mechanisms.find((m) => m.type === 'all');
  const redirect = parsed.mechanisms.find((m) => m.type === 'redirect');
  return {
    present: true,
    valid: parsed.valid,
    record: records[0],
    all: all ? `${all.prefix}all` : redirect ? `redirect=${redirect.value}` : null,
    includes: parsed.mechanisms.filter((m) => m.type === 'include' && m.value).map((m) => m.value!.toLowerCase()),
  };
}

export function dmarcOf(txt: readonly string[]) {
  const records = txt.filter((t) => /^v=DMARC1\s*(;|$)/i.test(t));
  if (records.length !== 1) return { present: records.length > 1, valid: false, record: records.length ? records.sort().join(' | ') : null, policy: null, subdomain_policy: null, pct: null, rua: [] as string[] };
  const parsed = dmarcParse(records[0]);
  const tag = (k: string) => parsed.tags[k]?.value ?? null;
  return {
    present: true,
    valid: !parsed.messages?.length && tag('p') !== null,
    record: records[0],
    policy: tag('p'),
    subdomain_policy: tag('sp') ?? tag('p'),
    pct: tag('pct') === null ? 100 : Number(tag('pct')),
    rua: (tag('rua') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  };
}

export function createEmailEnricher(deps: EmailEnricherDeps): Enricher {
  return {
    type: 'email',
    async enrich(target, { signal }) {
      const out = new RecordBuilder();
      const parsed = addrs.parseOneAddress({ input: target, rejectTLD: true });
      const local = parsed && parsed.type === 'mailbox' ? parsed.local : target.split('@')[0];
      const domain = (parsed && parsed.type === 'mailbox' ? parsed.domain : target.split('@')[1] ?? '').toLowerCase();
      out.set('syntax', { valid: parsed !== null, local, domain });
      const baseLocal = local.toLowerCase().split('+')[0];
      out.set('disposable', DISPOSABLE.has(domain));
      out.set('free_provider', FREE.has(domain));
      out.set('role_account', ROLES.has(baseLocal));

      const [mx, txt, dmarcTxt, gravatar] = await Promise.all([
        deps.dns.mx(domain),
        deps.dns.txt(domain),
        deps.dns.txt(`_dmarc.${domain}`),
        deps.gravatar.get(`/avatar/${createHash('sha256').update(target.trim().toLowerCase()).digest('hex')}?d=404&s=1`, signal, { text: true }),
      ]);

      if (mx.kind === 'inconclusive') out.unanswered('mx', mx.reason);
      else if (mx.records.length > 0) {
        const nullMx = mx.records.length === 1 && (mx.records[0].exchange === '' || mx.records[0].exchange === '.');
        out.set('mx', { accepts_mail: !nullMx, null_mx: nullMx, implicit: false, hosts: nullMx ? [] : mx.records.map((r) => `${r.priority} ${r.exchange.toLowerCase()}`) });
      } else if (!mx.exists) {
        out.set('mx', { accepts_mail: false, null_mx: false, implicit: false, hosts: [] });
      } else {
        // No MX records: mail goes to the domain's own address, if it has one (implicit MX).
        const [a, aaaa] = await Promise.all([deps.dns.a(domain), deps.dns.aaaa(domain)]);
        if (a.kind === 'inconclusive' || aaaa.kind === 'inconclusive') out.unanswered('mx', a.kind === 'inconclusive' ? a.reason : (aaaa as { reason: string }).reason);
        else {
          const has = a.records.length + aaaa.records.length > 0;
          out.set('mx', { accepts_mail: has, null_mx: false, implicit: has, hosts: has ? [`0 ${domain}`] : [] });
        }
      }
      if (txt.kind === 'inconclusive') out.unanswered('spf', txt.reason);
      else out.set('spf', spfOf(txt.records));
      if (dmarcTxt.kind === 'inconclusive') out.unanswered('dmarc', dmarcTxt.reason);
      else out.set('dmarc', dmarcOf(dmarcTxt.records));
      if (gravatar.kind === 'inconclusive') out.unanswered('gravatar', gravatar.reason);
      else out.set('gravatar', { present: gravatar.kind === 'found' });
      return out.done();
    },
  };
}
