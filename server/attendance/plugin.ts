// The attendance domain: session ingest and heartbeats from sites (site-routes.ts), member rolls, reports, the
// manual rollup route and the nightly rollup/purge worker.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import cron from 'node-cron';
import { RollupBody, RollupResult } from '../../common/api/attendance.ts';
import { ErrorBody } from '../../common/api/shared.ts';
import { makeRollups, oldestAcceptedDay } from './rollup.ts';
import { isDay, provinceDay } from './days.ts';
import { badRequest } from '../errors.ts';
import siteRoutes from './site-routes.ts';
import membersRoutes from './members-routes.ts';
import reportRoutes from './report-routes.ts';

export default async function attendancePlugin(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const settings = { retentionDays: app.config.attendanceRetentionDays, rollupCron: app.config.attendanceRollupCron };
  const tz = app.config.provinceTz;
  const rollups = makeRollups(fastify.db, tz);

  app.post(
    '/api/attendance/rollup',
    {
      onRequest: app.auth.operator,
      bodyLimit: 1024,
      schema: {
        tags: ['attendance'],
        summary: 'Run the daily rollup now (operator): one day, or every past day not rolled up yet',
        body: RollupBody,
        response: { 200: RollupResult, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      const now = Date.now();
      const day = req.body?.day;
      if (day !== undefined) {
        if (!isDay(day)) throw badRequest(`day "${day}" must be a date YYYY-MM-DD.`);
        if (day >= provinceDay(now, tz)) throw badRequest(`day ${day} is not over yet in ${tz}; roll up past days only.`);
        // Raw rows before the retention are purged: rolling such a day again would replace its aggregates with nothing.
        if (day < oldestAcceptedDay(now, tz, settings.retentionDays)) {
          throw badRequest(`day ${day} is older than the raw-session retention (${settings.retentionDays} days); its rollup is final.`);
        }
        rollups.rollupDay(day, now);
        return { days: [day] };
      }
      return { days: rollups.rollupPending(now) };
    },
  );

  await app.register(siteRoutes);
  await app.register(membersRoutes);
  await app.register(reportRoutes);

  if (app.config.startWorkers) {
    let task: ReturnType<typeof cron.schedule> | undefined;
    let closing = false;
    const nightly = () => {
      if (closing) return;
      const now = Date.now();
      try {
        const days = rollups.rollupPending(now);
        const purged = rollups.purgeRaw(now, settings.retentionDays);
        app.log.info({ days: days.length, purged }, 'attendance rollup done');
      } catch (err) {
        app.log.error({ err }, 'attendance rollup failed');
      }
    };
    app.addHook('onReady', async () => {
      // Catch up at start (the machine may have been off at night), then every night in the province zone.
      setImmediate(nightly);
      task = cron.schedule(settings.rollupCron, nightly, { timezone: tz, name: 'attendance-rollup', noOverlap: true });
    });
    app.addHook('onClose', async () => {
      closing = true;
      await task?.stop();
    });
  }
}
