// The broadcast API's schemas: channels, schedule items, recurring slots, copy, export/import, live playlists and
// guides (now/next, EPG, XMLTV, M3U). Route files take their request and response types from here through Fastify's
// TypeBox type provider; the console imports the same types.
import { Type, type Static } from '@sinclair/typebox';
import { IdParams } from './shared.ts';

const Nullable = <T extends import('@sinclair/typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** An instant: ISO 8601 (no offset = province time) or epoch milliseconds. */
const instant = (description = 'ISO 8601 (no offset = province time), e.g. 2026-03-02T19:30:00+08:00, or epoch ms') =>
  Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Integer({ minimum: 0, maximum: 8.64e15 })], { description });
export const Instant = instant();
export type Instant = Static<typeof Instant>;

/** A local calendar date in the province's zone. */
export const LocalDate = Type.String({ maxLength: 10, description: 'YYYY-MM-DD (province time)' });

// ---- channels ----

/** A time of day, 00:00 to 24:00 (errors.ts words a mismatch for people). */
export const HHMM = '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';

/**
 * A window a carried channel leaves to the province (issue 13): on these days, from start to end in the province
 * zone (TZ_PROVINCE), the provincial operator fills the channel; outside every window the centre's schedule stands.
 */
export const CarryWindow = Type.Object(
  {
    days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
      minItems: 1,
      maxItems: 7,
      uniqueItems: true,
      description: '1 = Monday .. 7 = Sunday',
    }),
    start: Type.String({ pattern: HHMM, maxLength: 5, description: 'HH:MM, province time' }),
    end: Type.String({ pattern: HHMM, maxLength: 5, description: 'HH:MM, province time, after start; 24:00 = midnight' }),
  },
  { additionalProperties: false },
);
export type CarryWindow = Static<typeof CarryWindow>;
export const MAX_CARRY_WINDOWS = 50;
const carryWindows = Type.Array(CarryWindow, { maxItems: MAX_CARRY_WINDOWS });

/** A channel of the centre carried here: its schedule is copied from the centre's, except in the windows. */
export const ChannelCarry = Type.Object({
  centralChannelId: Type.Integer(),
  centralName: Nullable(Type.String()),
  windows: Type.Array(CarryWindow),
  /** Last time the centre's schedule was read and applied (null: never yet). */
  lastSyncAt: Nullable(Type.String({ format: 'date-time' })),
  /** Why the last sync failed (null: it went well); the schedule already copied stands meanwhile. */
  lastError: Nullable(Type.String()),
});
export type ChannelCarry = Static<typeof ChannelCarry>;

export const ChannelSlate = Type.Object({
  programId: Nullable(Type.Integer()),
  /** 'program': the operator's chosen program; 'generated': the channel card; 'house': the server's house slate. */
  source: Type.Union([Type.Literal('program'), Type.Literal('generated'), Type.Literal('house')]),
  status: Type.Union([Type.Literal('pending'), Type.Literal('ready'), Type.Literal('failed')]),
  error: Nullable(Type.String()),
});
export type ChannelSlate = Static<typeof ChannelSlate>;

export const Channel = Type.Object({
  id: Type.Integer(),
  number: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  logo: Nullable(Type.String()),
  regionIds: Type.Array(Type.Integer(), { description: 'Empty: every site receives the channel.' }),
  slateProgramId: Nullable(Type.Integer()),
  slate: ChannelSlate,
  /** RFC 2838-style id used in /epg.xml and as tvg-id in /channels.m3u, e.g. 1.dyb.example. */
  xmltvId: Type.String(),
  liveUrl: Type.String(),
  /** Null for a channel of this platform's own; set for a central channel carried here (issue 13). */
  carry: Nullable(ChannelCarry),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Channel = Static<typeof Channel>;
export const ChannelList = Type.Array(Channel);
export type ChannelList = Static<typeof ChannelList>;

const channelFields = {
  number: Type.Integer({ minimum: 1, maximum: 9999 }),
  name: Type.String({ minLength: 1, maxLength: 60 }),
  description: Type.String({ maxLength: 2000 }),
  logo: Nullable(Type.String({ maxLength: 1000, description: 'URL or /media path of the logo.' })),
  regionIds: Type.Array(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), { maxItems: 1000 }),
  slateProgramId: Nullable(
    Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'A ready program to play in gaps instead of the card.' }),
  ),
};

