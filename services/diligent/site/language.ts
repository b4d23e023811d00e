/**
 * The language of a page's text, by franc-min (trigram statistics over the ~80 most spoken
 * languages; MIT). ISO 639-3 codes, "und" when the text is too short or unclear. The page's
 * own `lang` attribute is used when franc cannot tell.
 */
import { franc } from 'franc-min';

const ISO1_TO_3: Record<string, string> = { en: 'eng', es: 'spa', fr: 'fra', de: 'deu', it: 'ita', pt: 'por', nl: 'nld', pl: 'pol', ru: 'rus', tr: 'tur' };

export function detectLanguage(text: string, declared?: string): string {
  const sample = text.slice(0, 3_000);
  const guess = sample.length >= 60 ? franc(sample, { minLength: 60 }) : 'und';
  if (guess !== 'und') return guess;
  const primary = declared?.split('-')[0];
  return (primary && ISO1_TO_3[primary]) ?? 'und';
}
