// Routes of the province's upstream link: its state (with parts other modules register, e.g. the mirror) and
// "send the figures now". Operators only.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../../common/api/shared.ts';
import { SendResult, UpstreamStatus } from '../../common/api/platforms.ts';

export default async function upstreamLinkRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['upstream'];

  app.get(
    '/api/upstream',
    {
      onRequest: app.auth.operator,
      schema: {
        tags,
        summary: 'The link to the central platform: state, last send, days not yet acknowledged',
        response: { 200: UpstreamStatus },
      },
    },
    async () => app.upstream.status(),
  );

  app.post(
    '/api/upstream/send',
    {
      onRequest: app.auth.operator,
      bodyLimit: 1024,
      schema: {
        tags,
        summary: 'Send the figures and the demand to the centre now (the days not acknowledged, and changed ones)',
        response: { 200: SendResult, 409: ErrorBody },
      },
    },
    async () => app.upstream.send(),
  );
}
