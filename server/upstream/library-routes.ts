// At the centre: the feeds a paired province follows, GET /api/platforms/me/library (the mirror) and
// GET /api/platforms/me/channels (carried channels). HTTP only.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ChannelFeed, LibraryFeed } from '../../common/api/platforms.ts';
import { ifNoneMatchHits } from '../../common/etag.ts';
import { errorSchema } from '../errors.ts';
import { libraryFeed } from './library-feed.ts';
import { channelFeed } from './channel-feed.ts';

export default async function libraryRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/platforms/me/library',
    {
      onRequest: app.auth.platform,
      schema: {
        tags: ['platforms'],
        summary:
          'The central programs offered to the calling province (platform token): metadata, current version, every file ' +
          'with size and sha256; send If-None-Match with the last ETag for a 304 when nothing changed',
        response: { 200: LibraryFeed, 304: Type.Null({ description: 'unchanged since the ETag sent' }), 401: errorSchema },
      },
    },
    async (req, reply) => {
      const { feed, etag } = libraryFeed(app.db, req.platform!.regionId);
      reply.header('etag', etag).header('cache-control', 'private, no-cache');
      if (ifNoneMatchHits(req.headers['if-none-match'], etag)) return reply.status(304).send(null);
      return feed;
    },
  );

  app.get(
    '/api/platforms/me/channels',
    {
      onRequest: app.auth.platform,
      schema: {
        tags: ['platforms'],
        summary:
          "The centre's channels that reach the calling province (platform token) with a week of schedule, items naming " +
          'central program ids; If-None-Match with the last ETag gives 304 while nothing changed',
        response: { 200: ChannelFeed, 304: Type.Null({ description: 'unchanged since the ETag sent' }), 401: errorSchema },
      },
    },
    async (req, reply) => {
      const { feed, etag } = channelFeed(app.db, req.platform!.regionId, Date.now());
      reply.header('etag', etag).header('cache-control', 'private, no-cache');
      if (ifNoneMatchHits(req.headers['if-none-match'], etag)) return reply.status(304).send(null);
      return feed;
    },
  );
}
