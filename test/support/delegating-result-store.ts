import type { ResultStore } from '../../services/lib/ports/results-store.js';
import type { StoredResult } from '../../services/lib/results/types.js';

/** A real result store behind a door the test controls: subclasses override `insertResults`. */
export class DelegatingResultStore implements ResultStore {
  constructor(protected readonly inner: ResultStore) {}
  migrate() { return this.inner.migrate(); }
  insertResults(rows: readonly StoredResult[]) { return this.inner.insertResults(rows); }
  existingIds(org: string, ids: readonly string[]) { return this.inner.existingIds(org, ids); }
  recentResults(q: Parameters<ResultStore['recentResults']>[0]) { return this.inner.recentResults(q); }
  monitorStats(q: Parameters<ResultStore['monitorStats']>[0]) { return this.inner.monitorStats(q); }
  periodFigures(q: Parameters<ResultStore['periodFigures']>[0]) { return this.inner.periodFigures(q); }
  uptimeByMonitor(o: string, m: readonly string[], f: number) { return this.inner.uptimeByMonitor(o, m, f); }
  dailyChecks(o: string, m: readonly string[], f: number, t: number) { return this.inner.dailyChecks(o, m, f, t); }
  responseTimeSeries(q: Parameters<ResultStore['responseTimeSeries']>[0]) { return this.inner.responseTimeSeries(q); }
  responseTrends(q: Parameters<ResultStore['responseTrends']>[0]) { return this.inner.responseTrends(q); }
  deleteMonitorResults(o: string, m: string) { return this.inner.deleteMonitorResults(o, m); }
  close() { return this.inner.close(); }
}
