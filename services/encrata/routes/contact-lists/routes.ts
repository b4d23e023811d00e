/** Contact lists under the `/encrata` base path (scopes contact-lists:read|write). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../../../api/context.js';
import { principalOf } from '../../../api/plugins/auth.js';
import { EntityMonitorStore } from '../../store.js';
import { CsvBody, CsvQuery, Page, errorResponses } from '../monitors/schema.js';
import { ENCRATA_BASE, ENCRATA_TAG } from '../monitors/routes.js';
import { CreateListBody, EntriesBody, EntryList, EntryParams, ListIdParams, ListList, ListResponse, UpdateListBody } from './schema.js';
import { addEntries, createList, deleteList, getList, listEntries, listLists, removeEntry, renameList, replaceEntriesCsv } from './verbs.js';

const tags = [ENCRATA_TAG];
const read = { scope: 'contact-lists:read' } as const;
const write = { scope: 'contact-lists:write' } as const;
const security: Array<Record<string, string[]>> = [{ bearer: [] }, { apiKey: [] }];

export function encrataContactListRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const store = new EntityMonitorStore(deps.sql);
    const ctx = (req: FastifyRequest) => ({ deps, principal: principalOf(req), store });
    const base = `${ENCRATA_BASE}/api/contact-lists`;

    app.post(base, {
      config: write,
      schema: { tags, security, summary: 'Create a contact list (entries checked by its entry_type)', body: CreateListBody, response: { 201: ListResponse, ...errorResponses } },
    }, async (req, reply) => reply.status(201).send(await createList({ ctx: ctx(req), input: req.body })));
    app.get(base, {
      config: read,
      schema: { tags, security, summary: 'List contact lists', querystring: Page, response: { 200: ListList, ...errorResponses } },
    }, async (req) => listLists({ ctx: ctx(req), input: req.query }));
    app.get(`${base}/:id`, {
      config: read,
      schema: { tags, security, summary: 'Get a contact list', params: ListIdParams, response: { 200: ListResponse, ...errorResponses } },
    }, async (req) => getList({ ctx: ctx(req), input: req.params }));
    app.patch(`${base}/:id`, {
      config: write,
      schema: { tags, security, summary: 'Rename a contact list', params: ListIdParams, body: UpdateListBody, response: { 200: ListResponse, ...errorResponses } },
    }, async (req) => renameList({ ctx: ctx(req), input: { id: req.params.id, name: req.body.name } }));
    app.delete(`${base}/:id`, {
      config: write,
      schema: { tags, security, summary: 'Delete a contact list (409 while a monitor reads it)', params: ListIdParams, response: { 204: Type.Null(), ...errorResponses } },
    }, async (req, reply) => {
      await deleteList({ ctx: ctx(req), input: req.params });
      return reply.status(204).send(null);
    });
    app.get(`${base}/:id/entries`, {
      config: read,
      schema: { tags, security, summary: 'A contact list\'s entries', params: ListIdParams, querystring: Page, response: { 200: EntryList, ...errorResponses } },
    }, async (req) => listEntries({ ctx: ctx(req), input: { ...req.params, ...req.query } }));
    app.post(`${base}/:id/entries`, {
      config: write,
      schema: { tags, security, summary: 'Add entries (picked up by monitors at their next run)', params: ListIdParams, body: EntriesBody, response: { 200: ListResponse, ...errorResponses } },
    }, async (req) => addEntries({ ctx: ctx(req), input: { id: req.params.id, entries: req.body.entries } }));
    app.put(`${base}/:id/entries`, {
      config: write,
      schema: { tags, security, summary: 'Upload entries as CSV (text/csv); bad rows reported by line, nothing stored unless all are good', params: ListIdParams, querystring: CsvQuery, body: CsvBody, response: { 200: ListResponse, ...errorResponses } },
    }, async (req) => replaceEntriesCsv({ ctx: ctx(req), input: { id: req.params.id, csv: req.body, mode: req.query.mode ?? 'replace' } }));
    app.delete(`${base}/:id/entries/:value`, {
      config: write,
      schema: { tags, security, summary: 'Remove an entry', params: EntryParams, response: { 204: Type.Null(), ...errorResponses } },
    }, async (req, reply) => {
      await removeEntry({ ctx: ctx(req), input: req.params });
      return reply.status(204).send(null);
    });
  };
}
