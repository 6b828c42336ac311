// SQL that feeds the reports. Every figure over a date range reads the daily rollups for days rolled up and the
// raw rows for the other days (today, late arrivals since the last rollup), in one read transaction so a
// concurrent rollup or ingest cannot make a day count twice or not at all.
import type { Db } from '../db/connection.ts';
import { channelsForRegion } from '../sites/manifest.ts';
import { scheduleSpansBetween } from '../broadcast/repo.ts';
import { eachDay, monthOf, daysInMonth } from './days.ts';

export interface Range {
  from: string;
  to: string;
}

/**
 * How a range is read: rolled-up days from the aggregates, the other days from the raw rows, and whole months
 * (every day inside the range) from the monthly per-site sums. Computed inside the report's read transaction.
 */
export interface DaySplit extends Range {
  rolledDays: string[];
  rawDays: string[];
  fullMonths: string[];
  /** Rolled-up days outside the full months (the range's ragged edges). */
  edgeRolledDays: string[];
}

export function daySplit(db: Db, range: Range): DaySplit {
  const rolled = new Set(
    db
      .prepare<[string, string], { day: string }>('SELECT day FROM attendance_rolled_days WHERE day BETWEEN ? AND ?')
      .all(range.from, range.to)
      .map((r) => r.day),
  );
  const days = eachDay(range.from, range.to);
  const perMonth = new Map<string, number>();
  for (const d of days) perMonth.set(monthOf(d), (perMonth.get(monthOf(d)) ?? 0) + 1);
  const fullMonths = [...perMonth].filter(([m, n]) => n === daysInMonth(m)).map(([m]) => m);
  const full = new Set(fullMonths);
  return {
    ...range,
    rolledDays: [...rolled],
    rawDays: days.filter((d) => !rolled.has(d)),
    fullMonths,
    edgeRolledDays: [...rolled].filter((d) => !full.has(monthOf(d))),
  };
}

export interface SiteActivity {
  siteId: number;
  sessions: number;
  watchedSeconds: number;
  personSeconds: number;
  people: number;
  broadcastSeconds: number;
}
export interface MemberAtSite {
  siteId: number;
  memberNo: string;
  verified: boolean;
}

/** `AND site_id IN (...)` when the scope is not everything. */
function siteFilter(siteIds: number[] | null, col = 'site_id'): string {
  return siteIds ? `AND ${col} IN (SELECT value FROM json_each(@sites))` : '';
}

/**
 * Rows from the rollup table for rolled days UNION ALL the matching rows from the raw table for the others.
 * `rolledCols` and `rawCols` must list the same column names.
 */
function rolledOrRaw(rolledTable: string, rolledCols: string, rawTable: string, rawCols: string, filter: string): string {
  return `
    SELECT ${rolledCols} FROM ${rolledTable} WHERE day IN (SELECT value FROM json_each(@rolledDays)) ${filter}
    UNION ALL
    SELECT ${rawCols} FROM ${rawTable} WHERE day IN (SELECT value FROM json_each(@rawDays)) ${filter}`;
}

type Params = Record<string, string>;
const params = (split: DaySplit, siteIds: number[] | null, more: Params = {}): Params => ({
  rolledDays: JSON.stringify(split.rolledDays),
  rawDays: JSON.stringify(split.rawDays),
  ...(siteIds ? { sites: JSON.stringify(siteIds) } : {}),
  ...more,
});

const monthsAndEdges = (split: DaySplit): Params => ({
  months: JSON.stringify(split.fullMonths),
  edgeDays: JSON.stringify(split.edgeRolledDays),
});

