/**
 * The `website` of a monitoring: parsed, refused when it fails the security validation, and
 * sanitised before it is stored (lower-case host, IDN to ASCII, no fragment, no default port,
 * no credentials). The SSRF guard's address policy decides which addresses are refused; a name
 * is resolved (with a time bound) only where private targets are refused, as the monitor api's
 * target screen does (services/api/routes/monitors/target-screen.ts).
 */
import { isIP } from 'node:net';
import { getDomain } from 'tldts';
import { raceAbort } from '../lib/abort.js';
import { checkAddress, type AddressPolicy } from '../lib/ssrf/address-policy.js';
import { systemLookup, type AddressLookup } from '../lib/ssrf/guarded-resolver.js';

export interface WebsiteUrl {
  /** As stored and shown: scheme://host[:port][/path][?query], no trailing "/" for the root. */
  website: string;
  /** Host without a leading "www.", plus a non-default port: the duplicate key (scheme ignored). */
  canonicalOrigin: string;
  hostname: string;
}

export interface WebsitePolicy extends AddressPolicy {
  lookup?: AddressLookup;
  /**
   * How long the host may take to resolve. A name that does not resolve (in time or at all)
   * is accepted: a dead site is what non_operational_website is for, and the worker's guard
   * still checks every address it connects to.
   */
  lookupTimeoutMs?: number;
}

const MAX_URL_CHARS = 2048;

/** Parses and sanitises; undefined when the text is not an acceptable http(s) URL. */
export function sanitiseWebsite(text: string): WebsiteUrl | undefined {
  if (text.length > MAX_URL_CHARS) return undefined;
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password) return undefined;
  const hostname = url.hostname.replace(/\.$/, '');
  if (!hostname || isIP(hostname.replace(/^\[|\]$/g, ''))) return undefined;
  // A registrable domain under the Public Suffix List (not "localhost", "com" or an IP).
  if (!getDomain(hostname, { allowPrivateDomains: true })) return undefined;
  url.hash = '';
  url.hostname = hostname;
  const path = url.pathname === '/' ? '' : url.pathname;
  const website = `${url.protocol}//${url.host}${path}${url.search}`;
  const canonicalOrigin = `${hostname.replace(/^www\./, '')}${url.port ? `:${url.port}` : ''}`;
  return { website, canonicalOrigin, hostname };
}

/** Whether the host is a target the SSRF guard allows (every address it resolves to). */
export async function websiteAllowed(site: WebsiteUrl, policy: WebsitePolicy): Promise<boolean> {
  if (policy.allowPrivateTargets) return true; // only metadata would be refused, which names do not resolve to
  const signal = AbortSignal.timeout(policy.lookupTimeoutMs ?? 2_000);
  let addresses: string[];
  try {
    addresses = (await raceAbort((policy.lookup ?? systemLookup)(site.hostname), signal)).map((a) => a.address);
  } catch {
    return true;
  }
  return addresses.every((a) => checkAddress(a, policy).allowed);
}
