/**
 * What makes Website settings runnable, and the first request they describe. Kept apart
 * from the run so the api can reuse the same rules later if it wants to.
 */
import type { WebsiteSettings } from '../../proto/generated/pharos/v1/check.js';
import { validateAssertions } from './assertions.js';
import type { HttpRequestPlan } from './http-exchange.js';

export const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Undici refuses these (it manages them itself); refusing them here makes it a clear settings error. */
const MANAGED_HEADERS = new Set(['connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'content-length']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const UNSAFE_VALUE = /[\r\n\0]/;

export const DEFAULT_MAX_REDIRECTS = 10;
export const MAX_REDIRECTS_LIMIT = 30;
export const MAX_KEYWORD_LENGTH = 1024;
export const MAX_SSL_EXPIRY_WARNING_DAYS = 365;

export function validateWebsiteSettings(settings: WebsiteSettings): string[] {
  const problems: string[] = [];
  let url: URL | undefined;
  try {
    url = new URL(settings.url);
  } catch {
    problems.push(`url "${settings.url}" is not a valid URL`);
  }
  if (url && url.protocol !== 'http:' && url.protocol !== 'https:') problems.push('url must be http or https');
  const method = methodOf(settings);
  if (!METHODS.has(method)) problems.push(`method "${settings.method}" is not supported`);
  if (method === 'HEAD' && settings.body) problems.push('a HEAD request cannot carry a body');
  for (const header of settings.headers) {
    if (!TOKEN.test(header.name)) problems.push(`header name "${header.name}" is not valid`);
    else if (MANAGED_HEADERS.has(header.name.toLowerCase())) problems.push(`header "${header.name}" is managed by the agent`);
    if (UNSAFE_VALUE.test(header.value)) problems.push(`header "${header.name}" has a control character in its value`);
  }
  const expected = settings.expectedStatusCode;
  if (expected !== 0 && (expected < 100 || expected > 599)) problems.push('expectedStatusCode must be 0 (any 2xx) or 100-599');
  if (settings.maxRedirects > MAX_REDIRECTS_LIMIT) problems.push(`maxRedirects must be at most ${MAX_REDIRECTS_LIMIT}`);
  if (settings.keyword.length > MAX_KEYWORD_LENGTH) problems.push(`keyword must be at most ${MAX_KEYWORD_LENGTH} characters`);
  const warningDays = settings.sslExpiryWarningDays;
  if (!Number.isInteger(warningDays) || warningDays < 0 || warningDays > MAX_SSL_EXPIRY_WARNING_DAYS) {
    problems.push(`sslExpiryWarningDays must be a whole number from 0 (off) to ${MAX_SSL_EXPIRY_WARNING_DAYS}`);
  }
  problems.push(...validateAssertions(settings.assertions));
  return problems;
}

export function methodOf(settings: WebsiteSettings): string {
  return (settings.method || 'GET').toUpperCase();
}

/** proto3 cannot tell "unset" from 0; 0 with followRedirects means the default. */
export function maxRedirectsOf(settings: WebsiteSettings): number {
  return settings.maxRedirects || DEFAULT_MAX_REDIRECTS;
}

export function firstRequest(settings: WebsiteSettings, userAgent: string): HttpRequestPlan {
  const headers: Record<string, string> = { 'user-agent': userAgent };
  for (const { name, value } of settings.headers) headers[name.toLowerCase()] = value;
  return { url: new URL(settings.url), method: methodOf(settings), headers, body: settings.body || undefined };
}

const CROSS_ORIGIN_SENSITIVE = ['authorization', 'cookie', 'proxy-authorization'];

/** The request a redirect asks for, following what browsers and fetch do. */
export function redirectedRequest(previous: HttpRequestPlan, statusCode: number, location: string): HttpRequestPlan {
  const url = new URL(location, previous.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw Object.assign(new Error(`redirect to unsupported scheme ${url.protocol}`), { code: 'ERR_UNSUPPORTED_REDIRECT' });
  }
  const headers = { ...previous.headers };
  let { method, body } = previous;
  const becomesGet = (statusCode === 303 && method !== 'HEAD') || ((statusCode === 301 || statusCode === 302) && method === 'POST');
  if (becomesGet) {
    method = 'GET';
    body = undefined;
    delete headers['content-type'];
  }
  if (url.origin !== previous.url.origin) {
    for (const name of CROSS_ORIGIN_SENSITIVE) delete headers[name];
  }
  return { url, method, headers, body };
}
