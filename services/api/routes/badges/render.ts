import type { BadgeStyle } from './schema.js';

/**
 * Colours and texts of the badges (docs/badges.md). All text goes through badge-maker, which
 * escapes it for XML: no SVG is built by hand here.
 */

/** Uptime thresholds, highest first: the first whose minimum the figure reaches gives the colour. */
export const UPTIME_COLOURS: ReadonlyArray<{ min: number; color: string }> = [
  { min: 99.9, color: 'brightgreen' },
  { min: 99, color: 'green' },
  { min: 97, color: 'yellowgreen' },
  { min: 95, color: 'yellow' },
  { min: 90, color: 'orange' },
  { min: 0, color: 'red' },
];

export const STATUS_COLOURS: Readonly<Record<string, string>> = {
  Up: 'brightgreen',
  Down: 'red',
  Degraded: 'yellow',
  Paused: 'lightgrey',
  Maintenance: 'lightgrey',
  Pending: 'lightgrey',
};

export const UNKNOWN_COLOUR = 'lightgrey';

export function uptimeColour(percent: number): string {
  return UPTIME_COLOURS.find((t) => percent >= t.min)?.color ?? 'red';
}

/**
 * Two decimals, cut rather than rounded: 99.996 % shows as 99.99 %, never as a 100 % the
 * monitor did not reach.
 */
export function uptimeText(percent: number): string {
  if (percent >= 100) return '100%';
  return `${(Math.floor(percent * 100) / 100).toFixed(2)}%`;
}

/** badge-maker (with its ~1 MB of font metrics) loads on the first badge, not at start. */
let badgeMaker: Promise<typeof import('badge-maker')> | undefined;

export async function renderBadge(b: { label: string; message: string; color: string; style: BadgeStyle }): Promise<string> {
  const { makeBadge } = await (badgeMaker ??= import('badge-maker'));
  return makeBadge({ label: b.label, message: b.message, color: b.color, style: b.style });
}
