/**
 * Maintenance windows (scopes maintenance-windows:read|write): CRUD, and start now / end
 * early for deploy scripts. A monitor in a window in force reads status Maintenance.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { MaintenanceWindowStore } from '../../../alerting/maintenance/store.js';
import {
  ListMaintenanceWindowsQuery, MaintenanceWindowBody, MaintenanceWindowIdParams, MaintenanceWindowList, MaintenanceWindowResponse, StartNowBody, errorResponses,
} from './schema.js';
import {
  createMaintenanceWindow, deleteMaintenanceWindow, endMaintenanceNow, getMaintenanceWindow, listMaintenanceWindows, replaceMaintenanceWindow, startMaintenanceNow,
} from './verbs.js';

const tags = ['Maintenance windows'];
const read = { scope: 'maintenance-windows:read' } as const;
const write = { scope: 'maintenance-windows:write' } as const;

export function maintenanceWindowRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    // A stateless store over the api's connection (built here so ApiDeps stays as it is).
    const windows = new MaintenanceWindowStore(deps.sql, deps.now);
    const ctx = (req: FastifyRequest) => ({ deps, principal: principalOf(req), windows });

    app.get('/api/maintenance-windows', {
      config: read,
      schema: { tags, summary: 'List maintenance windows', querystring: ListMaintenanceWindowsQuery, response: { 200: MaintenanceWindowList, ...errorResponses } },
    }, async (req) => listMaintenanceWindows({ ctx: ctx(req), input: req.query }));

    app.post('/api/maintenance-windows', {
      config: write,
      schema: { tags, summary: 'Create a maintenance window', body: MaintenanceWindowBody, response: { 201: MaintenanceWindowResponse, ...errorResponses } },
    }, async (req, reply) => reply.status(201).send(await createMaintenanceWindow({ ctx: ctx(req), input: req.body })));

    app.get('/api/maintenance-windows/:id', {
      config: read,
      schema: { tags, summary: 'Get a maintenance window', params: MaintenanceWindowIdParams, response: { 200: MaintenanceWindowResponse, ...errorResponses } },
    }, async (req) => getMaintenanceWindow({ ctx: ctx(req), input: req.params }));

    app.put('/api/maintenance-windows/:id', {
      config: write,
      schema: { tags, summary: 'Replace a maintenance window', params: MaintenanceWindowIdParams, body: MaintenanceWindowBody, response: { 200: MaintenanceWindowResponse, ...errorResponses } },
    }, async (req) => replaceMaintenanceWindow({ ctx: ctx(req), input: { id: req.params.id, body: req.body } }));

    app.delete('/api/maintenance-windows/:id', {
      config: write,
      schema: { tags, summary: 'Delete a maintenance window', params: MaintenanceWindowIdParams, response: { 204: Type.Null(), ...errorResponses } },
    }, async (req, reply) => {
      await deleteMaintenanceWindow({ ctx: ctx(req), input: req.params });
      return reply.status(204).send(null);
    });

    app.post('/api/maintenance-windows/:id/start', {
      config: write,
      preValidation: async (req) => { req.body ??= {}; },
      schema: { tags, summary: 'Start the window now (for durationMinutes, default its own duration or 60)', params: MaintenanceWindowIdParams, body: StartNowBody, response: { 200: MaintenanceWindowResponse, ...errorResponses } },
    }, async (req) => startMaintenanceNow({ ctx: ctx(req), input: { id: req.params.id, durationMinutes: req.body.durationMinutes } }));

    app.post('/api/maintenance-windows/:id/end', {
      config: write,
      schema: { tags, summary: 'End the window\'s current occurrence now', params: MaintenanceWindowIdParams, response: { 200: MaintenanceWindowResponse, ...errorResponses } },
    }, async (req) => endMaintenanceNow({ ctx: ctx(req), input: req.params }));
  };
}
