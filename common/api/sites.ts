// Wire schemas of the sites domain: regions, terminal sites and pairing, the site manifest (with its long poll),
// members' broadcast requests. TypeBox objects are the JSON Schema Fastify validates and documents with, and
// (Static) the types the routes, the console and the site agent use.
import { Type, type Static } from '@sinclair/typebox';
import { RUNGS, type SiteCatalog, type SiteManifest } from '../manifest.ts';

// ---------------------------------------------------------------------------------------------- regions

export const LEVELS = ['nation', 'province', 'prefecture', 'county', 'township', 'village'] as const;
export const Level = Type.Union([
  Type.Literal('nation'),
  Type.Literal('province'),
  Type.Literal('prefecture'),
  Type.Literal('county'),
  Type.Literal('township'),
  Type.Literal('village'),
]);
export type Level = Static<typeof Level>;

export const Rung = Type.Union([Type.Literal('720p'), Type.Literal('480p'), Type.Literal('360p'), Type.Literal('240p')], {
  description: `one of ${RUNGS.join(', ')}`,
});
export type Rung = Static<typeof Rung>;

const regionFields = {
  id: Type.Integer(),
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  name: Type.String(),
  level: Level,
  path: Type.String({ description: "materialised ancestry, e.g. '/1/4/9/'" }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  relayUrl: Type.Union([Type.String(), Type.Null()], {
    description: "this region's own county relay (base URL of an nginx cache of /media/), null when it has none",
  }),
  effectiveRelayUrl: Type.Union([Type.String(), Type.Null()], {
    description: "the relay this region's sites use: its own, else the nearest ancestor's; null: sites fetch media from the origin",
  }),
};
export const Region = Type.Object(regionFields);
export type Region = Static<typeof Region>;

/** GET /api/regions: the tree (organizers: their own subtree). Children nest to any depth. */
export const RegionTree = Type.Array(
  Type.Object({ ...regionFields, children: Type.Array(Type.Object({}, { additionalProperties: true })) }),
);
export type RegionNode = Region & { children: RegionNode[] };

/** GET /api/regions/:id */
export const RegionDetail = Type.Object({
  ...regionFields,
  ancestors: Type.Array(Region),
  children: Type.Array(Region),
  siteCount: Type.Integer({ description: 'sites in the whole subtree' }),
});
export type RegionDetail = Static<typeof RegionDetail>;

const regionName = Type.String({ minLength: 1, maxLength: 200 });
const parentId = Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]);

/** POST /api/regions (operators): a child's level must be below its parent's. */
export const NewRegion = Type.Object(
  { name: regionName, parentId: Type.Optional(parentId), level: Level },
  { additionalProperties: false },
);
export type NewRegion = Static<typeof NewRegion>;

/** A relay base URL as an operator types it: checked and normalised by the server (see server/sites/relay-url.ts). */
export const RelayUrlInput = Type.Union([Type.String({ minLength: 1, maxLength: 500 }), Type.Null()], {
  description:
    'absolute http(s) URL of a county relay (stock nginx with scripts/deploy/nginx-relay.conf), e.g. http://relay.county.example:8080/; ' +
    'no query or fragment; stored with one trailing slash; null removes it (the subtree then inherits from above)',
});
export type RelayUrlInput = Static<typeof RelayUrlInput>;

/**
 * PATCH /api/regions/:id (operators): rename, change level, move with the whole subtree (parentId null: a root),
 * set or clear its relay (inherited by the subtree: the nearest ancestor's relay wins).
 */
export const RegionPatch = Type.Object(
  {
    name: Type.Optional(regionName),
    level: Type.Optional(Level),
    parentId: Type.Optional(parentId),
    relayUrl: Type.Optional(RelayUrlInput),
  },
  { additionalProperties: false },
);
export type RegionPatch = Static<typeof RegionPatch>;

/** POST /api/regions/import (operators, body text/csv, at most 2 MB): all or nothing. */
export const RegionImportResult = Type.Object({ created: Type.Integer(), existing: Type.Integer(), regions: Type.Array(Region) });
export type RegionImportResult = Static<typeof RegionImportResult>;

// ------------------------------------------------------------------------------------------------ sites

export const SiteStatus = Type.Union([Type.Literal('unpaired'), Type.Literal('paired'), Type.Literal('revoked')]);
export type SiteStatus = Static<typeof SiteStatus>;

export const Site = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  regionId: Type.Integer(),
  regionName: Type.String(),
  regionPath: Type.Array(Type.String(), { description: 'names from the root down to the village' }),
  contact: Type.String(),
  downloadWindow: Type.String(),
  bandwidthKbps: Type.Integer(),
  maxRung: Rung,
  status: SiteStatus,
  pairingExpiresAt: Type.Union([Type.String(), Type.Null()], { description: 'when the outstanding code stops working' }),
  pairedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Site = Static<typeof Site>;
export const SiteList = Type.Array(Site);

const siteSettings = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  regionId: Type.Integer({ minimum: 1, description: 'a village' }),
  contact: Type.String({ maxLength: 500 }),
  downloadWindow: Type.String({
    maxLength: 20,
    description: "'HH:MM-HH:MM' in the province's zone, may wrap midnight",
    examples: ['00:00-06:00'],
  }),
  bandwidthKbps: Type.Integer({ minimum: 16, maximum: 10_000_000 }),
  maxRung: Rung,
};

/** POST /api/sites (operators): register a site under a village. */
export const NewSite = Type.Object(
  {
    name: siteSettings.name,
    regionId: siteSettings.regionId,
    contact: Type.Optional(siteSettings.contact),
    downloadWindow: Type.Optional(siteSettings.downloadWindow),
    bandwidthKbps: Type.Optional(siteSettings.bandwidthKbps),
    maxRung: Type.Optional(siteSettings.maxRung),
  },
  { additionalProperties: false },
);
export type NewSite = Static<typeof NewSite>;

/** PATCH /api/sites/:id (operators): at least one field. */
export const SitePatch = Type.Partial(Type.Object(siteSettings), { additionalProperties: false, minProperties: 1 });
export type SitePatch = Static<typeof SitePatch>;

/** GET /api/sites: total in the X-Total-Count header. Organizers see their region subtree only. */
export const SiteListQuery = Type.Object(
  {
    regionId: Type.Optional(Type.Integer({ minimum: 1, description: "only sites in this region's subtree" })),
    status: Type.Optional(SiteStatus),
    q: Type.Optional(Type.String({ maxLength: 200, description: 'part of the name or contact' })),
    limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 }),
  },
  { additionalProperties: false },
);
export type SiteListQuery = Static<typeof SiteListQuery>;

const pairingCode = Type.String({ description: 'one-time code, e.g. ABCD-2345; shown once' });

/** POST /api/sites answers 201 with the site and its one-time pairing code. */
export const SiteCreated = Type.Object({ id: Type.Integer(), pairingCode, pairingExpiresAt: Type.String(), site: Site });
export type SiteCreated = Static<typeof SiteCreated>;

/** POST /api/sites/:id/pairing-code (operators): a new code; the current token keeps working until it is used. */
export const PairingCodeIssued = Type.Object({ id: Type.Integer(), pairingCode, pairingExpiresAt: Type.String() });
export type PairingCodeIssued = Static<typeof PairingCodeIssued>;

/**
 * POST /api/sites/pair (no token): trade the code for the site token, once. Limited per address and globally;
 * over a limit the answer is 429 `too_many_attempts` with Retry-After (seconds): the code was NOT judged, so an
 * agent must say "try again later", not "bad code".
 */
export const PairBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export type PairBody = Static<typeof PairBody>;
export const PairResult = Type.Object({ siteId: Type.Integer(), token: Type.String() });
export type PairResult = Static<typeof PairResult>;

// ------------------------------------------------------------------------------------------ site manifest

/** The longest a manifest long poll is held, seconds (below the 60 s read timeout of stock proxies). */
export const MANIFEST_MAX_WAIT_S = 55;

/**
 * GET /api/sites/me/manifest (site token). Protocol:
 *
 * - Plain poll: send `If-None-Match: <last ETag>` (or none). 200 with the manifest (gzip when accepted) and an
 *   `ETag`, or 304 when it is unchanged.
 * - Long poll: also send `Prefer: wait=<seconds>` (RFC 7240; 1..55, more is taken as 55). When the ETag sent is
 *   the current one, the server holds the request until the site's manifest changes (a schedule edit, a new or
 *   changed channel, a catalog change (a new catalogEtag), a setting of this site, the hour rolling over) and then answers 200 with the
 *   new manifest, or after the wait answers 304. A held request is answered 401 at once when the site is revoked
 *   or its token replaced. Answers to a long poll carry `Preference-Applied: wait=<seconds>`. If the ETag sent is
 *   not current (or none is sent) the answer is immediate, as for a plain poll.
 * - The agent loops: long poll; on 200 apply and poll again at once; on 304 poll again at once; on 401 stop and
 *   ask to be paired again; on 429 wait Retry-After; on a network error or 5xx back off (as today) before retrying.
 *   Its HTTP client's timeout must exceed the wait (e.g. wait + 15 s).
 * - Every /api/sites/me/* route is limited per site (not per address): 429 with Retry-After.
 */
export const ManifestHeaders = Type.Object({
  'if-none-match': Type.Optional(Type.String({ maxLength: 500 })),
  prefer: Type.Optional(Type.String({ maxLength: 200, description: 'wait=<seconds> to hold the request (long poll), at most 55' })),
});
export type ManifestHeaders = Static<typeof ManifestHeaders>;

/** The manifest body: common/manifest.ts SiteManifest (sent pre-serialised, not through a schema). */
export const Manifest = Type.Unsafe<SiteManifest>(
  Type.Object({}, { additionalProperties: true, description: 'SiteManifest (common/manifest.ts)' }),
);

/**
 * GET /api/sites/me/catalog (site token): the on-demand catalog at this site's rung, its own resource with its own
 * strong ETag (the manifest's `catalogEtag`). Send `If-None-Match` with the ETag held: 304 when unchanged. The agent
 * asks only when the manifest's catalogEtag differs from the one it holds. Gzip-encoded when accepted.
 */
export const CatalogHeaders = Type.Object({ 'if-none-match': Type.Optional(Type.String({ maxLength: 500 })) });
export type CatalogHeaders = Static<typeof CatalogHeaders>;

/** The catalog body: common/manifest.ts SiteCatalog (sent pre-serialised, not through a schema). */
export const CatalogBody = Type.Unsafe<SiteCatalog>(
  Type.Object({}, { additionalProperties: true, description: 'SiteCatalog (common/manifest.ts): programs and categories' }),
);

// -------------------------------------------------------------------------------------- members' requests

/**
 * POST /api/sites/me/requests (site token): a member asks for a published lecture (programId) or a topic.
 * A retry with the same clientId (or Idempotency-Key header) answers 200 with the first id, not counted again.
 */
export const NewRequest = Type.Object(
  {
    programId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    topic: Type.Optional(Type.String({ maxLength: 200 })),
    memberNo: Type.Optional(Type.String({ maxLength: 64 })),
    clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type NewRequest = Static<typeof NewRequest>;
export const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 100 })) });
export const RequestAck = Type.Object({ id: Type.Integer(), duplicate: Type.Boolean() });
export type RequestAck = Static<typeof RequestAck>;

/** GET /api/requests (operators). */
export const RequestsQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'requests at or after this instant' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'requests before this instant' })),
    regionId: Type.Optional(Type.Integer({ minimum: 1, description: "only sites in this region's subtree" })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'at most this many programs and this many topics' })),
  },
  { additionalProperties: false },
);
export type RequestsQuery = Static<typeof RequestsQuery>;

const SiteCount = Type.Object({ siteId: Type.Integer(), siteName: Type.String(), count: Type.Integer() });
const demand = {
  count: Type.Integer(),
  sites: Type.Integer({ description: 'distinct sites asking' }),
  members: Type.Integer({ description: 'distinct member numbers given' }),
  lastAt: Type.String(),
  bySite: Type.Array(SiteCount),
};
/** Requests rolled up per program and per topic, most wanted first. Draft programs are never named. */
export const RequestDemand = Type.Object({
  total: Type.Integer(),
  programs: Type.Array(Type.Object({ programId: Type.Union([Type.Integer(), Type.Null()]), title: Type.String(), ...demand })),
  topics: Type.Array(Type.Object({ topic: Type.String(), ...demand })),
});
export type RequestDemand = Static<typeof RequestDemand>;

/**
 * POST /api/requests/handled (operators): the open requests for one program or one topic are marked handled and
 * leave the ranked list; requests that arrive later bring the entry back. Exactly one of programId, topic.
 */
export const MarkHandled = Type.Object(
  {
    programId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    programTitle: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'a deleted program, by its remembered title' })),
    topic: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false, description: 'exactly one of programId, programTitle (a deleted program), topic' },
);
export type MarkHandled = Static<typeof MarkHandled>;
export const HandledResult = Type.Object({ handled: Type.Integer({ description: 'requests marked handled' }), at: Type.String() });
export type HandledResult = Static<typeof HandledResult>;
