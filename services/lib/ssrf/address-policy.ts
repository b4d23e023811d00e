/**
 * Which IP addresses a tenant-controlled request may connect to (the SSRF guard's policy,
 * DESIGN.md §6 and docs/decisions.md "SSRF guard"). Pure: it classifies an address that has
 * already been resolved and never touches the network.
 *
 * Only public unicast space is always allowed. Loopback, private, link-local, CGNAT,
 * multicast, unspecified, broadcast and reserved space is allowed only when the operator
 * allows private targets; cloud metadata endpoints never are. IPv6 forms that carry an IPv4
 * address (mapped, compatible, SIIT-translated, NAT64, 6to4) are judged by that IPv4 address.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export type AddressCategory =
  | 'public'
  | 'metadata'
  | 'loopback'
  | 'private'
  | 'uniqueLocal'
  | 'siteLocal'
  | 'linkLocal'
  | 'carrierGradeNat'
  | 'multicast'
  | 'unspecified'
  | 'broadcast'
  | 'reserved';

export type EmbeddingForm = 'IPv4-mapped' | 'IPv4-compatible' | 'IPv4-translated' | 'NAT64' | '6to4';

export interface AddressClassification {
  address: string;
  category: AddressCategory;
  /** The special range matched, e.g. "10.0.0.0/8"; absent for public addresses. */
  range?: string;
  /** Set when an IPv6 form carries an IPv4 address; the category is that address's. */
  embedded?: { form: EmbeddingForm; ipv4: string };
}

export interface AddressPolicy {
  /** Loopback, private, link-local, CGNAT and reserved space (never cloud metadata). */
  allowPrivateTargets: boolean;
}

export type AddressVerdict =
  | { allowed: true; classification: AddressClassification }
  | { allowed: false; classification: AddressClassification; reason: string };

interface SpecialRange {
  cidr: string;
  category: Exclude<AddressCategory, 'public'>;
}

/**
 * Instance metadata and credential endpoints: refused even when private targets are
 * allowed, because a request there hands the tenant the host's cloud credentials.
 */
const METADATA: readonly string[] = [
  '169.254.169.254/32', // AWS, GCP, Azure, OCI, DigitalOcean, OpenStack and most others
  '169.254.170.2/32', // AWS ECS task credentials
  '169.254.170.23/32', // AWS EKS Pod Identity agent
  '100.100.100.200/32', // Alibaba Cloud
  'fd00:ec2::254/128', // AWS IMDS over IPv6
  'fd00:ec2::23/128', // AWS EKS Pod Identity agent over IPv6
  'fd20:ce::254/128', // GCP metadata server over IPv6
];

/** IPv4 special-purpose space (IANA registry), first match wins. */
const IPV4_RANGES: readonly SpecialRange[] = [
  { cidr: '0.0.0.0/8', category: 'unspecified' }, // "this network"; 0.0.0.0 reaches localhost on Linux
  { cidr: '10.0.0.0/8', category: 'private' },
  { cidr: '100.64.0.0/10', category: 'carrierGradeNat' },
  { cidr: '127.0.0.0/8', category: 'loopback' },
  { cidr: '169.254.0.0/16', category: 'linkLocal' },
  { cidr: '172.16.0.0/12', category: 'private' },
  { cidr: '192.0.0.0/24', category: 'reserved' }, // IETF protocol assignments
  { cidr: '192.0.2.0/24', category: 'reserved' }, // TEST-NET-1 (documentation)
  { cidr: '192.88.99.0/24', category: 'reserved' }, // deprecated 6to4 relay anycast
  { cidr: '192.168.0.0/16', category: 'private' },
  { cidr: '198.18.0.0/15', category: 'reserved' }, // benchmarking
  { cidr: '198.51.100.0/24', category: 'reserved' }, // TEST-NET-2
  { cidr: '203.0.113.0/24', category: 'reserved' }, // TEST-NET-3
  { cidr: '224.0.0.0/4', category: 'multicast' },
  { cidr: '255.255.255.255/32', category: 'broadcast' },
  { cidr: '240.0.0.0/4', category: 'reserved' }, // future use
];

