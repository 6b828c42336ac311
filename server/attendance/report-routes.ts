// The four organizer reports, each as JSON, CSV (UTF-8 BOM) or printable HTML, scoped to the caller's region.
// HTTP only: figures come from report-data.ts (SQL) and reports.ts (pure builders); programs from the catalog.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  ActivityQuery,
  ActivityReport,
  MAX_REPORT_RANGE_DAYS,
  MembersQuery,
  MembersReport,
  ReachQuery,
  ReachReport,
  SitesQuery,
  SitesReport,
} from '../../common/api/reports.ts';
import { ErrorBody, type Format } from '../../common/api/shared.ts';
import { badRequest, notFound } from '../errors.ts';
import { getSeries, reachProgramTitles } from '../catalog/repo.ts';
import { addDays, daysBetween, eachDay, isDay, provinceDay, rangeMs } from './days.ts';
import { resolveScope, regionPathNames, type RegionRow, type Scope } from './scope.ts';
import {
  connectedSeconds,
  memberWatchByDay,
  membersAtSites,
  programSiteActivity,
  scheduleData,
  siteActivity,
  siteStatuses,
  daySplit,
  type Range,
} from './report-data.ts';
import { rollOfSites } from './tables.ts';
import { buildActivityTree, buildMemberHours, buildReach, buildSiteHealth, scheduledSecondsBySite } from './reports.ts';
import { activityTable, membersTable, reachMembersTable, reachTable, sitesTable, type RangeNote } from './report-tables.ts';
import { toCsv, toHtml, type Table } from './render.ts';
import { sentMembers, sentSites, withSentFigures, withSentReach } from '../platforms/central-report.ts';

const refusals = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const TEXT_FORMATS = 'format=csv answers a CSV file (UTF-8 with BOM), format=html a printable page, of the same table.';

/** Drafts (unpublished programs) are for operators; organizers see the published catalog only. */
const seesDrafts = (req: FastifyRequest) => req.user?.role === 'operator';

/** Validated report range in the province zone. */
export function reportRange(q: { from?: string; to?: string }, tz: string, now: number): Range {
  for (const [name, v] of [
    ['from', q.from],
    ['to', q.to],
  ] as const) {
    if (v !== undefined && !isDay(v)) throw badRequest(`${name} "${v}" must be a date YYYY-MM-DD.`);
  }
  const to = q.to ?? provinceDay(now, tz);
  const from = q.from ?? addDays(to, -6);
  if (to < from) throw badRequest(`to (${to}) is before from (${from}).`);
  if (daysBetween(from, to) >= MAX_REPORT_RANGE_DAYS) {
    throw badRequest(`The range is longer than ${MAX_REPORT_RANGE_DAYS} days: ask for a shorter one.`);
  }
  return { from, to };
}

function scopeName(scope: Scope): string {
  return scope.root ? `${scope.root.name} (${scope.root.level} ${scope.root.id})` : 'all regions';
}

/** Answers JSON, or the report's table as a CSV file or a printable page (format=csv|html). */
export function send<T>(reply: FastifyReply, format: Format | undefined, json: T, table: () => Table, name: string, range: Range) {
  if (format === undefined || format === 'json') return json;
  const file = `${name}_${range.from}_${range.to}`;
  if (format === 'csv') {
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${file}.csv"`).send(toCsv(table()));
  }
  return reply.type('text/html; charset=utf-8').send(toHtml(table()));
}

