// Schemas of the four organizer reports (/api/reports/activity, /reach, /members, /sites): their queries and their
// JSON answers (format=json; format=csv and format=html answer the same table as a file or a printable page).
// Every report is scoped to the caller's region subtree; operators may ask for any region or the whole province.
import { Type, type Static } from '@sinclair/typebox';
import { Format } from './shared.ts';
import { ScreenKind } from './attendance.ts';
import { MediaSources } from '../media-sources.ts';

const RowId = (description: string) => Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description });
const Nullable = <T extends import('@sinclair/typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** Longest range one report may cover. */
export const MAX_REPORT_RANGE_DAYS = 3 * 366;

const baseQuery = {
  from: Type.Optional(
    Type.String({
      maxLength: 10,
      description: 'first day, YYYY-MM-DD in the province zone (default: 6 days before `to`)',
    }),
  ),
  to: Type.Optional(Type.String({ maxLength: 10, description: 'last day included, YYYY-MM-DD (default: today)' })),
  regionId: Type.Optional(RowId("root of the report (default: the organizer's region, or everything)")),
  format: Type.Optional(Format),
};

/** What every report answers besides its own figures. */
const reportHead = {
  from: Type.String(),
  to: Type.String(),
  timeZone: Type.String(),
  regionId: Nullable(Type.Integer()),
  generatedAt: Type.String({ description: 'ISO 8601 UTC' }),
};

// ---------- 1. activity by region ----------

export const ActivityQuery = Type.Object(baseQuery, { additionalProperties: false });
export type ActivityQuery = Static<typeof ActivityQuery>;

const activityFigures = {
  sites: Type.Integer(),
  sessions: Type.Integer(),
  viewingHours: Type.Number(),
  personHours: Type.Number(),
  distinctMembers: Type.Integer(),
  /** Numbers not on a roll of a site in the report's region. */
  unverifiedMembers: Type.Integer(),
  broadcastHours: Type.Number(),
  /** Hours of broadcast scheduled for these sites (summed over sites); null when schedules are unknown. */
  scheduledHours: Nullable(Type.Number()),
  /** broadcastHours / scheduledHours, capped at 1; null when nothing was scheduled. */
  coverage: Nullable(Type.Number()),
};

export const ActivityNode = Type.Recursive(
  (Node) =>
    Type.Object({
      kind: Type.Union([Type.Literal('region'), Type.Literal('site')]),
      id: Type.Integer(),
      name: Type.String(),
      level: Type.String(),
      ...activityFigures,
      children: Type.Array(Node),
    }),
  { $id: 'ActivityNode' },
);
export type ActivityNode = Static<typeof ActivityNode>;

export const ActivityReport = Type.Object({ ...reportHead, regions: Type.Array(ActivityNode) });
export type ActivityReport = Static<typeof ActivityReport>;

// ---------- 2. program reach ----------

export const ReachQuery = Type.Object(
  {
    ...baseQuery,
    programId: Type.Optional(RowId('one program (give this or seriesId)')),
    seriesId: Type.Optional(RowId('every program of a series')),
    list: Type.Optional(Type.Union([Type.Literal('sites'), Type.Literal('members')], { description: 'which list CSV/HTML show' })),
  },
  { additionalProperties: false },
);
export type ReachQuery = Static<typeof ReachQuery>;

export const ReachSite = Type.Object({
  siteId: Type.Integer(),
  siteName: Type.String(),
  region: Type.String(),
  sessions: Type.Integer(),
  viewingHours: Type.Number(),
  personHours: Type.Number(),
  viewers: Type.Integer(),
  members: Type.Integer(),
});
export type ReachSite = Static<typeof ReachSite>;

export const ReachMember = Type.Object({
  memberNo: Type.String(),
  /** Null when the number is not on a roll of a site in the report's region. */
  name: Nullable(Type.String()),
  verified: Type.Boolean(),
  siteId: Type.Integer(),
  siteName: Type.String(),
  sessions: Type.Integer(),
  watchedHours: Type.Number(),
});
export type ReachMember = Static<typeof ReachMember>;

export const ReachTotals = Type.Object({
  sites: Type.Integer(),
  sessions: Type.Integer(),
  viewingHours: Type.Number(),
  personHours: Type.Number(),
  viewers: Type.Integer(),
  distinctMembers: Type.Integer(),
  unverifiedMembers: Type.Integer(),
});

export const Reach = Type.Object({ totals: ReachTotals, sites: Type.Array(ReachSite), members: Type.Array(ReachMember) });
export type Reach = Static<typeof Reach>;

export const ReachReport = Type.Object({
  ...reportHead,
  programId: Nullable(Type.Integer()),
  seriesId: Nullable(Type.Integer()),
  title: Type.String(),
  /** The programs counted (organizers: published ones only). */
  programs: Type.Array(Type.Object({ id: Type.Integer(), title: Type.String() })),
  ...Reach.properties,
});
export type ReachReport = Static<typeof ReachReport>;

// ---------- 3. member learning hours ----------

export const Per = Type.Union([Type.Literal('day'), Type.Literal('month')]);
export type Per = Static<typeof Per>;

export const MembersQuery = Type.Object(
  {
    ...baseQuery,
    targetHours: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 744,
        description: 'target hours per period, e.g. 1 per day or 8 per month',
      }),
    ),
    per: Type.Optional(Per),
    belowOnly: Type.Optional(Type.Boolean({ description: 'only rows below the target' })),
    siteId: Type.Optional(RowId('only members of this site')),
  },
  { additionalProperties: false },
);
export type MembersQuery = Static<typeof MembersQuery>;

