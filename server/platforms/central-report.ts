// The centre's activity report: its provinces are regions of its own tree (with no sites of their own), and each
// paired province's figures sent up are grafted under its node, down to the level the province sends (counties
// by default). Over a range, counts and hours are summed over the days; registered sites are the last day's;
// distinct members are the largest daily count (a lower bound: the same member on two days is one person, and
// only daily counts leave a province).
import type { Db } from '../db/connection.ts';
import type { ActivityNode, ProvinceMembersRow, ProvinceSitesRow, Reach, ReachSite } from '../../common/api/reports.ts';
import type { ProgramDayFigures, RegionDayFigures, SiteDayFigures } from '../../common/api/platforms.ts';
import { getRegion } from '../sites/regions.ts';
import { activityTotals, reachFigures, siteFigures, topActivityFigures, type Held } from './figures.ts';
import { platformsByRegion } from './platforms.ts';

/** Sent regions get ids of their own, negative, so they never clash with the centre's regions or sites. */
export const sentRegionId = (platformId: number, provinceRegionId: number) => -(platformId * 10_000_000 + provinceRegionId);

const round = (n: number) => Math.round(n * 100) / 100;

interface Delta {
  sites: number;
  sessions: number;
  viewingHours: number;
  personHours: number;
  broadcastHours: number;
  distinctMembers: number;
}
const zero = (): Delta => ({ sites: 0, sessions: 0, viewingHours: 0, personHours: 0, broadcastHours: 0, distinctMembers: 0 });
function add(into: Delta, d: Delta) {
  into.sites += d.sites;
  into.sessions += d.sessions;
  into.viewingHours += d.viewingHours;
  into.personHours += d.personHours;
  into.broadcastHours += d.broadcastHours;
  into.distinctMembers += d.distinctMembers;
}

/** One province's sent rows over the range, as report nodes: its sent roots (normally the province itself). */
export function sentNodes(platformId: number, rows: ReadonlyArray<Held<RegionDayFigures>>): Array<{ node: ActivityNode; totals: Delta }> {
  const byRegion = new Map<number, { last: RegionDayFigures; lastDay: string; totals: Delta }>();
  for (const { day, row } of rows) {
    const e = byRegion.get(row.regionId) ?? { last: row, lastDay: day, totals: zero() };
    if (day >= e.lastDay) Object.assign(e, { last: row, lastDay: day });
    e.totals.sessions += row.sessions;
    e.totals.viewingHours += row.viewingHours;
    e.totals.personHours += row.personHours;
    e.totals.broadcastHours += row.broadcastHours ?? 0;
    e.totals.distinctMembers = Math.max(e.totals.distinctMembers, row.distinctMembers);
    byRegion.set(row.regionId, e);
  }
  const nodeOf = (regionId: number): { node: ActivityNode; totals: Delta } => {
    const e = byRegion.get(regionId)!;
    const totals = { ...e.totals, sites: e.last.sites };
    const children = [...byRegion.values()].filter((c) => c.last.parentId === regionId).map((c) => nodeOf(c.last.regionId).node);
    const node: ActivityNode = {
      kind: 'region',
      id: sentRegionId(platformId, regionId),
      name: e.last.name,
      level: e.last.level,
      sites: totals.sites,
      sessions: totals.sessions,
      viewingHours: round(totals.viewingHours),
      personHours: round(totals.personHours),
      distinctMembers: totals.distinctMembers,
      unverifiedMembers: 0,
      broadcastHours: round(totals.broadcastHours),
      scheduledHours: null,
      coverage: null,
      children: children.sort((a, b) => a.name.localeCompare(b.name)),
    };
    return { node, totals };
  };
  return [...byRegion.values()]
    .filter((e) => e.last.parentId === null || !byRegion.has(e.last.parentId))
    .map((e) => nodeOf(e.last.regionId));
}

/**
 * Pure: grafts each province's sent nodes under the centre's node for that province and adds their totals to it
 * and to every ancestor. `sent` maps a centre region id to that province's sent roots.
 */
