/**
 * Whether an answer is a bot wall, a rate limit or a geo block rather than the site itself:
 * such an answer says nothing about the site, so a check that meets it is inconclusive.
 */
import type { FetchedPage } from './site-fetcher.js';

const WALL_MARKERS = [
  'just a moment...', 'attention required', 'verify you are human', 'checking your browser', 'ddos protection by', 'captcha', 'are you a robot',
  'access denied', 'request blocked', 'not available in your country', 'not available in your region', 'unusual traffic',
];

export interface WallVerdict {
  wall: boolean;
  reason?: string;
}

export function botWallOf(page: FetchedPage): WallVerdict {
  const h = page.headers;
  if (h['cf-mitigated'] === 'challenge') return { wall: true, reason: 'Cloudflare challenge (cf-mitigated: challenge)' };
  if (page.status === 429) return { wall: true, reason: 'rate limited (HTTP 429)' };
  if (page.status === 451) return { wall: true, reason: 'unavailable for legal reasons (HTTP 451, geo block)' };
  if (page.status === 403 || page.status === 503 || page.status === 401) {
    const head = page.body.slice(0, 20_000).toLowerCase();
    const marker = WALL_MARKERS.find((m) => head.includes(m));
    if (marker) return { wall: true, reason: `HTTP ${page.status} with "${marker}"` };
    if (page.status === 403) return { wall: true, reason: 'HTTP 403: the site refuses automated visitors' };
  }
  return { wall: false };
}
