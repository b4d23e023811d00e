import type { MonitorSpec, RemoteMonitor } from './monitor-config.js';

/** An answer from the API that is not a success, with its body kept verbatim for the user. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error?: string; message?: string; code?: string; details?: { field: string; message: string }[] } | undefined,
    what: string,
  ) {
    super(`${what}: ${status} ${body?.error ?? ''}${body?.message ? `: ${body.message}` : ''}`.trim());
    this.name = 'ApiError';
  }
}

/** The API could not be reached at all (refused, DNS, reset): a different fix than an error answer. */
export class ApiUnreachable extends Error {
  constructor(baseUrl: string, cause: unknown) {
    const c = cause as { cause?: { code?: string; message?: string }; message?: string };
    super(`cannot reach the Pharos API at ${baseUrl}: ${c.cause?.code ?? c.cause?.message ?? c.message ?? String(cause)} (check --url / PHAROS_URL)`);
    this.name = 'ApiUnreachable';
  }
}

export interface ApiClientDeps {
  baseUrl: string;
  key: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Where retry notices go (stderr in the CLI). */
  notice: (line: string) => void;
  /** The longest Retry-After we are willing to wait out; beyond it, failing is more useful than hanging. */
  maxRetryWaitSeconds?: number;
  maxRetries?: number;
}

export interface PharosApi {
  listMonitors(): Promise<RemoteMonitor[]>;
  listRegions(): Promise<string[]>;
  upsertMonitorByName(name: string, body: MonitorSpec): Promise<RemoteMonitor>;
  deleteMonitor(id: string): Promise<void>;
}

const PAGE = 500; // the API's maximum page size

/** The public HTTP API and nothing else: the CLI never touches a database. */
export function createApiClient(deps: ApiClientDeps): PharosApi {
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxWait = deps.maxRetryWaitSeconds ?? 120;
  const maxRetries = deps.maxRetries ?? 3;
  const base = deps.baseUrl.replace(/\/+$/, '');

  async function call<T>(method: string, path: string, what: string, body?: unknown): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await doFetch(`${base}${path}`, {
          method,
          headers: { 'x-api-key': deps.key, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (err) {
        throw new ApiUnreachable(base, err);
      }
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = { message: text.slice(0, 200) };
      }
      if (res.ok) return parsed as T;
      if (res.status === 429 && attempt < maxRetries) {
        const seconds = Number(res.headers.get('retry-after') ?? '1');
        const wait = Number.isFinite(seconds) && seconds >= 0 ? seconds : 1;
        if (wait <= maxWait) {
          deps.notice(`rate limited on ${what}; retrying in ${wait} s (attempt ${attempt + 2} of ${maxRetries + 1})`);
          await sleep(wait * 1000);
          continue;
        }
        deps.notice(`rate limited on ${what}; Retry-After ${wait} s is beyond the ${maxWait} s this command waits, giving up`);
      }
      throw new ApiError(res.status, parsed as ApiError['body'], what);
    }
  }

  return {
    async listMonitors() {
      const all: RemoteMonitor[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const page = await call<{ items: RemoteMonitor[]; totalCount: number }>('GET', `/api/monitors?limit=${PAGE}&offset=${offset}`, 'listing monitors');
        all.push(...page.items);
        if (page.items.length < PAGE || all.length >= page.totalCount) return all;
      }
    },
    async listRegions() {
      const res = await call<{ items: { name: string }[] }>('GET', '/api/regions', 'listing regions');
      return res.items.map((r) => r.name);
    },
    upsertMonitorByName(name, body) {
      return call<RemoteMonitor>('PUT', `/api/monitors/by-name/${encodeURIComponent(name)}`, `monitor ${JSON.stringify(name)}`, body);
    },
    async deleteMonitor(id) {
      await call<void>('DELETE', `/api/monitors/${encodeURIComponent(id)}`, `deleting monitor ${id}`);
    },
  };
}
