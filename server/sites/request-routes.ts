// Route: operators list members' broadcast requests by demand.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../../common/api/shared.ts';
import { RequestDemand, RequestsQuery } from '../../common/api/sites.ts';
import { badRequest } from '../errors.ts';
import { requestDemand } from './requests.ts';

function isoInstant(s: string | undefined, name: string): string | undefined {
  if (s === undefined) return undefined;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw badRequest(`${name} must be an ISO 8601 instant, e.g. 2026-11-01T00:00:00Z.`);
  return d.toISOString();
}

export default async function requestRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/requests',
    {
      onRequest: app.auth.operator,
      schema: {
        tags: ['requests'],
        summary: "Members' broadcast requests rolled up per program and per topic, most wanted first",
        querystring: RequestsQuery,
        response: { 200: RequestDemand, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      const q = req.query;
      const filter = { from: isoInstant(q.from, 'from'), to: isoInstant(q.to, 'to'), regionId: q.regionId };
      return requestDemand(app.db, filter, req.user!.role === 'operator');
    },
  );
}
