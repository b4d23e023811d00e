/**
 * Alert records (scope alerts:read): one per (event, channel) delivery, with the document's
 * filters, and one with its channel, event and every attempt.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { AlertRecordStore } from '../../../alerting/deliveries/alert-records.js';
import { AlertIdParams, AlertList, AlertResponse, ListAlertsQuery, errorResponses } from './schema.js';
import { getAlert, listAlerts } from './verbs.js';

const tags = ['Alerts'];

export function alertRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    // A stateless store over the api's connection (built here so ApiDeps stays as it is).
    const alerts = new AlertRecordStore(deps.sql);
    const ctx = (req: FastifyRequest) => ({ deps, principal: principalOf(req), alerts });

    app.get('/api/alerts', {
      config: { scope: 'alerts:read' },
      schema: { tags, summary: 'List alert records (one per event and channel), newest first', querystring: ListAlertsQuery, response: { 200: AlertList, ...errorResponses } },
    }, async (req) => listAlerts({ ctx: ctx(req), input: req.query }));

    app.get('/api/alerts/:id', {
      config: { scope: 'alerts:read' },
      schema: { tags, summary: 'Get an alert record with every delivery attempt', params: AlertIdParams, response: { 200: AlertResponse, ...errorResponses } },
    }, async (req) => getAlert({ ctx: ctx(req), input: req.params }));
  };
}
