// Wire schemas of the two-tier link (issue 13): a central platform and the provincial platforms that follow it.
// The same software plays both roles. At the centre: downstream platforms (a province region, a one-time pairing
// code, a hashed platform token), the figures and the demand each province sends up. At a province: the upstream
// link (GET /api/upstream, POST /api/upstream/send). Below w13a's part, w13b's: the library and channel feeds.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const RowId = (description: string) => Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD in the province zone' });
const pairingCode = Type.String({ description: 'one-time code, e.g. ABCD-2345; shown once' });

// ------------------------------------------------------------------------------ centre: downstream platforms

export const PlatformStatus = Type.Union([Type.Literal('unpaired'), Type.Literal('paired'), Type.Literal('revoked')]);
export type PlatformStatus = Static<typeof PlatformStatus>;

/** One downstream (provincial) platform as GET /api/platforms lists it, with the health of its link. */
export const Platform = Type.Object({
  id: Type.Integer(),
  regionId: Type.Integer({ description: "the province's region at the centre" }),
  regionName: Type.String(),
  status: PlatformStatus,
  pairingExpiresAt: Nullable(Type.String({ description: 'when the outstanding code stops working' })),
  pairedAt: Nullable(Type.String()),
  revokedAt: Nullable(Type.String()),
  lastSeenAt: Nullable(Type.String({ description: 'last call the province made with its token (ISO 8601 UTC)' })),
  lastSendAt: Nullable(Type.String({ description: 'last figures batch received' })),
  daysReceived: Type.Integer({ description: 'distinct days of figures held for this province' }),
  firstDay: Nullable(Day),
  lastDay: Nullable(Day),
  createdAt: Type.String(),
});
export type Platform = Static<typeof Platform>;
export const PlatformList = Type.Array(Platform);
export type PlatformList = Static<typeof PlatformList>;

/** POST /api/platforms (operators): register a province; its region must be of level province (else 422). */
export const NewPlatform = Type.Object({ regionId: RowId('a region of level province') }, { additionalProperties: false });
export type NewPlatform = Static<typeof NewPlatform>;

/** POST /api/platforms answers 201 with the platform and its one-time pairing code. */
export const PlatformCreated = Type.Object({ id: Type.Integer(), pairingCode, pairingExpiresAt: Type.String(), platform: Platform });
export type PlatformCreated = Static<typeof PlatformCreated>;

/** POST /api/platforms/:id/revoke (operators): the token and any outstanding code stop working at once. */
export const PlatformRevoked = Platform;

/**
 * POST /api/platforms/pair (no token; limited per address and globally like site pairing, 429 with Retry-After):
 * a provincial server trades its code for the platform token, once. Unknown, used or expired code: 400.
 */
export const PlatformPairBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export type PlatformPairBody = Static<typeof PlatformPairBody>;
export const PlatformPairResult = Type.Object({
  platformId: Type.Integer(),
  token: Type.String({ description: 'send as Authorization: Bearer <token> on every /api/platforms/me/* call' }),
  regionId: Type.Integer({ description: "the province's region id at the centre" }),
  regionName: Type.String(),
});
export type PlatformPairResult = Static<typeof PlatformPairResult>;

// ------------------------------------------------------------------------------------------ figures sent up

/**
 * Activity of one region of the province on one day. Region ids are the PROVINCE's own ids (the centre keeps them
 * as keys under the province, it does not have those regions); parentId null is the province's root. Only regions
 * down to the configured level (counties by default) are sent: no site, no member name or number leaves a province.
 */
export const RegionDayFigures = Type.Object({
  regionId: Type.Integer({ description: "the province's own region id (key)" }),
  parentId: Nullable(Type.Integer()),
  name: Type.String({ maxLength: 200 }),
  level: Type.String({ maxLength: 20 }),
  sites: Type.Integer({ minimum: 0, description: 'sites registered in the subtree' }),
  sitesWatching: Type.Integer({ minimum: 0, description: 'sites with at least one session that day' }),
  sessions: Type.Integer({ minimum: 0 }),
  viewingHours: Type.Number({ minimum: 0 }),
  personHours: Type.Number({ minimum: 0 }),
  broadcastHours: Type.Number({ minimum: 0, description: 'viewing hours of the broadcast (channels), part of viewingHours' }),
  distinctMembers: Type.Integer({ minimum: 0, description: 'a count, never the numbers' }),
});
export type RegionDayFigures = Static<typeof RegionDayFigures>;

