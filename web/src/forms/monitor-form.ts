/**
 * The monitor form's values, their checks before sending, and the API body they become.
 * The API is the authority (its field errors are shown at the field, problemsByField); these
 * checks mirror its contracts (contracts/monitor.ts, contracts/checks/*) for the fields the
 * form shows, so most mistakes are caught before a round trip. Pure: unit-tested in Node.
 */
import type { FieldProblem } from './problems.js';

export const MONITOR_TYPES = ['Website', 'Port', 'Ping', 'Dns', 'Domain', 'Job'] as const;
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export const ASSERTION_SOURCES = ['StatusCode', 'ResponseTime', 'Header', 'Body', 'JsonPath'] as const;
export const ASSERTION_OPERATORS = ['Equals', 'NotEquals', 'Contains', 'NotContains', 'Matches', 'LessThan', 'GreaterThan', 'In', 'Between', 'Exists', 'NotExists'] as const;
export const MAX_ASSERTIONS = 20;
export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT', 'SOA', 'CAA', 'SRV', 'PTR'] as const;
export const DNS_MATCH_MODES = ['Equals', 'Contains', 'None'] as const;
export const DNS_RCODES = ['NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED'] as const;

/** One typed assertion as the form edits it (strings; empty = none). */
export interface AssertionValues {
  source: string;
  property: string;
  operator: string;
  target: string;
}

/** What the form edits: text inputs hold strings until they become the body. */
export interface MonitorFormValues {
  name: string;
  type: (typeof MONITOR_TYPES)[number];
  url: string;
  hostname: string;
  port: string;
  httpMethod: string;
  expectedStatusCode: string;
  intervalSeconds: string;
  timeoutSeconds: string;
  failureThreshold: string;
  recoveryThreshold: string;
  keyword: string;
  keywordAbsent: boolean;
  followRedirects: boolean;
  maxRedirects: string;
  ignoreTlsErrors: boolean;
  sslExpiryWarningDays: string;
  requestHeaders: string;
  requestBody: string;
  p95ThresholdMs: string;
  cronExpression: string;
  periodSeconds: string;
  alertOnDown: boolean;
  alertOnRecovered: boolean;
  regions: string[];
  tags: string;
  alertChannelIds: string[];
  assertions: AssertionValues[];
  regionQuorum: string;
  p95WindowSeconds: string;
  escalationPolicyId: string;
  pingCount: string;
  pingIntervalMs: string;
  pingTimeoutMs: string;
  pingMaxPacketLossPercent: string;
  dnsRecordType: string;
  dnsResolver: string;
  dnsExpectedValues: string;
  dnsMatchMode: string;
  dnsExpectedRcode: string;
  domainExpiryWarningDays: string;
  timezone: string;
  graceSeconds: string;
}

/** The other types' own settings at their contract defaults (contracts/checks/*.ts). */
const TYPE_DEFAULTS = {
  regionQuorum: '', p95WindowSeconds: '300', escalationPolicyId: '', pingCount: '3', pingIntervalMs: '500', pingTimeoutMs: '2000', pingMaxPacketLossPercent: '50',
  dnsRecordType: 'A', dnsResolver: '', dnsExpectedValues: '', dnsMatchMode: 'Contains', dnsExpectedRcode: 'NOERROR', domainExpiryWarningDays: '30', timezone: 'UTC', graceSeconds: '300',
};

/** Fields of a monitor the API answers with but does not accept back. */
const READ_ONLY = ['id', 'status', 'unknownRegions', 'maintenanceWindowId', 'uptimePercentage', 'lastCheckedAt', 'createdAt', 'updatedAt', 'pingToken', 'pingUrl'];

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));

export function emptyForm(regions: string[]): MonitorFormValues {
  return {
    name: '', type: 'Website', url: '', hostname: '', port: '', httpMethod: 'GET', expectedStatusCode: '200', intervalSeconds: '60', timeoutSeconds: '',
    failureThreshold: '1', recoveryThreshold: '1', keyword: '', keywordAbsent: false, followRedirects: true, maxRedirects: '5', ignoreTlsErrors: false,
    sslExpiryWarningDays: '14', requestHeaders: '', requestBody: '', p95ThresholdMs: '', cronExpression: '', periodSeconds: '',
    alertOnDown: true, alertOnRecovered: true, regions: [...regions], tags: '', alertChannelIds: [], assertions: [], ...TYPE_DEFAULTS,
  };
}

