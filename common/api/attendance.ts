// Schemas of the attendance API: what a terminal site uploads (viewing sessions, heartbeats), what the server
// answers, the member rolls (CSV import, list) and the manual rollup. Every number has a sane range, so an absurd
// value (1e300, a negative count) is a 400 that names the field, never stored and never clamped silently.
// The wire types in common/attendance.ts are these schemas' Static types.
import { Type, type Static } from '@sinclair/typebox';
import {
  EPOCH_MS_MAX,
  MAX_FREE_DISK_BYTES,
  MAX_HEADCOUNT,
  MAX_SESSIONS_PER_BATCH,
  MAX_UPTIME_SECONDS,
  MAX_WATCHED_SECONDS,
  MEMBER_NO_PADDED_PATTERN,
  MEMBERS_ON_THE_WIRE_MAX,
  SESSION_ID_PATTERN,
} from '../attendance.ts';
import { PageQuery } from './shared.ts';
import { MediaSources } from '../media-sources.ts';

const EpochMs = (description: string) => Type.Integer({ minimum: 0, maximum: EPOCH_MS_MAX, description });
const RowId = (description: string) => Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description });

// ---------- sessions (POST /api/sites/me/attendance, site token) ----------

export const SessionMode = Type.Union([Type.Literal('broadcast'), Type.Literal('ondemand')]);
export type SessionMode = Static<typeof SessionMode>;

export const AttendanceMember = Type.Object(
  {
    memberNo: Type.String({ maxLength: 80, pattern: MEMBER_NO_PADDED_PATTERN, description: 'as typed or read from the card; trimmed' }),
    watchedSeconds: Type.Number({ minimum: 0, maximum: MAX_WATCHED_SECONDS, description: 'seconds accrued from sign-in on' }),
  },
  { additionalProperties: false },
);
export type AttendanceMember = Static<typeof AttendanceMember>;

export const AttendanceSession = Type.Object(
  {
    id: Type.String({ pattern: SESSION_ID_PATTERN, description: 'made at the site (a UUID); unique per site' }),
    programId: RowId('the program played'),
    channelId: Type.Optional(Type.Union([RowId('the channel of a broadcast'), Type.Null()])),
    mode: SessionMode,
    start: EpochMs('epoch ms, site clock'),
    end: EpochMs('epoch ms, site clock; end >= start, end - start <= 24 h'),
    watchedSeconds: Type.Number({
      minimum: 0,
      maximum: MAX_WATCHED_SECONDS,
      description: 'real playback progress; <= end - start and <= the program duration',
    }),
    headcount: Type.Integer({ minimum: 0, maximum: MAX_HEADCOUNT, description: 'people in front of the TV as last answered' }),
    members: Type.Array(AttendanceMember, {
      maxItems: MEMBERS_ON_THE_WIRE_MAX,
      description: 'members signed in; more than MAX_MEMBERS_PER_SESSION refuses this session alone (too_many_members)',
    }),
  },
  { additionalProperties: false },
);
export type AttendanceSession = Static<typeof AttendanceSession>;

export const AttendanceBatch = Type.Object(
  {
    sentAt: EpochMs("the agent's clock (epoch ms) when sending; the server's offset = its now - sentAt"),
    sessions: Type.Array(AttendanceSession, { maxItems: MAX_SESSIONS_PER_BATCH }),
  },
  { additionalProperties: false },
);
export type AttendanceBatch = Static<typeof AttendanceBatch>;

export const RejectReason = Type.Union([
  Type.Literal('end_before_start'),
  Type.Literal('too_long'),
  Type.Literal('in_future'),
  Type.Literal('unknown_program'),
  Type.Literal('unknown_channel'),
  Type.Literal('watched_exceeds_duration'),
  Type.Literal('watched_exceeds_span'),
  Type.Literal('member_watched_exceeds_span'),
  /** More members than a room holds (MAX_MEMBERS_PER_SESSION). */
  Type.Literal('too_many_members'),
  /** Older than the raw-session retention (ATTENDANCE_RETENTION_DAYS): it could no longer be counted right. */
  Type.Literal('too_old'),
  /** This site already sent this id for another program or mode: the first version is kept. */
  Type.Literal('id_conflict'),
]);
export type RejectReason = Static<typeof RejectReason>;

/**
 * Why a valid session was not taken in this batch (send it again later; nothing is wrong with it): the batch held
 * more member rows than one batch may, or the server failed to store it after storing the sessions before it.
 */
