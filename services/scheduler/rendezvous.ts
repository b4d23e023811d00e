/**
 * Rendezvous (highest random weight) hashing: a monitor belongs to the live scheduler with
 * the highest score for (scheduler, monitor). Every scheduler computes the same owner from
 * the same member list with no coordination, and when a scheduler joins or leaves only the
 * monitors it gains or held move (1/n of them), unlike `hash mod n`.
 */
import { fnv1a } from './fnv1a.js';

function score(member: string, monitorId: string): number {
  // FNV-1a over member, a separator and the monitor id, then murmur3's finaliser: cheap
  // (millions per second) and well spread even for ids that differ in one character.
  let h = fnv1a(member);
  h ^= 0xff;
  h = Math.imul(h, 0x01000193);
  h = fnv1a(monitorId, h);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The member that owns `monitorId`, or undefined when there are none. Ties go to the smaller name. */
export function ownerOf(monitorId: string, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const m of members) {
    const s = score(m, monitorId);
    if (s > bestScore || (s === bestScore && best !== undefined && m < best)) {
      best = m;
      bestScore = s;
    }
  }
  return best;
}
