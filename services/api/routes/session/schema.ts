import { Type } from 'typebox';
import { ErrorResponse } from '../shared-schemas.js';

export const SignInBody = Type.Object({
  apiKey: Type.String({ minLength: 1, maxLength: 200, description: 'An API key of the organization; the session acts as this key (its scopes) until it expires or the key is revoked' }),
}, { additionalProperties: false });

export const SessionResponse = Type.Object({
  keyId: Type.String(),
  orgId: Type.String(),
  plan: Type.String(),
  scopes: Type.Array(Type.String()),
  csrfToken: Type.String({ description: 'Send it in the X-CSRF-Token header with every change made with the session cookie' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

export const errorResponses = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse };
