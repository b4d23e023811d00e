/**
 * Finds which phrases of a list occur in a text, in one pass: the phrases are compiled into
 * one alternation (longest first) bounded by non-letters, so "slots" does not match
 * "timeslots" and "ico" does not match "iconic". Each match carries a snippet of its context
 * for the evidence.
 */
export interface PhraseHit<T> {
  phrase: string;
  payload: T;
  /** Up to 60 characters either side of the first occurrence. */
  snippet: string;
  count: number;
}

export interface PhraseMatcher<T> {
  find(text: string): PhraseHit<T>[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compilePhrases<T>(entries: ReadonlyArray<{ phrase: string; payload: T }>): PhraseMatcher<T> {
  const byPhrase = new Map<string, T>();
  for (const e of entries) if (!byPhrase.has(e.phrase.toLowerCase())) byPhrase.set(e.phrase.toLowerCase(), e.payload);
  const phrases = [...byPhrase.keys()].sort((a, b) => b.length - a.length);
  if (phrases.length === 0) return { find: () => [] };
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${phrases.map(escape).join('|')})(?![\\p{L}\\p{N}])`, 'gu');
  return {
    find(text) {
      const lower = text.toLowerCase();
      const hits = new Map<string, PhraseHit<T>>();
      for (const m of lower.matchAll(pattern)) {
        const phrase = m[0];
        const hit = hits.get(phrase);
        if (hit) {
          hit.count++;
          continue;
        }
        const at = m.index ?? 0;
        const snippet = text.slice(Math.max(0, at - 60), Math.min(text.length, at + phrase.length + 60)).trim();
        hits.set(phrase, { phrase, payload: byPhrase.get(phrase)!, snippet, count: 1 });
      }
      return [...hits.values()];
    },
  };
}