/**
 * Reach of one program on one day in the whole province. Central programs are keyed by the central program id
 * (filled once the mirror maps them, w13b); a province's own programs are keyed "local:<id>" and carry no central id.
 */
export const ProgramDayFigures = Type.Object({
  key: Type.String({ maxLength: 100, description: '"central:<central id>" or "local:<provincial id>"' }),
  centralProgramId: Nullable(Type.Integer()),
  title: Type.String({ maxLength: 500 }),
  sites: Type.Integer({ minimum: 0 }),
  sessions: Type.Integer({ minimum: 0 }),
  viewingHours: Type.Number({ minimum: 0 }),
  personHours: Type.Number({ minimum: 0 }),
});
export type ProgramDayFigures = Static<typeof ProgramDayFigures>;

/** Site counts of the province as of the end of that day (for today: as of the send). */
export const SiteDayFigures = Type.Object({
  registered: Type.Integer({ minimum: 0 }),
  paired: Type.Integer({ minimum: 0 }),
  connected: Type.Integer({ minimum: 0, description: 'sites that reported at least once that day' }),
  ready: Type.Integer({ minimum: 0, description: 'sites holding every file of their manifest at the last report' }),
});
export type SiteDayFigures = Static<typeof SiteDayFigures>;

export const DayFigures = Type.Object({
  day: Day,
  activity: Type.Array(RegionDayFigures, { maxItems: 20_000 }),
  reach: Type.Array(ProgramDayFigures, { maxItems: 20_000 }),
  sites: SiteDayFigures,
});
export type DayFigures = Static<typeof DayFigures>;

/**
 * POST /api/platforms/me/figures (platform token): days of aggregates. Every row is stored under the key
 * (platform, day, kind, key) and REPLACES what was held for that key: a resend never double counts, a late day is
 * corrected. A day's rows not in a resend of that day are removed (the day sent is the whole day).
 */
export const MAX_DAYS_PER_BATCH = 62;
export const FiguresBatch = Type.Object(
  {
    sentAt: Type.String({ description: 'ISO 8601 UTC, at the province' }),
    days: Type.Array(DayFigures, { minItems: 1, maxItems: MAX_DAYS_PER_BATCH }),
  },
  { additionalProperties: false },
);
export type FiguresBatch = Static<typeof FiguresBatch>;
/** The days the centre now holds from this batch: the province marks exactly these acknowledged. */
export const FiguresAck = Type.Object({ acknowledged: Type.Array(Day), receivedAt: Type.String() });
export type FiguresAck = Static<typeof FiguresAck>;

// ------------------------------------------------------------------------------------------ demand sent up

/**
 * Members' requests for programs or topics the province does not have, aggregated: how many, how many sites,
 * in which counties. Never member numbers or sites.
 */
const DemandRegion = Type.Object({ regionId: Type.Integer(), name: Type.String({ maxLength: 200 }), count: Type.Integer({ minimum: 0 }) });
export const DemandItem = Type.Object({
  key: Type.String({ maxLength: 300, description: '"central:<id>", "title:<title>" or "topic:<topic>"' }),
  centralProgramId: Nullable(Type.Integer()),
  title: Type.String({ maxLength: 500, description: 'the program title or the topic as asked' }),
  count: Type.Integer({ minimum: 0 }),
  sites: Type.Integer({ minimum: 0 }),
  regions: Type.Array(DemandRegion, {
    maxItems: 5000,
    description: 'counties (the configured level) where it was asked',
  }),
  lastAt: Type.String(),
});
export type DemandItem = Static<typeof DemandItem>;