export function graftSent(tree: ActivityNode[], sent: ReadonlyMap<number, Array<{ node: ActivityNode; totals: Delta }>>): ActivityNode[] {
  const visit = (node: ActivityNode): { node: ActivityNode; delta: Delta } => {
    const delta = zero();
    const children: ActivityNode[] = [];
    for (const c of node.children) {
      const v = visit(c);
      children.push(v.node);
      add(delta, v.delta);
    }
    if (node.kind === 'region') {
      for (const s of sent.get(node.id) ?? []) {
        children.push(...s.node.children);
        add(delta, s.totals);
      }
    }
    return {
      node: {
        ...node,
        children,
        sites: node.sites + delta.sites,
        sessions: node.sessions + delta.sessions,
        viewingHours: round(node.viewingHours + delta.viewingHours),
        personHours: round(node.personHours + delta.personHours),
        broadcastHours: round(node.broadcastHours + delta.broadcastHours),
        distinctMembers: node.distinctMembers + delta.distinctMembers,
      },
      delta,
    };
  };
  return tree.map((n) => visit(n).node);
}

/** The activity tree with every paired province's figures for the range grafted in (unchanged on a province server). */
export function withSentFigures(db: Db, tree: ActivityNode[], range: { from: string; to: string }): ActivityNode[] {
  const platforms = platformsByRegion(db);
  if (!platforms.size) return tree;
  // One row per province and region for the range (summed in SQLite); sentNodes folds rows by region either way.
  const rows = activityTotals(
    db,
    [...platforms.values()].map((p) => p.id),
    range.from,
    range.to,
  );
  const sent = new Map<number, Array<{ node: ActivityNode; totals: Delta }>>();
  for (const p of platforms.values()) {
    const own = rows.filter((r) => r.platformId === p.id);
    if (own.length) sent.set(p.regionId, sentNodes(p.id, own));
  }
  return graftSent(tree, sent);
}

// ---------------------------------------------------------------------------------------- reach at the centre

export interface ProvinceReach {
  platformId: number;
  name: string;
  rows: ReadonlyArray<Held<ProgramDayFigures>>;
}

/**
 * Pure: adds to a reach report what provinces sent for these central programs: one row per province in `sites`
 * (a negative id: it is a province's total, not a site) and its sums in the totals. A province's sites are the
 * largest daily count (a lower bound over a range).
 */
export function graftReach(reach: Reach, provinces: readonly ProvinceReach[]): Reach {
  const rows: ReachSite[] = [];
  for (const p of provinces) {
    if (!p.rows.length) continue;
    let sessions = 0;
    let viewing = 0;
    let person = 0;
    for (const { row } of p.rows) {
      sessions += row.sessions;
      viewing += row.viewingHours;
      person += row.personHours;
    }
    const sites = Math.max(...sitesPerDay(p.rows));
    rows.push({
      siteId: -p.platformId,
      siteName: `${p.name} (sent up: ${sites} sites)`,
      region: p.name,
      sessions,
      viewingHours: round(viewing),
      personHours: round(person),
      viewers: 0,
      members: 0,
    });
  }
  if (!rows.length) return reach;
  const totals = { ...reach.totals };
  for (const r of rows) {
    totals.sessions += r.sessions;
    totals.viewingHours = round(totals.viewingHours + r.viewingHours);
    totals.personHours = round(totals.personHours + r.personHours);
  }
  totals.sites += provinces.reduce((n, p) => n + Math.max(0, ...sitesPerDay(p.rows)), 0);
  return { ...reach, totals, sites: [...reach.sites, ...rows] };
}

function sitesPerDay(rows: ReadonlyArray<Held<ProgramDayFigures>>): number[] {
  const perDay = new Map<string, number>();
  for (const { day, row } of rows) perDay.set(day, (perDay.get(day) ?? 0) + row.sites);
  return [...perDay.values()];
}

/** The reach report with what provinces in the report's scope sent for these (central) programs. */
export function withSentReach(
  db: Db,
  reach: Reach,
  programIds: readonly number[],
  regionIdsInScope: ReadonlySet<number>,
  range: { from: string; to: string },
): Reach {
  const platforms = [...platformsByRegion(db).values()].filter((p) => regionIdsInScope.has(p.regionId));
  if (!platforms.length || !programIds.length) return reach;
  const keys = new Set(programIds.map((id) => `central:${id}`));
  const rows = reachFigures(
    db,
    platforms.map((p) => p.id),
    range.from,
    range.to,
  ).filter((r) => keys.has(r.row.key));
  const names = new Map(platforms.map((p) => [p.regionId, getRegion(db, p.regionId)?.name]));
  return graftReach(
    reach,
    platforms.map((p) => ({
      platformId: p.id,
      name: names.get(p.regionId) ?? `platform ${p.id}`,
      rows: rows.filter((r) => r.platformId === p.id),
    })),
  );
}

// ------------------------------------------------------------------------- sites and members at the centre

/** A paired province in a report's scope: its platform and its region (and name) at the centre. */
export interface ScopedProvince {
  platformId: number;
  regionId: number;
  name: string;
}

/** Pure: each province's site counts as of the last day it sent in the range, and its connected share over the days. */
export function provinceSites(provinces: readonly ScopedProvince[], rows: ReadonlyArray<Held<SiteDayFigures>>): ProvinceSitesRow[] {
  return provinces.map((p) => {
    const own = rows.filter((r) => r.platformId === p.platformId);
    const last = own.reduce<Held<SiteDayFigures> | null>((a, r) => (!a || r.day > a.day ? r : a), null);
    const shares = own.filter((r) => r.row.registered > 0).map((r) => r.row.connected / r.row.registered);
    return {
      regionId: p.regionId,
      name: p.name,
      lastDay: last?.day ?? null,
      registered: last?.row.registered ?? 0,
      paired: last?.row.paired ?? 0,
      connected: last?.row.connected ?? 0,
      ready: last?.row.ready ?? 0,
      connectedShare: shares.length ? round(shares.reduce((a, b) => a + b, 0) / shares.length) : null,
    };
  });
}

/**
 * Pure: each province's members over the range from its top regions' daily rows (the regions it sent without a
 * parent): sessions and person-hours summed, distinct members the largest daily count (a lower bound).
 */
export function provinceMembers(provinces: readonly ScopedProvince[], rows: ReadonlyArray<Held<RegionDayFigures>>): ProvinceMembersRow[] {
  return provinces.map((p) => {
    const perDay = new Map<string, number>();
    let sessions = 0;
    let personHours = 0;
    for (const { platformId, day, row } of rows) {
      if (platformId !== p.platformId || row.parentId !== null) continue;
      perDay.set(day, (perDay.get(day) ?? 0) + row.distinctMembers);
      sessions += row.sessions;
      personHours += row.personHours;
    }
    return {
      regionId: p.regionId,
      name: p.name,
      days: perDay.size,
      distinctMembers: Math.max(0, ...perDay.values()),
      sessions,
      personHours: round(personHours),
    };
  });
}

/** The paired provinces whose region is in a report's scope, by name. */
function scopedProvinces(db: Db, regionIdsInScope: ReadonlySet<number>): ScopedProvince[] {
  return [...platformsByRegion(db).values()]
    .filter((p) => regionIdsInScope.has(p.regionId))
    .map((p) => ({ platformId: p.id, regionId: p.regionId, name: getRegion(db, p.regionId)?.name ?? `platform ${p.id}` }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The sites report's province rows at a centre (none on a province server). */
export function sentSites(db: Db, regionIdsInScope: ReadonlySet<number>, range: { from: string; to: string }): ProvinceSitesRow[] {
  const provinces = scopedProvinces(db, regionIdsInScope);
  if (!provinces.length) return [];
  return provinceSites(
    provinces,
    siteFigures(
      db,
      provinces.map((p) => p.platformId),
      range.from,
      range.to,
    ),
  );
}

/** The members report's province rows at a centre (none on a province server). */
export function sentMembers(db: Db, regionIdsInScope: ReadonlySet<number>, range: { from: string; to: string }): ProvinceMembersRow[] {
  const provinces = scopedProvinces(db, regionIdsInScope);
  if (!provinces.length) return [];
  return provinceMembers(
    provinces,
    topActivityFigures(
      db,
      provinces.map((p) => p.platformId),
      range.from,
      range.to,
    ),
  );
}
