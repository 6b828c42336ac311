// The media API's schemas: the transcode queue (jobs, cancel, re-transcode) and the media files of programs
// (open for published programs, signed and expiring for an operator's preview of drafts).
import { Type, type Static } from '@sinclair/typebox';
import { PageQuery } from './shared.ts';

const Nullable = <T extends import('@sinclair/typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const JobStatus = Type.Union([
  Type.Literal('queued'),
  Type.Literal('running'),
  Type.Literal('done'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);
export type JobStatus = Static<typeof JobStatus>;

export const Job = Type.Object({
  id: Type.Integer(),
  programId: Type.Integer(),
  programTitle: Nullable(Type.String()),
  kind: Type.String(),
  status: JobStatus,
  attempts: Type.Integer({ description: 'Tries so far (at most 3).' }),
  progress: Type.Number({ description: '0-100' }),
  eta: Nullable(Type.Number({ description: 'Seconds left, estimated from the speed so far.' })),
  error: Nullable(Type.String({ description: 'Why it failed, or why it is being retried.' })),
  runAfter: Type.String({ description: 'Not started before this instant (retry backoff).' }),
  createdAt: Type.String(),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
});
export type Job = Static<typeof Job>;

export const JobPage = Type.Object({ items: Type.Array(Job), total: Type.Integer() });
export type JobPage = Static<typeof JobPage>;

export const JobListQuery = Type.Object(
  {
    status: Type.Optional(JobStatus),
    programId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    limit: PageQuery.limit,
    offset: PageQuery.offset,
  },
  { additionalProperties: false },
);
export type JobListQuery = Static<typeof JobListQuery>;

/** 202 of POST /api/programs/:id/retranscode. */
export const RetranscodeAccepted = Type.Object({ id: Type.Integer(), status: Type.Literal('queued'), jobId: Type.Integer() });
export type RetranscodeAccepted = Static<typeof RetranscodeAccepted>;

/** GET/HEAD /media/programs/:id/<file>: master.m3u8, <rung>/index.m3u8, <rung>/seg_NNNNN.ts, poster.jpg. */
export const MediaFileParams = Type.Object({ id: Type.String({ maxLength: 20 }), '*': Type.String({ maxLength: 200 }) });
export type MediaFileParams = Static<typeof MediaFileParams>;

/**
 * GET/HEAD /media/signed/<expiresMs>.<signature>/programs/:id/<file>: the operator's preview of any ready program.
 * The signature is in the path, so the relative URIs of its playlists carry it to every rung and segment.
 */
export const SignedMediaFileParams = Type.Object({
  grant: Type.String({ maxLength: 100, description: '<expiry epoch ms>.<HMAC-SHA256 of program id and expiry, base64url>' }),
  id: Type.String({ maxLength: 20 }),
  '*': Type.String({ maxLength: 200 }),
});
export type SignedMediaFileParams = Static<typeof SignedMediaFileParams>;
