/**
 * IANA's RDAP bootstrap for domain names (RFC 9224): which RDAP server serves which TLD.
 * A copy ships with the agent; an operator can refresh it into a file of their own
 * (refresh.ts), which then wins. The data is read from disk, never fetched during a check,
 * and read again only when that file changes, so a refresh needs no restart.
 */
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The shape of https://data.iana.org/rdap/dns.json. */
export interface RdapBootstrap {
  version: string;
  publication: string;
  description?: string;
  /** Each service: [domain suffixes (TLDs), base URLs]. */
  services: [string[], string[]][];
}

export const SHIPPED_RDAP_BOOTSTRAP_FILE = fileURLToPath(new URL('./rdap-dns-bootstrap.json', import.meta.url));

/** `value` as a bootstrap, or an error saying which part does not have IANA's shape. */
export function parseRdapBootstrap(value: unknown): RdapBootstrap {
  const data = value as Partial<RdapBootstrap> | null;
  if (typeof data !== 'object' || data === null) throw new Error('is not a JSON object');
  if (typeof data.version !== 'string') throw new Error('has no "version" string');
  if (typeof data.publication !== 'string') throw new Error('has no "publication" string');
  if (!Array.isArray(data.services) || data.services.length === 0) throw new Error('has no "services"');
  data.services.forEach((service: unknown, i) => {
    if (!Array.isArray(service) || service.length < 2) throw new Error(`services[${i}] is not [suffixes, urls]`);
    const [suffixes, urls] = service as unknown[];
    if (!isStringArray(suffixes)) throw new Error(`services[${i}][0] is not a list of domain suffixes`);
    if (!isStringArray(urls) || !urls.every(isHttpUrl)) throw new Error(`services[${i}][1] is not a list of http(s) URLs`);
  });
  return data as RdapBootstrap;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '');
}

function isHttpUrl(value: string): boolean {
  return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
}

/** The services of one bootstrap, by domain suffix. */
export class RdapServiceIndex {
  private readonly bySuffix = new Map<string, string[]>();

  constructor(bootstrap: RdapBootstrap) {
    for (const [suffixes, urls] of bootstrap.services) {
      for (const suffix of suffixes) this.bySuffix.set(suffix.toLowerCase(), urls);
    }
  }

  /**
   * The base URL (ending in "/") of the RDAP service for `name`: the longest matching
   * suffix wins (RFC 9224), and https is preferred. Undefined when no service covers it.
   */
  baseUrlFor(name: string): string | undefined {
    const labels = name.split('.');
    for (let i = 1; i < labels.length; i++) {
      const urls = this.bySuffix.get(labels.slice(i).join('.'));
      if (!urls) continue;
      const url = urls.find((candidate) => candidate.startsWith('https:')) ?? urls[0];
      return url.endsWith('/') ? url : `${url}/`;
    }
    return undefined;
  }
}

/** The bootstrap a lookup uses right now. */
export type RdapBootstrapSource = () => Promise<RdapServiceIndex>;

/**
 * `option` is the bootstrap itself, or the path of the operator's file (used when it
 * exists, the shipped copy otherwise), or undefined for the shipped copy.
 */
export function rdapBootstrapSource(option: RdapBootstrap | string | undefined): RdapBootstrapSource {
  if (typeof option === 'object') {
    let given: RdapServiceIndex | undefined;
    return async () => (given ??= indexOf(option, 'given in the agent settings'));
  }
  let shipped: Promise<RdapServiceIndex> | undefined;
  const shippedIndex = () => (shipped ??= readIndex(SHIPPED_RDAP_BOOTSTRAP_FILE));
  if (option === undefined) return shippedIndex;

  const file = option;
  let current: { version: string; index: Promise<RdapServiceIndex> } | undefined;
  return async () => {
    const stats = await stat(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!stats) return shippedIndex();
    // A refresh renames a new file into place: a new inode even within the same millisecond.
    const version = `${stats.ino}:${stats.mtimeMs}:${stats.size}`;
    if (current?.version !== version) current = { version, index: readIndex(file) };
    return current.index;
  };
}

async function readIndex(file: string): Promise<RdapServiceIndex> {
  const text = await readFile(file, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`RDAP bootstrap ${file} is not JSON`);
  }
  return indexOf(value, file);
}

function indexOf(value: unknown, origin: string): RdapServiceIndex {
  try {
    return new RdapServiceIndex(parseRdapBootstrap(value));
  } catch (err) {
    throw new Error(`RDAP bootstrap ${origin} ${(err as Error).message}`);
  }
}
