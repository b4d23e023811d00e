/**
 * The record types a Dns check can ask for: how each is queried through a c-ares
 * `Resolver`, how its records are written down (presentation form, "10 mail.example.test"
 * for MX) and how a value is normalised before an answer is compared with expected values,
 * so that letter case, a trailing dot or another spelling of an IPv6 address does not make
 * two equal values differ.
 */
import type { CaaRecord } from 'node:dns';
import type { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { DnsMatchMode, DnsRecordType } from '../../proto/generated/pharos/v1/check.js';

/** What one field of a presentation form is, which decides how it is compared. */
type Field = 'number' | 'name' | 'ipv4' | 'ipv6' | 'tag' | 'quoted' | 'text';

export interface RecordKind {
  /** "A", "MX", … */
  name: string;
  /** The records of `hostname`, each in presentation form; rejects with the c-ares code. */
  query(resolver: Resolver, hostname: string): Promise<string[]>;
  /** Fields of the presentation form, space-separated; the last takes the rest of the value. */
  fields: readonly Field[];
}

const KINDS: ReadonlyMap<DnsRecordType, RecordKind> = new Map<DnsRecordType, RecordKind>([
  [DnsRecordType.DNS_RECORD_TYPE_A, { name: 'A', fields: ['ipv4'], query: (r, host) => r.resolve4(host) }],
  [DnsRecordType.DNS_RECORD_TYPE_AAAA, { name: 'AAAA', fields: ['ipv6'], query: (r, host) => r.resolve6(host) }],
  [DnsRecordType.DNS_RECORD_TYPE_CNAME, { name: 'CNAME', fields: ['name'], query: (r, host) => r.resolveCname(host) }],
  [
    DnsRecordType.DNS_RECORD_TYPE_MX,
    {
      name: 'MX',
      fields: ['number', 'name'],
      query: async (r, host) => (await r.resolveMx(host)).map((mx) => `${mx.priority} ${mx.exchange}`),
    },
  ],
  [DnsRecordType.DNS_RECORD_TYPE_NS, { name: 'NS', fields: ['name'], query: (r, host) => r.resolveNs(host) }],
  [
    DnsRecordType.DNS_RECORD_TYPE_TXT,
    { name: 'TXT', fields: ['text'], query: async (r, host) => (await r.resolveTxt(host)).map((chunks) => chunks.join('')) },
  ],
  [
    DnsRecordType.DNS_RECORD_TYPE_SOA,
    {
      name: 'SOA',
      fields: ['name', 'name', 'number', 'number', 'number', 'number', 'number'],
      query: async (r, host) => {
        const soa = await r.resolveSoa(host);
        return [`${soa.nsname} ${soa.hostmaster} ${soa.serial} ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minttl}`];
      },
    },
  ],
  [
    DnsRecordType.DNS_RECORD_TYPE_CAA,
    {
      name: 'CAA',
      fields: ['number', 'tag', 'quoted'],
      query: async (r, host) => (await r.resolveCaa(host)).map(presentCaa),
    },
  ],
  [
    DnsRecordType.DNS_RECORD_TYPE_SRV,
    {
      name: 'SRV',
      fields: ['number', 'number', 'number', 'name'],
      query: async (r, host) => (await r.resolveSrv(host)).map((srv) => `${srv.priority} ${srv.weight} ${srv.port} ${srv.name}`),
    },
  ],
  // Not `Resolver.reverse`: it goes through ares_gethostbyaddr, which answers from /etc/hosts
  // before asking the resolver, so a check of 127.0.0.1 would never reach the resolver.
  [DnsRecordType.DNS_RECORD_TYPE_PTR, { name: 'PTR', fields: ['name'], query: (r, host) => r.resolvePtr(reverseName(host)) }],
]);

/** The kind of record a setting asks for; undefined for an unspecified or unknown type. */
export function recordKindOf(type: DnsRecordType): RecordKind | undefined {
  return KINDS.get(type);
}

/** The in-addr.arpa / ip6.arpa name of an IP address; any other name is returned as is. */
export function reverseName(hostname: string): string {
  switch (isIP(hostname)) {
    case 4:
      return `${hostname.split('.').reverse().join('.')}.in-addr.arpa`;
    case 6: {
      const nibbles = ipaddr.IPv6.parse(hostname)
        .parts.map((part) => part.toString(16).padStart(4, '0'))
        .join('');
      return `${[...nibbles].reverse().join('.')}.ip6.arpa`;
    }
    default:
      return hostname;
  }
}

/**
 * Why the answer's values do not meet the expectation, or undefined when they do (always,
 * for an unspecified match mode).
 */
export function valuesMismatch(kind: RecordKind, mode: DnsMatchMode, expected: string[], actual: string[]): string | undefined {
  // The match mode compares expected values; without any there is nothing to compare.
  if (expected.length === 0) return undefined;
  const answer = new Set(actual.map((value) => normalise(kind, value)));
  const wanted = new Set(expected.map((value) => normalise(kind, value)));
  const found = [...wanted].filter((value) => answer.has(value)).length;
  let passed: boolean;
  let verb: string;
  switch (mode) {
    case DnsMatchMode.DNS_MATCH_MODE_UNSPECIFIED:
      return undefined;
    case DnsMatchMode.DNS_MATCH_MODE_EQUALS:
      [passed, verb] = [found === wanted.size && found === answer.size, 'equal'];
      break;
    case DnsMatchMode.DNS_MATCH_MODE_CONTAINS:
      [passed, verb] = [found === wanted.size, 'contain'];
      break;
    case DnsMatchMode.DNS_MATCH_MODE_NONE:
      [passed, verb] = [found === 0, 'include none of'];
      break;
  }
  return passed ? undefined : `expected ${kind.name} values to ${verb} ${list(expected)}, got ${list(actual)}`;
}

function list(values: string[]): string {
  return `[${values.join(', ')}]`;
}

/** The form in which two values of `kind` are equal when they mean the same record. */
function normalise(kind: RecordKind, value: string): string {
  const parts = splitFields(value, kind.fields.length);
  return parts.map((part, i) => normaliseField(kind.fields[i], part)).join(' ');
}

function splitFields(value: string, count: number): string[] {
  if (count === 1) return [value];
  const parts: string[] = [];
  let rest = value.trim();
  while (parts.length < count - 1) {
    const space = rest.search(/\s/);
    if (space < 0) break;
    parts.push(rest.slice(0, space));
    rest = rest.slice(space).trimStart();
  }
  return [...parts, rest];
}

function normaliseField(field: Field, value: string): string {
  switch (field) {
    case 'number':
      return /^\d+$/.test(value) ? String(Number(value)) : value;
    case 'name':
      return value.trim().toLowerCase().replace(/\.$/, '');
    case 'ipv4':
      return value.trim();
    case 'ipv6':
      return ipaddr.IPv6.isValid(value.trim()) ? ipaddr.IPv6.parse(value.trim()).toRFC5952String() : value.trim().toLowerCase();
    case 'tag':
      return value.toLowerCase();
    case 'quoted':
      return unquote(value);
    case 'text':
      return value;
  }
}

/**
 * `0 issue "letsencrypt.org"`: c-ares gives the flags as `critical` and the value under its
 * tag; Node 24 adds `type: 'CAA'` to the record, which is not a tag.
 */
const CAA_META = new Set(['critical', 'type']);

function presentCaa(record: CaaRecord): string {
  const [tag, value] = Object.entries(record).find(([key]) => !CAA_META.has(key)) ?? ['', ''];
  return `${record.critical} ${tag} "${String(value).replace(/["\\]/g, '\\$&')}"`;
}

/** A CAA value may be written with or without quotes; compared without them. */
function unquote(value: string): string {
  const quoted = /^"(.*)"$/s.exec(value);
  return quoted ? quoted[1].replace(/\\(.)/gs, '$1') : value;
}
