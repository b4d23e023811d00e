/**
 * non_operational_website: an ordered ladder of evidence, each rung read only if the ones
 * before it found nothing (docs/decisions.md "Non-operational website"):
 *  1. DNS: the host does not resolve (NXDOMAIN, no address, SERVFAIL);
 *  2. the registry (RDAP, else WHOIS — the Domain check's code): not registered, on hold,
 *     in redemption or pending delete, or past its expiry;
 *  3. HTTP: both https (443) and http (80) fail to connect, fail TLS, or answer 5xx/404 at "/";
 *  4. a redirect to a parking or domain-marketplace host (data/parking-catalogue.json);
 *  5. name servers, CNAMEs or addresses of a parking service (same catalogue);
 *  6. page content: for sale, parked, suspended account, default web-server page, or a thin
 *     "coming soon" page (data/non-operational-phrases.json);
 *  7. a random path answering with the home page's exact text, on a thin page.
 * A bot wall, geo block or timeout on every answer is inconclusive, never flagged.
 */
import { randomBytes } from 'node:crypto';
import catalogue from '../data/parking-catalogue.json' with { type: 'json' };
import phraseData from '../data/non-operational-phrases.json' with { type: 'json' };
import { botWallOf } from '../site/bot-wall.js';
import { compilePhrases } from '../site/phrases.js';
import type { PageVisit, SiteContext } from '../site/site-context.js';
import type { FetchedPage } from '../site/site-fetcher.js';
import { round2, type Finding, type Signal } from './finding.js';
import type { RiskCheck } from './risk-check.js';

const NAME = 'non_operational_website' as const;
const REGISTRY_DEAD = ['redemption period', 'pending delete', 'client hold', 'server hold', 'inactive', 'pending restore'];
const THIN_WORDS = 150;
const phraseMatcher = compilePhrases(Object.entries(phraseData.kinds).flatMap(([kind, list]) => list.map((phrase) => ({ phrase, payload: kind }))));

const bySuffix = (host: string, list: ReadonlyArray<{ suffix: string; service: string; source: string }>) =>
  list.find((e) => host === e.suffix || host.endsWith(`.${e.suffix}`));

function finding(verdict: Finding['verdict'], confidence: number, summary: string, evidence: Signal[], details?: Record<string, unknown>): Finding {
  return { check: NAME, verdict, confidence: round2(confidence), summary, evidence, details: { catalogueVersion: catalogue.version, ...details } };
}

const usable = (v: PageVisit): v is PageVisit & { outcome: FetchedPage } => v.outcome.ok && !botWallOf(v.outcome).wall;

