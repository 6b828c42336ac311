// The dashboard's figures in one answer, computed from the attendance domain's functions (no SQL here): sites
// online now and offline for more than a day, by the regions one level below the caller's root, and today's
// sessions and person-hours. Channels, the queue and requests come from their own routes.
import type { Db } from '../db/connection.ts';
import type { AuthUser } from '../auth/guards.ts';
import { isOnline } from '../attendance/heartbeat.ts';
import { provinceDay } from '../attendance/days.ts';
import { daySplit, siteActivity, siteStatuses } from '../attendance/report-data.ts';
import { resolveScope } from '../attendance/scope.ts';

const DAY_MS = 86_400_000;

export interface RegionSiteCounts { regionId: number | null; name: string; total: number; online: number; offline24h: number }

export interface DashboardSummary {
  generatedAt: string;
  day: string;
  sites: RegionSiteCounts & { neverSeen: number; byRegion: RegionSiteCounts[] };
  today: { sessions: number; personHours: number; watchedHours: number; sitesWatching: number };
}

export function dashboardSummary(db: Db, config: { provinceTz: string }, user: AuthUser, now: Date): DashboardSummary {
  const nowMs = now.getTime();
  const day = provinceDay(nowMs, config.provinceTz);
  return db.transaction(() => {
    const scope = resolveScope(db, user, undefined);
    const status = new Map(siteStatuses(db).map((s) => [s.siteId, s.lastSeen]));
    const parentOf = new Map(scope.regions.map((r) => [r.id, r.parentId]));
    // A province server usually has one top region: group by the level below it rather than by that one region.
    const tops = scope.regions.filter((r) => r.parentId === null);
    const rootId = scope.root?.id ?? (tops.length === 1 ? tops[0].id : null);
    // The child of the root that holds a region (the root itself for sites directly in it).
    const topOf = (regionId: number): number | null => {
      let id: number | null = regionId;
      while (id !== null && parentOf.get(id) !== rootId) id = parentOf.get(id) ?? null;
      return id ?? rootId;
    };
    const names = new Map(scope.regions.map((r) => [r.id, r.name]));
    const blank = (regionId: number | null): RegionSiteCounts =>
      ({ regionId, name: regionId === null ? '' : names.get(regionId) ?? '', total: 0, online: 0, offline24h: 0 });
    const all = blank(rootId);
    let neverSeen = 0;
    const byRegion = new Map<number | null, RegionSiteCounts>();
    for (const site of scope.sites) {
      if (site.revoked) continue;
      const lastSeen = status.get(site.id) ?? null;
      const top = topOf(site.regionId);
      const row = byRegion.get(top) ?? blank(top);
      byRegion.set(top, row);
      for (const r of [all, row]) {
        r.total++;
        if (isOnline(lastSeen, nowMs)) r.online++;
        else if (lastSeen !== null && nowMs - lastSeen > DAY_MS) r.offline24h++;
      }
      if (lastSeen === null) neverSeen++;
    }
    const activity = siteActivity(db, daySplit(db, { from: day, to: day }), scope.root ? scope.sites.map((s) => s.id) : null);
    const today = { sessions: 0, personHours: 0, watchedHours: 0, sitesWatching: 0 };
    for (const a of activity) {
      today.sessions += a.sessions;
      today.personHours += a.personSeconds / 3600;
      today.watchedHours += a.watchedSeconds / 3600;
      if (a.sessions > 0) today.sitesWatching++;
    }
    today.personHours = Math.round(today.personHours * 10) / 10;
    today.watchedHours = Math.round(today.watchedHours * 10) / 10;
    return {
      generatedAt: now.toISOString(),
      day,
      sites: { ...all, name: rootId === null ? '' : names.get(rootId) ?? '', neverSeen, byRegion: [...byRegion.values()].sort((a, b) => b.total - a.total) },
      today,
    };
  })();
}

/** Longest range the daily line of the activity page asks for. */
export const MAX_DAILY_DAYS = 62;

export interface DayActivity { day: string; sessions: number; personHours: number }

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
