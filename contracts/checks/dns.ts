/** Dns (4): one record type of a name from a chosen or the system resolver. docs/checks/dns.md. */
import { isIP } from 'node:net';
import { Type } from 'typebox';
import { DnsMatchMode, DnsRecordType } from '../../proto/generated/pharos/v1/check.js';
import { fieldDefaults, type AgentCheckContract, type FieldProblem } from './contract.js';
import { field, nullable, stringEnum } from './fields.js';
import { TARGET_FIELDS } from './target.js';

export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT', 'SOA', 'CAA', 'SRV', 'PTR'] as const;
export type DnsRecordTypeName = (typeof DNS_RECORD_TYPES)[number];
export const DNS_MATCH_MODES = ['Equals', 'Contains', 'None'] as const;
export type DnsMatchModeName = (typeof DNS_MATCH_MODES)[number];
export const DNS_RCODES = ['NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED'] as const;
export type DnsRcodeName = (typeof DNS_RCODES)[number];

const MAX_EXPECTED_VALUES = 50;
const MAX_EXPECTED_VALUE_LENGTH = 1024;
const DNS_PORT = 53;

const fields = {
  hostname: TARGET_FIELDS.hostname,
  dnsRecordType: field<DnsRecordTypeName>(stringEnum(DNS_RECORD_TYPES, { description: 'Dns: record type to query', default: 'A' }), 'A'),
  dnsResolver: field<string | null>(nullable(Type.String({ minLength: 1, maxLength: 260, description: 'Dns: resolver as host or host:port ([v6]:port); null = the agent\'s system resolvers' })), null),
  dnsExpectedValues: field<string[]>(Type.Array(Type.String({ minLength: 1, maxLength: MAX_EXPECTED_VALUE_LENGTH }), { maxItems: MAX_EXPECTED_VALUES, description: 'Dns: values compared with the answer (presentation form, e.g. "10 mx.example.com" for MX); empty = no comparison' }), []),
  dnsMatchMode: field<DnsMatchModeName>(stringEnum(DNS_MATCH_MODES, { description: 'Dns: Equals (same set), Contains (all expected present), None (none present); applies when dnsExpectedValues is not empty', default: 'Contains' }), 'Contains'),
  dnsExpectedRcode: field<DnsRcodeName>(stringEnum(DNS_RCODES, { description: 'Dns: expected response code', default: 'NOERROR' }), 'NOERROR'),
};
export type DnsFields = { [K in keyof typeof fields]: (typeof fields)[K]['default'] };

/** A name made of labels of letters, digits, '-' and '_' (SRV owners start with '_'), with an optional trailing dot. */
const DNS_NAME = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?$/;

export function isDnsName(name: string): boolean {
  return name.replace(/\.$/, '').length <= 253 && DNS_NAME.test(name);
}

export interface ResolverAddress {
  host: string;
  port: number;
}

/** A `dnsResolver` setting: host, host:port or [v6]:port (port 53 by default); undefined when it is none of these. */
export function parseResolver(value: string): ResolverAddress | undefined {
  if (isIP(value) === 6) return { host: value, port: DNS_PORT };
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(value);
  if (!match) return undefined;
  const [, bracketed, plain, portText] = match;
  const port = portText === undefined ? DNS_PORT : Number(portText);
  if (port < 1 || port > 65535) return undefined;
  if (bracketed !== undefined) return isIP(bracketed) === 6 ? { host: bracketed, port } : undefined;
  return isIP(plain) === 4 || isDnsName(plain) ? { host: plain, port } : undefined;
}

function validate(f: DnsFields): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const knownType = (DNS_RECORD_TYPES as readonly string[]).includes(f.dnsRecordType);
  if (!knownType) problems.push({ field: '/dnsRecordType', message: `must be one of ${DNS_RECORD_TYPES.join(', ')}` });
  const reverseAddress = f.dnsRecordType === 'PTR' && f.hostname !== null && isIP(f.hostname) !== 0;
  if (!f.hostname) problems.push({ field: '/hostname', message: 'is required for Dns monitors' });
  else if (!reverseAddress && !isDnsName(f.hostname)) {
    problems.push({ field: '/hostname', message: `must be a valid DNS name${f.dnsRecordType === 'PTR' ? ' or IP address' : ''}` });
  }
  if (f.dnsResolver !== null && !parseResolver(f.dnsResolver)) problems.push({ field: '/dnsResolver', message: 'must be host or host:port' });
  if (f.dnsExpectedValues.length > MAX_EXPECTED_VALUES) {
    problems.push({ field: '/dnsExpectedValues', message: `has ${f.dnsExpectedValues.length} values; at most ${MAX_EXPECTED_VALUES} are allowed` });
  }
  f.dnsExpectedValues.forEach((value, i) => {
    if (value.length === 0 || value.length > MAX_EXPECTED_VALUE_LENGTH) {
      problems.push({ field: `/dnsExpectedValues/${i}`, message: `must be 1 to ${MAX_EXPECTED_VALUE_LENGTH} characters` });
    }
  });
  if (!(DNS_MATCH_MODES as readonly string[]).includes(f.dnsMatchMode)) problems.push({ field: '/dnsMatchMode', message: `must be one of ${DNS_MATCH_MODES.join(', ')}` });
  if (!(DNS_RCODES as readonly string[]).includes(f.dnsExpectedRcode)) problems.push({ field: '/dnsExpectedRcode', message: `must be one of ${DNS_RCODES.join(', ')}` });
  return problems;
}

const MATCH_MODE_ENUM: { readonly [N in DnsMatchModeName]: DnsMatchMode } = {
  Equals: DnsMatchMode.DNS_MATCH_MODE_EQUALS,
  Contains: DnsMatchMode.DNS_MATCH_MODE_CONTAINS,
  None: DnsMatchMode.DNS_MATCH_MODE_NONE,
};
const MATCH_MODE_NAME = new Map(Object.entries(MATCH_MODE_ENUM).map(([name, value]) => [value, name as DnsMatchModeName]));

export const recordTypeEnum = (name: DnsRecordTypeName): DnsRecordType => DnsRecordType[`DNS_RECORD_TYPE_${name}`];
const recordTypeName = (value: DnsRecordType): DnsRecordTypeName =>
  (DnsRecordType[value]?.replace('DNS_RECORD_TYPE_', '') ?? String(value)) as DnsRecordTypeName;

export const dnsContract: AgentCheckContract<DnsFields, 'dns'> = {
  type: 'Dns',
  typeNumber: 4,
  settingsCase: 'dns',
  fields,
  validate,
  toSettings: (f) => ({
    hostname: f.hostname ?? '',
    recordType: recordTypeEnum(f.dnsRecordType),
    resolver: f.dnsResolver ?? undefined,
    expectedValues: f.dnsExpectedValues,
    matchMode: MATCH_MODE_ENUM[f.dnsMatchMode],
    expectedRcode: f.dnsExpectedRcode,
  }),
  fromSettings: (s) => ({
    hostname: s.hostname === '' ? null : s.hostname,
    dnsRecordType: recordTypeName(s.recordType),
    dnsResolver: s.resolver ?? null,
    dnsExpectedValues: s.expectedValues,
    dnsMatchMode: MATCH_MODE_NAME.get(s.matchMode) ?? (String(s.matchMode) as DnsMatchModeName),
    dnsExpectedRcode: s.expectedRcode as DnsRcodeName,
  }),
};

export const dnsDefaults = (): DnsFields => fieldDefaults(fields);
