// The attendance domain's data module for the member rolls (the `members` table), and the place other domains
// call when they need attendance data (append under `// Used by <domain>:`). Sessions, rollups and heartbeats keep
// their statements next to the code that runs them (ingest.ts, rollup.ts, heartbeat.ts, report-data.ts).
import type { Db } from '../db/connection.ts';
import type { RollRow } from './roll.ts';

export interface RollEntry {
  memberNo: string;
  name: string;
  siteId: number;
  category: string;
  importedAt: string;
}

/** Writes a checked roll in one transaction: new numbers inserted, known numbers updated (moved to the new site). */
export function storeRoll(db: Db, rows: RollRow[], nowIso: string): { inserted: number; updated: number } {
  const exists = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM members WHERE member_no = ?');
  const upsert = db.prepare<[string, string, number, string, string]>(`INSERT INTO members (member_no, name, site_id, category, imported_at)
    VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (member_no) DO UPDATE SET name = excluded.name, site_id = excluded.site_id, category = excluded.category,
    imported_at = excluded.imported_at`);
  return db.transaction(() => {
    let inserted = 0,
      updated = 0;
    for (const r of rows) {
      if (exists.get(r.memberNo)) updated++;
      else inserted++;
      upsert.run(r.memberNo, r.name, r.siteId, r.category, nowIso);
    }
    return { inserted, updated };
  })();
}

/** The site whose roll holds each of these numbers (numbers on no roll are absent). */
export function rollSitesOf(db: Db, memberNos: string[]): Map<string, number> {
  const rows = db
    .prepare<[string], { memberNo: string; siteId: number }>(
      'SELECT member_no AS memberNo, site_id AS siteId FROM members WHERE member_no IN (SELECT value FROM json_each(?))',
    )
    .all(JSON.stringify(memberNos));
  return new Map(rows.map((r) => [r.memberNo, r.siteId]));
}

export interface RollFilter {
  siteIds: number[] | null;
  siteId?: number;
  q?: string;
  limit: number;
  offset: number;
}

/** A page of roll entries, by site then number; `q` matches part of a number or a name. */
export function listRoll(db: Db, f: RollFilter): { total: number; items: RollEntry[] } {
  const where: string[] = [];
  const args: Record<string, string | number> = { limit: f.limit, offset: f.offset };
  if (f.siteIds) {
    where.push('site_id IN (SELECT value FROM json_each(@sites))');
    args.sites = JSON.stringify(f.siteIds);
  }
  if (f.siteId != null) {
    where.push('site_id = @siteId');
    args.siteId = f.siteId;
  }
  if (f.q) {
    where.push("(member_no LIKE @q ESCAPE '\\' OR name LIKE @q ESCAPE '\\')");
    args.q = `%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = db.prepare<[typeof args], { n: number }>(`SELECT count(*) AS n FROM members ${w}`).get(args)?.n ?? 0;
  const items = db
    .prepare<[typeof args], RollEntry>(`SELECT member_no AS memberNo, name, site_id AS siteId, category,
      imported_at AS importedAt FROM members ${w} ORDER BY site_id, member_no LIMIT @limit OFFSET @offset`)
    .all(args);
  return { total, items };
}

/**
 * Roll entries of these sites (every site when null). Reports name and verify a member number only from the
 * rolls of the sites they cover, so an organizer never learns the name behind a number on another region's roll.
 */
export function rollOfSites(db: Db, siteIds: number[] | null): RollEntry[] {
  const cols = 'member_no AS memberNo, name, site_id AS siteId, category, imported_at AS importedAt';
  if (!siteIds) return db.prepare<[], RollEntry>(`SELECT ${cols} FROM members`).all();
  return db
    .prepare<[string], RollEntry>(`SELECT ${cols} FROM members WHERE site_id IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(siteIds));
}

// Used by questionnaires:

/** Does this site have a roll (any member on it)? */
export function siteHasRoll(db: Db, siteId: number): boolean {
  return db.prepare<[number], { one: number }>('SELECT 1 AS one FROM members WHERE site_id = ? LIMIT 1').get(siteId) !== undefined;
}

export interface MemberProgramWatch {
  memberNo: string;
  siteId: number;
  programId: number;
  watchedSeconds: number;
}

/** Seconds each member watched of each program on these province days, from raw sessions (every site when null). */
export function memberProgramWatch(db: Db, siteIds: number[] | null, fromDay: string, toDay: string): MemberProgramWatch[] {
  const f = siteIds ? 'AND site_id IN (SELECT value FROM json_each(@sites))' : '';
  return db
    .prepare<[{ sites: string; from: string; to: string }], MemberProgramWatch>(
      `SELECT member_no AS memberNo, site_id AS siteId, program_id AS programId, sum(watched_seconds) AS watchedSeconds
       FROM attendance_session_members WHERE day >= @from AND day <= @to ${f}
      GROUP BY member_no, site_id, program_id`,
    )
    .all({ sites: JSON.stringify(siteIds ?? []), from: fromDay, to: toDay });
}

// Used by console:

/** A site scope from the sites domain (sites.ts siteScopeSql) and its bound parameters. */
export interface SiteScopeSql {
  sql: string;
  params: { path?: string; q?: string };
}

export interface RegionStatusCounts {
  regionId: number;
  total: number;
  online: number;
  offline24h: number;
  neverSeen: number;
}
/**
 * Sites not revoked per region: how many, online (heartbeat at or after onlineSince), offline for more than a day
 * (last heartbeat before darkBefore), never seen. One grouped statement over the site scope, whatever its size.
 */
