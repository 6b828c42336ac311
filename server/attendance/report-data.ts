// SQL that feeds the reports. Every figure over a date range reads the daily rollups for days rolled up and the
// raw rows for the other days (today, late arrivals since the last rollup), in one read transaction so a
// concurrent rollup or ingest cannot make a day count twice or not at all.
import type { Db } from '../db/connection.ts';
import { tableExists } from './ingest.ts';

export interface Range { from: string; to: string }

export interface SiteActivity {
  siteId: number; sessions: number; watchedSeconds: number; personSeconds: number; people: number; broadcastSeconds: number;
}
export interface MemberAtSite { siteId: number; memberNo: string; verified: boolean }

/** `AND site_id IN (...)` when the scope is not everything. */
function siteFilter(siteIds: number[] | null, col = 'site_id'): string {
  return siteIds ? `AND ${col} IN (SELECT value FROM json_each(@sites))` : '';
}

/**
 * Rows from the rollup table for rolled days UNION ALL the matching rows from the raw table for the others.
 * `rolledCols` and `rawCols` must list the same column names.
 */
function rolledOrRaw(rolledTable: string, rolledCols: string, rawTable: string, rawCols: string, filter: string, extra = ''): string {
  return `
    SELECT ${rolledCols} FROM ${rolledTable}
     WHERE day BETWEEN @from AND @to AND day IN (SELECT day FROM attendance_rolled_days WHERE day BETWEEN @from AND @to) ${filter} ${extra}
    UNION ALL
    SELECT ${rawCols} FROM ${rawTable}
     WHERE day BETWEEN @from AND @to AND day NOT IN (SELECT day FROM attendance_rolled_days WHERE day BETWEEN @from AND @to) ${filter} ${extra}`;
}

const params = (range: Range, siteIds: number[] | null, more: Record<string, unknown> = {}) => ({
  from: range.from, to: range.to, ...(siteIds ? { sites: JSON.stringify(siteIds) } : {}), ...more,
});

export function siteActivity(db: Db, range: Range, siteIds: number[] | null): SiteActivity[] {
  const f = siteFilter(siteIds);
  const src = rolledOrRaw(
    'attendance_daily', "site_id, sessions, watched_seconds, person_seconds, people, CASE WHEN mode = 'broadcast' THEN watched_seconds ELSE 0 END AS bc",
    'attendance_sessions', "site_id, 1 AS sessions, watched_seconds, person_seconds, people, CASE WHEN mode = 'broadcast' THEN watched_seconds ELSE 0 END AS bc",
    f,
  );
  return db.prepare(`
    SELECT site_id AS siteId, sum(sessions) AS sessions, sum(watched_seconds) AS watchedSeconds,
           sum(person_seconds) AS personSeconds, sum(people) AS people, sum(bc) AS broadcastSeconds
      FROM (${src}) GROUP BY site_id`).all(params(range, siteIds)) as SiteActivity[];
}

/** Distinct (site, member) pairs that watched, with whether the number is on the roll. */
export function membersAtSites(db: Db, range: Range, siteIds: number[] | null, programIds: number[] | null = null): MemberAtSite[] {
  const f = siteFilter(siteIds) + (programIds ? ' AND program_id IN (SELECT value FROM json_each(@programs))' : '');
  const src = rolledOrRaw('attendance_member_daily', 'site_id, member_no', 'attendance_session_members', 'site_id, member_no', f);
  return (db.prepare(`
    SELECT x.site_id AS siteId, x.member_no AS memberNo, (m.member_no IS NOT NULL) AS verified
      FROM (SELECT DISTINCT site_id, member_no FROM (${src})) x LEFT JOIN members m ON m.member_no = x.member_no`)
    .all(params(range, siteIds, programIds ? { programs: JSON.stringify(programIds) } : {})) as MemberAtSite[])
    .map((r) => ({ ...r, verified: !!r.verified }));
}

/** Per-site figures for a set of programs. */
export function programSiteActivity(db: Db, range: Range, siteIds: number[] | null, programIds: number[]): SiteActivity[] {
  const f = siteFilter(siteIds) + ' AND program_id IN (SELECT value FROM json_each(@programs))';
  const src = rolledOrRaw(
    'attendance_daily', "site_id, sessions, watched_seconds, person_seconds, people, CASE WHEN mode = 'broadcast' THEN watched_seconds ELSE 0 END AS bc",
    'attendance_sessions', "site_id, 1 AS sessions, watched_seconds, person_seconds, people, CASE WHEN mode = 'broadcast' THEN watched_seconds ELSE 0 END AS bc",
    f,
  );
  return db.prepare(`
    SELECT site_id AS siteId, sum(sessions) AS sessions, sum(watched_seconds) AS watchedSeconds,
           sum(person_seconds) AS personSeconds, sum(people) AS people, sum(bc) AS broadcastSeconds
      FROM (${src}) GROUP BY site_id`).all(params(range, siteIds, { programs: JSON.stringify(programIds) })) as SiteActivity[];
}