export function createNonOperationalCheck(): RiskCheck {
  return {
    name: NAME,
    async run(site) {
      const evidence: Signal[] = [];

      // 1. DNS
      const dns = await site.dnsFacts();
      if (dns.status === 'nxdomain' || dns.status === 'no_address' || dns.status === 'servfail' || dns.status === 'refused') {
        evidence.push({ kind: `dns_${dns.status}`, detail: dns.message ?? `DNS answered ${dns.status}`, source: `DNS ${dns.host}` });
        const registry = await site.registry();
        if (registry?.ok && !registry.verdict.answer.registered) evidence.push({ kind: 'registry_not_registered', detail: `${site.registrableDomain} is not registered`, source: registry.verdict.source });
        return finding('flagged', dns.status === 'servfail' ? 0.8 : 0.95, `${dns.host} does not resolve (${dns.status})`, evidence);
      }

      // 2. Registry
      const registry = await site.registry();
      if (registry?.ok) {
        const answer = registry.verdict.answer;
        const source = `${registry.verdict.source} ${site.registrableDomain}`;
        if (!answer.registered) return finding('flagged', 0.95, `${site.registrableDomain} is not registered`, [...evidence, { kind: 'registry_not_registered', detail: 'the registry does not know the domain', source }]);
        const dead = answer.statuses.find((s) => REGISTRY_DEAD.includes(s.toLowerCase()));
        if (dead) return finding('flagged', 0.9, `${site.registrableDomain} is "${dead}" at its registry`, [{ kind: 'registry_status', detail: `EPP status ${dead}`, source, value: answer.statuses.join(', ') }]);
        if (answer.expiresAtMs > 0 && answer.expiresAtMs < site.now()) {
          return finding('flagged', 0.9, `${site.registrableDomain} expired on ${new Date(answer.expiresAtMs).toISOString().slice(0, 10)}`, [{ kind: 'registry_expired', detail: 'registration past its expiry', source, value: new Date(answer.expiresAtMs).toISOString() }]);
        }
        evidence.push({ kind: 'registry_ok', detail: `registered${answer.registrar ? ` with ${answer.registrar}` : ''}`, source });
      } else if (registry) {
        evidence.push({ kind: 'registry_unavailable', detail: `registry not asked successfully: ${registry.message}` });
      }

      // 3. HTTP over both schemes, plus the URL as given
      const [{ https, http }, given] = await Promise.all([site.bothSchemes(), site.home()]);
      const visits = [given, https, http];
      for (const v of [https, http]) {
        if (!v.outcome.ok) evidence.push({ kind: `http_${v.outcome.failure}`, detail: v.outcome.message, source: v.url });
        else evidence.push({ kind: 'http_status', detail: `HTTP ${v.outcome.status}`, source: v.outcome.finalUrl, value: String(v.outcome.status) });
      }
      const walls = visits.filter((v) => v.outcome.ok && botWallOf(v.outcome).wall);
      const answering = visits.filter(usable).filter((v) => v.outcome.status < 400);
      if (answering.length === 0) {
        if (walls.length) {
          const reason = botWallOf(walls[0].outcome as FetchedPage).reason!;
          return finding('inconclusive', 0.2, `the site could not be read: ${reason}`, [...evidence, { kind: 'bot_wall', detail: reason, source: walls[0].url }]);
        }
        if ([https, http].some((v) => !v.outcome.ok && v.outcome.failure === 'timeout')) {
          return finding('inconclusive', 0.3, 'the site timed out', evidence);
        }
        if ([https, http].some((v) => !v.outcome.ok && v.outcome.failure === 'blocked')) {
          return finding('inconclusive', 0.2, 'the site resolves to an address the SSRF guard refuses', evidence);
        }
        return finding('flagged', 0.85, 'neither https nor http answers with a page', evidence);
      }
      const best = answering[0];

      // 4. Redirect to a parking or marketplace host
      for (const hop of [...best.outcome.redirects, best.outcome.finalUrl]) {
        const host = new URL(hop).hostname;
        const hit = bySuffix(host, catalogue.redirectHosts);
        if (hit) return finding('flagged', 0.9, `redirects to ${hit.service}`, [...evidence, { kind: 'parking_redirect', detail: `redirect to ${hit.service}`, source: best.outcome.finalUrl, value: host }]);
      }

      // 5. Parking infrastructure in DNS
      const infra: Signal[] = [];
      for (const ns of dns.ns) {
        const hit = bySuffix(ns, catalogue.nameServers);
        if (hit) infra.push({ kind: 'parking_nameserver', detail: `name server of ${hit.service}`, source: `NS ${site.registrableDomain}`, value: ns });
      }
      for (const cname of dns.cname) {
        const hit = bySuffix(cname, catalogue.cnameTargets);
        if (hit) infra.push({ kind: 'parking_cname', detail: `CNAME to ${hit.service}`, source: `CNAME ${dns.host}`, value: cname });
      }
      for (const a of [...dns.a, ...dns.aaaa]) {
        const hit = catalogue.addresses.find((e) => e.address === a);
        if (hit) infra.push({ kind: 'parking_address', detail: `address of ${hit.service}`, source: `A ${dns.host}`, value: a });
      }
      if (infra.length) return finding('flagged', 0.9, `parked with ${infra[0].detail.replace(/^.* of /, '')}`, [...evidence, ...infra]);

      // 6. Page content
      const page = best.page;
      const words = page?.words ?? 0;
      if (page) {
        const hits = phraseMatcher.find(`${page.title} . ${page.text.slice(0, 20_000)}`);
        const strong = hits.filter((h) => h.payload !== 'coming_soon');
        const soon = hits.filter((h) => h.payload === 'coming_soon');
        const signals = hits.map((h): Signal => ({ kind: `content_${h.payload}`, detail: `page says "${h.phrase}"`, source: best.outcome.finalUrl, value: h.snippet }));
        // A full shop that mentions a "coming soon" collection, or a default-page phrase deep in a long page, is operating.
        if (strong.length && (words < THIN_WORDS * 3 || strong.length >= 2)) return finding('flagged', words < THIN_WORDS ? 0.9 : 0.75, `the page is a ${strong[0].payload.replace(/_/g, ' ')} page`, [...evidence, ...signals]);
        if (soon.length && words < THIN_WORDS) return finding('flagged', 0.75, 'the page is a "coming soon" placeholder', [...evidence, ...signals]);
        if (hits.length) evidence.push(...signals.map((s) => ({ ...s, weight: 0 })));
      }

      // 7. A random path answering with the home page itself, on a thin page
      if (words < THIN_WORDS && page) {
        const probe = await site.visit(new URL(`/${randomBytes(6).toString('hex')}-not-a-page`, best.outcome.finalUrl).href);
        if (probe.outcome.ok && probe.outcome.status === 200 && probe.page && probe.page.text === page.text) {
          evidence.push({ kind: 'catch_all', detail: 'a random path answers with the home page', source: probe.url });
          if (words < 30) return finding('flagged', 0.6, 'every path answers with the same near-empty page', evidence);
        }
      }

      return finding('clear', words >= 50 ? 0.9 : 0.7, `the site answers with a page of ${words} words`, evidence, { finalUrl: best.outcome.finalUrl, status: best.outcome.status });
    },
  };
}