export function statusCountsByRegion(db: Db, scope: SiteScopeSql, onlineSince: number, darkBefore: number): RegionStatusCounts[] {
  return db
    .prepare<[Record<string, string | number>], RegionStatusCounts>(`
    SELECT s.region_id AS regionId, count(*) AS total, total(st.last_seen >= @onlineSince) AS online,
           total(st.last_seen < @darkBefore) AS offline24h, total(st.site_id IS NULL) AS neverSeen
      FROM (${scope.sql}) s LEFT JOIN site_status st ON st.site_id = s.site_id
     WHERE s.revoked = 0 GROUP BY s.region_id`)
    .all({ ...scope.params, onlineSince, darkBefore });
}

export interface DayTotals {
  sessions: number;
  personSeconds: number;
  watchedSeconds: number;
  sitesWatching: number;
}
/**
 * One province day's viewing summed from the raw sessions (today is never rolled up or purged, so the raw rows are
 * the whole of it), over every site (scope null) or the sites of a scope.
 */
export function dayTotals(db: Db, day: string, scope: SiteScopeSql | null): DayTotals {
  const filter = scope ? `AND site_id IN (SELECT site_id FROM (${scope.sql}))` : '';
  const row = db
    .prepare<[Record<string, string>], DayTotals>(`
    SELECT count(*) AS sessions, total(person_seconds) AS personSeconds, total(watched_seconds) AS watchedSeconds,
           count(DISTINCT site_id) AS sitesWatching
      FROM attendance_sessions WHERE day = @day ${filter}`)
    .get({ ...scope?.params, day });
  return row ?? { sessions: 0, personSeconds: 0, watchedSeconds: 0, sitesWatching: 0 };
}

export interface SiteStatusBrief {
  siteId: number;
  lastSeen: number;
  cacheReadiness: number | null;
  freeDiskBytes: number | null;
  agentVersion: string | null;
  clockOffsetMs: number | null;
}
/** The status columns the sites page shows, for one page of sites. */
export function siteStatusBriefs(db: Db, siteIds: number[]): Map<number, SiteStatusBrief> {
  const rows = db
    .prepare<[string], SiteStatusBrief>(`SELECT site_id AS siteId, last_seen AS lastSeen, cache_readiness AS cacheReadiness,
      free_disk_bytes AS freeDiskBytes, agent_version AS agentVersion, clock_offset_ms AS clockOffsetMs
      FROM site_status WHERE site_id IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(siteIds));
  return new Map(rows.map((r) => [r.siteId, r]));
}

export type HealthFilter = 'dark' | 'notReady';
export type HealthSort = 'name' | 'lastSeen' | 'cacheReadiness' | 'freeDisk';
export interface HealthPageQuery {
  health?: HealthFilter;
  sort?: HealthSort;
  desc: boolean;
  limit: number;
  offset: number;
  /** Heartbeats at or after onlineSince are online; a paired site silent since before darkBefore is dark. */
  onlineSince: number;
  darkBefore: number;
}

// Conditions on a site scope `s` left-joined to site_status `st` (sites never seen have no status row).
const DARK = 's.paired = 1 AND s.revoked = 0 AND (st.last_seen IS NULL OR st.last_seen < @darkBefore)';
const NOT_READY = 's.paired = 1 AND s.revoked = 0 AND coalesce(st.cache_readiness, 0) < 1';
const SORT_KEYS: Record<HealthSort, string> = {
  name: 's.name',
  lastSeen: 'st.last_seen',
  cacheReadiness: 'st.cache_readiness',
  freeDisk: 'st.free_disk_bytes',
};

/**
 * One page of a site scope's ids, kept by a health filter and sorted (empty values last either way; ties by region,
 * name, id), with how many the filter keeps and how many are dark or not ready in the whole scope.
 */
export function pageSitesByHealth(
  db: Db,
  scope: SiteScopeSql,
  q: HealthPageQuery,
): { ids: number[]; total: number; counts: { all: number; online: number; dark: number; notReady: number } } {
  const from = `FROM (${scope.sql}) s LEFT JOIN site_status st ON st.site_id = s.site_id`;
  const args = { ...scope.params, onlineSince: q.onlineSince, darkBefore: q.darkBefore };
  const where = q.health === 'dark' ? `WHERE ${DARK}` : q.health === 'notReady' ? `WHERE ${NOT_READY}` : '';
  const key = q.sort ? SORT_KEYS[q.sort] : null;
  const order = [key ? `${key} IS NULL, ${key} ${q.desc ? 'DESC' : 'ASC'}` : '', 's.region_path, s.name, s.site_id']
    .filter(Boolean)
    .join(', ');
  const ids = db
    .prepare<[Record<string, string | number>], { id: number }>(
      `SELECT s.site_id AS id ${from} ${where} ORDER BY ${order} LIMIT @limit OFFSET @offset`,
    )
    .all({ ...args, limit: q.limit, offset: q.offset })
    .map((r) => r.id);
  const counts = db
    .prepare<[Record<string, string | number>], { all: number; online: number; dark: number; notReady: number; kept: number }>(
      `SELECT count(*) AS "all", total(s.revoked = 0 AND st.last_seen >= @onlineSince) AS online, total(${DARK}) AS dark, total(${NOT_READY}) AS notReady,
            ${q.health === 'dark' ? `total(${DARK})` : q.health === 'notReady' ? `total(${NOT_READY})` : 'count(*)'} AS kept ${from}`,
    )
    .get(args)!;
  const { kept, ...rest } = counts;
  return { ids, total: kept, counts: rest };
}

// Used by questionnaires:

/** The roll entries of these member numbers (a page of a report names only its own members). */
export function rollOfMembers(db: Db, memberNos: string[]): RollEntry[] {
  return db
    .prepare<[string], RollEntry>(
      `SELECT member_no AS memberNo, name, site_id AS siteId, category, imported_at AS importedAt FROM members
      WHERE member_no IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify(memberNos));
}
