// Routes of the attendance domain: session ingest and heartbeats from sites, member rolls, reports, and the
// nightly rollup/purge worker.
import type { FastifyInstance } from 'fastify';
import cron from 'node-cron';
import { errorSchema } from '../errors.ts';
import { HEARTBEAT_INTERVAL_SECONDS, MAX_SESSIONS_PER_BATCH, MEMBER_NO_PADDED_PATTERN, SESSION_ID_PATTERN, type AttendanceBatch, type Heartbeat } from '../../common/attendance.ts';
import { makeIngest } from './ingest.ts';
import { makeRecordHeartbeat } from './heartbeat.ts';
import { makeRollups, oldestAcceptedDay } from './rollup.ts';
import { isDay, provinceDay } from './days.ts';
import { badRequest } from '../errors.ts';
import membersRoutes from './members-routes.ts';
import reportRoutes from './report-routes.ts';

const sessionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'programId', 'mode', 'start', 'end', 'watchedSeconds', 'headcount', 'members'],
  properties: {
    id: { type: 'string', pattern: SESSION_ID_PATTERN, description: 'Made at the site (a UUID); unique per site.' },
    programId: { type: 'integer', minimum: 1 },
    channelId: { type: ['integer', 'null'], minimum: 1 },
    mode: { type: 'string', enum: ['broadcast', 'ondemand'] },
    start: { type: 'integer', minimum: 0, description: 'epoch ms, site clock' },
    end: { type: 'integer', minimum: 0, description: 'epoch ms, site clock' },
    watchedSeconds: { type: 'number', minimum: 0 },
    headcount: { type: 'integer', minimum: 0, maximum: 10000 },
    members: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['memberNo', 'watchedSeconds'],
        properties: {
          memberNo: { type: 'string', pattern: MEMBER_NO_PADDED_PATTERN },
          watchedSeconds: { type: 'number', minimum: 0 },
        },
      },
    },
  },
} as const;

const batchResultSchema = {
  type: 'object',
  properties: {
    accepted: { type: 'array', items: { type: 'string' } },
    rejected: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, reason: { type: 'string' }, message: { type: 'string' } },
      },
    },
    clockOffsetMs: { type: 'integer' },
  },
} as const;

export default async function attendancePlugin(app: FastifyInstance) {
  const settings = { retentionDays: app.config.attendanceRetentionDays, rollupCron: app.config.attendanceRollupCron };
  const tz = app.config.provinceTz;
  const ingest = makeIngest(app.db, tz, settings.retentionDays);
  const recordHeartbeat = makeRecordHeartbeat(app.db, tz);
  const rollups = makeRollups(app.db, tz);

  app.post<{ Body: AttendanceBatch }>('/api/sites/me/attendance', {
    preHandler: app.auth.site,
    schema: {
      tags: ['attendance'],
      summary: 'Upload a batch of closed viewing sessions (site token); stored exactly once by (site, id)',
      description: 'Up to 500 sessions. Ids in `accepted` are held by the server (new, replayed or grown): delete exactly those. '
        + 'Ids in `rejected` are impossible and will never be accepted. Times are corrected by (server now - sentAt). '
        + 'A session sent again may only grow (end, watchedSeconds, headcount, members\' seconds: the maximum is kept).',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['sentAt', 'sessions'],
        properties: {
          sentAt: { type: 'integer', minimum: 0, description: "the agent's clock (epoch ms) when sending" },
          sessions: { type: 'array', maxItems: MAX_SESSIONS_PER_BATCH, items: sessionSchema },
        },
      },
      response: { 200: batchResultSchema, 400: errorSchema, 401: errorSchema },
    },
  }, async (req) => {
    // Synchronous transaction: the reply is built only after the commit returned.
    const result = ingest(req.site!.id, req.body, Date.now());
    if (result.rejected.length) req.log.info({ siteId: req.site!.id, rejected: result.rejected.length }, 'attendance items refused');
    return result;
  });

  app.post<{ Body: Heartbeat }>('/api/sites/me/heartbeat', {
    preHandler: app.auth.site,
    schema: {
      tags: ['attendance'],
      summary: 'Heartbeat every 60 s (site token): screen, cache readiness, disk, version, uptime, last error',
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          sentAt: { type: 'integer', minimum: 0 },
          onScreen: {
            type: 'object',
            additionalProperties: false,
            required: ['kind'],
            properties: {
              kind: { type: 'string', enum: ['broadcast', 'ondemand', 'menu', 'slate', 'off'] },
              channelId: { type: ['integer', 'null'] },
              programId: { type: ['integer', 'null'] },
            },
          },
          cacheReadiness: { type: 'number', minimum: 0, maximum: 1 },
          freeDiskBytes: { type: 'integer', minimum: 0 },
          agentVersion: { type: 'string', maxLength: 64 },
          uptimeSeconds: { type: 'integer', minimum: 0 },
          lastError: { type: ['string', 'null'], maxLength: 2000 },
        },
      },
      response: {
        200: { type: 'object', properties: { serverTime: { type: 'integer' }, intervalSeconds: { type: 'integer' } } },
        400: errorSchema, 401: errorSchema,
      },
    },
  }, async (req) => {
    const now = Date.now();
    recordHeartbeat(req.site!.id, req.body ?? {}, now);
    return { serverTime: now, intervalSeconds: HEARTBEAT_INTERVAL_SECONDS };
  });

  app.post<{ Body: { day?: string } }>('/api/attendance/rollup', {
    preHandler: app.auth.operator,
    schema: {
      tags: ['attendance'],
      summary: 'Run the daily rollup now (operator): one day, or every past day not rolled up yet',
      body: {
        type: ['object', 'null'],
        additionalProperties: false,
        properties: { day: { type: 'string', description: 'YYYY-MM-DD in the province zone' } },
      },
      response: { 200: { type: 'object', properties: { days: { type: 'array', items: { type: 'string' } } } }, 400: errorSchema },
    },
  }, async (req) => {
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
  });

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