/** IPv6 special-purpose space that carries no IPv4 address, first match wins. */
const IPV6_RANGES: readonly SpecialRange[] = [
  { cidr: '::/128', category: 'unspecified' },
  { cidr: '::1/128', category: 'loopback' },
  { cidr: '64:ff9b:1::/48', category: 'reserved' }, // local-use NAT64 (RFC 8215): site-specific translation
  { cidr: '100::/64', category: 'reserved' }, // discard
  { cidr: '2001::/32', category: 'reserved' }, // Teredo: tunnels into IPv4 space we cannot see
  { cidr: '2001:2::/48', category: 'reserved' }, // benchmarking
  { cidr: '2001:10::/28', category: 'reserved' }, // ORCHID (deprecated)
  { cidr: '2001:20::/28', category: 'reserved' }, // ORCHIDv2 (identifiers, not locators)
  { cidr: '2001:db8::/32', category: 'reserved' }, // documentation
  { cidr: '3fff::/20', category: 'reserved' }, // documentation (RFC 9637)
  { cidr: '5f00::/16', category: 'reserved' }, // SRv6 SIDs
  { cidr: 'fc00::/7', category: 'uniqueLocal' },
  { cidr: 'fe80::/10', category: 'linkLocal' },
  { cidr: 'fec0::/10', category: 'siteLocal' },
  { cidr: 'ff00::/8', category: 'multicast' },
];

/** IPv6 prefixes whose low bits carry an IPv4 address, and where. */
const IPV6_EMBEDDINGS: ReadonlyArray<{ cidr: string; form: EmbeddingForm; at: number }> = [
  { cidr: '::ffff:0:0/96', form: 'IPv4-mapped', at: 6 },
  { cidr: '::ffff:0:0:0/96', form: 'IPv4-translated', at: 6 }, // SIIT (RFC 6145)
  { cidr: '64:ff9b::/96', form: 'NAT64', at: 6 }, // well-known NAT64 prefix (RFC 6052)
  { cidr: '2002::/16', form: '6to4', at: 1 },
  { cidr: '::/96', form: 'IPv4-compatible', at: 6 }, // deprecated (RFC 4291 §2.5.5.1); after ::/128 and ::1/128
];

/** Only global unicast space (2000::/3) is assigned on the IPv6 internet. */
const IPV6_GLOBAL_UNICAST = parsed('2000::/3');

/**
 * Ranges ipaddr.js knows that stay allowed; anything else it names and our tables miss
 * (a range a later ipaddr.js adds) is refused as reserved rather than trusted.
 */
const PUBLIC_LIBRARY_RANGES = new Set(['unicast', 'as112', 'as112v6', 'amt']);

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

function parsed(cidr: string): Cidr {
  return ipaddr.parseCIDR(cidr);
}

const METADATA_CIDRS = METADATA.map((cidr) => ({ cidr, parsed: parsed(cidr) }));
const IPV4_CIDRS = IPV4_RANGES.map((r) => ({ ...r, parsed: parsed(r.cidr) }));
const IPV6_CIDRS = IPV6_RANGES.map((r) => ({ ...r, parsed: parsed(r.cidr) }));
const EMBEDDING_CIDRS = IPV6_EMBEDDINGS.map((r) => ({ ...r, parsed: parsed(r.cidr) }));

function within(addr: ipaddr.IPv4 | ipaddr.IPv6, range: Cidr): boolean {
  return addr.kind() === range[0].kind() && addr.match(range);
}

/**
 * Classifies one IP address (dotted-quad IPv4 or IPv6, optionally with a zone). Anything
 * else throws: callers pass resolved addresses, and lenient forms such as "0177.0.0.1" are
 * not addresses the agent would connect to.
 */
export function classifyAddress(address: string): AddressClassification {
  const family = isIP(address);
  if (!family) throw new TypeError(`"${address}" is not an IP address`);
  if (family === 4) return classifyIpv4(address, ipaddr.IPv4.parse(address));
  return classifyIpv6(address, ipaddr.IPv6.parse(hexTail(address)));
}

/**
 * Rewrites a dotted IPv4 tail as two hex groups ("::127.0.0.1" → "::7f00:1"): ipaddr.js
 * reads "::a.b.c.d" as the IPv4-mapped "::ffff:a.b.c.d", but the socket connects to the
 * IPv4-compatible address that text means.
 */
