/**
 * The monitor list's window (web/src/pages/list-window.ts): which rows are rendered for a
 * scroll position, with rows to spare on both sides for keyboard navigation.
 */
import { describe, expect, it } from 'vitest';
import { OVERSCAN, WINDOW_FROM, visibleRange } from '../../../web/src/pages/list-window.js';

describe('the list window', () => {
  it('renders a short list whole, wherever it is scrolled', () => {
    expect(visibleRange(WINDOW_FROM, -5000, 900, 40)).toEqual({ start: 0, end: WINDOW_FROM });
    expect(visibleRange(3, 200, 900, 40)).toEqual({ start: 0, end: 3 });
    expect(visibleRange(0, 0, 900, 40)).toEqual({ start: 0, end: 0 });
  });

  it('renders the rows on screen and OVERSCAN more each side', () => {
    // The list starts 300 px down the viewport: rows 0..15 are on screen (600 px / 40).
    expect(visibleRange(1000, 300, 900, 40)).toEqual({ start: 0, end: 15 + OVERSCAN });
    // Scrolled 4,000 px into the list: rows 100..122.5 on screen.
    expect(visibleRange(1000, -4000, 900, 40)).toEqual({ start: 100 - OVERSCAN, end: 123 + OVERSCAN });
  });

  it('stops at the end of the list, and keeps a row when scrolled past it (the list just got shorter)', () => {
    expect(visibleRange(1000, -39_500, 900, 40)).toEqual({ start: 987 - OVERSCAN, end: 1000 });
    expect(visibleRange(200, -39_500, 900, 40)).toEqual({ start: 199, end: 200 });
  });

  it('takes a guessed row height before one is measured', () => {
    expect(visibleRange(1000, 0, 900, 0)).toEqual(visibleRange(1000, 0, 900, 40));
  });
});
