/** Times in the viewer's own time zone and locale. */
export const viewerTimeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : dateTime.format(d);
}

export function ms(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
}

export function percent(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `${v.toFixed(v === 100 ? 0 : 2)}%`;
}

export function daysUntil(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const days = Math.floor((new Date(iso).getTime() - now) / 86_400_000);
  return `${when(iso)} (${days} days)`;
}
