import { Type, type Static } from 'typebox';
import { VISIBILITIES } from '../../../status-pages/store.js';
import { stringEnum } from '../enum-schema.js';
import { ErrorResponse } from '../shared-schemas.js';

/** A slug is the page's public path segment: lower-case letters, digits and inner hyphens. */
export const SLUG_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$';
/** A DNS host name of two labels or more, lower case (the api lower-cases it first). */
export const DOMAIN_PATTERN = '^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$';
// Control characters have no place in a title or a name shown on a page.
const TEXT = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$';
export const MAX_COMPONENTS = 100;

export const ComponentBody = Type.Object({
  monitorId: Type.String({ minLength: 1, maxLength: 64, description: 'A monitor of this organization' }),
  displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: TEXT, description: "Shown on the page; default the monitor's name" })),
  group: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100, pattern: TEXT }), Type.Null()], { description: 'Components of one group are shown together; groups in the order they first appear' })),
  showUptime: Type.Optional(Type.Boolean({ default: true, description: 'Whether the 90-day uptime bar and figure are shown' })),
}, { additionalProperties: false });

export const StatusPageBody = Type.Object({
  slug: Type.String({ minLength: 1, maxLength: 63, pattern: SLUG_PATTERN, description: 'The public address /status/{slug}; unique across the deployment' }),
  title: Type.String({ minLength: 1, maxLength: 200, pattern: TEXT }),
  description: Type.Optional(Type.String({ maxLength: 2000, pattern: TEXT })),
  customDomain: Type.Optional(Type.Union([Type.String({ minLength: 4, maxLength: 253, description: 'A host name; requests whose Host is this get the page at /' }), Type.Null()])),
  visibility: Type.Optional(stringEnum(VISIBILITIES, { default: 'public', description: 'public, or password: visitors enter the password once (a signed cookie keeps them in)' })),
  password: Type.Optional(Type.String({ minLength: 8, maxLength: 200, description: 'Write-only; required to make a page password-protected; omitted on PUT keeps the current one' })),
  components: Type.Array(ComponentBody, { maxItems: MAX_COMPONENTS, description: 'In display order' }),
}, { additionalProperties: false });
export type StatusPageBody = Static<typeof StatusPageBody>;

export const ComponentResponse = Type.Object({
  monitorId: Type.String(),
  displayName: Type.String(),
  group: Type.Union([Type.String(), Type.Null()]),
  showUptime: Type.Boolean(),
});

export const StatusPageResponse = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  title: Type.String(),
  description: Type.String(),
  customDomain: Type.Union([Type.String(), Type.Null()]),
  visibility: Type.String(),
  components: Type.Array(ComponentResponse),
  url: Type.String({ description: 'Where the public page is served' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export const StatusPageList = Type.Object({ items: Type.Array(StatusPageResponse), totalCount: Type.Integer() });

export const ListStatusPagesQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
}, { additionalProperties: false });
export type ListStatusPagesQuery = Static<typeof ListStatusPagesQuery>;

export const StatusPageIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const errorResponses = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse };
