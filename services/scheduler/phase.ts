import { fnv1a } from './fnv1a.js';

/**
 * Each monitor checks at a fixed offset inside its interval, derived from its id, so a
 * thousand monitors with a 60 s interval spread over the minute instead of all firing at
 * :00 (DESIGN.md §2). FNV-1a: stable across processes and versions, and cheap enough to
 * place 100,000 monitors in a few milliseconds (a cryptographic hash took a second).
 */
export function phaseOffsetMs(monitorId: string, intervalMs: number): number {
  let h = fnv1a(monitorId);
  // Final avalanche so ids differing only in their last characters still spread out.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) % intervalMs;
}

/** The first due instant strictly after `afterMs` on this monitor's phase grid. */
export function nextDueMs(monitorId: string, intervalMs: number, afterMs: number): number {
  const offset = phaseOffsetMs(monitorId, intervalMs);
  const k = Math.floor((afterMs - offset) / intervalMs) + 1;
  return k * intervalMs + offset;
}
