/**
 * Monthly SLA reports (scopes reports:read|write; the plan's "Reports per Month"): generated
 * on request, kept, read back as JSON or CSV.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiDeps } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { SlaReportStore } from '../../../lib/reports/report-store.js';
import { reportCsv } from '../../../lib/reports/csv.js';
import { CreateReportBody, GetReportQuery, ListReportsQuery, ReportIdParams, ReportList, ReportResponse, errorResponses } from './schema.js';
import { deleteReport, generateReport, getReport, listReports } from './verbs.js';

const tags = ['Reports'];
const read = { scope: 'reports:read' } as const;
const write = { scope: 'reports:write' } as const;

/** CSV when asked for by `format`, else when the Accept header prefers text/csv to JSON. */
function wantsCsv(format: string | undefined, accept = ''): boolean {
  if (format) return format === 'csv';
  return /(^|,)\s*text\/csv/i.test(accept) && !/(^|,)\s*application\/json/i.test(accept);
}

export function reportRoutes(deps: ApiDeps) {
  return async function register(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const reports = new SlaReportStore(deps.sql);
    const ctx = (req: FastifyRequest) => ({ deps, principal: principalOf(req), reports });

    app.get('/api/reports', {
      config: read,
      schema: { tags, summary: 'List SLA reports (newest first, without their per-monitor rows)', querystring: ListReportsQuery, response: { 200: ReportList, ...errorResponses } },
    }, async (req) => listReports({ ctx: ctx(req), input: req.query }));

    app.post('/api/reports', {
      config: write,
      preValidation: async (req) => { req.body ??= {}; },
      schema: { tags, summary: 'Generate the SLA report of a month (counts against the plan\'s reports per month)', body: CreateReportBody, response: { 201: ReportResponse, ...errorResponses } },
    }, async (req, reply) => reply.status(201).send(await generateReport({ ctx: ctx(req), input: req.body })));

    app.get('/api/reports/:id', {
      config: read,
      schema: {
        tags, summary: 'Get an SLA report as JSON or CSV', params: ReportIdParams, querystring: GetReportQuery,
        response: {
          200: { description: 'The report', content: { 'application/json': { schema: ReportResponse }, 'text/csv': { schema: Type.String() } } },
          ...errorResponses,
        },
      },
    }, async (req, reply) => {
      const report = await getReport({ ctx: ctx(req), input: req.params });
      if (!wantsCsv(req.query.format, req.headers.accept)) return reply.type('application/json; charset=utf-8').send(report);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="pharos-sla-${report.month}-${report.id}.csv"`)
        .send(reportCsv(report));
    });

    app.delete('/api/reports/:id', {
      config: write,
      schema: { tags, summary: 'Delete an SLA report (the month\'s generation still counts)', params: ReportIdParams, response: { 204: Type.Null(), ...errorResponses } },
    }, async (req, reply) => {
      await deleteReport({ ctx: ctx(req), input: req.params });
      return reply.status(204).send(null);
    });
  };
}
