// Routes a paired site calls with its own token: its manifest (plain or long poll), its on-demand catalog and its
// members' requests.
// Every route here is also limited per site (server/auth/site-limit.ts).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody } from '../../common/api/shared.ts';
import {
  CatalogBody,
  CatalogHeaders,
  IdempotencyHeaders,
  Manifest,
  ManifestHeaders,
  MANIFEST_MAX_WAIT_S,
  NewRequest,
  RequestAck,
} from '../../common/api/sites.ts';
import { notFound, unauthorized } from '../errors.ts';
import { ifNoneMatchHits } from '../../common/etag.ts';
import { loadManifestSite, ManifestCache, type ManifestResponse, type TimelineSource } from './manifest.ts';
import { ManifestLongPolls } from './manifest-longpoll.ts';
import { recordRequest } from './requests.ts';
import { siteByTokenHash } from './sites.ts';

export interface SiteApiOptions {
  timelineFor: TimelineSource;
}

/** Seconds asked for with `Prefer: wait=N` (RFC 7240), at most MANIFEST_MAX_WAIT_S; 0 when not asked. */
export function preferredWait(prefer: string | undefined): number {
  const m = /(?:^|[,;\s])wait\s*=\s*"?(\d{1,6})"?/i.exec(prefer ?? '');
  return m ? Math.min(Number(m[1]), MANIFEST_MAX_WAIT_S) : 0;
}

export default async function siteApiRoutes(fastify: FastifyInstance, opts: SiteApiOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app;
  const cache = new ManifestCache(db, opts.timelineFor, app.config.provinceTz, (channelId, err) =>
    app.log.warn({ channelId, err: (err as Error).message }, 'channel left out of site manifests'),
  );
  const polls = new ManifestLongPolls(
    {
      cache,
      loadSite: (id) => loadManifestSite(db, id),
      tokenValid: (id, tokenHash) => siteByTokenHash(db, tokenHash)?.id === id,
      now: Date.now,
    },
    app.manifestNotifier,
  );
  // Held polls are answered as the server begins to close (preClose), not after: the server waits for every
  // request in flight before onClose runs, so a held poll would keep a restart waiting up to its whole hold.
  app.addHook('preClose', async () => polls.close());

  /** Sends an already-serialised body with its ETag, gzip-encoded when the client accepts it. */
  const sendPrebuilt = (req: { headers: Record<string, string | string[] | undefined> }, reply: FastifyReply, res: ManifestResponse) => {
    reply.header('etag', res.etag).type('application/json; charset=utf-8');
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(res.gzip());
    return reply.send(res.body());
  };

  app.get(
    '/api/sites/me/manifest',
    {
      onRequest: app.auth.site,
      schema: {
        tags: ['sites'],
        summary: "This site's manifest: channels and their next 48 h, files to hold, the ETag of its catalog",
        description:
          'Send If-None-Match with the last ETag: 304 when nothing changed. Add `Prefer: wait=55` to hold the request ' +
          'until the manifest changes (200) or the wait ends (304); a revoked site is answered 401 at once. The body is ' +
          "common/manifest.ts SiteManifest. Each program is held at one rung: the highest it has at or below the site's " +
          'maxRung. `required` lists every file scheduled broadcasts need from the top of this hour for 49 h (slates ' +
          'included), each once, with the instant it first goes on air (neededAt). Gzip-encoded when accepted.',
        headers: ManifestHeaders,
        response: {
          200: Manifest,
          304: Type.Null({ description: 'unchanged since the ETag sent (after the wait, for a long poll)' }),
          401: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const site = loadManifestSite(db, req.site!.id);
      if (!site) throw notFound('This site no longer exists.');
      let res = cache.manifest(site, Date.now());
      reply.header('cache-control', 'private, no-cache').header('vary', 'accept-encoding');
      const wait = preferredWait(req.headers.prefer);
      if (wait > 0) reply.header('preference-applied', `wait=${wait}`);
      if (ifNoneMatchHits(req.headers['if-none-match'], res.etag)) {
        if (wait === 0) return reply.header('etag', res.etag).status(304).send(null);
        // The socket stays quiet while held: give it longer than the wait before the idle timeout closes it.
        req.raw.socket?.setTimeout((wait + 15) * 1000);
        const outcome = await polls.hold(req.site!.id, req.site!.tokenHash, res.etag, wait * 1000, (gone) => reply.raw.once('close', gone));
        if (outcome.kind === 'revoked') throw unauthorized('This site was revoked or paired again: pair the site again.');
        if (outcome.kind !== 'changed') return reply.header('etag', res.etag).status(304).send(null);
        res = outcome.manifest;
      }
      // Already JSON: sent as is, not through the schema serializer.
      return sendPrebuilt(req, reply, res);
    },
  );

  app.get(
    '/api/sites/me/catalog',
    {
      onRequest: app.auth.site,
      schema: {
        tags: ['sites'],
        summary: "This site's on-demand catalog: published lectures at the site's rung, with their files",
        description:
          "Its own resource with its own strong ETag, named by the manifest's catalogEtag: fetch it when that changes. " +
          'Send If-None-Match with the ETag held: 304 when unchanged. The body is common/manifest.ts SiteCatalog; ' +
          'gzip-encoded when accepted.',
        headers: CatalogHeaders,
        response: { 200: CatalogBody, 304: Type.Null({ description: 'unchanged since the ETag sent' }), 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const site = loadManifestSite(db, req.site!.id);
      if (!site) throw notFound('This site no longer exists.');
      const res = cache.catalog(site, Date.now());
      reply.header('cache-control', 'private, no-cache').header('vary', 'accept-encoding');
      if (ifNoneMatchHits(req.headers['if-none-match'], res.etag)) return reply.header('etag', res.etag).status(304).send(null);
      return sendPrebuilt(req, reply, res);
    },
  );

  app.post(
    '/api/sites/me/requests',
    {
      onRequest: app.auth.site,
      bodyLimit: 8 * 1024,
      schema: {
        tags: ['requests'],
        summary: 'A member asks for a lecture (programId) or a topic to be broadcast',
        description:
          'Send a clientId made at the site (or an Idempotency-Key header): a retry with the same id answers 200 with ' +
          'the first id and is not counted again. Only published lectures can be asked for.',
        body: NewRequest,
        headers: IdempotencyHeaders,
        response: { 201: RequestAck, 200: RequestAck, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const body = { ...req.body };
      const key = req.headers['idempotency-key'];
      if (body.clientId === undefined && key) body.clientId = key;
      const res = recordRequest(db, req.site!.id, body);
      reply.status(res.duplicate ? 200 : 201);
      return res;
    },
  );
}
