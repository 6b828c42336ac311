// Routes a paired site calls with its own token: its manifest and its members' broadcast requests.
import type { FastifyInstance } from 'fastify';
import { errorSchema, notFound } from '../errors.ts';
import { etagMatches, loadManifestSite, ManifestCache, type TimelineSource } from './manifest.ts';
import { recordRequest, type NewRequest } from './requests.ts';

export interface SiteApiOptions {
  timelineFor: TimelineSource;
}

export default async function siteApiRoutes(app: FastifyInstance, opts: SiteApiOptions) {
  const { db } = app;
  const cache = new ManifestCache(db, opts.timelineFor, app.config.provinceTz, (channelId, err) =>
    app.log.warn({ channelId, err: (err as Error).message }, 'channel left out of site manifests'),
  );

  app.get(
    '/api/sites/me/manifest',
    {
      preHandler: app.auth.site,
      schema: {
        tags: ['sites'],
        summary: "This site's manifest: channels and their next 48 h, files to hold, the on-demand catalog",
        description:
          'Send If-None-Match with the last ETag: 304 when nothing changed. The body is common/manifest.ts SiteManifest. ' +
          "Each program is held at one rung: the highest it has at or below the site's maxRung. `required` lists every " +
          'file scheduled broadcasts need from the top of this hour for 49 h (slates included), each once, with the ' +
          'instant it first goes on air (neededAt). Sent gzip-encoded when the client accepts it.',
        headers: { type: 'object', properties: { 'if-none-match': { type: 'string' } } },
        response: {
          200: { description: 'SiteManifest (common/manifest.ts)', type: 'object', additionalProperties: true },
          304: { description: 'unchanged since the ETag sent', type: 'null' },
          401: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const site = loadManifestSite(db, req.site!.id);
      if (!site) throw notFound('This site no longer exists.');
      const res = cache.manifest(site, Date.now());
      reply.header('etag', res.etag).header('cache-control', 'private, no-cache').header('vary', 'accept-encoding');
      if (etagMatches(req.headers['if-none-match'], res.etag)) return reply.status(304).send();
      // Already JSON: sent as is, not through the schema serializer.
      reply.type('application/json; charset=utf-8');
      if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')))
        return reply.header('content-encoding', 'gzip').send(res.gzip());
      return reply.send(res.body());
    },
  );

  app.post(
    '/api/sites/me/requests',
    {
      preHandler: app.auth.site,
      schema: {
        tags: ['requests'],
        summary: 'A member asks for a lecture (programId) or a topic to be broadcast',
        description:
          'Send a clientId made at the site (or an Idempotency-Key header): a retry with the same id answers 200 with ' +
          'the first id and is not counted again.',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            programId: { type: 'integer', minimum: 1 },
            topic: { type: 'string', maxLength: 200 },
            memberNo: { type: 'string', maxLength: 64 },
            clientId: { type: 'string', minLength: 1, maxLength: 100 },
          },
        },
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', maxLength: 100 } } },
        response: {
          201: { type: 'object', properties: { id: { type: 'integer' }, duplicate: { type: 'boolean' } } },
          200: { type: 'object', properties: { id: { type: 'integer' }, duplicate: { type: 'boolean' } } },
          400: errorSchema,
          401: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const body = { ...(req.body as NewRequest) };
      const key = req.headers['idempotency-key'];
      if (body.clientId === undefined && typeof key === 'string' && key) body.clientId = key;
      const res = recordRequest(db, req.site!.id, body);
      reply.status(res.duplicate ? 200 : 201);
      return res;
    },
  );
}
