// What terminal sites send with their token: batches of closed viewing sessions, and a heartbeat every minute.
// The token is checked in onRequest, before a byte of the body is read; each route's body limit is what it needs.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { HEARTBEAT_INTERVAL_SECONDS, MAX_BATCH_BYTES } from '../../common/attendance.ts';
import { AttendanceBatch, AttendanceBatchResult, Heartbeat, HeartbeatAck } from '../../common/api/attendance.ts';
import { ErrorBody } from '../../common/api/shared.ts';
import { makeIngest } from './ingest.ts';
import { makeRecordHeartbeat } from './heartbeat.ts';

/** A heartbeat is a few hundred bytes; its longest field (lastError, 2,000 characters) fits many times over. */
const HEARTBEAT_BODY_LIMIT = 16 * 1024;

export default async function siteRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tz = app.config.provinceTz;
  const ingest = makeIngest(app.db, tz, app.config.attendanceRetentionDays, app.log);
  const recordHeartbeat = makeRecordHeartbeat(app.db, tz);
  const refusals = { 400: ErrorBody, 401: ErrorBody, 413: ErrorBody };

  app.post(
    '/api/sites/me/attendance',
    {
      onRequest: app.auth.site,
      bodyLimit: MAX_BATCH_BYTES,
      schema: {
        tags: ['attendance'],
        summary: 'Upload a batch of closed viewing sessions (site token); stored exactly once by (site, id)',
        description:
          'Up to 500 sessions and 5,000 member rows. Ids in `accepted` are held by the server (new, replayed or ' +
          'grown): delete exactly those. Ids in `rejected` are impossible and will never be accepted. Ids in `deferred` ' +
          'are valid but did not fit this batch: keep and send them again. Times are corrected by (server now - sentAt). ' +
          "A session sent again may only grow (end, watchedSeconds, headcount, members' seconds: the maximum is kept).",
        body: AttendanceBatch,
        response: { 200: AttendanceBatchResult, ...refusals },
      },
    },
    async (req) => {
      const siteId = req.site!.id;
      // Committed slice by slice; the answer lists only what committed.
      const result = await ingest(siteId, req.body, Date.now());
      if (result.rejected.length || result.deferred?.length) {
        const counts = { rejected: result.rejected.length, deferred: result.deferred?.length ?? 0 };
        req.log.info({ siteId, ...counts }, 'attendance items refused or deferred');
      }
      return result;
    },
  );

  app.post(
    '/api/sites/me/heartbeat',
    {
      onRequest: app.auth.site,
      bodyLimit: HEARTBEAT_BODY_LIMIT,
      schema: {
        tags: ['attendance'],
        summary: 'Heartbeat every 60 s (site token): screen, cache readiness, disk, version, uptime, last error',
        body: Heartbeat,
        response: { 200: HeartbeatAck, ...refusals },
      },
    },
    async (req) => {
      const now = Date.now();
      await recordHeartbeat(req.site!.id, req.body, now);
      return { serverTime: now, intervalSeconds: HEARTBEAT_INTERVAL_SECONDS };
    },
  );
}
