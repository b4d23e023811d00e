import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { ChannelBody, ChannelIdParams, ChannelList, ChannelResponse, Page, TestOutcome, errorResponses } from './schema.js';
import { createChannel, deleteChannel, getChannel, listChannels, rotateChannelSecret, testChannel, updateChannel } from './verbs.js';

const tags = ['Alert channels'];

export function alertChannelRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const ctx = (req: FastifyRequest) => ({ deps, principal: principalOf(req) });

    app.get('/api/alert-channels', {
      config: { scope: 'alert-channels:read' },
      schema: { tags, summary: 'List alert channels (URLs masked)', querystring: Page, response: { 200: ChannelList, ...errorResponses } },
    }, async (req) => listChannels({ ctx: ctx(req), input: req.query }));
    app.post('/api/alert-channels', {
      config: { scope: 'alert-channels:write' },
      schema: { tags, summary: 'Create an alert channel (a Webhook channel\'s signing secret is returned only once)', body: ChannelBody, response: { 201: ChannelResponse, ...errorResponses } },
    }, async (req, reply) => reply.status(201).send(await createChannel({ ctx: ctx(req), input: req.body as ChannelBody })));
    app.get('/api/alert-channels/:id', {
      config: { scope: 'alert-channels:read' },
      schema: { tags, summary: 'Get an alert channel (URL masked)', params: ChannelIdParams, response: { 200: ChannelResponse, ...errorResponses } },
    }, async (req) => getChannel({ ctx: ctx(req), input: req.params }));
    app.put('/api/alert-channels/:id', {
      config: { scope: 'alert-channels:write' },
      schema: { tags, summary: 'Replace an alert channel\'s name and settings (a masked URL sent back means unchanged)', params: ChannelIdParams, body: ChannelBody, response: { 200: ChannelResponse, ...errorResponses } },
    }, async (req) => updateChannel({ ctx: ctx(req), input: { id: req.params.id, body: req.body as ChannelBody } }));
    app.delete('/api/alert-channels/:id', {
      config: { scope: 'alert-channels:write' },
      schema: { tags, summary: 'Delete an alert channel (and remove it from monitors and rules)', params: ChannelIdParams, response: { 204: Type.Null(), ...errorResponses } },
    }, async (req, reply) => {
      await deleteChannel({ ctx: ctx(req), input: req.params });
      return reply.status(204).send(null);
    });
    app.post('/api/alert-channels/:id/test', {
      config: { scope: 'alert-channels:write', rateLimit: 'testAlert' },
      schema: { tags, summary: 'Send a test alert now (5 per minute per key); the outcome is returned', params: ChannelIdParams, response: { 200: TestOutcome, ...errorResponses } },
    }, async (req) => testChannel({ ctx: ctx(req), input: req.params }));
    app.post('/api/alert-channels/:id/rotate-secret', {
      config: { scope: 'alert-channels:write' },
      schema: { tags, summary: 'Rotate a Webhook channel\'s signing secret (the old one keeps signing for 24 h)', params: ChannelIdParams, response: { 200: ChannelResponse, ...errorResponses } },
    }, async (req) => rotateChannelSecret({ ctx: ctx(req), input: req.params }));
  };
}