/** POST /api/platforms/me/demand (platform token): the province's open demand; replaces what was held. */
export const DemandBatch = Type.Object(
  { sentAt: Type.String(), items: Type.Array(DemandItem, { maxItems: 5000 }) },
  { additionalProperties: false },
);
export type DemandBatch = Static<typeof DemandBatch>;
export const DemandAck = Type.Object({ items: Type.Integer(), receivedAt: Type.String() });
export type DemandAck = Static<typeof DemandAck>;

/** GET /api/platforms/demand (operators): demand of every province, most wanted first. */
export const CentralDemand = Type.Array(
  Type.Object({
    ...DemandItem.properties,
    platforms: Type.Array(Type.Object({ platformId: Type.Integer(), regionName: Type.String(), count: Type.Integer() })),
  }),
);
export type CentralDemand = Static<typeof CentralDemand>;

// ------------------------------------------------------------------------------------ province: upstream link

export const LinkState = Type.Union(
  [Type.Literal('standalone'), Type.Literal('unpaired'), Type.Literal('paired'), Type.Literal('revoked')],
  { description: 'standalone: no UPSTREAM_URL; unpaired: pairing failed or pending; revoked: the centre refused the token' },
);
export type LinkState = Static<typeof LinkState>;

export const SendOutcome = Type.Object({
  at: Type.String(),
  ok: Type.Boolean(),
  days: Type.Array(Day, { description: 'days the centre acknowledged in this send' }),
  demandItems: Type.Integer(),
  error: Nullable(Type.String()),
});
export type SendOutcome = Static<typeof SendOutcome>;

/**
 * GET /api/upstream (operators). Parts registered by other modules (the mirror's progress, w13b) appear under their
 * own key in `parts`; the province server registers them with registerUpstreamPart (server/upstream/link-status.ts).
 */
export const UpstreamStatus = Type.Object({
  state: LinkState,
  upstreamUrl: Nullable(Type.String()),
  platformId: Nullable(Type.Integer()),
  regionId: Nullable(Type.Integer({ description: "this province's region id at the centre" })),
  regionName: Nullable(Type.String()),
  pairedAt: Nullable(Type.String()),
  lastError: Nullable(Type.String()),
  lastSend: Nullable(SendOutcome),
  lastAcknowledgedDay: Nullable(Day),
  pendingDays: Type.Integer({ description: 'days with figures not yet acknowledged by the centre' }),
  parts: Type.Record(Type.String(), Type.Unknown()),
});
export type UpstreamStatus = Static<typeof UpstreamStatus>;

/** POST /api/upstream/send (operators): send the figures and the demand now; 409 when not paired. */
export const SendResult = SendOutcome;
export type SendResult = Static<typeof SendResult>;

// ------------------------------------------------------------------------ the central library feed (w13b)

