/**
 * Rendered badges for a few minutes, in this process. Bounded: the least recently used entry
 * goes first, so requests for many made-up monitor ids cannot grow memory. The clock is passed
 * in so tests can move time instead of waiting.
 */
export class BadgeCache {
  private readonly entries = new Map<string, { svg: string; expiresAt: number }>();

  constructor(
    private readonly opts: { ttlMs: number; maxEntries: number; now: () => number },
  ) {}

  get(key: string): string | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    if (hit.expiresAt <= this.opts.now()) return undefined;
    this.entries.set(key, hit);
    return hit.svg;
  }

  set(key: string, svg: string): void {
    this.entries.delete(key);
    this.entries.set(key, { svg, expiresAt: this.opts.now() + this.opts.ttlMs });
    while (this.entries.size > this.opts.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