export interface MemberWatch { memberNo: string; siteId: number; day: string; watchedSeconds: number; sessions: number }
/** Seconds per member, site and day (members watching at sites in scope). */
export function memberWatchByDay(db: Db, range: Range, siteIds: number[] | null, programIds: number[] | null = null): MemberWatch[] {
  const f = siteFilter(siteIds) + (programIds ? ' AND program_id IN (SELECT value FROM json_each(@programs))' : '');
  const src = rolledOrRaw(
    'attendance_member_daily', 'member_no, site_id, day, sessions, watched_seconds',
    'attendance_session_members', 'member_no, site_id, day, 1 AS sessions, watched_seconds', f,
  );
  return db.prepare(`
    SELECT member_no AS memberNo, site_id AS siteId, day, sum(watched_seconds) AS watchedSeconds, sum(sessions) AS sessions
      FROM (${src}) GROUP BY member_no, site_id, day`)
    .all(params(range, siteIds, programIds ? { programs: JSON.stringify(programIds) } : {})) as MemberWatch[];
}

export interface RollMember { memberNo: string; name: string; siteId: number; category: string }
export function rollMembers(db: Db, siteIds: number[] | null, memberNos: string[] = []): RollMember[] {
  const cols = 'member_no AS memberNo, name, site_id AS siteId, category';
  if (!siteIds) return db.prepare(`SELECT ${cols} FROM members`).all() as RollMember[];
  return db.prepare(`SELECT ${cols} FROM members WHERE site_id IN (SELECT value FROM json_each(?))
      OR member_no IN (SELECT value FROM json_each(?))`).all(JSON.stringify(siteIds), JSON.stringify(memberNos)) as RollMember[];
}

export interface ScheduleData {
  channelIds: number[];
  /** channel id -> regions it is limited to (absent or empty: every site). */
  channelRegions: Map<number, number[]>;
  items: Array<{ channelId: number; startMs: number; endMs: number }>;
}

/** The broadcast schedule overlapping [startMs, endMs), or null while the broadcast tables do not exist. */
export function scheduleData(db: Db, startMs: number, endMs: number): ScheduleData | null {
  if (!['channels', 'channel_regions', 'schedule_items'].every((t) => tableExists(db, t))) return null;
  const channelIds = (db.prepare('SELECT id FROM channels').all() as Array<{ id: number }>).map((r) => r.id);
  const channelRegions = new Map<number, number[]>();
  for (const r of db.prepare('SELECT channel_id AS c, region_id AS r FROM channel_regions').all() as Array<{ c: number; r: number }>) {
    channelRegions.set(r.c, [...(channelRegions.get(r.c) ?? []), r.r]);
  }
  const items = db.prepare(`SELECT channel_id AS channelId, start_at AS startMs, end_at AS endMs FROM schedule_items
     WHERE end_at > ? AND start_at < ?`).all(startMs, endMs) as ScheduleData['items'];
  return { channelIds, channelRegions, items };
}

export interface SiteStatusRow {
  siteId: number; firstSeen: number; lastSeen: number; onScreen: string | null; cacheReadiness: number | null;
  freeDiskBytes: number | null; agentVersion: string | null; uptimeSeconds: number | null; lastError: string | null;
  clockOffsetMs: number | null;
}
export function siteStatuses(db: Db): SiteStatusRow[] {
  return db.prepare(`SELECT site_id AS siteId, first_seen AS firstSeen, last_seen AS lastSeen, on_screen AS onScreen,
      cache_readiness AS cacheReadiness, free_disk_bytes AS freeDiskBytes, agent_version AS agentVersion,
      uptime_seconds AS uptimeSeconds, last_error AS lastError, clock_offset_ms AS clockOffsetMs FROM site_status`).all() as SiteStatusRow[];
}

export function connectedSeconds(db: Db, range: Range): Map<number, number> {
  const rows = db.prepare(`SELECT site_id AS siteId, sum(seconds) AS seconds FROM site_connected_daily
     WHERE day BETWEEN ? AND ? GROUP BY site_id`).all(range.from, range.to) as Array<{ siteId: number; seconds: number }>;
  return new Map(rows.map((r) => [r.siteId, r.seconds]));
}

export function programsOf(db: Db, q: { programId?: number; seriesId?: number }): Array<{ id: number; title: string }> {
  if (q.programId != null) return db.prepare('SELECT id, title FROM programs WHERE id = ?').all(q.programId) as Array<{ id: number; title: string }>;
  return db.prepare('SELECT id, title FROM programs WHERE series_id = ? ORDER BY episode, id').all(q.seriesId) as Array<{ id: number; title: string }>;
}
