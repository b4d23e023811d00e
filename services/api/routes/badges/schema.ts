import { Type } from 'typebox';
import { stringEnum } from '../enum-schema.js';
import { ErrorResponse } from '../shared-schemas.js';

/** The Enori document's "Uptime Badges" table: period, label (max 30 characters), style. */
export const BADGE_PERIODS = ['24h', '7d', '30d', '90d'] as const;
export const BADGE_STYLES = ['flat', 'flat-square'] as const;
export const LABEL_MAX_CHARS = 30;

export type BadgePeriod = (typeof BADGE_PERIODS)[number];
export type BadgeStyle = (typeof BADGE_STYLES)[number];

export const BadgeParams = Type.Object({ monitorId: Type.String({ maxLength: 64 }) });

// Control characters are not allowed in XML 1.0, so a label with one would make a broken image.
const label = (fallback: string) => Type.Optional(Type.String({
  maxLength: LABEL_MAX_CHARS,
  pattern: '^[^\\u0000-\\u001F\\u007F]*$',
  description: `Left side label text (any text without control characters, at most ${LABEL_MAX_CHARS} characters); default "${fallback}"`,
}));
const style = stringEnum(BADGE_STYLES, { default: 'flat', description: 'Badge style' });

export const UptimeBadgeQuery = Type.Object({
  period: stringEnum(BADGE_PERIODS, { default: '30d', description: 'Time range of the uptime figure' }),
  label: label('uptime'),
  style,
}, { additionalProperties: false });

export const StatusBadgeQuery = Type.Object({
  label: label('status'),
  style,
}, { additionalProperties: false });

/** An SVG image; never an error for an unknown, paused or deleted monitor (that is a gray "unknown" badge). */
export const badgeResponses = {
  200: {
    description: 'The badge as SVG (a gray "unknown" badge when the monitor is not found, paused or deleted)',
    content: { 'image/svg+xml': { schema: Type.String() } },
  },
  400: ErrorResponse,
};
