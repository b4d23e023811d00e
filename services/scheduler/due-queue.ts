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

  get size(): number {
    return this.generations.size;
  }

  schedule(monitorId: string, dueMs: number): void {
    const generation = (this.generations.get(monitorId) ?? 0) + 1;
    this.generations.set(monitorId, generation);
    this.push({ dueMs, monitorId, generation });
  }

  remove(monitorId: string): void {
    this.generations.delete(monitorId);
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
    return { monitorId: top.monitorId, dueMs: top.dueMs };
  }

  clear(): void {
    this.heap = [];
    this.generations.clear();
  }

  private dropStale(): void {
    while (this.heap.length && this.generations.get(this.heap[0].monitorId) !== this.heap[0].generation) this.pop();
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].dueMs <= h[i].dueMs) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (!h.length) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l].dueMs < h[m].dueMs) m = l;
      if (r < h.length && h[r].dueMs < h[m].dueMs) m = r;
      if (m === i) break;
      [h[m], h[i]] = [h[i], h[m]];
      i = m;
    }
  }
}