/** One file of a central program's current version, relative to /media/programs/<central id>/v<version>/. */
export const LibraryFile = Type.Object({
  path: Type.String({ maxLength: 300 }),
  rung: Nullable(Type.String({ maxLength: 20 })),
  size: Type.Integer({ minimum: 0 }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
});
export type LibraryFile = Static<typeof LibraryFile>;

/** A published, ready central program offered to this province: metadata and its current version's whole output. */
export const LibraryProgram = Type.Object({
  id: Type.Integer({ description: 'the central program id' }),
  title: Type.String(),
  description: Type.String(),
  lecturer: Type.String(),
  category: Nullable(Type.String()),
  audiences: Type.Array(Type.String()),
  seriesTitle: Nullable(Type.String()),
  episode: Nullable(Type.Integer()),
  tags: Type.Array(Type.String()),
  language: Type.String(),
  duration: Type.Number({ description: 'seconds' }),
  version: Type.Integer({ description: 'the central media version; a re-transcode arrives as a higher one' }),
  poster: Nullable(Type.String({ description: 'the poster file, one of files' })),
  renditions: Type.Array(Type.Object({ name: Type.String(), width: Type.Integer(), height: Type.Integer(), bandwidth: Type.Integer() })),
  segments: Type.Array(Type.Number(), { description: 'segment durations (s), the same on every rung' }),
  files: Type.Array(LibraryFile),
  updatedAt: Type.String(),
});
export type LibraryProgram = Static<typeof LibraryProgram>;

/**
 * GET /api/platforms/me/library (platform token; ETag, If-None-Match -> 304): every program offered to this province.
 * A program that leaves the feed has been withdrawn (unpublished, no longer distributed, or deleted).
 */
export const LibraryFeed = Type.Object({ programs: Type.Array(LibraryProgram) });
export type LibraryFeed = Static<typeof LibraryFeed>;

/** The mirror's progress, under parts.mirror in GET /api/upstream. */
export const MirrorStatus = Type.Object({
  programs: Type.Integer({ description: 'central programs offered' }),
  ready: Type.Integer({ description: 'held whole at their current central version' }),
  fetching: Type.Integer(),
  withdrawn: Type.Integer(),
  bytesVerified: Type.Integer(),
  bytesTotal: Type.Integer({ description: 'of the versions being fetched' }),
  inWindow: Type.Boolean({ description: 'inside UPSTREAM_DOWNLOAD_WINDOW now' }),
  window: Type.String({ description: "UPSTREAM_DOWNLOAD_WINDOW, 'HH:MM-HH:MM' on the province's clock" }),
  windowOpensAt: Nullable(Type.String({ description: 'when the window next opens; null while open or open all day' })),
  lastSyncAt: Nullable(Type.String()),
  lastError: Nullable(Type.String()),
  warnings: Type.Array(
    Type.Object({
      programId: Type.Integer(),
      at: Type.String(),
      message: Type.String({ description: 'the same, as an English sentence (logs, API readers)' }),
      title: Nullable(Type.String()),
      removedItems: Nullable(Type.Integer({ description: 'scheduled items to come that were removed' })),
      endedSlots: Nullable(Type.Integer({ description: 'recurring slots that were ended' })),
      channels: Type.Array(Type.Object({ id: Type.Integer(), number: Type.Integer(), name: Type.String() }), {
        description: 'the channels it was taken off, named as they were then',
      }),
    }),
    {
      description:
        'withdrawals by the centre, with what they removed from the schedules (the parts are null for withdrawals recorded before they were kept)',
    },
  ),
});
export type MirrorStatus = Static<typeof MirrorStatus>;

// ------------------------------------------------------------------------ the central channels feed (w13b)

/** One item of a central channel; programId is the central program id (null: the program was deleted). */
export const CentralChannelItem = Type.Object({
  start: Type.String({ description: 'ISO 8601 UTC' }),
  end: Type.String({ description: 'ISO 8601 UTC' }),
  programId: Nullable(Type.Integer()),
  title: Nullable(Type.String()),
});
export type CentralChannelItem = Static<typeof CentralChannelItem>;

export const CentralChannel = Type.Object({
  id: Type.Integer({ description: 'the central channel id (what POST /api/channels {carry} names)' }),
  number: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  items: Type.Array(CentralChannelItem),
});
export type CentralChannel = Static<typeof CentralChannel>;

/**
 * GET /api/platforms/me/channels (platform token; ETag): the centre's channels that reach this province (no regions
 * set, or its region among them) with their schedule from `from` to `to` (a week ahead).
 */
export const ChannelFeed = Type.Object({ from: Type.String(), to: Type.String(), channels: Type.Array(CentralChannel) });
export type ChannelFeed = Static<typeof ChannelFeed>;

/** GET /api/upstream/channels (operators, at a province): the centre's channels, items mapped to mirrored programs. */
export const UpstreamChannels = Type.Object({
  from: Type.String(),
  to: Type.String(),
  channels: Type.Array(
    Type.Object({
      ...CentralChannel.properties,
      items: Type.Array(
        Type.Object({
          ...CentralChannelItem.properties,
          localProgramId: Nullable(Type.Integer({ description: 'the mirrored program here; null while not mirrored' })),
        }),
      ),
    }),
  ),
});
export type UpstreamChannels = Static<typeof UpstreamChannels>;
