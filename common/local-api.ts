// The site agent's local API (http://127.0.0.1:8090/local/*), written once: the agent's routes validate and
// serialise with these TypeBox schemas (player/agent/local-api.ts, player/agent/attendance/routes.ts) and the
// kiosk takes its types from them (`import type`, so nothing of TypeBox reaches the TV's bundle). Fields may
// be added, never renamed: a kiosk page cached on a TV may be older than its agent.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { SESSION_ID_PATTERN } from './attendance.ts';
import { MediaSources } from './media-sources.ts';

export { ErrorBody } from './api/shared.ts';

/** `T | null`. */
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const NullableInt = (opts: { minimum?: number; maximum?: number } = {}) => nullable(Type.Integer(opts));
const NullableNumber = () => nullable(Type.Number());
const NullableString = () => nullable(Type.String());

// ------------------------------------------------------------------------------------------------ status

export const LocalStatus = Type.Object({
  online: Type.Boolean(),
  siteId: NullableInt(),
  siteName: Type.String(),
  serverUrl: Type.String(),
  lastSyncAt: NullableNumber(),
  /** 0..1: share of the bytes the next 48 h of broadcast need that are held. */
  cacheReadiness: Type.Number(),
  provinceTz: Type.String(),
  version: Type.String(),
  /** The site's default kiosk language (agent --lang), e.g. 'zh-CN'. */
  lang: Type.String(),
  paired: Type.Boolean(),
  lastError: NullableString(),
  heldBytes: Type.Number(),
  quotaBytes: Type.Number(),
  downloading: NullableString(),
  outbox: Type.Integer(),
  /** Where media came from since the agent started: the county relay or the origin (optional: older agents). */
  mediaSources: Type.Optional(MediaSources),
});
export type LocalStatus = Static<typeof LocalStatus>;

// ---------------------------------------------------------------------------------------------- channels

/** One item of a channel's schedule; programId null is the station slate (a gap). Instants are epoch ms. */
export const ProgramSlot = Type.Object({
  programId: NullableInt(),
  title: Type.String(),
  start: Type.Number(),
  end: Type.Number(),
});
export type ProgramSlot = Static<typeof ProgramSlot>;

export const OnAirSlot = Type.Object({
  ...ProgramSlot.properties,
  /** Seconds from the item's start to the instant of the answer. */
  offsetSec: Type.Number(),
});
export type OnAirSlot = Static<typeof OnAirSlot>;

export const LocalChannel = Type.Object({
  id: Type.Integer(),
  number: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  /**
   * The item before `now`. The picture runs a few segments behind the clock, so a viewer who tunes in during a
   * program's first seconds sees the end of this one: with it the kiosk counts from the first frame on.
   */
  previous: nullable(ProgramSlot),
  now: nullable(OnAirSlot),
  next: nullable(ProgramSlot),
});
export type LocalChannel = Static<typeof LocalChannel>;
export const LocalChannels = Type.Array(LocalChannel);

// ----------------------------------------------------------------------------------------------- catalog

export const CatalogItem = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  description: Type.String(),
  lecturer: Type.String(),
  category: NullableString(),
  audiences: Type.Array(Type.String()),
  seriesId: NullableInt(),
  seriesTitle: NullableString(),
  episode: NullableInt(),
  /** Seconds. */
  duration: Type.Number(),
  /** URL on the agent (/media/...), null when the lecture has no poster. */
  poster: NullableString(),
  /** The lecture's master playlist on the agent. */
  hls: Type.String(),
  /** Every file at the site's rungs is held: it plays offline. */
  held: Type.Boolean(),
  /** Download progress 0..1 while queued, else null. */
  download: nullable(Type.Object({ progress: Type.Number() })),
});
export type CatalogItem = Static<typeof CatalogItem>;

