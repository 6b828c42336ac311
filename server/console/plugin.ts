// Serves the web console (built ahead of time into dist/console by `vite build --config server/console/vite.config.ts`)
// at `/` on the API's origin, answers unknown non-API GET paths with index.html so history-mode routes survive a
// reload, and adds the two small endpoints the console needs that no domain has: its config and the dashboard summary.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ActivityByDayQuery, ConsoleConfig, ConsoleSitesPage, ConsoleSitesQuery, DashboardSummary } from '../../common/api/console.ts';
import { ErrorBody } from '../../common/api/shared.ts';
import resumableUpload from '../catalog/resumable-upload.ts';
import { activityByDay, dashboardSummary, MAX_DAILY_DAYS } from './summary.ts';
import { sitesWithHealth } from './site-health.ts';
import { badRequest } from '../errors.ts';
import { eachDay, isDay } from '../attendance/days.ts';
import { builtAssetsDir } from '../../common/built-assets.ts';

/** The built console (dist/console beside the compiled code, or the repository's dist/ when run from source). */
export function consoleDir(): string | undefined {
  const dir = builtAssetsDir('console');
  return fs.existsSync(path.join(dir, 'index.html')) ? dir : undefined;
}

/** Paths that belong to the API or the media/live/guide routes: never answered with the console page. */
const NOT_CONSOLE = /^\/(api|media|live|docs|local)(\/|$)|^\/(epg\.xml|channels\.m3u)$/;

export const CONSOLE_VERSION = '0.1.0';

export default async function consolePlugin(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  await app.register(resumableUpload);

  app.get(
    '/api/config',
    {
      schema: {
        tags: ['console'],
        summary: 'Public settings the console needs: the province zone and the version',
        response: { 200: ConsoleConfig },
      },
    },
    async () => ({ provinceTz: app.config.provinceTz, version: CONSOLE_VERSION }),
  );

  app.get(
    '/api/console/summary',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['console'],
        summary: "The dashboard's figures in one call: sites online/offline by region, today's viewing",
        response: { 200: DashboardSummary, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => dashboardSummary(app.db, app.config, req.user!, new Date()),
  );

  app.get(
    '/api/console/sites',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['console'],
        summary: "One page of a region's sites with their health, filtered (offline > 24 h, not ready) and sorted on the server",
        querystring: ConsoleSitesQuery,
        response: { 200: ConsoleSitesPage, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => sitesWithHealth(app.db, req.user!, req.query, new Date()),
  );

  app.get(
    '/api/console/activity-by-day',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['console'],
        summary: `Sessions and person-hours per day (at most ${MAX_DAILY_DAYS} days) for the activity page's line chart`,
        querystring: ActivityByDayQuery,
      },
    },
    async (req) => {
      const { from, to, regionId } = req.query;
      if (!isDay(from) || !isDay(to) || to < from) throw badRequest('from and to must be dates YYYY-MM-DD with from <= to.');
      const days = eachDay(from, to);
      if (days.length > MAX_DAILY_DAYS) throw badRequest(`Ask for at most ${MAX_DAILY_DAYS} days at a time.`);
      return activityByDay(app.db, req.user!, regionId, days);
    },
  );

  const dir = consoleDir();
  if (!dir) {
    app.log.warn(
      { looked: builtAssetsDir('console') },
      'the web console is not built: run `npm run build` (vite build --config server/console/vite.config.ts)',
    );
    app.get('/', async (_req, reply) =>
      reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The web console is not built. Run `npm run build`, then restart the server. The API is at /api, its docs at /docs.'),
    );
    return;
  }
  app.log.info({ dir }, 'serving the web console at /');
  await app.register(fastifyStatic, {
    root: path.join(dir, 'assets'),
    prefix: '/assets/', // hashed bundles; every other path falls to the history-mode fallback below
    index: false,
    cacheControl: false, // set below, per file
    preCompressed: true, // the build writes .br and .gz beside each asset (see vite.config.ts)
    // Hashed assets never change (index.html, sent below, is revalidated so a new build is picked up).
    setHeaders: (res) => {
      res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    },
  });
  const indexHtml = fs.readFileSync(path.join(dir, 'index.html'));
  const sendIndex = (reply: FastifyReply) => reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-cache').send(indexHtml);
  app.get('/', async (_req, reply) => sendIndex(reply));
  app.get('/*', async (req: FastifyRequest, reply) => {
    const urlPath = req.url.split('?')[0];
    if (NOT_CONSOLE.test(urlPath)) {
      return reply.status(404).send({ error: { code: 'not_found', message: `No such path: GET ${urlPath}` } });
    }
    return sendIndex(reply);
  });
}
