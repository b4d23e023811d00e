/**
 * Website (10): an HTTP(S) request, judged by its status, a keyword and typed assertions,
 * with the certificate recorded. docs/checks/website.md.
 */
import { Type } from 'typebox';
import { checkRange, fieldDefaults, type AgentCheckContract, type FieldProblem } from './contract.js';
import { field, integerField, nullable, stringEnum } from './fields.js';
import { TARGET_FIELDS } from './target.js';
import { fromProtoAssertion, toProtoAssertion, validateAssertions, ASSERTION_OPERATORS, ASSERTION_SOURCES, MAX_ASSERTIONS, MAX_PROPERTY_LENGTH, MAX_TARGET_LENGTH, type MonitorAssertion } from './website-assertions.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const MAX_KEYWORD_LENGTH = 1024;

export const AssertionBody = Type.Object({
  source: stringEnum(ASSERTION_SOURCES, { description: 'What is checked: StatusCode, ResponseTime (ms), Header, Body, JsonPath' }),
  property: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: MAX_PROPERTY_LENGTH, description: 'Header name (Header) or JSONPath such as $.status (JsonPath)' }))),
  operator: stringEnum(ASSERTION_OPERATORS, { description: 'In takes a comma list ("200,201"), Between an inclusive range ("200-299"), Matches a regular expression' }),
  target: Type.Optional(nullable(Type.String({ maxLength: MAX_TARGET_LENGTH, description: 'Expected value; omitted for Exists / NotExists' }))),
}, { additionalProperties: false });

const fields = {
  url: TARGET_FIELDS.url,
  httpMethod: field<HttpMethod>(stringEnum(HTTP_METHODS, { default: 'GET' }), 'GET'),
  expectedStatusCode: integerField({ min: 100, max: 599 }, 200, 'Website: the status code the final response must have'),
  requestHeaders: field<Record<string, string>>(Type.Record(Type.String({ maxLength: 256 }), Type.String({ maxLength: 8192 })), {}),
  requestBody: field<string | null>(nullable(Type.String({ maxLength: 65536 })), null),
  followRedirects: field<boolean>(Type.Boolean({ default: true }), true),
  maxRedirects: integerField({ min: 0, max: 20 }, 5, 'Website: redirects followed at most when followRedirects is true; 0 follows none'),
  keyword: field<string | null>(nullable(Type.String({ minLength: 1, maxLength: MAX_KEYWORD_LENGTH })), null),
  keywordAbsent: field<boolean>(Type.Boolean({ default: false }), false),
  ignoreTlsErrors: field<boolean>(Type.Boolean({ default: false }), false),
  sslExpiryWarningDays: integerField({ min: 0, max: 365 }, 14, 'Website: flag the certificate as expiring this many days ahead (monitor.ssl_expiring); 0 = off'),
  assertions: field<MonitorAssertion[]>(Type.Array(AssertionBody, { maxItems: MAX_ASSERTIONS, description: 'Website: typed assertions on the response' }), []),
};

export type WebsiteFields = { [K in keyof typeof fields]: (typeof fields)[K]['default'] };

/** Undici refuses these (it manages them itself); refusing them here makes it a clear settings error. */
const MANAGED_HEADERS = new Set(['connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'content-length']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const UNSAFE_VALUE = /[\r\n\0]/;

function validate(f: WebsiteFields): FieldProblem[] {
  const problems: FieldProblem[] = [];
  checkUrl(f.url, problems);
  if (!(HTTP_METHODS as readonly string[]).includes(f.httpMethod)) problems.push({ field: '/httpMethod', message: `must be one of ${HTTP_METHODS.join(', ')}` });
  if (f.httpMethod === 'HEAD' && f.requestBody) problems.push({ field: '/requestBody', message: 'a HEAD request cannot carry a body' });
  for (const [name, value] of Object.entries(f.requestHeaders)) {
    if (!TOKEN.test(name)) problems.push({ field: '/requestHeaders', message: `header name "${name}" is not valid` });
    else if (MANAGED_HEADERS.has(name.toLowerCase())) problems.push({ field: '/requestHeaders', message: `header "${name}" is managed by the agent` });
    if (UNSAFE_VALUE.test(value)) problems.push({ field: '/requestHeaders', message: `header "${name}" has a control character in its value` });
  }
  checkRange(problems, 'expectedStatusCode', f.expectedStatusCode, fields.expectedStatusCode.limits.min, fields.expectedStatusCode.limits.max);
  checkRange(problems, 'maxRedirects', f.maxRedirects, fields.maxRedirects.limits.min, fields.maxRedirects.limits.max);
  if (f.keyword !== null && (f.keyword.length === 0 || f.keyword.length > MAX_KEYWORD_LENGTH)) {
    problems.push({ field: '/keyword', message: `must be 1 to ${MAX_KEYWORD_LENGTH} characters` });
  }
  checkRange(problems, 'sslExpiryWarningDays', f.sslExpiryWarningDays, fields.sslExpiryWarningDays.limits.min, fields.sslExpiryWarningDays.limits.max);
  problems.push(...validateAssertions(f.assertions));
  return problems;
}

function checkUrl(url: string | null, problems: FieldProblem[]): void {
  if (!url) {
    problems.push({ field: '/url', message: 'is required for Website monitors' });
    return;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    problems.push({ field: '/url', message: 'must be an absolute http(s) URL' });
    return;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') problems.push({ field: '/url', message: 'must use http or https' });
  else if (parsed.username || parsed.password) problems.push({ field: '/url', message: 'must not carry credentials; use requestHeaders' });
}

export const websiteContract: AgentCheckContract<WebsiteFields, 'website'> = {
  type: 'Website',
  typeNumber: 10,
  settingsCase: 'website',
  fields,
  validate,
  toSettings: (f) => ({
    url: f.url ?? '',
    method: f.httpMethod,
    headers: Object.entries(f.requestHeaders).map(([name, value]) => ({ name, value })),
    body: f.requestBody ?? undefined,
    expectedStatusCode: f.expectedStatusCode,
    followRedirects: f.followRedirects,
    maxRedirects: f.maxRedirects,
    keyword: f.keyword ?? undefined,
    keywordAbsent: f.keywordAbsent,
    ignoreTlsErrors: f.ignoreTlsErrors,
    assertions: f.assertions.map(toProtoAssertion),
    sslExpiryWarningDays: f.sslExpiryWarningDays,
  }),
  fromSettings: (s) => ({
    url: s.url === '' ? null : s.url,
    httpMethod: s.method as HttpMethod,
    requestHeaders: Object.fromEntries(s.headers.map((h) => [h.name, h.value])),
    requestBody: s.body ?? null,
    expectedStatusCode: s.expectedStatusCode,
    followRedirects: s.followRedirects,
    maxRedirects: s.maxRedirects,
    keyword: s.keyword ?? null,
    keywordAbsent: s.keywordAbsent,
    ignoreTlsErrors: s.ignoreTlsErrors,
    assertions: s.assertions.map(fromProtoAssertion),
    sslExpiryWarningDays: s.sslExpiryWarningDays,
  }),
};

export const websiteDefaults = (): WebsiteFields => fieldDefaults(fields);
