import type { Monitor } from '../../services/lib/monitors/model.js';

/**
 * `ActiveMonitorSource.listActivePage` over an in-memory list, as the store pages it: in id
 * order after `afterId`, at most `limit`. `active` is read on every page, so a test that
 * changes its monitors sees the next reload pick the change up. A list already in id order
 * (benchmarks' fixtures) is not copied or sorted, and its page is found by binary search.
 */
export function pagedList(active: () => readonly Monitor[]): (afterId: string | null, limit: number) => Promise<Monitor[]> {
  const byId = (a: Monitor, b: Monitor) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return async (afterId, limit) => {
    let list = active();
    for (let i = 1; i < list.length; i++) {
      if (list[i - 1].id >= list[i].id) {
        list = [...list].sort(byId);
        break;
      }
    }
    // The first index whose id is after `afterId`.
    let lo = 0;
    let hi = list.length;
    if (afterId !== null) {
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid].id > afterId) hi = mid;
        else lo = mid + 1;
      }
    }
    return list.slice(lo, lo + limit);
  };
}
