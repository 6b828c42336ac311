// The local routes the kiosk calls for attendance (127.0.0.1 only, no auth: the kiosk is the only client).
// Each one writes to the durable queue before it answers, and each is idempotent: the kiosk may retry freely.
import type { FastifyError, FastifyInstance } from 'fastify';
import { MEMBER_NO_RE, SESSION_ID_PATTERN } from '../../../common/attendance.ts';
import type { AttendanceQueue, Sitting } from './queue.ts';
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


const sittingSchema = {
  type: 'object',
  properties: {
    headcount: { type: ['integer', 'null'] },
    headcountAt: { type: ['integer', 'null'] },
    members: {
      type: 'array',
      items: { type: 'object', properties: { memberNo: { type: 'string' }, signedInAt: { type: 'integer' } } },
    },
  },
} as const;

const errorSchema = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
} as const;

function publicSitting(s: Sitting) {
  return { headcount: s.headcount, headcountAt: s.headcountAt, members: s.members };
}

/** Card readers and remotes may add spaces; member numbers are compared without them. */
export function normaliseMemberNo(raw: string): string {
  return raw.replace(/\s+/g, '');
}

export function attendanceRoutes(deps: RoutesDeps) {
  return async function attendanceLocalRoutes(app: FastifyInstance): Promise<void> {
    // Same error shape as the server's, so the kiosk shows one kind of message.
    app.setErrorHandler((err: FastifyError, _req, reply) => {
      if (err.validation) {
        return reply.code(400).send({ error: { code: 'bad_request', message: `Check the request: ${err.message}` } });
      }
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      if (status === 500) app.log.error({ err }, 'attendance local route failed');
      return reply.code(status).send({ error: { code: status === 500 ? 'internal' : 'bad_request', message: err.message } });
    });

    app.post(
      '/local/sessions',
      {
        schema: {
          tags: ['attendance (local)'],
          summary: 'Report a viewing session (open, progress or closed); a snapshot, idempotent by id',
          body: {
            type: 'object',
            required: ['id', 'programId', 'mode', 'watchedSeconds', 'state'],
            additionalProperties: false,
            properties: {
              id: { type: 'string', pattern: SESSION_ID_PATTERN },
              programId: { type: 'integer', minimum: 1 },
              channelId: { type: ['integer', 'null'], minimum: 1 },
              mode: { type: 'string', enum: ['broadcast', 'ondemand'] },
              watchedSeconds: { type: 'number', minimum: 0, maximum: 86_400 },
              state: { type: 'string', enum: ['open', 'closed'] },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                state: { type: 'string', enum: ['open', 'closed'] },
                watchedSeconds: { type: 'number' },
                sitting: sittingSchema,
              },
            },
            400: errorSchema,
          },
        },
      },
      async (req) => {
        const body = req.body as Parameters<AttendanceQueue['report']>[0];
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
      { schema: { tags: ['attendance (local)'], summary: 'Headcount and members signed in now', response: { 200: sittingSchema } } },
      async () => publicSitting(deps.queue.sitting(deps.clock())),
    );

    app.post(
      '/local/headcount',
      {
        schema: {
          tags: ['attendance (local)'],
          summary: 'How many people are watching (changeable any time; carries over to the next program)',
          body: {
            type: 'object',
            required: ['count'],
            additionalProperties: false,
            properties: { count: { type: 'integer', minimum: 1, maximum: 999 } },
          },
          response: { 200: sittingSchema, 400: errorSchema },
        },
      },
      async (req) => publicSitting(deps.queue.setHeadcount((req.body as { count: number }).count, deps.clock())),
    );

    const memberBody = {
      type: 'object',
      required: ['memberNo'],
      additionalProperties: false,
      properties: { memberNo: { type: 'string', minLength: 1, maxLength: 80 } },
    } as const;

    function memberNoOf(body: unknown): string {
      const no = normaliseMemberNo((body as { memberNo: string }).memberNo);
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
          body: memberBody,
          response: { 200: sittingSchema, 400: errorSchema },
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
          body: memberBody,
          response: { 200: sittingSchema, 400: errorSchema },
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
            200: {
              type: 'object',
              properties: {
                open: { type: 'integer' },
                pending: { type: 'integer' },
                rejected: { type: 'integer' },
                delivered: { type: 'integer' },
                upload: {
                  type: 'object',
                  properties: {
                    failures: { type: 'integer' },
                    nextAttemptAt: { type: ['integer', 'null'] },
                    lastError: { type: ['string', 'null'] },
                    lastSuccessAt: { type: ['integer', 'null'] },
                    clockOffsetMs: { type: ['integer', 'null'] },
                  },
                },
                heartbeat: {
                  type: 'object',
                  properties: {
                    lastSentAt: { type: ['integer', 'null'] },
                    lastError: { type: ['string', 'null'] },
                    lastAck: { type: ['object', 'null'], properties: { serverTime: { type: 'integer' }, intervalSeconds: { type: 'integer' } } },
                  },
                },
                rejectedItems: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      id: { type: 'string' },
                      reason: { type: 'string' },
                      message: { type: ['string', 'null'] },
                      at: { type: 'integer' },
                      session: { type: 'object', additionalProperties: true },
                    },
                  },
                },
              },
            },
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
