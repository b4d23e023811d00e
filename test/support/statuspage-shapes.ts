/**
 * The shapes Atlassian Statuspage documents for its public Status API (v2): page, status,
 * components, incidents with incident_updates, scheduled maintenances. Written from its
 * documentation, as JSON Schema, so a status aggregator's expectations are checked field
 * by field (types and enums), not against our own output.
 */
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

const dateTime = { type: 'string', format: 'date-time' };
const nullableDateTime = { anyOf: [dateTime, { type: 'null' }] };
const page = {
  type: 'object', required: ['id', 'name', 'url', 'time_zone', 'updated_at'],
  properties: { id: { type: 'string' }, name: { type: 'string' }, url: { type: 'string', format: 'uri' }, time_zone: { type: 'string' }, updated_at: dateTime },
};
const status = {
  type: 'object', required: ['indicator', 'description'],
  properties: { indicator: { enum: ['none', 'minor', 'major', 'critical'] }, description: { type: 'string' } },
};
const component = {
  type: 'object', required: ['id', 'name', 'status', 'created_at', 'updated_at', 'position', 'description', 'showcase', 'group_id', 'page_id', 'group', 'only_show_if_degraded'],
  properties: {
    id: { type: 'string' }, name: { type: 'string' },
    status: { enum: ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] },
    created_at: dateTime, updated_at: dateTime, position: { type: 'integer' }, description: { type: ['string', 'null'] }, showcase: { type: 'boolean' },
    start_date: { anyOf: [{ type: 'string', format: 'date' }, { type: 'null' }] }, group_id: { type: ['string', 'null'] }, page_id: { type: 'string' },
    group: { type: 'boolean' }, only_show_if_degraded: { type: 'boolean' }, components: { type: 'array', items: { type: 'string' } },
  },
};
const update = (statuses: string[]) => ({
  type: 'object', required: ['id', 'status', 'body', 'created_at', 'updated_at', 'display_at', 'incident_id'],
  properties: { id: { type: 'string' }, status: { enum: statuses }, body: { type: 'string' }, created_at: dateTime, updated_at: dateTime, display_at: dateTime, incident_id: { type: 'string' } },
});
const incidentStatuses = ['investigating', 'identified', 'monitoring', 'resolved', 'postmortem'];
const incident = {
  type: 'object', required: ['id', 'name', 'status', 'created_at', 'updated_at', 'monitoring_at', 'resolved_at', 'impact', 'shortlink', 'page_id', 'incident_updates'],
  properties: {
    id: { type: 'string' }, name: { type: 'string' }, status: { enum: incidentStatuses }, created_at: dateTime, updated_at: dateTime,
    monitoring_at: nullableDateTime, resolved_at: nullableDateTime, impact: { enum: ['none', 'minor', 'major', 'critical'] }, shortlink: { type: 'string' },
    started_at: dateTime, page_id: { type: 'string' }, incident_updates: { type: 'array', minItems: 1, items: update(incidentStatuses) }, components: { type: 'array', items: component },
  },
};
const maintenanceStatuses = ['scheduled', 'in_progress', 'verifying', 'completed'];
const maintenance = {
  type: 'object', required: ['id', 'name', 'status', 'created_at', 'updated_at', 'monitoring_at', 'resolved_at', 'impact', 'shortlink', 'page_id', 'incident_updates', 'scheduled_for', 'scheduled_until'],
  properties: {
    ...incident.properties, status: { enum: maintenanceStatuses }, impact: { enum: ['none', 'minor', 'major', 'critical', 'maintenance'] },
    incident_updates: { type: 'array', items: update(maintenanceStatuses) }, scheduled_for: dateTime, scheduled_until: dateTime,
  },
};

const doc = (properties: Record<string, unknown>) => ({ type: 'object', required: Object.keys(properties), properties });

export const STATUSPAGE_SHAPES = {
  'summary.json': doc({ page, status, components: { type: 'array', items: component }, incidents: { type: 'array', items: incident }, scheduled_maintenances: { type: 'array', items: maintenance } }),
  'status.json': doc({ page, status }),
  'components.json': doc({ page, components: { type: 'array', items: component } }),
  'incidents.json': doc({ page, incidents: { type: 'array', items: incident } }),
  'incidents/unresolved.json': doc({ page, incidents: { type: 'array', items: incident } }),
  'scheduled-maintenances.json': doc({ page, scheduled_maintenances: { type: 'array', items: maintenance } }),
  'scheduled-maintenances/upcoming.json': doc({ page, scheduled_maintenances: { type: 'array', items: maintenance } }),
  'scheduled-maintenances/active.json': doc({ page, scheduled_maintenances: { type: 'array', items: maintenance } }),
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (a: Ajv) => Ajv;
addFormats(ajv);

/** The problems of `value` against the documented shape of `doc` (empty when it conforms). */
export function statuspageProblems(docName: keyof typeof STATUSPAGE_SHAPES, value: unknown): string[] {
  const validate = ajv.compile(STATUSPAGE_SHAPES[docName]);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
