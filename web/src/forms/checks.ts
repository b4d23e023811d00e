/** Small checks the dashboard's forms share; problems are named by the API's JSON pointers. */
import type { FieldProblem } from './problems.js';

const INTEGER = /^\d+$/;

/** A whole number in [min, max] from a text input, or null with a problem recorded. */
export function wholeNumber(problems: FieldProblem[], field: string, value: string, min: number, max: number): number | null {
  const v = value.trim();
  if (!v) {
    problems.push({ field, message: 'is required' });
    return null;
  }
  if (!INTEGER.test(v) || Number(v) < min || Number(v) > max) {
    problems.push({ field, message: `must be a whole number from ${min} to ${max}` });
    return null;
  }
  return Number(v);
}

/** Required text of at most `max` characters (trimmed), recorded as a problem otherwise. */
export function requiredText(problems: FieldProblem[], field: string, value: string, max: number): string {
  const v = value.trim();
  if (!v) problems.push({ field, message: 'is required' });
  else if (v.length > max) problems.push({ field, message: `must be at most ${max} characters` });
  return v;
}

/** A comma-separated list, trimmed, empties and repeats dropped. */
export const commaList = (text: string): string[] => [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];

/** Problems keyed by their whole pointer (`/steps/1/delayMinutes`), first one wins. */
export function problemsByPointer(problems: readonly FieldProblem[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of problems) if (!(p.field in out)) out[p.field] = p.message;
  return out;
}

/** The first problem at `pointer` or below it (`/steps/1` covers `/steps/1/channelIds/0`). */
export function problemUnder(problems: Record<string, string>, pointer: string): string | undefined {
  const key = Object.keys(problems).find((k) => k === pointer || k.startsWith(`${pointer}/`));
  return key === undefined ? undefined : problems[key];
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An instant as a datetime-local input's value, in the viewer's time zone ('' for none). */
export function localInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local input's value (the viewer's time zone) as an instant; null when empty or not a time. */
export function instantOf(local: string): Date | null {
  if (!local.trim()) return null;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d;
}
