// The attendance domain's data module for the member rolls (the `members` table), and the place other domains
// call when they need attendance data (append under `// Used by <domain>:`). Sessions, rollups and heartbeats keep
// their statements next to the code that runs them (ingest.ts, rollup.ts, heartbeat.ts, report-data.ts).
import type { Db } from '../db/connection.ts';
import type { RollRow } from './roll.ts';

export interface RollEntry { memberNo: string; name: string; siteId: number; category: string; importedAt: string }

/** Writes a checked roll in one transaction: new numbers inserted, known numbers updated (moved to the new site). */
export function storeRoll(db: Db, rows: RollRow[], nowIso: string): { inserted: number; updated: number } {
  const exists = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM members WHERE member_no = ?');
  const upsert = db.prepare<[string, string, number, string, string]>(`INSERT INTO members (member_no, name, site_id, category, imported_at)
    VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (member_no) DO UPDATE SET name = excluded.name, site_id = excluded.site_id, category = excluded.category,
    imported_at = excluded.imported_at`);
  return db.transaction(() => {
    let inserted = 0, updated = 0;
    for (const r of rows) {
      if (exists.get(r.memberNo)) updated++; else inserted++;
      upsert.run(r.memberNo, r.name, r.siteId, r.category, nowIso);
    }
    return { inserted, updated };
  })();
}

/** The site whose roll holds each of these numbers (numbers on no roll are absent). */
export function rollSitesOf(db: Db, memberNos: string[]): Map<string, number> {
  const rows = db.prepare<[string], { memberNo: string; siteId: number }>(
    'SELECT member_no AS memberNo, site_id AS siteId FROM members WHERE member_no IN (SELECT value FROM json_each(?))',
  ).all(JSON.stringify(memberNos));
  return new Map(rows.map((r) => [r.memberNo, r.siteId]));
}

export interface RollFilter { siteIds: number[] | null; siteId?: number; q?: string; limit: number; offset: number }

/** A page of roll entries, by site then number; `q` matches part of a number or a name. */
export function listRoll(db: Db, f: RollFilter): { total: number; items: RollEntry[] } {
  const where: string[] = [];
  const args: Record<string, string | number> = { limit: f.limit, offset: f.offset };
  if (f.siteIds) { where.push('site_id IN (SELECT value FROM json_each(@sites))'); args.sites = JSON.stringify(f.siteIds); }
  if (f.siteId != null) { where.push('site_id = @siteId'); args.siteId = f.siteId; }
  if (f.q) {
    where.push("(member_no LIKE @q ESCAPE '\\' OR name LIKE @q ESCAPE '\\')");
    args.q = `%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = db.prepare<[typeof args], { n: number }>(`SELECT count(*) AS n FROM members ${w}`).get(args)?.n ?? 0;
  const items = db.prepare<[typeof args], RollEntry>(`SELECT member_no AS memberNo, name, site_id AS siteId, category,
      imported_at AS importedAt FROM members ${w} ORDER BY site_id, member_no LIMIT @limit OFFSET @offset`).all(args);
  return { total, items };
}

/**
 * Roll entries of these sites (every site when null). Reports name and verify a member number only from the
 * rolls of the sites they cover, so an organizer never learns the name behind a number on another region's roll.
 */
export function rollOfSites(db: Db, siteIds: number[] | null): RollEntry[] {
  const cols = 'member_no AS memberNo, name, site_id AS siteId, category, imported_at AS importedAt';
  if (!siteIds) return db.prepare<[], RollEntry>(`SELECT ${cols} FROM members`).all();
  return db.prepare<[string], RollEntry>(`SELECT ${cols} FROM members WHERE site_id IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(siteIds));
}

// Used by questionnaires:

/** Does this site have a roll (any member on it)? */
export function siteHasRoll(db: Db, siteId: number): boolean {
  return db.prepare<[number], { one: number }>('SELECT 1 AS one FROM members WHERE site_id = ? LIMIT 1').get(siteId) !== undefined;
}

export interface MemberProgramWatch { memberNo: string; siteId: number; programId: number; watchedSeconds: number }

/** Seconds each member watched of each program on these province days, from raw sessions (every site when null). */
export function memberProgramWatch(db: Db, siteIds: number[] | null, fromDay: string, toDay: string): MemberProgramWatch[] {
  const f = siteIds ? 'AND site_id IN (SELECT value FROM json_each(@sites))' : '';
  return db.prepare<[{ sites: string; from: string; to: string }], MemberProgramWatch>(
    `SELECT member_no AS memberNo, site_id AS siteId, program_id AS programId, sum(watched_seconds) AS watchedSeconds
       FROM attendance_session_members WHERE day >= @from AND day <= @to ${f}
      GROUP BY member_no, site_id, program_id`,
  ).all({ sites: JSON.stringify(siteIds ?? []), from: fromDay, to: toDay });
}
