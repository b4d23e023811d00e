import { Type } from 'typebox';

export const ErrorResponse = Type.Object({
  error: Type.String(),
  message: Type.String(),
  code: Type.String(),
  details: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), { description: 'At most 20 field-level problems of a 400' })),
  omittedDetails: Type.Optional(Type.Integer({ description: 'Field-level problems found beyond those in details' })),
});