/** A site where the member watched in the period, with its share (0..1) of the member's watched time there. */
export const MemberSiteShare = Type.Object({ siteId: Type.Integer(), siteName: Type.String(), share: Type.Number() });
export type MemberSiteShare = Static<typeof MemberSiteShare>;

export const MemberPeriodRow = Type.Object({
  memberNo: Type.String(),
  name: Nullable(Type.String()),
  category: Nullable(Type.String()),
  verified: Type.Boolean(),
  /** The member's home site: their roll's site, or where they watched most when not on a roll here. */
  siteId: Type.Integer(),
  siteName: Type.String(),
  /** Every site they watched at in the period, largest share first (empty in a period with nothing watched). */
  sites: Type.Array(MemberSiteShare),
  period: Type.String(),
  sessions: Type.Integer(),
  hours: Type.Number(),
  belowTarget: Type.Boolean(),
});
export type MemberPeriodRow = Static<typeof MemberPeriodRow>;

/**
 * At a centre: a province's members as it sent them up, with no names or numbers (only daily counts leave a
 * province). `distinctMembers` is the largest daily count over the range: a lower bound.
 */
export const ProvinceMembersRow = Type.Object({
  regionId: Type.Integer({ description: "the province's region at the centre" }),
  name: Type.String(),
  days: Type.Integer({ description: 'days of the range the province sent figures for' }),
  distinctMembers: Type.Integer(),
  sessions: Type.Integer(),
  personHours: Type.Number(),
});
export type ProvinceMembersRow = Static<typeof ProvinceMembersRow>;

export const MembersReport = Type.Object({
  ...reportHead,
  per: Per,
  targetHours: Nullable(Type.Number()),
  summary: Type.Object({
    members: Type.Integer(),
    rows: Type.Integer(),
    belowTarget: Type.Integer(),
    membersBelowTarget: Type.Integer(),
  }),
  rows: Type.Array(MemberPeriodRow),
  /** At a centre: the provinces in scope, from the figures they sent up (empty elsewhere). */
  provinces: Type.Array(ProvinceMembersRow),
});
export type MembersReport = Static<typeof MembersReport>;

// ---------- 4. site health ----------

export const SitesQuery = Type.Object(
  {
    ...baseQuery,
    darkDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, description: 'a site unseen this many days is dark' })),
  },
  { additionalProperties: false },
);
export type SitesQuery = Static<typeof SitesQuery>;

export const OnScreen = Type.Object({
  kind: ScreenKind,
  channelId: Type.Optional(Nullable(Type.Integer())),
  programId: Type.Optional(Nullable(Type.Integer())),
});
export type OnScreen = Static<typeof OnScreen>;

export const SiteHealthRow = Type.Object({
  siteId: Type.Integer(),
  siteName: Type.String(),
  region: Type.String(),
  paired: Type.Boolean(),
  revoked: Type.Boolean(),
  online: Type.Boolean(),
  lastSeen: Nullable(Type.String()),
  daysSinceSeen: Nullable(Type.Integer()),
  dark: Type.Boolean(),
  /** Share of the range (up to now) the site was connected, and those hours. */
  onlineShare: Type.Number(),
  connectedHours: Type.Number(),
  cacheReadiness: Nullable(Type.Number()),
  freeDiskBytes: Nullable(Type.Number()),
  agentVersion: Nullable(Type.String()),
  uptimeSeconds: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  onScreen: Nullable(OnScreen),
  clockOffsetMs: Nullable(Type.Integer()),
  /** Where the site's media came from (relay or origin), as its last heartbeat said; null before one said so. */
  mediaSources: Nullable(MediaSources),
});
export type SiteHealthRow = Static<typeof SiteHealthRow>;

/** At a centre: a province's site counts as it sent them up, as of the last day of the range it sent. */
export const ProvinceSitesRow = Type.Object({
  regionId: Type.Integer({ description: "the province's region at the centre" }),
  name: Type.String(),
  lastDay: Nullable(Type.String({ description: 'the last day of the range the province sent (null: none)' })),
  registered: Type.Integer(),
  paired: Type.Integer(),
  connected: Type.Integer({ description: 'sites that reported at least once on lastDay' }),
  ready: Type.Integer({ description: "sites holding every file of their manifest at the province's send" }),
  /** Connected sites over registered sites, averaged over the days sent in the range (null: none sent). */
  connectedShare: Nullable(Type.Number()),
});
export type ProvinceSitesRow = Static<typeof ProvinceSitesRow>;

export const SitesReport = Type.Object({
  ...reportHead,
  darkDays: Type.Integer(),
  summary: Type.Object({ sites: Type.Integer(), online: Type.Integer(), dark: Type.Integer() }),
  sites: Type.Array(SiteHealthRow),
  /** At a centre: the provinces in scope, from the site counts they sent up (empty elsewhere). */
  provinces: Type.Array(ProvinceSitesRow),
});
export type SitesReport = Static<typeof SitesReport>;
