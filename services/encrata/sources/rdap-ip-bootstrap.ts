/**
 * IANA's RDAP bootstrap for IP addresses (RFC 9224: ipv4.json and ipv6.json, services of
 * CIDR prefixes → RDAP base URLs), like the Domain check's DNS bootstrap: a shipped subset
 * (rdap-ip-bootstrap.json) until the operator's refreshed copy exists
 * (`pharos rdap-ip-bootstrap refresh` writes both families into one file). The longest
 * matching prefix wins; https is preferred.
 */
import { readFile, stat, mkdir, open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ipaddr from 'ipaddr.js';
import { fetch } from 'undici';

export interface RdapIpBootstrap { version: string; publication: string; services: [string[], string[]][] }

export const SHIPPED_RDAP_IP_BOOTSTRAP_FILE = fileURLToPath(new URL('./rdap-ip-bootstrap.json', import.meta.url));
export const IANA_RDAP_IP_BOOTSTRAP_URLS = ['https://data.iana.org/rdap/ipv4.json', 'https://data.iana.org/rdap/ipv6.json'];

export function parseRdapIpBootstrap(value: unknown): RdapIpBootstrap {
  const data = value as Partial<RdapIpBootstrap> | null;
  if (typeof data !== 'object' || data === null || typeof data.publication !== 'string' || !Array.isArray(data.services)) throw new Error('is not an RDAP bootstrap (version, publication, services)');
  data.services.forEach((s, i) => {
    if (!Array.isArray(s) || !Array.isArray(s[0]) || !Array.isArray(s[1])) throw new Error(`services[${i}] is not [prefixes, urls]`);
    for (const prefix of s[0]) if (typeof prefix !== 'string' || !ipaddr.isValidCIDR(prefix)) throw new Error(`services[${i}] has "${String(prefix)}", not a CIDR prefix`);
    for (const url of s[1]) if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new Error(`services[${i}] has "${String(url)}", not an http(s) URL`);
  });
  return { version: data.version ?? '1.0', publication: data.publication, services: data.services };
}

export class RdapIpIndex {
  private readonly entries: Array<{ range: [ipaddr.IPv4 | ipaddr.IPv6, number]; url: string }> = [];

  constructor(bootstrap: RdapIpBootstrap) {
    for (const [prefixes, urls] of bootstrap.services) {
      const url = urls.find((u) => u.startsWith('https:')) ?? urls[0];
      if (!url) continue;
      for (const p of prefixes) this.entries.push({ range: ipaddr.parseCIDR(p), url: url.endsWith('/') ? url : `${url}/` });
    }
    this.entries.sort((a, b) => b.range[1] - a.range[1]);
  }

  /** The RDAP base URL (ending in "/") for an address; undefined when no prefix covers it. */
  baseUrlFor(address: string): string | undefined {
    const addr = ipaddr.process(address);
    return this.entries.find((e) => e.range[0].kind() === addr.kind() && addr.match(e.range))?.url;
  }
}

/** `option`: the bootstrap itself, or the operator's file (the shipped copy while it does not exist). */
export function rdapIpBootstrapSource(option: RdapIpBootstrap | string | undefined): () => Promise<RdapIpIndex> {
  if (typeof option === 'object') { const index = new RdapIpIndex(parseRdapIpBootstrap(option)); return async () => index; }
  const read = async (file: string) => new RdapIpIndex(parseRdapIpBootstrap(JSON.parse(await readFile(file, 'utf8'))));
  let shipped: Promise<RdapIpIndex> | undefined;
  const shippedIndex = () => (shipped ??= read(SHIPPED_RDAP_IP_BOOTSTRAP_FILE));
  if (option === undefined) return shippedIndex;
  let current: { version: string; index: Promise<RdapIpIndex> } | undefined;
  return async () => {
    const stats = await stat(option).catch(() => undefined);
    if (!stats) return shippedIndex();
    const version = `${stats.ino}:${stats.mtimeMs}:${stats.size}`;
    if (current?.version !== version) current = { version, index: read(option) };
    return current.index;
  };
}

/** Downloads IANA's ipv4.json and ipv6.json, checks them, and writes their union atomically. */
export async function refreshRdapIpBootstrap({ urls = IANA_RDAP_IP_BOOTSTRAP_URLS, file, signal }: { urls?: string[]; file: string; signal?: AbortSignal }): Promise<{ file: string; prefixes: number; publication: string }> {
  const parts: RdapIpBootstrap[] = [];
  for (const url of urls) {
    const res = await fetch(url, { headers: { accept: 'application/json' }, signal });
    if (!res.ok) { await res.body?.cancel(); throw new Error(`${url} answered HTTP ${res.status}`); }
    try {
      parts.push(parseRdapIpBootstrap(await res.json()));
    } catch (err) {
      throw new Error(`${url} did not send an RDAP bootstrap: it ${err instanceof SyntaxError ? 'is not JSON' : (err as Error).message}`);
    }
  }
  const merged: RdapIpBootstrap = { version: '1.0', publication: parts.map((p) => p.publication).sort().at(-1) ?? '', services: parts.flatMap((p) => p.services) };
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'w');
    try { await handle.writeFile(JSON.stringify(merged)); await handle.sync(); } finally { await handle.close(); }
    await rename(temporary, file);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
  return { file, prefixes: merged.services.reduce((n, [p]) => n + p.length, 0), publication: merged.publication };
}
