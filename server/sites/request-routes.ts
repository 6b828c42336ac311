// Route: operators list members' broadcast requests by demand.
import type { FastifyInstance } from 'fastify';
import { badRequest, errorSchema } from '../errors.ts';
import { requestDemand } from './requests.ts';

const siteCount = {
  type: 'object',
  properties: { siteId: { type: 'integer' }, siteName: { type: 'string' }, count: { type: 'integer' } },
} as const;
const demand = {
  count: { type: 'integer' },
  sites: { type: 'integer', description: 'distinct sites asking' },
  members: { type: 'integer', description: 'distinct member numbers given' },
  lastAt: { type: 'string' },
  bySite: { type: 'array', items: siteCount },
} as const;

export default async function requestRoutes(app: FastifyInstance) {
  app.get(
    '/api/requests',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['requests'],
        summary: "Members' broadcast requests rolled up per program and per topic, most wanted first",
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: { type: 'string', format: 'date-time', description: 'requests at or after this instant' },
            to: { type: 'string', format: 'date-time', description: 'requests before this instant' },
            regionId: { type: 'integer', description: "only sites in this region's subtree" },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              total: { type: 'integer' },
              programs: {
                type: 'array',
                items: { type: 'object', properties: { programId: { type: ['integer', 'null'] }, title: { type: 'string' }, ...demand } },
              },
              topics: { type: 'array', items: { type: 'object', properties: { topic: { type: 'string' }, ...demand } } },
            },
          },
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
        },
      },
    },
    async (req) => {
      const q = req.query as { from?: string; to?: string; regionId?: number };
      const iso = (s: string | undefined, name: string) => {
        if (s === undefined) return undefined;
        const d = new Date(s);
        if (Number.isNaN(d.getTime())) throw badRequest(`${name} must be an ISO 8601 instant, e.g. 2026-11-01T00:00:00Z.`);
        return d.toISOString();
      };
      return requestDemand(app.db, { from: iso(q.from, 'from'), to: iso(q.to, 'to'), regionId: q.regionId });
    },
  );
}
