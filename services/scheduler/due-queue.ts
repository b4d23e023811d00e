/**
 * A binary min-heap of (due time, monitor id). Replacing or removing a monitor bumps its
 * generation instead of searching the heap; stale entries are dropped when they surface.
 */
interface Entry {
  dueMs: number;
  monitorId: string;
  generation: number;
}

export class DueQueue {
  private heap: Entry[] = [];
  private generations = new Map<string, number>();
  private dues = new Map<string, number>();

  get size(): number {
    return this.generations.size;
  }

  schedule(monitorId: string, dueMs: number): void {
    const generation = (this.generations.get(monitorId) ?? 0) + 1;
    this.generations.set(monitorId, generation);
    this.dues.set(monitorId, dueMs);
    this.push({ dueMs, monitorId, generation });
  }

  remove(monitorId: string): void {
    this.generations.delete(monitorId);
    this.dues.delete(monitorId);
  }

  /** When the monitor is next due, or undefined when it is not queued. */
  dueOf(monitorId: string): number | undefined {
    return this.dues.get(monitorId);
  }

  has(monitorId: string): boolean {
    return this.generations.has(monitorId);
  }

  /** Due time of the earliest live entry, or undefined when empty. */
  peekDue(): number | undefined {
    this.dropStale();
    return this.heap[0]?.dueMs;
  }

  /** Removes and returns the earliest live entry if it is due at `nowMs`. */
  popDue(nowMs: number): { monitorId: string; dueMs: number } | undefined {
    this.dropStale();
    const top = this.heap[0];
    if (!top || top.dueMs > nowMs) return undefined;
    this.pop();
    this.generations.delete(top.monitorId);
    this.dues.delete(top.monitorId);
    return { monitorId: top.monitorId, dueMs: top.dueMs };
  }

  clear(): void {
    this.heap = [];
    this.generations.clear();
    this.dues.clear();
  }

  private dropStale(): void {
    while (this.heap.length && this.generations.get(this.heap[0].monitorId) !== this.heap[0].generation) this.pop();
  }

  // Hole-based sifting: no temporary arrays, so placing 100,000 monitors stays in the tens of ms.
  private push(e: Entry): void {
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].dueMs <= e.dueMs) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = e;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    const n = h.length;
    if (!n) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r].dueMs < h[l].dueMs ? r : l;
      if (h[c].dueMs >= last.dueMs) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = last;
  }
}
