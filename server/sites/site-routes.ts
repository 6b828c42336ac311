// Routes: registering terminal sites, pairing, revocation. Operators manage; organizers read their subtree.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, IdParams } from '../../common/api/shared.ts';
import {
  NewSite,
  PairBody,
  PairingCodeIssued,
  PairResult,
  Site,
  SiteCreated,
  SiteList,
  SiteListQuery,
  SitePatch,
} from '../../common/api/sites.ts';
import { forbidden, notFound } from '../errors.ts';
import { PairingGuard } from './pairing-limits.ts';
import { isInSubtree } from './regions.ts';
import { scopeRoot } from './scope.ts';
import { createSite, deleteSite, getSite, listSites, pairSite, reissuePairingCode, revokeSite, updateSite } from './sites.ts';

export default async function siteRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, serverSecret: codeKey, manifestNotifier } = app;
  const pairing = new PairingGuard(app.log);

  app.post(
    '/api/sites/pair',
    {
      onRequest: async (req) => pairing.admit(req.ip, Date.now()),
      bodyLimit: 1024,
      schema: {
        tags: ['sites'],
        summary: "Trade a site's one-time pairing code for its token (works once)",
        description:
          'Limited per address and for the whole server; a 429 (with Retry-After) means the code was not checked: try again later.',
        security: [],
        body: PairBody,
        response: { 200: PairResult, 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (req) => {
      try {
        const res = pairSite(db, codeKey, req.body.code);
        req.log.info({ siteId: res.siteId }, 'site paired');
        manifestNotifier.siteChanged(res.siteId); // the old token's held poll answers 401
        return res;
      } catch (err) {
        pairing.failed(req.ip, Date.now());
        throw err;
      }
    },
  );

  app.post(
    '/api/sites',
    {
      onRequest: app.auth.operator,
      schema: {
        tags: ['sites'],
        summary: 'Register a site under a village; returns its one-time pairing code',
        body: NewSite,
        response: { 201: SiteCreated, 400: ErrorBody },
      },
    },
    async (req, reply) => {
      const { site, pairingCode, pairingExpiresAt } = createSite(db, codeKey, req.body);
      req.log.info({ siteId: site.id, regionId: site.regionId }, 'site registered');
      reply.status(201);
      return { id: site.id, pairingCode, pairingExpiresAt, site };
    },
  );

  app.get(
    '/api/sites',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['sites'],
        summary: 'List sites (organizers: their region subtree only); total in X-Total-Count',
        querystring: SiteListQuery,
        response: { 200: SiteList, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req, reply) => {
      const q = req.query;
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
      onRequest: app.auth.user,
      schema: { tags: ['sites'], params: IdParams, response: { 200: Site, 403: ErrorBody, 404: ErrorBody } },
    },
    async (req) => {
      const { id } = req.params;
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
      onRequest: app.auth.operator,
      schema: {
        tags: ['sites'],
        summary: "Change a site's name, village, contact, download window, bandwidth cap or highest rung",
        params: IdParams,
        body: SitePatch,
        response: { 200: Site, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const site = updateSite(db, req.params.id, req.body);
      manifestNotifier.siteChanged(site.id);
      return site;
    },
  );

  app.delete(
    '/api/sites/:id',
    {
      onRequest: app.auth.operator,
      schema: {
        tags: ['sites'],
        summary: 'Delete a site registered by mistake (one that never paired); revoke the others',
        params: IdParams,
        response: { 204: Type.Null({ description: 'deleted' }), 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      deleteSite(db, req.params.id);
      manifestNotifier.siteChanged(req.params.id);
      reply.status(204).send(null);
    },
  );

  app.post(
    '/api/sites/:id/revoke',
    {
      onRequest: app.auth.operator,
      schema: {
        tags: ['sites'],
        summary: 'Revoke a site: its token and any outstanding pairing code stop working at once',
        description: 'A held manifest long poll of the site is answered 401 at once.',
        params: IdParams,
        response: { 200: Site, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      const site = revokeSite(db, req.params.id);
      req.log.info({ siteId: site.id }, 'site revoked');
      manifestNotifier.siteChanged(site.id);
      return site;
    },
  );

  app.post(
    '/api/sites/:id/pairing-code',
    {
      onRequest: app.auth.operator,
      schema: {
        tags: ['sites'],
        summary: 'Issue a new one-time pairing code (replaces any outstanding code)',
        description:
          "The site's current token keeps working until the new code is used; pairing with it replaces the token " +
          '(and brings a revoked site back). Revoke first if the old token must stop now.',
        params: IdParams,
        response: { 200: PairingCodeIssued, 404: ErrorBody },
      },
    },
    async (req) => ({ id: req.params.id, ...reissuePairingCode(db, codeKey, req.params.id) }),
  );
}
