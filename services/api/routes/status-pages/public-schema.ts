import { Type, type TSchema } from 'typebox';
import { ErrorResponse } from '../shared-schemas.js';
import { SLUG_PATTERN } from './schema.js';

export const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 63, pattern: SLUG_PATTERN }) });

export const LoginBody = Type.Object({
  password: Type.String({ maxLength: 200 }),
}, { additionalProperties: false });

const loose = (description: string, properties: Record<string, TSchema>) => Type.Object(properties, { description, additionalProperties: true });
const PageRef = loose('The page', { id: Type.String(), name: Type.String(), url: Type.String(), time_zone: Type.String(), updated_at: Type.String() });
const StatusRef = loose('Overall status', { indicator: Type.String({ enum: ['none', 'minor', 'major', 'critical'] }), description: Type.String() });
const Items = Type.Array(Type.Object({}, { additionalProperties: true }));

const json = (description: string, schema: unknown) => ({ 200: { description, content: { 'application/json': { schema } } }, 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse });

export const statuspageResponses = {
  'summary.json': json('Statuspage summary: page, components, unresolved incidents, scheduled maintenances, status', loose('', { page: PageRef, status: StatusRef, components: Items, incidents: Items, scheduled_maintenances: Items })),
  'status.json': json('Statuspage status: the indicator and its description', loose('', { page: PageRef, status: StatusRef })),
  'components.json': json('Statuspage components', loose('', { page: PageRef, components: Items })),
  'incidents.json': json('Statuspage incidents (the latest 50), with their updates', loose('', { page: PageRef, incidents: Items })),
  'incidents/unresolved.json': json('Statuspage unresolved incidents', loose('', { page: PageRef, incidents: Items })),
  'scheduled-maintenances.json': json('Statuspage scheduled maintenances (in progress and within 30 days)', loose('', { page: PageRef, scheduled_maintenances: Items })),
  'scheduled-maintenances/upcoming.json': json('Statuspage upcoming maintenances', loose('', { page: PageRef, scheduled_maintenances: Items })),
  'scheduled-maintenances/active.json': json('Statuspage maintenances in progress', loose('', { page: PageRef, scheduled_maintenances: Items })),
} as const;

const Day = Type.Object({ date: Type.String(), uptimePercentage: Type.Union([Type.Number(), Type.Null()]) });
const PublicUpdate = Type.Object({ status: Type.String(), message: Type.String(), createdAt: Type.String() });
const PublicIncident = Type.Object({
  id: Type.String(), title: Type.String(), message: Type.String(), severity: Type.String(), status: Type.String(),
  startedAt: Type.String(), resolvedAt: Type.Union([Type.String(), Type.Null()]), components: Type.Array(Type.String()), updates: Type.Array(PublicUpdate),
});
export const PublicStatusPage = Type.Object({
  slug: Type.String(), title: Type.String(), description: Type.String(),
  status: Type.String({ description: 'operational, degraded, maintenance, partial_outage, major_outage or unknown' }),
  updatedAt: Type.String(),
  components: Type.Array(Type.Object({
    id: Type.String(), name: Type.String(), group: Type.Union([Type.String(), Type.Null()]), status: Type.String(),
    uptimePercentage: Type.Union([Type.Number(), Type.Null()], { description: 'Over 90 days; null without data or when the page hides it' }),
    uptimeDays: Type.Array(Day, { description: '90 UTC days, oldest first; empty when the page hides uptime' }),
  })),
  activeIncidents: Type.Array(PublicIncident),
  incidentHistory: Type.Array(PublicIncident),
  scheduledMaintenance: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), startsAt: Type.String(), endsAt: Type.String(), inProgress: Type.Boolean(), components: Type.Array(Type.String()) })),
});

export const htmlResponse = (description: string) => ({ 200: { description, content: { 'text/html': { schema: Type.String() } } }, 400: ErrorResponse });

export const SubscribeBody = Type.Object({
  email: Type.String({ minLength: 1, maxLength: 254, description: 'The address to mail a confirmation link to; mailed about incidents once confirmed' }),
}, { additionalProperties: false });

export const TokenQuery = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200, description: 'The signed link from the mail' }) });

/** RFC 8058's one-click body (`List-Unsubscribe=One-Click`); the token in the URL is what counts. */
export const OneClickBody = Type.Object({ 'List-Unsubscribe': Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: true });

export const subscribeResponses = {
  202: Type.Object({ message: Type.String() }, { description: 'The same answer for a new, pending or confirmed address: a new or pending one is mailed a confirmation link' }),
  400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse,
};