/** Per-site figures over the range: whole months from the monthly sums, other rolled days from the per-site days, the rest raw. */
export function siteActivity(db: Db, split: DaySplit, siteIds: number[] | null): SiteActivity[] {
  const f = siteFilter(siteIds);
  const cols = 'site_id, sessions, watched_seconds, person_seconds, people, broadcast_seconds';
  return db
    .prepare<[Params], SiteActivity>(`
    SELECT site_id AS siteId, sum(sessions) AS sessions, sum(watched_seconds) AS watchedSeconds,
           sum(person_seconds) AS personSeconds, sum(people) AS people, sum(broadcast_seconds) AS broadcastSeconds
      FROM (
        SELECT ${cols} FROM attendance_site_monthly WHERE month IN (SELECT value FROM json_each(@months)) ${f}
        UNION ALL
        SELECT ${cols} FROM attendance_site_daily WHERE day IN (SELECT value FROM json_each(@edgeDays)) ${f}
        UNION ALL
        SELECT site_id, 1, watched_seconds, person_seconds, people, CASE WHEN mode = 'broadcast' THEN watched_seconds ELSE 0 END
          FROM attendance_sessions WHERE day IN (SELECT value FROM json_each(@rawDays)) ${f}
      ) GROUP BY site_id`)
    .all(params(split, siteIds, monthsAndEdges(split)));
}

/** Distinct (site, member) pairs that watched, with whether the number is on the roll of a site in scope. */
export function membersAtSites(db: Db, split: DaySplit, siteIds: number[] | null): MemberAtSite[] {
  const f = siteFilter(siteIds);
  return db
    .prepare<[Params], { siteId: number; memberNo: string; verified: number }>(`
    SELECT x.site_id AS siteId, x.member_no AS memberNo, (m.member_no IS NOT NULL) AS verified
      FROM (
        SELECT site_id, member_no FROM attendance_member_months WHERE month IN (SELECT value FROM json_each(@months)) ${f}
        UNION
        SELECT site_id, member_no FROM attendance_member_daily WHERE day IN (SELECT value FROM json_each(@edgeDays)) ${f}
        UNION
        SELECT site_id, member_no FROM attendance_session_members WHERE day IN (SELECT value FROM json_each(@rawDays)) ${f}
      ) x LEFT JOIN members m ON m.member_no = x.member_no ${siteFilter(siteIds, 'm.site_id')}`)
    .all(params(split, siteIds, monthsAndEdges(split)))
    .map((r) => ({ ...r, verified: !!r.verified }));
}

const BROADCAST_SECONDS = "CASE WHEN mode = 'broadcast' THEN watched_seconds ELSE 0 END AS bc";

/** Per-site figures for a set of programs. */
export function programSiteActivity(db: Db, split: DaySplit, siteIds: number[] | null, programIds: number[]): SiteActivity[] {
  const f = siteFilter(siteIds) + ' AND program_id IN (SELECT value FROM json_each(@programs))';
  const src = rolledOrRaw(
    'attendance_daily',
    `site_id, sessions, watched_seconds, person_seconds, people, ${BROADCAST_SECONDS}`,
    'attendance_sessions',
    `site_id, 1 AS sessions, watched_seconds, person_seconds, people, ${BROADCAST_SECONDS}`,
    f,
  );
  return db
    .prepare<[Params], SiteActivity>(`
    SELECT site_id AS siteId, sum(sessions) AS sessions, sum(watched_seconds) AS watchedSeconds,
           sum(person_seconds) AS personSeconds, sum(people) AS people, sum(bc) AS broadcastSeconds
      FROM (${src}) GROUP BY site_id`)
    .all(params(split, siteIds, { programs: JSON.stringify(programIds) }));
}

export interface MemberWatch {
  memberNo: string;
  siteId: number;
  day: string;
  watchedSeconds: number;
  sessions: number;
}
/** Seconds per member, site and day (members watching at sites in scope). */
export function memberWatchByDay(db: Db, split: DaySplit, siteIds: number[] | null, programIds: number[] | null = null): MemberWatch[] {
  const f = siteFilter(siteIds) + (programIds ? ' AND program_id IN (SELECT value FROM json_each(@programs))' : '');
  const src = rolledOrRaw(
    'attendance_member_daily',
    'member_no, site_id, day, sessions, watched_seconds',
    'attendance_session_members',
    'member_no, site_id, day, 1 AS sessions, watched_seconds',
    f,
  );
  return db
    .prepare<[Params], MemberWatch>(`
    SELECT member_no AS memberNo, site_id AS siteId, day, sum(watched_seconds) AS watchedSeconds, sum(sessions) AS sessions
      FROM (${src}) GROUP BY member_no, site_id, day`)
    .all(params(split, siteIds, programIds ? { programs: JSON.stringify(programIds) } : {}));
}

