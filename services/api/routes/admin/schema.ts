import { Type, type Static } from 'typebox';
import { PLANS } from '../../../lib/tenancy/plans.js';
import { ErrorResponse } from '../shared-schemas.js';
import { stringEnum } from '../enum-schema.js';

const PlanName = () => stringEnum(Object.keys(PLANS) as [string, ...string[]]);

export const Addons = Type.Object({
  extraMonitors: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  interval30s: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

export const OrgResponse = Type.Object({
  id: Type.String(), name: Type.String(), plan: Type.String(), addons: Addons, createdAt: Type.String({ format: 'date-time' }),
});
export const OrgList = Type.Object({ items: Type.Array(OrgResponse), totalCount: Type.Integer() });

export const CreateOrgBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), plan: PlanName(), addons: Type.Optional(Addons) }, { additionalProperties: false });
export type CreateOrgBody = Static<typeof CreateOrgBody>;
export const CreatedOrgResponse = Type.Object({ organization: OrgResponse, adminKey: Type.String() });

export const OrgIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
export const SetPlanBody = Type.Object({ plan: PlanName(), addons: Type.Optional(Addons) }, { additionalProperties: false });
export type SetPlanBody = Static<typeof SetPlanBody>;

export const errorResponses = { 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };
