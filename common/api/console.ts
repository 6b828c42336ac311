// The console's own small endpoints (server/console/plugin.ts): its settings and the activity chart's query.
import { Type, type Static } from '@sinclair/typebox';
import { Site } from './sites.ts';

export const ConsoleConfig = Type.Object({ provinceTz: Type.String(), version: Type.String() });
export type ConsoleConfig = Static<typeof ConsoleConfig>;

/** Days as YYYY-MM-DD in the province zone; at most MAX_DAILY_DAYS of them. */
export const ActivityByDayQuery = Type.Object(
  {
    from: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    to: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    regionId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  },
  { additionalProperties: false },
);
export type ActivityByDayQuery = Static<typeof ActivityByDayQuery>;

const Nullable = <T extends import('@sinclair/typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

// ----------------------------------------------------------------------------------- GET /api/console/summary

export const RegionSiteCounts = Type.Object({
  regionId: Nullable(Type.Integer()),
  name: Type.String(),
  total: Type.Integer({ description: 'sites not revoked' }),
  online: Type.Integer(),
  offline24h: Type.Integer({ description: 'last heartbeat more than 24 h ago' }),
});
export type RegionSiteCounts = Static<typeof RegionSiteCounts>;

/** The dashboard's figures: sites by the regions one level below the caller's root, and today's viewing. */
export const DashboardSummary = Type.Object({
  generatedAt: Type.String(),
  day: Type.String({ description: 'today in the province zone, YYYY-MM-DD' }),
  sites: Type.Object({
    ...RegionSiteCounts.properties,
    neverSeen: Type.Integer(),
    byRegion: Type.Array(RegionSiteCounts),
  }),
  today: Type.Object({
    sessions: Type.Integer(),
    personHours: Type.Number(),
    watchedHours: Type.Number(),
    sitesWatching: Type.Integer(),
  }),
});
export type DashboardSummary = Static<typeof DashboardSummary>;

// ------------------------------------------------------------------------------------- GET /api/console/sites

export const SiteHealthFilter = Type.Union([Type.Literal('dark'), Type.Literal('notReady')], {
  description: 'paired, not revoked sites that are dark: no heartbeat for more than 24 h (or never); notReady: cache not fully ready',
});
export type SiteHealthFilter = Static<typeof SiteHealthFilter>;
export const SiteHealthSort = Type.Union([
  Type.Literal('name'),
  Type.Literal('lastSeen'),
  Type.Literal('cacheReadiness'),
  Type.Literal('freeDisk'),
]);
export type SiteHealthSort = Static<typeof SiteHealthSort>;

/** One page of a region's sites with their health; the total counts every site the filters keep. */
export const ConsoleSitesQuery = Type.Object(
  {
    regionId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: "only this region's subtree" })),
    q: Type.Optional(Type.String({ maxLength: 200, description: 'part of the name or contact' })),
    health: Type.Optional(SiteHealthFilter),
    sort: Type.Optional(SiteHealthSort),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 })),
  },
  { additionalProperties: false },
);
export type ConsoleSitesQuery = Static<typeof ConsoleSitesQuery>;

export const SiteHealth = Type.Object({
  online: Type.Boolean(),
  dark: Type.Boolean(),
  lastSeen: Nullable(Type.String()),
  cacheReadiness: Nullable(Type.Number()),
  freeDiskBytes: Nullable(Type.Number()),
  agentVersion: Nullable(Type.String()),
  clockOffsetMs: Nullable(Type.Integer()),
});
export type SiteHealth = Static<typeof SiteHealth>;

export const ConsoleSiteRow = Type.Object({ ...Site.properties, health: SiteHealth });
export type ConsoleSiteRow = Static<typeof ConsoleSiteRow>;
export const ConsoleSitesPage = Type.Object({
  items: Type.Array(ConsoleSiteRow),
  total: Type.Integer(),
  counts: Type.Object(
    { all: Type.Integer(), online: Type.Integer(), dark: Type.Integer(), notReady: Type.Integer() },
    { description: 'in the region and search, before the health filter' },
  ),
});
export type ConsoleSitesPage = Static<typeof ConsoleSitesPage>;
