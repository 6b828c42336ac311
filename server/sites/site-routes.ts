// Routes: registering terminal sites, pairing, revocation. Operators manage; organizers read their subtree.
import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { AppError, errorSchema, forbidden, notFound } from '../errors.ts';
import { isInSubtree } from './regions.ts';
import { scopeRoot } from './scope.ts';
import { idParams, siteSchema, siteSettingsProps } from './schemas.ts';
import {
  createSite,
  deleteSite,
  getSite,
  listSites,
  pairSite,
  reissuePairingCode,
  revokeSite,
  updateSite,
  type NewSite,
  type SiteSettings,
  type SiteStatus,
} from './sites.ts';

const pairingCodeProps = {
  pairingCode: { type: 'string', description: 'one-time code, e.g. ABCD-2345; shown once' },
  pairingExpiresAt: { type: 'string' },
} as const;

export default async function siteRoutes(app: FastifyInstance) {
  const { db } = app;

  await app.register(async (scoped) => {
    // Codes are 8 characters from 31 (about 8.5e11 values); at 10 tries a minute per address guessing is hopeless.
    await scoped.register(rateLimit, {
      max: 10,
      timeWindow: '1 minute',
      keyGenerator: (req) => `pair|${req.ip}`,
      errorResponseBuilder: (_req, ctx) =>
        new AppError(429, 'too_many_attempts', `Too many pairing attempts; try again in ${Math.ceil(ctx.ttl / 1000)} s.`),
    });
    scoped.post(
      '/api/sites/pair',
      {
        schema: {
          tags: ['sites'],
          summary: "Trade a site's one-time pairing code for its token (works once)",
          security: [],
          body: {
            type: 'object',
            required: ['code'],
            additionalProperties: false,
            properties: { code: { type: 'string', minLength: 1, maxLength: 64 } },
          },
          response: {
            200: { type: 'object', properties: { siteId: { type: 'integer' }, token: { type: 'string' } } },
            400: errorSchema,
            429: errorSchema,
          },
        },
      },
      async (req) => {
        const res = pairSite(db, (req.body as { code: string }).code);
        req.log.info({ siteId: res.siteId }, 'site paired');
        return res;
      },
    );
  });

  app.post(
    '/api/sites',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['sites'],
        summary: 'Register a site under a village; returns its one-time pairing code',
        body: { type: 'object', required: ['name', 'regionId'], additionalProperties: false, properties: siteSettingsProps },
        response: {
          201: { type: 'object', properties: { id: { type: 'integer' }, ...pairingCodeProps, site: siteSchema } },
          400: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const { site, pairingCode, pairingExpiresAt } = createSite(db, req.body as NewSite);
      req.log.info({ siteId: site.id, regionId: site.regionId }, 'site registered');
      reply.status(201);
      return { id: site.id, pairingCode, pairingExpiresAt, site };
    },
  );

  app.get(
    '/api/sites',
    {
      preHandler: app.auth.user,
      schema: {
        tags: ['sites'],
        summary: 'List sites (organizers: their region subtree only); total in X-Total-Count',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            regionId: { type: 'integer', description: "only sites in this region's subtree" },
            status: { type: 'string', enum: ['unpaired', 'paired', 'revoked'] },
            q: { type: 'string', maxLength: 200, description: 'part of the name or contact' },
            limit: { type: 'integer', minimum: 1, maximum: 5000, default: 500 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: { 200: { type: 'array', items: siteSchema }, 401: errorSchema, 403: errorSchema },
      },
    },
    async (req, reply) => {
      const q = req.query as { regionId?: number; status?: SiteStatus; q?: string; limit: number; offset: number };
      const root = scopeRoot(req);
      let regionId = q.regionId;
      if (root !== undefined) {
        if (regionId === undefined) regionId = root;
        else if (!isInSubtree(db, regionId, root)) throw forbidden(`Region ${regionId} is outside your region.`);
      }
      const { total, items } = listSites(db, { ...q, regionId });
      reply.header('x-total-count', String(total));
      return items;
    },
  );

  app.get(
    '/api/sites/:id',
    {
      preHandler: app.auth.user,
      schema: { tags: ['sites'], params: idParams, response: { 200: siteSchema, 403: errorSchema, 404: errorSchema } },
    },
    async (req) => {
      const { id } = req.params as { id: number };
      const site = getSite(db, id);
      if (!site) throw notFound(`No site ${id}.`);
      const root = scopeRoot(req);
      if (root !== undefined && !isInSubtree(db, site.regionId, root)) throw forbidden(`Site ${id} is outside your region.`);
      return site;
    },
  );

  app.patch(
    '/api/sites/:id',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['sites'],
        summary: "Change a site's name, village, contact, download window, bandwidth cap or highest rung",
        params: idParams,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: siteSettingsProps },
        response: { 200: siteSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (req) => updateSite(db, (req.params as { id: number }).id, req.body as SiteSettings),
  );

  app.delete(
    '/api/sites/:id',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['sites'],
        summary: 'Delete a site registered by mistake (one that never paired); revoke the others',
        params: idParams,
        response: { 204: { type: 'null', description: 'deleted' }, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      deleteSite(db, (req.params as { id: number }).id);
      reply.status(204).send();
    },
  );

  app.post(
    '/api/sites/:id/revoke',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['sites'],
        summary: "Revoke a site: its token and any outstanding pairing code stop working at once",
        params: idParams,
        response: { 200: siteSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      const site = revokeSite(db, (req.params as { id: number }).id);
      req.log.info({ siteId: site.id }, 'site revoked');
      return site;
    },
  );

  app.post(
    '/api/sites/:id/pairing-code',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['sites'],
        summary: 'Issue a new one-time pairing code (replaces any outstanding code)',
        description:
          "The site's current token keeps working until the new code is used; pairing with it replaces the token " +
          '(and brings a revoked site back). Revoke first if the old token must stop now.',
        params: idParams,
        response: { 200: { type: 'object', properties: { id: { type: 'integer' }, ...pairingCodeProps } }, 404: errorSchema },
      },
    },
    async (req) => {
      const { id } = req.params as { id: number };
      return { id, ...reissuePairingCode(db, id) };
    },
  );
}
