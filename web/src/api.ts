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

/**
 * A GET repeated every `intervalMs` while the tab is visible. The browser revalidates with
 * If-None-Match (cache: 'no-cache'); an unchanged ETag leaves the state alone (no re-render).
 */
export function poll<T>(path: string, intervalMs: number, onData: (data: T) => void, onError: (e: ApiError) => void): () => void {
  let etag: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    if (document.visibilityState !== 'hidden') {
      try {
        const res = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-cache' });
        const json = await res.json().catch(() => null);
        if (stopped) return;
        if (!res.ok) {
          if (res.status === 401) signedOut();
          onError(new ApiError(res.status, json?.code ?? 'ERROR', json?.message ?? `HTTP ${res.status}`));
        } else if (res.headers.get('etag') === null || res.headers.get('etag') !== etag) {
          etag = res.headers.get('etag');
          onData(json as T);
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
