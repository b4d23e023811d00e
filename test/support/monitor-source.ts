import type { Monitor } from '../../services/lib/monitors/model.js';

/**
 * `ActiveMonitorSource.listActivePage` over an in-memory list, as the store pages it: in id
 * order after `afterId`, at most `limit`. `active` is read on every page, so a test that
 * changes its monitors sees the next reload pick the change up.
 */
export function pagedList(active: () => readonly Monitor[]): (afterId: string | null, limit: number) => Promise<Monitor[]> {
  return async (afterId, limit) => {
    const sorted = [...active()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const from = afterId === null ? 0 : sorted.findIndex((m) => m.id > afterId);
    return from < 0 ? [] : sorted.slice(from, from + limit);
  };
}