/** The form's values for an existing monitor (as GET /api/monitors/{id} answers). */
export function formFromMonitor(m: Record<string, any>): MonitorFormValues {
  return {
    name: str(m.name), type: m.type, url: str(m.url), hostname: str(m.hostname), port: str(m.port), httpMethod: str(m.httpMethod) || 'GET',
    expectedStatusCode: str(m.expectedStatusCode), intervalSeconds: str(m.intervalSeconds), timeoutSeconds: str(m.timeoutSeconds),
    failureThreshold: str(m.failureThreshold), recoveryThreshold: str(m.recoveryThreshold), keyword: str(m.keyword), keywordAbsent: !!m.keywordAbsent,
    followRedirects: m.followRedirects !== false, maxRedirects: str(m.maxRedirects), ignoreTlsErrors: !!m.ignoreTlsErrors, sslExpiryWarningDays: str(m.sslExpiryWarningDays),
    requestHeaders: Object.entries((m.requestHeaders ?? {}) as Record<string, string>).map(([k, v]) => `${k}: ${v}`).join('\n'), requestBody: str(m.requestBody),
    p95ThresholdMs: str(m.p95ThresholdMs), cronExpression: str(m.cronExpression), periodSeconds: str(m.periodSeconds),
    alertOnDown: m.alertOnDown !== false, alertOnRecovered: m.alertOnRecovered !== false, regions: [...(m.regions ?? [])], tags: (m.tags ?? []).join(', '), alertChannelIds: [...(m.alertChannelIds ?? [])],
    assertions: ((m.assertions ?? []) as Array<Record<string, unknown>>).map((a) => ({ source: str(a.source), property: str(a.property), operator: str(a.operator), target: str(a.target) })),
    ...Object.fromEntries(Object.entries(TYPE_DEFAULTS).map(([k, d]) => [k, m[k] === undefined ? d : str(m[k])])) as typeof TYPE_DEFAULTS,
    dnsExpectedValues: ((m.dnsExpectedValues ?? []) as string[]).join('\n'),
  };
}

const INTEGER = /^-?\d+$/;

function integer(problems: FieldProblem[], field: string, value: string, min: number, max: number, required = true): number | null {
  const v = value.trim();
  if (!v) {
    if (required) problems.push({ field: `/${field}`, message: 'is required' });
    return null;
  }
  if (!INTEGER.test(v) || Number(v) < min || Number(v) > max) {
    problems.push({ field: `/${field}`, message: `must be a whole number from ${min} to ${max}` });
    return null;
  }
  return Number(v);
}

/** "Name: value" lines → headers; a line without a colon is a problem. */
export function parseHeaders(text: string, problems: FieldProblem[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const i = line.indexOf(':');
    if (i <= 0) {
      problems.push({ field: '/requestHeaders', message: `"${line.slice(0, 40)}" is not "Name: value"` });
      continue;
    }
    const name = line.slice(0, i).trim();
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) problems.push({ field: '/requestHeaders', message: `header name "${name.slice(0, 40)}" is not valid` });
    out[name] = line.slice(i + 1).trim();
  }
  return out;
}

/**
 * Checks the values and builds the body of POST /api/monitors or PUT /api/monitors/{id}.
 * Editing starts from the monitor as stored (`base`), so settings the form does not show
 * (assertions, DNS records…) are sent back unchanged rather than reset by the PUT.
 */
