import { Type, type Static } from 'typebox';
import { SCOPES } from '../../../lib/tenancy/scopes.js';
import { ErrorResponse } from '../shared-schemas.js';
import { stringEnum } from '../enum-schema.js';

export const CreateKeyBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  scopes: Type.Array(stringEnum(SCOPES), { minItems: 1, uniqueItems: true }),
}, { additionalProperties: false });
export type CreateKeyBody = Static<typeof CreateKeyBody>;

export const KeyResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  key: Type.String({ description: 'Masked in listings; the full key only in the creation response' }),
  scopes: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export const KeyList = Type.Object({ items: Type.Array(KeyResponse), totalCount: Type.Integer() });

export const KeyIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const errorResponses = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };
