// The four organizer reports, each as JSON, CSV (UTF-8 BOM) or printable HTML, scoped to the caller's region.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { badRequest, errorSchema, notFound } from '../errors.ts';
import { addDays, daysBetween, eachDay, isDay, provinceDay, rangeMs } from './days.ts';
import { resolveScope, regionPathNames, type RegionRow, type Scope } from './scope.ts';
import {
  connectedSeconds, memberWatchByDay, membersAtSites, programsOf, programSiteActivity, rollMembers, scheduleData,
  siteActivity, siteStatuses, daySplit, type Range,
} from './report-data.ts';
import { buildActivityTree, buildMemberHours, buildReach, buildSiteHealth, scheduledSecondsBySite, type Per } from './reports.ts';
import { activityTable, membersTable, reachMembersTable, reachTable, sitesTable, type RangeNote } from './tables.ts';
import { toCsv, toHtml, type Table } from './render.ts';

type Format = 'json' | 'csv' | 'html';
interface BaseQuery { from?: string; to?: string; regionId?: number; format: Format }

const MAX_RANGE_DAYS = 3 * 366;

const baseQueryProps = {
  from: { type: 'string', description: 'first day, YYYY-MM-DD in the province zone (default: 6 days before `to`)' },
  to: { type: 'string', description: 'last day included, YYYY-MM-DD (default: today)' },
  regionId: { type: 'integer', description: "root of the report (default: the organizer's region, or everything)" },
  format: { type: 'string', enum: ['json', 'csv', 'html'], default: 'json' },
} as const;

const reportResponse = {
  200: { type: 'object', additionalProperties: true, description: 'JSON report (format=json); CSV or HTML otherwise' },
  400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema,
} as const;

/** Validated report range in the province zone. */
export function reportRange(q: { from?: string; to?: string }, tz: string, now: number): Range {
  for (const [name, v] of [['from', q.from], ['to', q.to]] as const) {
    if (v !== undefined && !isDay(v)) throw badRequest(`${name} "${v}" must be a date YYYY-MM-DD.`);
  }
  const to = q.to ?? provinceDay(now, tz);
  const from = q.from ?? addDays(to, -6);
  if (to < from) throw badRequest(`to (${to}) is before from (${from}).`);
  if (daysBetween(from, to) >= MAX_RANGE_DAYS) throw badRequest(`The range is longer than ${MAX_RANGE_DAYS} days: ask for a shorter one.`);
  return { from, to };
}

function scopeName(scope: Scope): string {
  return scope.root ? `${scope.root.name} (${scope.root.level} ${scope.root.id})` : 'all regions';
}

function send(reply: FastifyReply, format: Format, json: object, table: () => Table, name: string, range: Range) {
  if (format === 'json') return json;
  const file = `${name}_${range.from}_${range.to}`;
  if (format === 'csv') {
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${file}.csv"`)
      .send(toCsv(table()));
  }
  return reply.type('text/html; charset=utf-8').send(toHtml(table()));
}

