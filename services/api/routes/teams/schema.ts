import { Type, type Static } from 'typebox';
import { TEAM_ROLES } from '../../../lib/tenancy/teams.js';
import { ErrorResponse } from '../shared-schemas.js';
import { stringEnum } from '../enum-schema.js';

export const TeamBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
}, { additionalProperties: false });
export type TeamBody = Static<typeof TeamBody>;

export const MemberBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  email: Type.String({ format: 'email', maxLength: 254 }),
  role: Type.Optional(stringEnum(TEAM_ROLES, { default: 'Member' })),
}, { additionalProperties: false });
export type MemberBody = Static<typeof MemberBody>;

export const MemberResponse = Type.Object({
  id: Type.String(), name: Type.String(), email: Type.String(), role: Type.String(), createdAt: Type.String({ format: 'date-time' }),
});
export const MemberList = Type.Object({ items: Type.Array(MemberResponse), totalCount: Type.Integer() });
export const TeamResponse = Type.Object({
  id: Type.String(), name: Type.String(), description: Type.Union([Type.String(), Type.Null()]), memberCount: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }), updatedAt: Type.String({ format: 'date-time' }),
});
export const TeamList = Type.Object({ items: Type.Array(TeamResponse), totalCount: Type.Integer() });

export const TeamIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
export const MemberParams = Type.Object({ id: Type.String({ maxLength: 64 }), memberId: Type.String({ maxLength: 64 }) });
export const Page = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
}, { additionalProperties: false });

export const errorResponses = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse };
