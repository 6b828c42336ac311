// The local routes the kiosk calls for attendance (127.0.0.1 only, no auth: the kiosk is the only client).
// Each one writes to the durable queue before it answers, and each is idempotent: the kiosk may retry freely.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MEMBER_NO_RE } from '../../../common/attendance.ts';
import { AttendanceState, ErrorBody, HeadcountBody, MemberBody, SessionAnswer, SessionReport, Sitting } from '../../../common/local-api.ts';
import type { AttendanceQueue, Sitting as QueueSitting } from './queue.ts';
import type { UploadStatus } from './uploader.ts';
import type { HeartbeatStatus } from './heartbeat.ts';

export interface RoutesDeps {
  queue: AttendanceQueue;
  clock: () => number;
  /** Called after a session closed, so it goes up soon. */
  onClosed: () => void;
  uploadStatus: () => UploadStatus;
  heartbeatStatus: () => HeartbeatStatus;
}

function publicSitting(s: QueueSitting) {
  return { headcount: s.headcount, headcountAt: s.headcountAt, members: s.members };
}

/** Card readers and remotes may add spaces; member numbers are compared without them. */
export function normaliseMemberNo(raw: string): string {
  return raw.replace(/\s+/g, '');
}

/** Same error shape as the server's, so the kiosk shows one kind of message (shared by the local route plugins). */
export function localErrorHandler(what: string) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (err.validation) {
      return reply.code(400).send({ error: { code: 'bad_request', message: `Check the request: ${err.message}` } });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, `${what} local route failed`);
    return reply.code(status).send({ error: { code: status === 500 ? 'internal' : 'bad_request', message: err.message } });
  };
}

export function attendanceRoutes(deps: RoutesDeps) {
  return async function attendanceLocalRoutes(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.setErrorHandler(localErrorHandler('attendance'));

    app.post(
      '/local/sessions',
      {
        schema: {
          tags: ['attendance (local)'],
          summary: 'Report a viewing session (open, progress or closed); a snapshot, idempotent by id',
          body: SessionReport,
          response: { 200: SessionAnswer, 400: ErrorBody },
        },
      },
      async (req) => {
        const body = req.body;
        if (body.mode === 'broadcast' && !body.channelId) {
          const e = new Error('A broadcast session needs the channelId it was on.') as FastifyError;
          e.statusCode = 400;
          throw e;
        }
        const now = deps.clock();
        const state = deps.queue.report(body, now);
        if (state.state === 'closed') deps.onClosed();
        return { ...state, sitting: publicSitting(deps.queue.sitting(now)) };
      },
    );

    app.get(
      '/local/sitting',
      { schema: { tags: ['attendance (local)'], summary: 'Headcount and members signed in now', response: { 200: Sitting } } },
      async () => publicSitting(deps.queue.sitting(deps.clock())),
    );

    app.post(
      '/local/headcount',
      {
        schema: {
          tags: ['attendance (local)'],
          summary: 'How many people are watching (changeable any time; carries over to the next program)',
          body: HeadcountBody,
          response: { 200: Sitting, 400: ErrorBody },
        },
      },
      async (req) => publicSitting(deps.queue.setHeadcount(req.body.count, deps.clock())),
    );

    function memberNoOf(body: MemberBody): string {
      const no = normaliseMemberNo(body.memberNo);
      if (!MEMBER_NO_RE.test(no)) {
        const e = new Error('A member number is 1-64 letters, digits or . _ - /, as printed on the member card.') as FastifyError;
        e.statusCode = 400;
        throw e;
      }
      return no;
    }

    app.post(
      '/local/members/signin',
      {
        schema: {
          tags: ['attendance (local)'],
          summary: 'Sign a member in: they accrue watched time from now on (idempotent)',
          body: MemberBody,
          response: { 200: Sitting, 400: ErrorBody },
        },
      },
      async (req) => publicSitting(deps.queue.signIn(memberNoOf(req.body), deps.clock())),
    );

    app.post(
      '/local/members/signout',
      {
        schema: {
          tags: ['attendance (local)'],
          summary: 'Sign a member out (idempotent)',
          body: MemberBody,
          response: { 200: Sitting, 400: ErrorBody },
        },
      },
      async (req) => publicSitting(deps.queue.signOut(memberNoOf(req.body), deps.clock())),
    );

    app.get(
      '/local/attendance',
      {
        schema: {
          tags: ['attendance (local)'],
          summary: 'Queue and upload state, and sessions the server refused',
          response: {
            200: AttendanceState,
          },
        },
      },
      async () => ({
        ...deps.queue.counts(),
        upload: deps.uploadStatus(),
        heartbeat: deps.heartbeatStatus(),
        rejectedItems: deps.queue.rejectedItems(20),
      }),
    );
  };
}