export default async function reportRoutes(app: FastifyInstance) {
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

  app.get<{ Querystring: BaseQuery }>('/api/reports/activity', {
    preHandler: app.auth.user,
    schema: {
      tags: ['reports'],
      summary: 'Activity by region, province -> ... -> village -> sites: sessions, viewing hours, person-hours, members, broadcast coverage',
      querystring: { type: 'object', additionalProperties: false, properties: baseQueryProps },
      response: reportResponse,
    },
  }, async (req, reply) => {
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
    const scheduled = data.schedule
      ? scheduledSecondsBySite(scope.sites, data.schedule.channelsByRegion, data.schedule.items, startMs, airedUntil)
      : null;
    const regions = buildActivityTree({
      regions: scope.regions, sites: scope.sites, activity: data.activity, members: data.members, scheduled,
      rootId: scope.root?.id ?? null,
    });
    const json = { ...range, timeZone: tz, regionId: scope.root?.id ?? null, generatedAt: new Date(now).toISOString(), regions };
    return send(reply, req.query.format, json, () => activityTable(regions, note(range, scope)), 'activity', range);
  });

  app.get<{ Querystring: BaseQuery & { programId?: number; seriesId?: number; list: 'sites' | 'members' } }>('/api/reports/reach', {
    preHandler: app.auth.user,
    schema: {
      tags: ['reports'],
      summary: 'Program reach: for a program or a series, the sites and people that watched it',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ...baseQueryProps,
          programId: { type: 'integer' },
          seriesId: { type: 'integer' },
          list: { type: 'string', enum: ['sites', 'members'], default: 'sites', description: 'which list CSV/HTML show' },
        },
      },
      response: reportResponse,
    },
  }, async (req, reply) => {
    const { programId, seriesId } = req.query;
    if ((programId == null) === (seriesId == null)) throw badRequest('Give exactly one of programId or seriesId.');
    const now = Date.now();
    const range = reportRange(req.query, tz, now);
    const scope = resolveScope(db, req.user!, req.query.regionId);
    let title: string;
    if (seriesId != null) {
      const series = db.prepare('SELECT title FROM series WHERE id = ?').get(seriesId) as { title: string } | undefined;
      if (!series) throw notFound(`Series ${seriesId} does not exist.`);
      title = series.title;
    }
    const programs = programsOf(db, { programId, seriesId });
    if (programId != null) {
      if (!programs.length) throw notFound(`Program ${programId} does not exist.`);
      title = programs[0].title;
    }
    const programIds = programs.map((p) => p.id);
    const siteIds = scope.root ? scope.sites.map((s) => s.id) : null;
    const data = snapshot(() => {
      const split = daySplit(db, range);
      const watch = memberWatchByDay(db, split, siteIds, programIds);
      return {
        activity: programSiteActivity(db, split, siteIds, programIds),
        watch,
        roll: rollMembers(db, [], [...new Set(watch.map((w) => w.memberNo))]),
      };
    });
    const { names } = regionMaps(scope);
    const sites = new Map(scope.sites.map((s) => [s.id, { name: s.name, region: names.get(s.regionId) ?? '' }]));
    const reach = buildReach(sites, data.activity, data.watch, new Map(data.roll.map((m) => [m.memberNo, m])));
    const json = {
      ...range, timeZone: tz, regionId: scope.root?.id ?? null, generatedAt: new Date(now).toISOString(),
      programId: programId ?? null, seriesId: seriesId ?? null, title: title!, programs, ...reach,
    };
    const table = () => req.query.list === 'members' ? reachMembersTable(reach, title!, note(range, scope)) : reachTable(reach, title!, note(range, scope));
    return send(reply, req.query.format, json, table, 'reach', range);
  });

  app.get<{ Querystring: BaseQuery & { targetHours?: number; per: Per; belowOnly: boolean; siteId?: number } }>('/api/reports/members', {
    preHandler: app.auth.user,
    schema: {
      tags: ['reports'],
      summary: 'Member learning hours per member and period (day or month), and the members below a target',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ...baseQueryProps,
          targetHours: { type: 'number', minimum: 0, description: 'target hours per period, e.g. 1 per day or 8 per month' },
          per: { type: 'string', enum: ['day', 'month'], default: 'month' },
          belowOnly: { type: 'boolean', default: false, description: 'only rows below the target' },
          siteId: { type: 'integer' },
        },
      },
      response: reportResponse,
    },
  }, async (req, reply) => {
    const { targetHours, per, belowOnly, siteId } = req.query;
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
      return { watch, roll: rollMembers(db, siteIds, [...new Set(watch.map((w) => w.memberNo))]) };
    });
    const inScope = siteIds ? new Set(siteIds) : null;
    let rows = buildMemberHours(
      data.roll.filter((m) => !inScope || inScope.has(m.siteId)), data.watch, eachDay(range.from, range.to), per,
      targetHours ?? null, new Map(scope.sites.map((s) => [s.id, s.name])),
      data.roll.filter((m) => inScope && !inScope.has(m.siteId)),
    );
    if (belowOnly) rows = rows.filter((r) => r.belowTarget);
    const json = {
      ...range, timeZone: tz, regionId: scope.root?.id ?? null, generatedAt: new Date(now).toISOString(), per,
      targetHours: targetHours ?? null,
      summary: {
        members: new Set(rows.map((r) => r.memberNo)).size,
        rows: rows.length,
        belowTarget: rows.filter((r) => r.belowTarget).length,
        membersBelowTarget: new Set(rows.filter((r) => r.belowTarget).map((r) => r.memberNo)).size,
      },
      rows,
    };
    return send(reply, req.query.format, json, () => membersTable(rows, per, targetHours ?? null, note(range, scope)), 'members', range);
  });

  app.get<{ Querystring: BaseQuery & { darkDays: number } }>('/api/reports/sites', {
    preHandler: app.auth.user,
    schema: {
      tags: ['reports'],
      summary: 'Site health: online now, online share over the range, last seen, cache readiness, sites dark for N days',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { ...baseQueryProps, darkDays: { type: 'integer', minimum: 1, maximum: 3650, default: 3 } },
      },
      response: reportResponse,
    },
  }, async (req, reply) => {
    const now = Date.now();
    const range = reportRange(req.query, tz, now);
    const scope = resolveScope(db, req.user!, req.query.regionId);
    const data = snapshot(() => ({ statuses: siteStatuses(db), connected: connectedSeconds(db, range) }));
    const { names } = regionMaps(scope);
    const rows = buildSiteHealth(scope.sites, names, data.statuses, data.connected, rangeMs(range.from, range.to, tz), now, req.query.darkDays);
    const json = {
      ...range, timeZone: tz, regionId: scope.root?.id ?? null, generatedAt: new Date(now).toISOString(),
      darkDays: req.query.darkDays,
      summary: { sites: rows.length, online: rows.filter((r) => r.online).length, dark: rows.filter((r) => r.dark).length },
      sites: rows,
    };
    return send(reply, req.query.format, json, () => sitesTable(rows, req.query.darkDays, note(range, scope)), 'sites', range);
  });
}
