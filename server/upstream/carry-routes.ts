// At a province: GET /api/upstream/channels, the centre's channels it may carry. Operators only. HTTP only.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { UpstreamChannels } from '../../common/api/platforms.ts';
import { errorSchema } from '../errors.ts';
import { upstreamChannels } from './carry.ts';

export default async function carryRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/upstream/channels',
    {
      onRequest: app.auth.operator,
      schema: {
        tags: ['upstream'],
        summary: "The central platform's channels that reach this province, a week of schedule each, items mapped to mirrored programs",
        response: { 200: UpstreamChannels, 401: errorSchema, 403: errorSchema, 409: errorSchema, 502: errorSchema, 503: errorSchema },
      },
    },
    async () => upstreamChannels(app.db, app.upstream),
  );
}
