/**
 * The name a Domain check asks registries about. A tenant's input must be a domain name
 * (no address, no port, no URL), and registries only know registered names, so a subdomain
 * is cut back to the registered name where that can be done without a public-suffix list.
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

export interface DomainName {
  /** ASCII (punycode) and lower case, without a trailing dot, e.g. "www.example.com". */
  name: string;
  tld: string;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
/**
 * Generic TLDs whose registry also registers names one level further down (law.pro,
 * john.smith.name, …): under these a name is taken as given.
 */
const MULTI_LEVEL_GENERIC_TLDS = new Set(['aero', 'arpa', 'int', 'museum', 'name', 'pro']);

/** The domain name in `input`, or undefined when `input` is not one. */
export function parseDomainName(input: string): DomainName | undefined {
  const trimmed = input.trim().replace(/\.$/, '');
  if (trimmed === '' || isIP(trimmed) || trimmed.length > 253) return undefined;
  const name = domainToASCII(trimmed);
  if (name === '' || name.length > 253) return undefined;
  const labels = name.split('.');
  const tld = labels[labels.length - 1];
  if (labels.length < 2 || !TLD.test(tld) || !labels.every((label) => LABEL.test(label))) return undefined;
  return { name, tld };
}

/**
 * The registered name to look up. Under a generic TLD (three letters or more, e.g. .com,
 * .app) the registry registers at the second level only, so "www.example.com" becomes
 * "example.com". Under a country-code or IDN TLD the registered level varies (example.co.uk,
 * example.de), and without a public-suffix list the name is taken as given.
 */
export function registeredName(domain: DomainName): string {
  const generic = /^[a-z]{3,}$/.test(domain.tld) && !MULTI_LEVEL_GENERIC_TLDS.has(domain.tld);
  return generic ? domain.name.split('.').slice(-2).join('.') : domain.name;
}