export const DeferReason = Type.Union([Type.Literal('batch_member_cap'), Type.Literal('store_failed')]);
export type DeferReason = Static<typeof DeferReason>;

export const AttendanceBatchResult = Type.Object({
  accepted: Type.Array(Type.String(), { description: 'ids the server holds (new, replayed, grown): delete exactly these' }),
  rejected: Type.Array(Type.Object({ id: Type.String(), reason: RejectReason, message: Type.String() }), {
    description: 'ids refused for good: resending will not help',
  }),
  deferred: Type.Optional(
    Type.Array(Type.Object({ id: Type.String(), reason: DeferReason, message: Type.String() }), {
      description: 'valid ids not taken this time (too many member rows in one batch, or not stored): keep and resend',
    }),
  ),
  clockOffsetMs: Type.Integer({ description: 'server now - sentAt, ms' }),
});
export type AttendanceBatchResult = Static<typeof AttendanceBatchResult>;

// ---------- heartbeats (POST /api/sites/me/heartbeat, site token) ----------

export const ScreenKind = Type.Union([
  Type.Literal('broadcast'),
  Type.Literal('ondemand'),
  Type.Literal('menu'),
  Type.Literal('slate'),
  Type.Literal('off'),
]);

export const Heartbeat = Type.Object(
  {
    sentAt: Type.Optional(EpochMs('agent clock (epoch ms): lets the server report clock drift')),
    onScreen: Type.Optional(
      Type.Object(
        {
          kind: ScreenKind,
          channelId: Type.Optional(Type.Union([RowId('channel on screen'), Type.Null()])),
          programId: Type.Optional(Type.Union([RowId('program on screen'), Type.Null()])),
        },
        { additionalProperties: false },
      ),
    ),
    cacheReadiness: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description: 'share (0..1) of the bytes needed for the next 48 h held and verified',
      }),
    ),
    freeDiskBytes: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_FREE_DISK_BYTES, description: 'free bytes on the media disk' })),
    agentVersion: Type.Optional(Type.String({ maxLength: 64 })),
    uptimeSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_UPTIME_SECONDS })),
    lastError: Type.Optional(
      Type.Union([Type.String({ maxLength: 2000 }), Type.Null()], {
        description: 'the last error the agent met, or null once cleared',
      }),
    ),
    mediaSources: Type.Optional(MediaSources),
  },
  { additionalProperties: false },
);
export type Heartbeat = Static<typeof Heartbeat>;

export const HeartbeatAck = Type.Object({
  serverTime: Type.Integer({ description: 'server time (epoch ms)' }),
  intervalSeconds: Type.Integer({ description: 'seconds until the next heartbeat is expected' }),
});
export type HeartbeatAck = Static<typeof HeartbeatAck>;

// ---------- rollup (POST /api/attendance/rollup, operator) ----------

export const RollupBody = Type.Union([
  Type.Object({ day: Type.Optional(Type.String({ description: 'YYYY-MM-DD in the province zone' })) }, { additionalProperties: false }),
  Type.Null(),
]);
export type RollupBody = Static<typeof RollupBody>;
export const RollupResult = Type.Object({ days: Type.Array(Type.String()) });
export type RollupResult = Static<typeof RollupResult>;

// ---------- member rolls (/api/members) ----------

export const RollImportResult = Type.Object({ inserted: Type.Integer(), updated: Type.Integer() });
export type RollImportResult = Static<typeof RollImportResult>;

/** 400 of an import: nothing imported, every row to fix listed. */
export const RollImportErrors = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    rows: Type.Optional(Type.Array(Type.Object({ row: Type.Integer(), message: Type.String() }))),
  }),
});
export type RollImportErrors = Static<typeof RollImportErrors>;

export const MemberListQuery = Type.Object(
  {
    siteId: Type.Optional(RowId('only this site')),
    regionId: Type.Optional(RowId('only this region and below')),
    q: Type.Optional(Type.String({ maxLength: 100, description: 'part of a member number or name' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    offset: PageQuery.offset,
  },
  { additionalProperties: false },
);
export type MemberListQuery = Static<typeof MemberListQuery>;

export const RollMember = Type.Object({
  memberNo: Type.String(),
  name: Type.String(),
  siteId: Type.Integer(),
  siteName: Type.Union([Type.String(), Type.Null()]),
  category: Type.String(),
  importedAt: Type.String(),
});
export type RollMember = Static<typeof RollMember>;

export const MemberList = Type.Object({ total: Type.Integer(), items: Type.Array(RollMember) });
export type MemberList = Static<typeof MemberList>;