export function monitorBody(v: MonitorFormValues, base?: Record<string, any>): { body: Record<string, unknown>; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const body: Record<string, unknown> = {};
  if (base) for (const [k, val] of Object.entries(base)) if (!READ_ONLY.includes(k)) body[k] = val;
  const name = v.name.trim();
  if (!name) problems.push({ field: '/name', message: 'is required' });
  else if (name.length > 200) problems.push({ field: '/name', message: 'must be at most 200 characters' });
  body.name = name;
  body.type = v.type;
  body.intervalSeconds = integer(problems, 'intervalSeconds', v.intervalSeconds, 1, 86_400);
  const timeout = integer(problems, 'timeoutSeconds', v.timeoutSeconds, 1, 300, false);
  if (timeout !== null && typeof body.intervalSeconds === 'number' && timeout > body.intervalSeconds) problems.push({ field: '/timeoutSeconds', message: 'must not exceed the interval' });
  if (timeout !== null) body.timeoutSeconds = timeout; else delete body.timeoutSeconds;
  body.failureThreshold = integer(problems, 'failureThreshold', v.failureThreshold, 1, 100);
  body.recoveryThreshold = integer(problems, 'recoveryThreshold', v.recoveryThreshold, 1, 100);
  body.p95ThresholdMs = integer(problems, 'p95ThresholdMs', v.p95ThresholdMs, 1, 300_000, false);
  body.alertOnDown = v.alertOnDown;
  body.alertOnRecovered = v.alertOnRecovered;
  if (v.regions.length === 0) problems.push({ field: '/regions', message: 'choose at least one region' });
  body.regions = v.regions;
  body.tags = [...new Set(v.tags.split(',').map((t) => t.trim()).filter(Boolean))];
  if ((body.tags as string[]).some((t) => t.length > 64)) problems.push({ field: '/tags', message: 'each tag must be at most 64 characters' });
  body.alertChannelIds = v.alertChannelIds;
  body.regionQuorum = integer(problems, 'regionQuorum', v.regionQuorum, 1, 64, false);
  if (typeof body.regionQuorum === 'number' && body.regionQuorum > v.regions.length) problems.push({ field: '/regionQuorum', message: `must not exceed the number of regions (${v.regions.length})` });
  body.p95WindowSeconds = integer(problems, 'p95WindowSeconds', v.p95WindowSeconds, 60, 86_400);
  body.escalationPolicyId = v.escalationPolicyId || null;

  if (v.type === 'Website') {
    const url = v.url.trim();
    let parsed: URL | null = null;
    try { parsed = url ? new URL(url) : null; } catch { /* reported below */ }
    if (!url) problems.push({ field: '/url', message: 'is required for Website monitors' });
    else if (!parsed) problems.push({ field: '/url', message: 'must be an absolute http(s) URL' });
    else if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') problems.push({ field: '/url', message: 'must use http or https' });
    else if (parsed.username || parsed.password) problems.push({ field: '/url', message: 'must not carry credentials; use request headers' });
    body.url = url;
    body.httpMethod = v.httpMethod;
    body.expectedStatusCode = integer(problems, 'expectedStatusCode', v.expectedStatusCode, 100, 599);
    body.followRedirects = v.followRedirects;
    body.maxRedirects = integer(problems, 'maxRedirects', v.maxRedirects, 0, 20);
    body.keyword = v.keyword === '' ? null : v.keyword;
    if (v.keyword.length > 1024) problems.push({ field: '/keyword', message: 'must be at most 1024 characters' });
    body.keywordAbsent = v.keywordAbsent;
    body.ignoreTlsErrors = v.ignoreTlsErrors;
    body.sslExpiryWarningDays = integer(problems, 'sslExpiryWarningDays', v.sslExpiryWarningDays, 0, 365);
    body.requestHeaders = parseHeaders(v.requestHeaders, problems);
    body.requestBody = v.requestBody === '' ? null : v.requestBody;
    if (v.httpMethod === 'HEAD' && v.requestBody) problems.push({ field: '/requestBody', message: 'a HEAD request cannot carry a body' });
    if (v.assertions.length > MAX_ASSERTIONS) problems.push({ field: '/assertions', message: `must have at most ${MAX_ASSERTIONS} entries` });
    v.assertions.forEach((a, i) => {
      const named = a.source === 'Header' || a.source === 'JsonPath';
      if (named && !a.property.trim()) problems.push({ field: `/assertions/${i}`, message: a.source === 'Header' ? 'name the header' : 'give a JSONPath such as $.status' });
      else if (a.source === 'JsonPath' && !a.property.trim().startsWith('$')) problems.push({ field: `/assertions/${i}`, message: 'property must be a JSONPath starting with $' });
      if ((a.operator === 'Contains' || a.operator === 'NotContains') && !a.target) problems.push({ field: `/assertions/${i}`, message: 'target must not be empty' });
    });
    body.assertions = v.assertions.map((a) => ({
      source: a.source, operator: a.operator,
      property: a.source === 'Header' || a.source === 'JsonPath' ? a.property.trim() : null,
      target: a.operator === 'Exists' || a.operator === 'NotExists' ? null : a.target,
    }));
  } else if (v.type === 'Job') {
    if (!v.cronExpression.trim() && !v.periodSeconds.trim()) problems.push({ field: '/cronExpression', message: 'give a cron expression or a period' });
    body.cronExpression = v.cronExpression.trim() || null;
    body.periodSeconds = integer(problems, 'periodSeconds', v.periodSeconds, 60, 31_536_000, false);
    body.timezone = v.timezone.trim() || 'UTC';
    body.graceSeconds = integer(problems, 'graceSeconds', v.graceSeconds, 0, 604_800);
  } else {
    if (!v.hostname.trim()) problems.push({ field: '/hostname', message: `is required for ${v.type} monitors` });
    body.hostname = v.hostname.trim();
    if (v.type === 'Port') body.port = integer(problems, 'port', v.port, 1, 65_535);
    if (v.type === 'Ping') {
      body.pingCount = integer(problems, 'pingCount', v.pingCount, 1, 10);
      body.pingIntervalMs = integer(problems, 'pingIntervalMs', v.pingIntervalMs, 200, 10_000);
      body.pingTimeoutMs = integer(problems, 'pingTimeoutMs', v.pingTimeoutMs, 100, 10_000);
      body.pingMaxPacketLossPercent = integer(problems, 'pingMaxPacketLossPercent', v.pingMaxPacketLossPercent, 0, 100);
    }
    if (v.type === 'Dns') {
      body.dnsRecordType = v.dnsRecordType;
      body.dnsResolver = v.dnsResolver.trim() || null;
      body.dnsExpectedValues = v.dnsExpectedValues.split('\n').map((l) => l.trim()).filter(Boolean);
      body.dnsMatchMode = v.dnsMatchMode;
      body.dnsExpectedRcode = v.dnsExpectedRcode;
    }
    if (v.type === 'Domain') body.domainExpiryWarningDays = integer(problems, 'domainExpiryWarningDays', v.domainExpiryWarningDays, 1, 365);
  }
  return { body, problems };
}
