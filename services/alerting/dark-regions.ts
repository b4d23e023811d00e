/**
 * Which declared regions have gone dark: no agent present (services/lib/agent-presence.ts is
 * the one definition of present). Their verdicts are stale, so the status evaluator leaves
 * them out of the quorum and the api shows them as unknown. Read at most once per `ttlMs`:
 * presence itself only changes at the report interval.
 */
import type { HotState } from '../lib/ports/hot-state.js';
import { regionPresence } from '../lib/agent-presence.js';

export type DarkRegions = () => Promise<ReadonlySet<string>>;

export function createDarkRegions(hotState: HotState, declared: readonly string[], now: () => number = Date.now, ttlMs = 5_000): DarkRegions {
  let cached: { atMs: number; dark: Set<string> } | null = null;
  return async () => {
    const t = now();
    if (cached && t - cached.atMs < ttlMs) return cached.dark;
    const presence = await Promise.all(declared.map((r) => regionPresence(hotState, r)));
    const dark = new Set(presence.filter((p) => p.agents.length === 0).map((p) => p.region));
    cached = { atMs: t, dark };
    return dark;
  };
}
