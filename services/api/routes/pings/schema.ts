import { Type } from 'typebox';
import { ErrorResponse } from '../shared-schemas.js';

export const TokenParams = Type.Object({ token: Type.String({ minLength: 16, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });
export const ExitCodeParams = Type.Object({ ...TokenParams.properties, exitCode: Type.Integer({ minimum: 0, maximum: 255 }) });
export const Ok = Type.String({ description: 'OK' });
export const errorResponses = { 400: ErrorResponse, 404: ErrorResponse, 413: ErrorResponse, 503: ErrorResponse };