export default async function reportRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tz = app.config.provinceTz;
  const db = app.db;
  /** Every report reads in one transaction: one consistent snapshot across rollups and raw rows. */
  const snapshot = <T>(fn: () => T): T => db.transaction(fn)();
  const note = (range: Range, scope: Scope): RangeNote => ({ ...range, timeZone: tz, scope: scopeName(scope) });
  const regionMaps = (scope: Scope) => {
    const byId = new Map<number, RegionRow>(scope.regions.map((r) => [r.id, r]));
    const names = new Map<number, string>();
    for (const r of scope.regions) names.set(r.id, regionPathNames(byId, r.id));
    return { byId, names };
  };

  app.get(
    '/api/reports/activity',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['reports'],
        summary:
          'Activity by region, province -> ... -> village -> sites: sessions, viewing hours, person-hours, members, ' +
          'broadcast coverage',
        description: TEXT_FORMATS,
        querystring: ActivityQuery,
        response: { 200: ActivityReport, ...refusals },
      },
    },
    async (req, reply) => {
      const now = Date.now();
      const range = reportRange(req.query, tz, now);
      const scope = resolveScope(db, req.user!, req.query.regionId);
      const siteIds = scope.root ? scope.sites.map((s) => s.id) : null;
      const { startMs, endMs } = rangeMs(range.from, range.to, tz);
      // Coverage counts the broadcast scheduled up to now (the rest of today has not aired yet).
      const airedUntil = Math.min(endMs, now);
      const siteRegions = new Set(scope.sites.map((s) => s.regionId));
      const paths = new Map(scope.regions.filter((r) => siteRegions.has(r.id)).map((r) => [r.id, r.path]));
      const data = snapshot(() => {
        const split = daySplit(db, range);
        return {
          activity: siteActivity(db, split, siteIds),
          members: membersAtSites(db, split, siteIds),
          schedule: scheduleData(db, paths, startMs, airedUntil),
        };
      });
      const scheduled = scheduledSecondsBySite(scope.sites, data.schedule.channelsByRegion, data.schedule.items, startMs, airedUntil);
      // At a centre, the figures its provinces sent up are grafted under each province's node.
      const regions = withSentFigures(
        db,
        buildActivityTree({
          regions: scope.regions,
          sites: scope.sites,
          activity: data.activity,
          members: data.members,
          scheduled,
          rootId: scope.root?.id ?? null,
        }),
        range,
      );
      const json = { ...range, timeZone: tz, regionId: scope.root?.id ?? null, generatedAt: new Date(now).toISOString(), regions };
      return send(reply, req.query.format, json, () => activityTable(regions, note(range, scope)), 'activity', range);
    },
  );

  app.get(
    '/api/reports/reach',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['reports'],
        summary: 'Program reach: for a program or a series, the sites and people that watched it',
        description:
          `${TEXT_FORMATS} list=members makes CSV/HTML list the members instead of the sites. ` + 'Organizers see published programs only.',
        querystring: ReachQuery,
        response: { 200: ReachReport, ...refusals },
      },
    },
    async (req, reply) => {
      const { programId, seriesId } = req.query;
      if ((programId == null) === (seriesId == null)) throw badRequest('Give exactly one of programId or seriesId.');
      const now = Date.now();
      const range = reportRange(req.query, tz, now);
      const scope = resolveScope(db, req.user!, req.query.regionId);
      // A draft is not there for a role that cannot see drafts: neither its title nor its figures.
      const programs = reachProgramTitles(db, { programId, seriesId }, seesDrafts(req)).map(({ id, title }) => ({ id, title }));
      let title: string;
      if (seriesId != null) {
        const series = getSeries(db, seriesId);
        if (!series) throw notFound(`Series ${seriesId} does not exist.`);
        title = series.title;
      } else {
        if (!programs.length) throw notFound(`Program ${programId} does not exist.`);
        title = programs[0].title;
      }
      const programIds = programs.map((p) => p.id);
      const siteIds = scope.root ? scope.sites.map((s) => s.id) : null;
      const data = snapshot(() => {
        const split = daySplit(db, range);
        return {
          activity: programSiteActivity(db, split, siteIds, programIds),
          watch: memberWatchByDay(db, split, siteIds, programIds),
          roll: rollOfSites(db, siteIds),
        };
      });
      const { names } = regionMaps(scope);
      const sites = new Map(scope.sites.map((s) => [s.id, { name: s.name, region: names.get(s.regionId) ?? '' }]));
      // At a centre, what its provinces sent for these (central) programs is added, one row per province.
      const reach = withSentReach(
        db,
        buildReach(sites, data.activity, data.watch, new Map(data.roll.map((m) => [m.memberNo, m]))),
        programIds,
        new Set(scope.regions.map((r) => r.id)),
        range,
      );
      const json = {
        ...range,
        timeZone: tz,
        regionId: scope.root?.id ?? null,
        generatedAt: new Date(now).toISOString(),
        programId: programId ?? null,
        seriesId: seriesId ?? null,
        title,
        programs,
        ...reach,
      };
      const table = () => (req.query.list === 'members' ? reachMembersTable : reachTable)(reach, title, note(range, scope));
      return send(reply, req.query.format, json, table, 'reach', range);
    },
  );

  app.get(
    '/api/reports/members',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['reports'],
        summary:
          'Member learning hours per member and period (day or month), every site they watched at with its share, ' +
          'and the members below a target',
        description: TEXT_FORMATS,
        querystring: MembersQuery,
        response: { 200: MembersReport, ...refusals },
      },
    },
    async (req, reply) => {
      const { targetHours, siteId } = req.query;
      const per = req.query.per ?? 'month';
      const belowOnly = req.query.belowOnly ?? false;
      if (belowOnly && targetHours == null) throw badRequest('belowOnly needs targetHours.');
      const now = Date.now();
      const range = reportRange(req.query, tz, now);
      const scope = resolveScope(db, req.user!, req.query.regionId);
      let sites = scope.sites;
      if (siteId != null) {
        sites = sites.filter((s) => s.id === siteId);
        if (!sites.length) throw notFound(`Site ${siteId} is not in this region.`);
      }
      const siteIds = scope.root || siteId != null ? sites.map((s) => s.id) : null;
      const data = snapshot(() => {
        const watch = memberWatchByDay(db, daySplit(db, range), siteIds);
        return { watch, roll: rollOfSites(db, siteIds) };
      });
      let rows = buildMemberHours(
        data.roll,
        data.watch,
        eachDay(range.from, range.to),
        per,
        targetHours ?? null,
        new Map(scope.sites.map((s) => [s.id, s.name])),
      );
      if (belowOnly) rows = rows.filter((r) => r.belowTarget);
      // At a centre, each province in scope with the counts it sent up (a site filter is about this server's sites).
      const provinces = siteId == null ? sentMembers(db, new Set(scope.regions.map((r) => r.id)), range) : [];
      const json = {
        ...range,
        timeZone: tz,
        regionId: scope.root?.id ?? null,
        generatedAt: new Date(now).toISOString(),
        per,
        targetHours: targetHours ?? null,
        summary: {
          members: new Set(rows.map((r) => r.memberNo)).size,
          rows: rows.length,
          belowTarget: rows.filter((r) => r.belowTarget).length,
          membersBelowTarget: new Set(rows.filter((r) => r.belowTarget).map((r) => r.memberNo)).size,
        },
        rows,
        provinces,
      };
      const table = () => membersTable(rows, per, targetHours ?? null, note(range, scope), provinces);
      return send(reply, req.query.format, json, table, 'members', range);
    },
  );

  app.get(
    '/api/reports/sites',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['reports'],
        summary: 'Site health: online now, online share over the range, last seen, cache readiness, sites dark for N days',
        description: TEXT_FORMATS,
        querystring: SitesQuery,
        response: { 200: SitesReport, ...refusals },
      },
    },
    async (req, reply) => {
      const darkDays = req.query.darkDays ?? 3;
      const now = Date.now();
      const range = reportRange(req.query, tz, now);
      const scope = resolveScope(db, req.user!, req.query.regionId);
      const data = snapshot(() => ({ statuses: siteStatuses(db), connected: connectedSeconds(db, range) }));
      const { names } = regionMaps(scope);
      const rows = buildSiteHealth(scope.sites, names, data.statuses, data.connected, rangeMs(range.from, range.to, tz), now, darkDays);
      const json = {
        ...range,
        timeZone: tz,
        regionId: scope.root?.id ?? null,
        generatedAt: new Date(now).toISOString(),
        darkDays: darkDays,
        summary: { sites: rows.length, online: rows.filter((r) => r.online).length, dark: rows.filter((r) => r.dark).length },
        sites: rows,
        // At a centre, each province in scope with the site counts it sent up.
        provinces: sentSites(db, new Set(scope.regions.map((r) => r.id)), range),
      };
      return send(reply, req.query.format, json, () => sitesTable(rows, darkDays, note(range, scope), json.provinces), 'sites', range);
    },
  );
}
