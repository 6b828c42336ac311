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

// -------------------------------------------------------------------------------- questionnaires, quizzes

const QuestionType = Type.Union([Type.Literal('single'), Type.Literal('multiple'), Type.Literal('rating'), Type.Literal('topics')]);

export const LocalQuestion = Type.Object({
  type: QuestionType,
  text: Type.String(),
  /** Empty for a rating (1..5). */
  options: Type.Array(Type.String()),
  /** Quiz only: the right options, so the kiosk shows a member's score offline. */
  correct: Type.Optional(Type.Array(Type.Integer())),
  /** A topics question: the names of its options (which are taxonomy ids), same order. */
  topics: Type.Optional(Type.Array(Type.Object({ id: Type.String(), zh: Type.String(), en: Type.String() }))),
});
export type LocalQuestion = Static<typeof LocalQuestion>;

/** A survey or a quiz that reached this site with its manifest. Instants are epoch ms. */
export const LocalQuestionnaire = Type.Object({
  id: Type.Integer(),
  kind: Type.Union([Type.Literal('survey'), Type.Literal('quiz')]),
  title: Type.String(),
  /** The lecture a quiz belongs to. */
  programId: NullableInt(),
  opensAt: NullableNumber(),
  closesAt: NullableNumber(),
  /** Quiz: percent of questions right that passes. */
  passMark: NullableNumber(),
  questions: Type.Array(LocalQuestion),
  /** Takes answers now (inside its window, by the agent's clock). */
  open: Type.Boolean(),
});
export type LocalQuestionnaire = Static<typeof LocalQuestionnaire>;
export const LocalQuestionnaires = Type.Array(LocalQuestionnaire);

const Index = Type.Integer({ minimum: 0, maximum: 999 });

export const LocalResponse = Type.Object(
  {
    question: Index,
    /** Single, multiple, topics: the options picked (0-based). */
    choices: Type.Optional(Type.Array(Index, { maxItems: 100 })),
    /** Rating: 1..5. */
    rating: Type.Optional(Type.Integer({ minimum: 0, maximum: 99 })),
    /** The room: hands up for each option (a rating's five marks), in order. */
    counts: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 9999 }), { maxItems: 100 })),
  },
  { additionalProperties: false },
);
export type LocalResponse = Static<typeof LocalResponse>;

/** One member's answers (memberNo) or the room's (room.headcount); the id is made on the TV, a retry counts once. */
export const LocalAnswerBody = Type.Object(
  {
    id: Type.String({ pattern: SESSION_ID_PATTERN, description: 'Send the same id on a retry and the answer counts once' }),
    questionnaireId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    memberNo: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
    room: Type.Optional(Type.Object({ headcount: Type.Integer({ minimum: 1, maximum: 999 }) }, { additionalProperties: false })),
    responses: Type.Array(LocalResponse, { maxItems: 200 }),
  },
  { additionalProperties: false },
);
export type LocalAnswerBody = Static<typeof LocalAnswerBody>;

export const LocalAnswerAck = Type.Object({
  id: Type.String(),
  /** Queued here for the server (false: this id was taken before; nothing new is stored). */
  queued: Type.Boolean(),
  answeredAt: Type.Integer(),
  /** A member's quiz: the score. */
  score: nullable(Type.Object({ correct: Type.Integer(), total: Type.Integer(), percent: Type.Integer(), passed: Type.Boolean() })),
});
export type LocalAnswerAck = Static<typeof LocalAnswerAck>;

export const AnswersState = Type.Object({
  pending: Type.Integer(),
  delivered: Type.Integer(),
  rejected: Type.Integer(),
  upload: Type.Object({
    failures: Type.Integer(),
    nextAttemptAt: NullableInt(),
    lastError: NullableString(),
    lastSuccessAt: NullableInt(),
    retryAfterMs: NullableInt(),
  }),
  rejectedItems: Type.Array(Type.Object({ id: Type.String(), reason: Type.String(), message: NullableString(), at: Type.Integer() })),
});
export type AnswersState = Static<typeof AnswersState>;
