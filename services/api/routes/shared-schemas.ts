import { Type } from 'typebox';

export const ErrorResponse = Type.Object({
  error: Type.String(),
  message: Type.String(),
  code: Type.String(),
  details: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
});
