// Routes: operators list members' broadcast requests by demand and mark a program's or a topic's requests handled.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../../common/api/shared.ts';
import { HandledResult, MarkHandled, RequestDemand, RequestsQuery } from '../../common/api/sites.ts';
import { badRequest } from '../errors.ts';
import { markHandled, requestDemand, type HandledTarget } from './requests.ts';

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
      const filter = { from: isoInstant(q.from, 'from'), to: isoInstant(q.to, 'to'), regionId: q.regionId, limit: q.limit };
      return requestDemand(app.db, filter, req.user!.role === 'operator');
    },
  );

  app.post(
    '/api/requests/handled',
    {
      onRequest: app.auth.operator,
      bodyLimit: 4096,
      schema: {
        tags: ['requests'],
        summary: "Mark a program's or a topic's open requests handled: they leave the list until new requests arrive",
        body: MarkHandled,
        response: { 200: HandledResult, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => markHandled(app.db, handledTarget(req.body), new Date()),
  );
}

function handledTarget(b: MarkHandled): HandledTarget {
  const given = [b.programId !== undefined, b.programTitle !== undefined, b.topic !== undefined].filter(Boolean).length;
  if (given !== 1) throw badRequest('Send exactly one of programId, programTitle (a deleted program) or topic.', 'invalid_input');
  if (b.programId !== undefined) return { programId: b.programId };
  if (b.programTitle !== undefined) return { programTitle: b.programTitle };
  return { topic: b.topic! };
}
