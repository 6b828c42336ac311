// The dashboard's figures in one answer, from grouped reads of the sites and attendance domains (no SQL here):
// sites online now and offline for more than a day, by the regions one level below the caller's root, and today's
// sessions and person-hours. Channels, the queue and requests come from their own routes.
//
// The counting is done by SQLite, per region, in one statement (a few thousand rows back at 25,000 sites); the
// earlier version brought every site and its full status into JavaScript: 1.4 s (scripts/bench/console.ts).
import type { Db } from '../db/connection.ts';
import type { AuthUser } from '../auth/guards.ts';
import type { DashboardSummary, RegionSiteCounts } from '../../common/api/console.ts';
import { OFFLINE_AFTER_MS } from '../attendance/heartbeat.ts';
import { provinceDay } from '../attendance/days.ts';
import { daySplit, siteActivity } from '../attendance/report-data.ts';
import { resolveRoot, resolveScope } from '../attendance/scope.ts';
import { dayTotals, statusCountsByRegion, type RegionStatusCounts, type SiteScopeSql } from '../attendance/tables.ts';
import { listRegions } from '../sites/regions.ts';
import { siteScopeSql } from '../sites/sites.ts';

const DAY_MS = 86_400_000;

export type { DashboardSummary };

interface RegionLink {
  id: number;
  parentId: number | null;
  name: string;
}

/**
 * Pure: folds per-region counts into the children of the root (the root itself for sites directly in it), plus the
 * whole. `rootId` null with several top regions groups by those tops. Largest groups first.
 */
export function foldByTopRegion(
  counts: readonly RegionStatusCounts[],
  regions: readonly RegionLink[],
  rootId: number | null,
): DashboardSummary['sites'] {
  const parentOf = new Map(regions.map((r) => [r.id, r.parentId]));
  const names = new Map(regions.map((r) => [r.id, r.name]));
  const topOf = (regionId: number): number | null => {
    let id: number | null = regionId;
    while (id !== null && parentOf.get(id) !== rootId) id = parentOf.get(id) ?? null;
    return id ?? rootId;
  };
  const blank = (regionId: number | null): RegionSiteCounts => ({
    regionId,
    name: regionId === null ? '' : (names.get(regionId) ?? ''),
    total: 0,
    online: 0,
    offline24h: 0,
  });
  const all = blank(rootId);
  let neverSeen = 0;
  const byRegion = new Map<number | null, RegionSiteCounts>();
  for (const c of counts) {
    const top = topOf(c.regionId);
    let row = byRegion.get(top);
    if (!row) byRegion.set(top, (row = blank(top)));
    for (const r of [all, row]) {
      r.total += c.total;
      r.online += c.online;
      r.offline24h += c.offline24h;
    }
    neverSeen += c.neverSeen;
  }
  return { ...all, neverSeen, byRegion: [...byRegion.values()].sort((a, b) => b.total - a.total || a.name.localeCompare(b.name)) };
}

export function dashboardSummary(db: Db, config: { provinceTz: string }, user: AuthUser, now: Date): DashboardSummary {
  const nowMs = now.getTime();
  const day = provinceDay(nowMs, config.provinceTz);
  return db.transaction(() => {
    const root = resolveRoot(db, user, undefined);
    const regions = listRegions(db, root?.id);
    // A province server usually has one top region: group by the level below it rather than by that one region.
    const tops = regions.filter((r) => r.parentId === null);
    const rootId = root?.id ?? (tops.length === 1 ? tops[0].id : null);
    const scope: SiteScopeSql = { sql: siteScopeSql({ scoped: root !== null, q: false }), params: root ? { path: root.path } : {} };
    // Online: a heartbeat within OFFLINE_AFTER_MS (heartbeat.ts isOnline); dark: none for more than a day.
    const counts = statusCountsByRegion(db, scope, nowMs - OFFLINE_AFTER_MS, nowMs - DAY_MS);
    const t = dayTotals(db, day, root ? scope : null);
    const hours = (seconds: number) => Math.round((seconds / 3600) * 10) / 10;
    return {
      generatedAt: now.toISOString(),
      day,
      sites: foldByTopRegion(counts, regions, rootId),
      today: {
        sessions: t.sessions,
        personHours: hours(t.personSeconds),
        watchedHours: hours(t.watchedSeconds),
        sitesWatching: t.sitesWatching,
      },
    };
  })();
}

/** Longest range the daily line of the activity page asks for. */
export const MAX_DAILY_DAYS = 62;

export interface DayActivity {
  day: string;
  sessions: number;
  personHours: number;
}

/**
 * Sessions and person-hours per province day over [from, to] for the caller's scope (an organizer's own subtree;
 * another region is refused by resolveScope): the activity page's line chart, without building the region tree.
 */
export function activityByDay(db: Db, user: AuthUser, regionId: number | undefined, days: string[]): DayActivity[] {
  return db.transaction(() => {
    const scope = resolveScope(db, user, regionId);
    const siteIds = scope.root ? scope.sites.map((s) => s.id) : null;
    return days.map((day) => {
      const rows = siteActivity(db, daySplit(db, { from: day, to: day }), siteIds);
      const sessions = rows.reduce((n, a) => n + a.sessions, 0);
      const personHours = Math.round((rows.reduce((n, a) => n + a.personSeconds, 0) / 3600) * 10) / 10;
      return { day, sessions, personHours };
    });
  })();
}
