/**
 * An indexed binary min-heap of due times over small integer handles (a scheduler's monitor
 * slots, services/scheduler/snapshots.ts). Everything lives in typed arrays indexed by handle
 * — the due time, the handle's place in the heap — so scheduling, rescheduling, removing and
 * popping allocate nothing (the arrays only grow, by doubling, when more handles are used),
 * and a million queued monitors cost ~16 bytes each instead of an object and two map entries.
 * Rescheduling moves the entry in place: there are no stale entries to skip.
 */
const NOT_QUEUED = -1;

export class DueQueue {
  /** Due time per handle (kept after a pop: `lastDueMs`). */
  private due: Float64Array;
  /** Index in `heap` per handle, or NOT_QUEUED. */
  private pos: Int32Array;
  /** Handles, heap-ordered by due time. */
  private heap: Int32Array;
  private n = 0;

  constructor(initialHandles = 1024) {
    const cap = Math.max(16, initialHandles);
    this.due = new Float64Array(cap);
    this.pos = new Int32Array(cap).fill(NOT_QUEUED);
    this.heap = new Int32Array(cap);
  }

  get size(): number {
    return this.n;
  }

  /** Queues `handle` at `dueMs`, or moves it there when it is queued already. */
  schedule(handle: number, dueMs: number): void {
    this.ensure(handle);
    this.due[handle] = dueMs;
    const i = this.pos[handle];
    if (i === NOT_QUEUED) {
      const at = this.n++;
      this.heap[at] = handle;
      this.pos[handle] = at;
      this.up(at);
    } else {
      this.down(this.up(i));
    }
  }

  remove(handle: number): void {
    if (handle >= this.pos.length) return;
    const i = this.pos[handle];
    if (i === NOT_QUEUED) return;
    this.pos[handle] = NOT_QUEUED;
    const last = this.heap[--this.n];
    if (i === this.n) return;
    this.heap[i] = last;
    this.pos[last] = i;
    this.down(this.up(i));
  }

  has(handle: number): boolean {
    return handle < this.pos.length && this.pos[handle] !== NOT_QUEUED;
  }

  /** When the handle is next due, or undefined when it is not queued. */
  dueOf(handle: number): number | undefined {
    return this.has(handle) ? this.due[handle] : undefined;
  }

  /** The due time the handle was last scheduled at (what `popDue` just took off). */
  lastDueMs(handle: number): number {
    return this.due[handle];
  }

  /** Due time of the earliest entry, or undefined when empty. */
  peekDue(): number | undefined {
    return this.n ? this.due[this.heap[0]] : undefined;
  }

  /** Removes the earliest entry if it is due at `nowMs` and returns its handle; -1 otherwise. */
  popDue(nowMs: number): number {
    if (!this.n) return -1;
    const top = this.heap[0];
    if (this.due[top] > nowMs) return -1;
    this.remove(top);
    return top;
  }

  clear(): void {
    for (let i = 0; i < this.n; i++) this.pos[this.heap[i]] = NOT_QUEUED;
    this.n = 0;
  }

  private ensure(handle: number): void {
    if (handle < this.pos.length) return;
    let cap = this.pos.length;
    while (cap <= handle) cap *= 2;
    const due = new Float64Array(cap);
    due.set(this.due);
    const pos = new Int32Array(cap).fill(NOT_QUEUED);
    pos.set(this.pos);
    const heap = new Int32Array(cap);
    heap.set(this.heap);
    this.due = due;
    this.pos = pos;
    this.heap = heap;
  }

  /** Hole-based sifting: moves the entry at `i` up while its parent is later; returns where it landed. */
  private up(i: number): number {
    const { heap, pos, due } = this;
    const h = heap[i];
    const d = due[h];
    while (i > 0) {
      const p = (i - 1) >> 1;
      const ph = heap[p];
      if (due[ph] <= d) break;
      heap[i] = ph;
      pos[ph] = i;
      i = p;
    }
    heap[i] = h;
    pos[h] = i;
    return i;
  }

  private down(i: number): void {
    const { heap, pos, due } = this;
    const n = this.n;
    const h = heap[i];
    const d = due[h];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && due[heap[r]] < due[heap[l]] ? r : l;
      const ch = heap[c];
      if (due[ch] >= d) break;
      heap[i] = ch;
      pos[ch] = i;
      i = c;
    }
    heap[i] = h;
    pos[h] = i;
  }
}
