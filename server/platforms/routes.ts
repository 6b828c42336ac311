// Routes of the centre's downstream platforms: registering a province, its pairing, revocation, and what a paired
// province sends up (figures, demand). Operators manage; a province speaks only with its platform token.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody, IdParams } from '../../common/api/shared.ts';
import {
  CentralDemand,
  DemandAck,
  DemandBatch,
  FiguresAck,
  FiguresBatch,
  NewPlatform,
  PlatformCreated,
  PlatformList,
  PlatformPairBody,
  PlatformPairResult,
  PlatformRevoked,
} from '../../common/api/platforms.ts';
import { badRequest } from '../errors.ts';
import { isDay } from '../attendance/days.ts';
import { PairingGuard } from '../sites/pairing-limits.ts';
import { createPlatform, listPlatforms, pairPlatform, revokePlatform } from './platforms.ts';
import { storeDemand, storeFigures } from './figures.ts';
import { centralDemand } from './demand.ts';

/** A year of days for a province of a few thousand counties and programs stays well under this. */
const FIGURES_BODY_LIMIT = 32 * 1024 * 1024;
const DEMAND_BODY_LIMIT = 4 * 1024 * 1024;

export default async function platformRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, serverSecret: codeKey } = app;
  const pairing = new PairingGuard(app.log);
  const tags = ['platforms'];

  app.post(
    '/api/platforms',
    {
      onRequest: app.auth.operator,
      schema: {
        tags,
        summary: 'Register a province (a region of level province) as a downstream platform; returns its one-time pairing code',
        body: NewPlatform,
        response: { 201: PlatformCreated, 409: ErrorBody, 422: ErrorBody },
      },
    },
    async (req, reply) => {
      const { platform, pairingCode, pairingExpiresAt } = createPlatform(db, codeKey, req.body.regionId);
      req.log.info({ platformId: platform.id, regionId: platform.regionId }, 'downstream platform registered');
      reply.status(201);
      return { id: platform.id, pairingCode, pairingExpiresAt, platform };
    },
  );

  app.get(
    '/api/platforms',
    {
      onRequest: app.auth.operator,
      schema: { tags, summary: 'Downstream platforms with the health of their link', response: { 200: PlatformList } },
    },
    async () => listPlatforms(db),
  );

  app.post(
    '/api/platforms/:id/revoke',
    {
      onRequest: app.auth.operator,
      schema: {
        tags,
        summary: "Revoke a province's platform token and any outstanding code",
        params: IdParams,
        response: { 200: PlatformRevoked, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      const platform = revokePlatform(db, req.params.id);
      req.log.info({ platformId: platform.id }, 'downstream platform revoked');
      return platform;
    },
  );

  app.post(
    '/api/platforms/pair',
    {
      onRequest: async (req) => pairing.admit(req.ip, Date.now()),
      bodyLimit: 1024,
      schema: {
        tags,
        summary: "Trade a province's one-time pairing code for its platform token (works once)",
        security: [],
        body: PlatformPairBody,
        response: { 200: PlatformPairResult, 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (req) => {
      try {
        const res = pairPlatform(db, codeKey, req.body.code);
        req.log.info({ platformId: res.platformId }, 'downstream platform paired');
        return res;
      } catch (err) {
        pairing.failed(req.ip, Date.now());
        throw err;
      }
    },
  );

  app.post(
    '/api/platforms/me/figures',
    {
      onRequest: app.auth.platform,
      bodyLimit: FIGURES_BODY_LIMIT,
      schema: {
        tags,
        summary: 'A province sends days of aggregates; each day replaces what was held for it',
        body: FiguresBatch,
        response: { 200: FiguresAck, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => {
      const bad = req.body.days.find((d) => !isDay(d.day));
      if (bad) throw badRequest(`"${bad.day}" is not a calendar day: send days as YYYY-MM-DD.`, 'bad_day');
      const now = new Date();
      const acknowledged = storeFigures(db, req.platform!.id, req.body.days, now);
      req.log.info({ platformId: req.platform!.id, days: acknowledged.length }, 'figures received');
      return { acknowledged, receivedAt: now.toISOString() };
    },
  );

  app.post(
    '/api/platforms/me/demand',
    {
      onRequest: app.auth.platform,
      bodyLimit: DEMAND_BODY_LIMIT,
      schema: {
        tags,
        summary: "A province's open demand (members' requests, aggregated); replaces what was held",
        body: DemandBatch,
        response: { 200: DemandAck, 401: ErrorBody },
      },
    },
    async (req) => {
      const now = new Date();
      return { items: storeDemand(db, req.platform!.id, req.body.items, now), receivedAt: now.toISOString() };
    },
  );

  app.get(
    '/api/platforms/demand',
    {
      onRequest: app.auth.operator,
      schema: { tags, summary: 'What the provinces ask for and do not have, most wanted first', response: { 200: CentralDemand } },
    },
    async () => centralDemand(db),
  );
}
