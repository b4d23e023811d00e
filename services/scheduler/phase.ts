import { createHash } from 'node:crypto';

/**
 * Each monitor checks at a fixed offset inside its interval, derived from its id, so a
 * thousand monitors with a 60 s interval spread over the minute instead of all firing at
 * :00 (DESIGN.md §2).
 */
export function phaseOffsetMs(monitorId: string, intervalMs: number): number {
  const h = createHash('sha1').update(monitorId).digest();
  return h.readUInt32BE(0) % intervalMs;
}

/** The first due instant strictly after `afterMs` on this monitor's phase grid. */
export function nextDueMs(monitorId: string, intervalMs: number, afterMs: number): number {
  const offset = phaseOffsetMs(monitorId, intervalMs);
  const k = Math.floor((afterMs - offset) / intervalMs) + 1;
  return k * intervalMs + offset;
}