export const ChannelCreate = Type.Object(
  {
    number: channelFields.number,
    name: channelFields.name,
    description: Type.Optional(channelFields.description),
    logo: Type.Optional(channelFields.logo),
    regionIds: Type.Optional(channelFields.regionIds),
    slateProgramId: Type.Optional(channelFields.slateProgramId),
    /** Carry this central channel (an id from GET /api/upstream/channels); only at a province paired with a centre. */
    carry: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    /** The windows left to the province; only with carry (else 400). Must not overlap each other. */
    windows: Type.Optional(carryWindows),
  },
  { additionalProperties: false },
);
export type ChannelCreate = Static<typeof ChannelCreate>;

/** `windows` only for a carried channel (else 409 not_carried); it replaces the windows. */
export const ChannelPatch = Type.Partial(Type.Object({ ...channelFields, windows: carryWindows }), {
  additionalProperties: false,
  minProperties: 1,
});
export type ChannelPatch = Static<typeof ChannelPatch>;

// ---- schedule items ----

export const ItemParams = Type.Object({
  id: IdParams.properties.id,
  itemId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
});
export type ItemParams = Static<typeof ItemParams>;

export const ItemState = Type.Union([Type.Literal('scheduled'), Type.Literal('on_air'), Type.Literal('ended')]);

export const ScheduleItem = Type.Object({
  id: Type.Integer(),
  channelId: Type.Integer(),
  programId: Nullable(Type.Integer()),
  /** The program's title; for a role that cannot see drafts, an unpublished program shows TBA_TITLE. */
  title: Nullable(Type.String()),
  start: Type.String({ format: 'date-time' }),
  end: Type.String({ format: 'date-time' }),
  slotId: Nullable(Type.Integer()),
  state: ItemState,
  programStatus: Nullable(Type.String()),
  /** Whether the program is published (null: deleted). Unpublished programs play the slate on public playlists. */
  published: Nullable(Type.Boolean()),
  /** Set when the slate will (or did) play instead of the program. */
  warning: Nullable(Type.String()),
  /** central: copied from the centre's schedule of a carried channel, read-only here; local: this platform's. */
  origin: Type.Union([Type.Literal('central'), Type.Literal('local')]),
});
export type ScheduleItem = Static<typeof ScheduleItem>;

export const RangeQuery = Type.Object({
  from: Type.Optional(Instant),
  to: Type.Optional(Instant),
});
export type RangeQuery = Static<typeof RangeQuery>;

export const ScheduleList = Type.Object({
  channelId: Type.Integer(),
  from: Type.String(),
  to: Type.String(),
  timezone: Type.String(),
  items: Type.Array(ScheduleItem),
});
export type ScheduleList = Static<typeof ScheduleList>;

const itemFields = {
  programId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  start: Instant,
  end: instant('Optional; default start + the program length'),
  durationSeconds: Type.Integer({ minimum: 1, maximum: 7 * 86_400 }),
};

export const ItemCreate = Type.Object(
  {
    programId: itemFields.programId,
    start: itemFields.start,
    end: Type.Optional(itemFields.end),
    durationSeconds: Type.Optional(itemFields.durationSeconds),
  },
  { additionalProperties: false },
);
export type ItemCreate = Static<typeof ItemCreate>;

export const ItemPatch = Type.Partial(Type.Object(itemFields), { additionalProperties: false, minProperties: 1 });
export type ItemPatch = Static<typeof ItemPatch>;

export const CopyBody = Type.Object(
  {
    fromDate: LocalDate,
    toDate: LocalDate,
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 7, default: 1 })),
    toChannelId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  },
  { additionalProperties: false },
);
export type CopyBody = Static<typeof CopyBody>;

export const CreatedItems = Type.Object({ created: Type.Array(ScheduleItem) });
export type CreatedItems = Static<typeof CreatedItems>;

// ---- export / import a week ----

export const ExportQuery = Type.Object({
  week: LocalDate,
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' })),
});
export type ExportQuery = Static<typeof ExportQuery>;

export const WeekRow = Type.Object({
  start: Type.String(),
  end: Type.String(),
  programId: Type.Integer(),
  title: Type.String(),
});
export type WeekRow = Static<typeof WeekRow>;

export const WeekExport = Type.Object({
  week: Type.String(),
  timezone: Type.String(),
  channelId: Type.Integer(),
  items: Type.Array(WeekRow),
});
export type WeekExport = Static<typeof WeekExport>;

export const ImportQuery = Type.Object({
  toWeek: Type.Optional(LocalDate),
  fromWeek: Type.Optional(LocalDate),
});
export type ImportQuery = Static<typeof ImportQuery>;