export interface ScheduleItem {
  channelId: number;
  startMs: number;
  endMs: number;
}

/** The broadcast schedule overlapping [startMs, endMs) and the channels each of the given regions receives (the sites domain's rule). */
export function scheduleData(
  db: Db,
  regionPaths: Map<number, string>,
  startMs: number,
  endMs: number,
): { items: ScheduleItem[]; channelsByRegion: Map<number, number[]> } {
  const channelsByRegion = new Map<number, number[]>();
  for (const [regionId, path] of regionPaths) channelsByRegion.set(regionId, channelsForRegion(db, path));
  return { items: scheduleSpansBetween(db, startMs, endMs), channelsByRegion };
}

export interface SiteStatusRow {
  siteId: number;
  firstSeen: number;
  lastSeen: number;
  onScreen: string | null;
  cacheReadiness: number | null;
  freeDiskBytes: number | null;
  agentVersion: string | null;
  uptimeSeconds: number | null;
  lastError: string | null;
  clockOffsetMs: number | null;
  mediaSources: string | null;
}
export function siteStatuses(db: Db): SiteStatusRow[] {
  return db
    .prepare<[], SiteStatusRow>(`SELECT site_id AS siteId, first_seen AS firstSeen, last_seen AS lastSeen, on_screen AS onScreen,
      cache_readiness AS cacheReadiness, free_disk_bytes AS freeDiskBytes, agent_version AS agentVersion,
      uptime_seconds AS uptimeSeconds, last_error AS lastError, clock_offset_ms AS clockOffsetMs,
      media_sources AS mediaSources FROM site_status`)
    .all();
}

export function connectedSeconds(db: Db, range: Range): Map<number, number> {
  const rows = db
    .prepare<[string, string], { siteId: number; seconds: number }>(`SELECT site_id AS siteId, sum(seconds) AS seconds
     FROM site_connected_daily WHERE day BETWEEN ? AND ? GROUP BY site_id`)
    .all(range.from, range.to);
  return new Map(rows.map((r) => [r.siteId, r.seconds]));
}

// Used by platforms:

export interface ProgramDayTotals {
  programId: number;
  sites: number;
  sessions: number;
  watchedSeconds: number;
  personSeconds: number;
}
/** Per-program figures over the split's days for every site (a province's reach sent up to the centre). */
export function programTotals(db: Db, split: DaySplit): ProgramDayTotals[] {
  const src = rolledOrRaw(
    'attendance_daily',
    'site_id, program_id, sessions, watched_seconds, person_seconds',
    'attendance_sessions',
    'site_id, program_id, 1 AS sessions, watched_seconds, person_seconds',
    '',
  );
  return db
    .prepare<[Params], ProgramDayTotals>(`
    SELECT program_id AS programId, count(DISTINCT site_id) AS sites, sum(sessions) AS sessions,
           sum(watched_seconds) AS watchedSeconds, sum(person_seconds) AS personSeconds
      FROM (${src}) GROUP BY program_id`)
    .all(params(split, null));
}

/** The first day with any attendance or connection recorded (null: none yet). */
export function firstRecordedDay(db: Db): string | null {
  const row = db
    .prepare<[], { day: string | null }>(`SELECT min(day) AS day FROM (
      SELECT min(day) AS day FROM attendance_sessions UNION ALL SELECT min(day) FROM attendance_site_daily
      UNION ALL SELECT min(day) FROM site_connected_daily)`)
    .get();
  return row?.day ?? null;
}