function hexTail(address: string): string {
  const zoneAt = address.indexOf('%');
  const bare = zoneAt < 0 ? address : address.slice(0, zoneAt);
  const zone = zoneAt < 0 ? '' : address.slice(zoneAt);
  const group = (high: string, low: string) => ((Number(high) << 8) | Number(low)).toString(16);
  const hex = bare.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) => `${group(a, b)}:${group(c, d)}`);
  return hex + zone;
}

function classifyIpv4(address: string, addr: ipaddr.IPv4): AddressClassification {
  const metadata = METADATA_CIDRS.find((m) => within(addr, m.parsed));
  if (metadata) return { address, category: 'metadata', range: metadata.cidr };
  const special = IPV4_CIDRS.find((r) => within(addr, r.parsed));
  if (special) return { address, category: special.category, range: special.cidr };
  return libraryFallback(address, addr);
}

function classifyIpv6(address: string, addr: ipaddr.IPv6): AddressClassification {
  const metadata = METADATA_CIDRS.find((m) => within(addr, m.parsed));
  if (metadata) return { address, category: 'metadata', range: metadata.cidr };
  const special = IPV6_CIDRS.find((r) => within(addr, r.parsed));
  if (special) return { address, category: special.category, range: special.cidr };

  const embedding = EMBEDDING_CIDRS.find((r) => within(addr, r.parsed));
  if (embedding) {
    const ipv4 = embedding.form === 'IPv4-mapped' ? addr.toIPv4Address() : ipv4At(addr, embedding.at);
    const inner = classifyIpv4(ipv4.toString(), ipv4);
    const embedded = { form: embedding.form, ipv4: ipv4.toString() };
    if (inner.category !== 'public') return { address, category: inner.category, range: inner.range, embedded };
    // A compatible address is never routed to its IPv4 address any more; refuse it outright.
    if (embedding.form === 'IPv4-compatible') return { address, category: 'reserved', range: embedding.cidr, embedded };
    return { address, category: 'public', embedded };
  }

  if (!within(addr, IPV6_GLOBAL_UNICAST)) return { address, category: 'reserved', range: 'outside 2000::/3' };
  return libraryFallback(address, addr);
}

function ipv4At(addr: ipaddr.IPv6, part: number): ipaddr.IPv4 {
  const high = addr.parts[part];
  const low = addr.parts[part + 1];
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function libraryFallback(address: string, addr: ipaddr.IPv4 | ipaddr.IPv6): AddressClassification {
  const name = addr.range();
  if (PUBLIC_LIBRARY_RANGES.has(name)) return { address, category: 'public' };
  return { address, category: 'reserved', range: name };
}

/** Applies the operator's policy to one address. */
export function checkAddress(address: string, policy: AddressPolicy): AddressVerdict {
  const classification = classifyAddress(address);
  const { category } = classification;
  if (category === 'public') return { allowed: true, classification };
  if (category === 'metadata') {
    return {
      allowed: false,
      classification,
      reason: `${placement(classification)}; metadata endpoints are refused even where private targets are allowed`,
    };
  }
  if (policy.allowPrivateTargets) return { allowed: true, classification };
  return {
    allowed: false,
    classification,
    reason: `${placement(classification)}; private targets are disabled on this network`,
  };
}

const CATEGORY_LABEL: Record<Exclude<AddressCategory, 'public'>, string> = {
  metadata: 'a cloud metadata endpoint',
  loopback: 'the loopback range',
  private: 'a private range',
  uniqueLocal: 'a private (unique local) range',
  siteLocal: 'a private (site-local) range',
  linkLocal: 'a link-local range',
  carrierGradeNat: 'the carrier-grade NAT range',
  multicast: 'a multicast range',
  unspecified: 'the unspecified range',
  broadcast: 'the broadcast address',
  reserved: 'a reserved range',
};

function placement(c: AddressClassification): string {
  const label = CATEGORY_LABEL[c.category as keyof typeof CATEGORY_LABEL];
  const where = c.category === 'metadata' ? `is ${label} (${c.range})` : `is in ${label} (${c.range})`;
  return c.embedded ? `is the ${c.embedded.form} form of ${c.embedded.ipv4}, which ${where}` : where;
}
