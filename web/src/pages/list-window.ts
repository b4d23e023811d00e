/**
 * Windowed rendering for long lists (the monitor list at 1,000 monitors): only the rows in and
 * near the viewport are in the DOM, with spacers standing for the rest, so a keystroke that
 * re-filters the list touches a few dozen rows, not all of them. Rows are of one height (the
 * list's CSS keeps them on one line); the height is measured from a rendered row.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

/** Lists up to this long (about what a window holds anyway) are rendered whole: find-in-page sees every row. */
export const WINDOW_FROM = 60;
/** Rows rendered beyond each edge of the viewport: Tab and arrow keys always have a next row to reach. */
export const OVERSCAN = 20;

export interface Range { start: number; end: number }

/**
 * The rows [start, end) to render for a list whose first row's top is `top` px from the
 * viewport's top, in a viewport `viewport` px high, rows `rowHeight` px each.
 */
export function visibleRange(count: number, top: number, viewport: number, rowHeight: number, overscan = OVERSCAN): Range {
  if (count <= WINDOW_FROM) return { start: 0, end: count };
  const h = rowHeight > 0 ? rowHeight : 40;
  const first = Math.floor(Math.max(0, -top) / h);
  const last = Math.ceil(Math.max(0, viewport - top) / h);
  const start = Math.min(Math.max(0, first - overscan), Math.max(0, count - 1));
  const end = Math.min(count, Math.max(start + 1, last + overscan));
  return { start, end };
}

/**
 * The window of a list of `count` rows inside `body` (a <tbody>), kept up to date on scroll and
 * resize (once a frame at most), and the measured row height for the spacers.
 */
export function useListWindow(count: number, body: { current: HTMLElement | null }): Range & { rowHeight: number } {
  const [rowHeight, setRowHeight] = useState(0);
  // Until measured: a screenful from the top (the list usually arrives after the first render).
  const [range, setRange] = useState<Range>(() => ({ start: 0, end: Math.ceil(innerHeight / 40) + OVERSCAN }));
  const latest = useRef({ count, rowHeight });
  latest.current = { count, rowHeight };
  const measure = () => {
    const el = body.current;
    if (!el) return;
    const row = el.querySelector<HTMLElement>('tr[aria-rowindex]');
    const h = row ? row.getBoundingClientRect().height : 0;
    const { count: n, rowHeight: known } = latest.current;
    const height = h > 0 ? h : known;
    if (h > 0 && Math.abs(h - known) > 0.5) setRowHeight(h);
    const next = visibleRange(n, el.getBoundingClientRect().top, innerHeight, height);
    setRange((r) => (r.start === next.start && r.end === next.end ? r : next));
  };
  // After each render that changed the count: the filtered list may be shorter than the window.
  useLayoutEffect(measure, [count]);
  // Until a row's height is known (the first rows' render), measure after every render.
  useLayoutEffect(() => { if (!latest.current.rowHeight && count > WINDOW_FROM) measure(); });
  useEffect(() => {
    let frame = 0;
    const on = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => { frame = 0; measure(); });
    };
    addEventListener('scroll', on, { passive: true });
    addEventListener('resize', on, { passive: true });
    return () => { removeEventListener('scroll', on); removeEventListener('resize', on); cancelAnimationFrame(frame); };
  }, []);
  const clamped = count <= WINDOW_FROM ? { start: 0, end: count } : { start: Math.min(range.start, Math.max(0, count - 1)), end: Math.min(range.end, count) };
  return { ...clamped, rowHeight: rowHeight || 40 };
}