/** At most this many rows per import (a week of 1-minute items is 10,080; a real week is a few hundred). */
export const MAX_IMPORT_ROWS = 5000;

/** The JSON of an export (titles and extra fields are ignored), or text/csv with start,end,program_id[,title]. */
export const ImportJson = Type.Object({
  week: Type.Optional(LocalDate),
  items: Type.Array(
    Type.Object({ start: Instant, end: Type.Optional(Instant), programId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
    { maxItems: MAX_IMPORT_ROWS },
  ),
});
export type ImportJson = Static<typeof ImportJson>;
export const ImportBody = Type.Union([ImportJson, Type.String({ description: 'text/csv' })]);
export type ImportBody = Static<typeof ImportBody>;

// ---- recurring slots ----

export const SlotParams = Type.Object({
  id: IdParams.properties.id,
  slotId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
});
export type SlotParams = Static<typeof SlotParams>;

export const Slot = Type.Object({
  id: Type.Integer(),
  channelId: Type.Integer(),
  days: Nullable(Type.Array(Type.Integer())),
  time: Nullable(Type.String()),
  cron: Nullable(Type.String()),
  programId: Nullable(Type.Integer()),
  seriesId: Nullable(Type.Integer()),
  nextEpisode: Type.Integer({ description: 'Index (in airing order) of the episode the next occurrence takes' }),
  durationSeconds: Nullable(Type.Integer()),
  from: Type.String(),
  until: Nullable(Type.String()),
  materialisedUntil: Type.String(),
  skipped: Type.Array(Type.Object({ start: Type.String(), reason: Type.String() })),
});
export type Slot = Static<typeof Slot>;
export const SlotList = Type.Array(Slot);
export type SlotList = Static<typeof SlotList>;

export const SlotCreate = Type.Object(
  {
    days: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, maxItems: 7, description: '1 = Monday .. 7 = Sunday' }),
    ),
    time: Type.Optional(Type.String({ maxLength: 5, description: 'HH:MM, province time' })),
    cron: Type.Optional(Type.String({ maxLength: 200, description: '5 fields, province time, e.g. "30 19 * * 1-5"' })),
    programId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    seriesId: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'Air the next episode of this series each time, in order',
      }),
    ),
    from: Type.Optional(Instant),
    until: Type.Optional(instant('No occurrence starts after this (a date = the end of that day)')),
    durationSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400, description: 'Default: each program’s own length' })),
  },
  { additionalProperties: false },
);
export type SlotCreate = Static<typeof SlotCreate>;

// ---- live playlists and guides ----

export const RungParams = Type.Object({
  id: IdParams.properties.id,
  rung: Type.String({ pattern: '^[0-9]{3,4}p$', maxLength: 5, description: 'A house rung, e.g. 240p' }),
});
export type RungParams = Static<typeof RungParams>;

/** What a public guide shows for an item whose program is not published (its title stays in the console). */
export const TBA_TITLE = '节目待定 · Programme to be announced';

export const OnAir = Type.Object({
  itemId: Type.Integer(),
  programId: Nullable(Type.Integer()),
  title: Nullable(Type.String()),
  start: Type.String(),
  end: Type.String(),
  /** The slate plays instead of the program (not ready, unpublished or deleted). */
  slate: Type.Boolean(),
});
export type OnAir = Static<typeof OnAir>;

export const NowNext = Type.Object({
  channelId: Type.Integer(),
  serverTime: Type.String(),
  now: Nullable(Type.Composite([OnAir, Type.Object({ offsetSeconds: Type.Number() })])),
  next: Nullable(OnAir),
});
export type NowNext = Static<typeof NowNext>;

export const EpgStatus = Type.Union([Type.Literal('ready'), Type.Literal('not_ready'), Type.Literal('missing')], {
  description: 'not_ready / missing: the slate plays',
});

export const EpgItem = Type.Object({
  id: Type.Integer(),
  /** Null when deleted, and for unpublished programs (their id tells nothing a viewer can use). */
  programId: Nullable(Type.Integer()),
  title: Nullable(Type.String()),
  start: Type.String(),
  end: Type.String(),
  status: EpgStatus,
});
export type EpgItem = Static<typeof EpgItem>;

export const Epg = Type.Object({
  channel: Type.Object({ id: Type.Integer(), number: Type.Integer(), name: Type.String(), xmltvId: Type.String() }),
  items: Type.Array(EpgItem),
});
export type Epg = Static<typeof Epg>;

export const XmltvQuery = Type.Object({
  hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 14, default: 48 })),
});
export type XmltvQuery = Static<typeof XmltvQuery>;
