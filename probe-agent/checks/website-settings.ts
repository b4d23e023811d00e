/**
 * The requests Website settings describe: the first one, and each a redirect asks for. What
 * makes the settings runnable is the Website contract (contracts/checks/website.ts).
 */
import type { WebsiteSettings } from '../../proto/generated/pharos/v1/check.js';
import type { HttpRequestPlan } from './http-exchange.js';

export function firstRequest(settings: WebsiteSettings, userAgent: string): HttpRequestPlan {
  const headers: Record<string, string> = { 'user-agent': userAgent };
  for (const { name, value } of settings.headers) headers[name.toLowerCase()] = value;
  return { url: new URL(settings.url), method: settings.method, headers, body: settings.body };
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
