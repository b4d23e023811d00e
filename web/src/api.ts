/**
 * The dashboard's only way to the server: the public API, authenticated by the session cookie
 * (HttpOnly, so script never sees it) and, for changes, the session's CSRF token.
 */
import type { FieldProblem } from './forms/problems.js';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: FieldProblem[] = []) {
    super(message);
  }
}

export interface Session {
  keyId: string;
  orgId: string;
  plan: string;
  scopes: string[];
  csrfToken: string;
  expiresAt: string;
}

/** Whether the signed-in key holds `scope` (the dashboard hides what the API would refuse). */
export const can = (session: Session, scope: string) => session.scopes.includes('*') || session.scopes.includes(scope);

let csrfToken = '';
let signedOut: () => void = () => {};

export function useSession(session: Session | null, onSignedOut: () => void): void {
  csrfToken = session?.csrfToken ?? '';
  signedOut = onSignedOut;
}

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-cache' });
  if (res.status === 204) return undefined as T;
  const json = await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401 && path !== '/api/session') signedOut();
    throw new ApiError(res.status, json?.code ?? 'ERROR', json?.message ?? `HTTP ${res.status}`, json?.details ?? []);
  }
  return json as T;
}

const PAGE = 500;

/** One GET's answer and its ETag (null body when the status is not 2xx). */
async function getJson(path: string): Promise<{ ok: boolean; status: number; etag: string | null; json: any }> {
  const res = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-cache' });
  return { ok: res.ok, status: res.status, etag: res.headers.get('etag'), json: await res.json().catch(() => null) };
}

/**
 * A GET repeated every `intervalMs` while the tab is visible. The browser revalidates with
 * If-None-Match (cache: 'no-cache'); an unchanged ETag leaves the state alone (no re-render).
 * With `allPages`, a `{items, totalCount}` list is read page by page (limit/offset) and
 * handed over whole.
 */
export function poll<T>(path: string, intervalMs: number, onData: (data: T) => void, onError: (e: ApiError) => void, allPages = false): () => void {
  let etags = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const read = async (): Promise<{ tags: string; data: any } | ApiError> => {
    const pageUrl = (offset: number) => `${path}${path.includes('?') ? '&' : '?'}limit=${PAGE}&offset=${offset}`;
    const first = await getJson(allPages ? pageUrl(0) : path);
    if (!first.ok) return new ApiError(first.status, first.json?.code ?? 'ERROR', first.json?.message ?? `HTTP ${first.status}`);
    if (!allPages || first.json.totalCount <= first.json.items.length) return { tags: String(first.etag), data: first.json };
    const items = [...first.json.items];
    const tags = [first.etag];
    while (items.length < first.json.totalCount) {
      const next = await getJson(pageUrl(items.length));
      if (!next.ok) return new ApiError(next.status, next.json?.code ?? 'ERROR', next.json?.message ?? `HTTP ${next.status}`);
      if (next.json.items.length === 0) break;
      items.push(...next.json.items);
      tags.push(next.etag);
    }
    return { tags: tags.join(','), data: { items, totalCount: first.json.totalCount } };
  };
  const tick = async () => {
    if (stopped) return;
    if (document.visibilityState !== 'hidden') {
      try {
        const got = await read();
        if (stopped) return;
        if (got instanceof ApiError) {
          if (got.status === 401) signedOut();
          onError(got);
        } else if (got.tags === 'null' || got.tags !== etags) {
          etags = got.tags;
          onData(got.data as T);
        }
      } catch (e) {
        if (!stopped) onError(new ApiError(0, 'NETWORK', (e as Error).message));
      }
    }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