export const Catalog = Type.Object({
  categories: Type.Array(Type.Object({ id: Type.String(), zh: Type.String(), en: Type.String() })),
  series: Type.Array(Type.Object({ id: Type.Integer(), title: Type.String() })),
  items: Type.Array(CatalogItem),
});
export type Catalog = Static<typeof Catalog>;

// ------------------------------------------------------------------------------------ downloads, requests

export const DownloadBody = Type.Object(
  { programId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) },
  { additionalProperties: false },
);
export type DownloadBody = Static<typeof DownloadBody>;
export const DownloadAck = Type.Object({ programId: Type.Integer(), held: Type.Boolean(), queued: Type.Boolean() });
export type DownloadAck = Static<typeof DownloadAck>;

export const LocalRequestBody = Type.Object(
  {
    programId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    topic: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    memberNo: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    clientId: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9._:-]{1,64}$', description: 'Send the same id on a retry and the request counts once' }),
    ),
  },
  { additionalProperties: false },
);
export type LocalRequestBody = Static<typeof LocalRequestBody>;
export const LocalRequestAck = Type.Object({ clientId: Type.String(), queued: Type.Boolean() });
export type LocalRequestAck = Static<typeof LocalRequestAck>;

// -------------------------------------------------------------------------------------------- attendance

/** A viewing session as the kiosk reports it: a snapshot (the latest wins), idempotent by id. */
export const SessionReport = Type.Object(
  {
    id: Type.String({ pattern: SESSION_ID_PATTERN }),
    programId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    channelId: Type.Optional(NullableInt({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    mode: Type.Union([Type.Literal('broadcast'), Type.Literal('ondemand')]),
    watchedSeconds: Type.Number({ minimum: 0, maximum: 86_400 }),
    state: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  },
  { additionalProperties: false },
);
export type SessionReport = Static<typeof SessionReport>;

/** Headcount and members signed in now (they carry over from one program to the next). */
export const Sitting = Type.Object({
  headcount: NullableInt(),
  headcountAt: NullableInt(),
  members: Type.Array(Type.Object({ memberNo: Type.String(), signedInAt: Type.Integer() })),
});
export type Sitting = Static<typeof Sitting>;

export const SessionAnswer = Type.Object({
  id: Type.String(),
  state: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  watchedSeconds: Type.Number(),
  sitting: Sitting,
});
export type SessionAnswer = Static<typeof SessionAnswer>;

export const HeadcountBody = Type.Object({ count: Type.Integer({ minimum: 1, maximum: 999 }) }, { additionalProperties: false });
export type HeadcountBody = Static<typeof HeadcountBody>;

/** A member number as typed or read by a card reader; spaces are removed, then it must match MEMBER_NO_RE. */
export const MemberBody = Type.Object({ memberNo: Type.String({ minLength: 1, maxLength: 80 }) }, { additionalProperties: false });
export type MemberBody = Static<typeof MemberBody>;

export const AttendanceState = Type.Object({
  open: Type.Integer(),
  pending: Type.Integer(),
  rejected: Type.Integer(),
  delivered: Type.Integer(),
  upload: Type.Object({
    failures: Type.Integer(),
    nextAttemptAt: NullableInt(),
    lastError: NullableString(),
    lastSuccessAt: NullableInt(),
    clockOffsetMs: NullableInt(),
    retryAfterMs: NullableInt(),
  }),
  heartbeat: Type.Object({
    lastSentAt: NullableInt(),
    lastError: NullableString(),
    nextAt: NullableInt(),
    retryAfterMs: NullableInt(),
    lastAck: nullable(Type.Object({ serverTime: Type.Integer(), intervalSeconds: Type.Integer() })),
  }),
  rejectedItems: Type.Array(
    Type.Object({
      id: Type.String(),
      reason: Type.String(),
      message: NullableString(),
      at: Type.Integer(),
      session: Type.Object({}, { additionalProperties: true }),
    }),
  ),
});
export type AttendanceState = Static<typeof AttendanceState>;
