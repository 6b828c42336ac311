// Figures and demand the provinces send up, kept at the centre. Each figures row is keyed (platform, day, kind,
// key) and a day sent is the whole day: its rows replace what was held for that day, in one transaction, so a
// resend never counts twice and a late day is corrected rather than added.
import type { Db } from '../db/connection.ts';
import type { DayFigures, DemandItem, ProgramDayFigures, RegionDayFigures, SiteDayFigures } from '../../common/api/platforms.ts';

export function storeFigures(db: Db, platformId: number, days: readonly DayFigures[], now = new Date()): string[] {
  const at = now.toISOString();
  const clear = db.prepare<[number, string]>('DELETE FROM platform_figures WHERE platform_id = ? AND day = ?');
  const put = db.prepare<[number, string, string, string, string, string]>(
    'INSERT INTO platform_figures (platform_id, day, kind, key, body, received_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  return db.transaction(() => {
    for (const d of days) {
      clear.run(platformId, d.day);
      // A key sent twice in one day (a province bug) keeps its last row, as a resend would.
      const activity = new Map(d.activity.map((r) => [String(r.regionId), r]));
      const reach = new Map(d.reach.map((r) => [r.key, r]));
      for (const [key, r] of activity) put.run(platformId, d.day, 'activity', key, JSON.stringify(r), at);
      for (const [key, r] of reach) put.run(platformId, d.day, 'reach', key, JSON.stringify(r), at);
      put.run(platformId, d.day, 'sites', 'all', JSON.stringify(d.sites), at);
    }
    db.prepare('UPDATE platforms SET last_send_at = ? WHERE id = ?').run(at, platformId);
    return [...new Set(days.map((d) => d.day))].sort();
  })();
}

interface FigureRow {
  platformId: number;
  day: string;
  key: string;
  body: string;
}

/** The day rows of one kind over a range; `topRegionsOnly`: activity rows of regions sent without a parent. */
function figureRows(db: Db, kind: string, platformIds: readonly number[], from: string, to: string, topRegionsOnly = false): FigureRow[] {
  return db
    .prepare<[string, string, string, string], FigureRow>(
      `SELECT platform_id AS platformId, day, key, body FROM platform_figures
      WHERE kind = ? AND platform_id IN (SELECT value FROM json_each(?)) AND day BETWEEN ? AND ?
        ${topRegionsOnly ? "AND json_extract(body, '$.parentId') IS NULL" : ''} ORDER BY day`,
    )
    .all(kind, JSON.stringify(platformIds), from, to);
}

export interface Held<T> {
  platformId: number;
  day: string;
  row: T;
}

const parse = <T>(rows: FigureRow[]): Array<Held<T>> =>
  rows.map((r) => ({ platformId: r.platformId, day: r.day, row: JSON.parse(r.body) as T }));

/**
 * Activity over a range, one row per province and region: the day figures summed (distinct members: the largest
 * day, a lower bound), with what describes the region as of its last day (name, level, parent, sites). Summed by
 * SQLite, so a year of a nation's rows (1.6 million at 30 provinces) is not parsed one by one in JavaScript.
 */
export function activityTotals(db: Db, platformIds: readonly number[], from: string, to: string): Array<Held<RegionDayFigures>> {
  const rows = db
    .prepare<
      [string, string, string],
      FigureRow & { sessions: number; viewingHours: number; personHours: number; broadcastHours: number; distinctMembers: number }
    >(
      `WITH sums AS (
         SELECT platform_id, key, max(day) AS lastDay,
                sum(json_extract(body, '$.sessions')) AS sessions,
                sum(json_extract(body, '$.viewingHours')) AS viewingHours,
                sum(json_extract(body, '$.personHours')) AS personHours,
                sum(coalesce(json_extract(body, '$.broadcastHours'), 0)) AS broadcastHours,
                max(json_extract(body, '$.distinctMembers')) AS distinctMembers
           FROM platform_figures
          WHERE kind = 'activity' AND platform_id IN (SELECT value FROM json_each(?)) AND day BETWEEN ? AND ?
          GROUP BY platform_id, key)
       SELECT s.platform_id AS platformId, s.lastDay AS day, s.key, f.body, s.sessions, s.viewingHours, s.personHours,
              s.broadcastHours, s.distinctMembers
         FROM sums s
         JOIN platform_figures f ON f.platform_id = s.platform_id AND f.day = s.lastDay AND f.kind = 'activity' AND f.key = s.key
        ORDER BY s.platform_id, s.key`,
    )
    .all(JSON.stringify(platformIds), from, to);
  return rows.map((r) => {
    const last = JSON.parse(r.body) as RegionDayFigures;
    const { sessions, viewingHours, personHours, broadcastHours, distinctMembers } = r;
    return { platformId: r.platformId, day: r.day, row: { ...last, sessions, viewingHours, personHours, broadcastHours, distinctMembers } };
  });
}

/** The day rows of each province's top regions (those sent without a parent): what the members report reads. */
export const topActivityFigures = (db: Db, platformIds: readonly number[], from: string, to: string) =>
  parse<RegionDayFigures>(figureRows(db, 'activity', platformIds, from, to, true));
export const reachFigures = (db: Db, platformIds: readonly number[], from: string, to: string) =>
  parse<ProgramDayFigures>(figureRows(db, 'reach', platformIds, from, to));
export const siteFigures = (db: Db, platformIds: readonly number[], from: string, to: string) =>
  parse<SiteDayFigures>(figureRows(db, 'sites', platformIds, from, to));

/** A province's demand as last sent: replaces what was held. */
export function storeDemand(db: Db, platformId: number, items: readonly DemandItem[], now = new Date()): number {
  const at = now.toISOString();
  const put = db.prepare(
    `INSERT OR REPLACE INTO platform_demand (platform_id, key, central_program_id, title, count, sites, regions, last_at, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return db.transaction(() => {
    db.prepare('DELETE FROM platform_demand WHERE platform_id = ?').run(platformId);
    for (const i of items) {
      put.run(platformId, i.key, i.centralProgramId, i.title, i.count, i.sites, JSON.stringify(i.regions), i.lastAt, at);
    }
    return items.length;
  })();
}

export interface HeldDemand extends DemandItem {
  platformId: number;
}

export function heldDemand(db: Db): HeldDemand[] {
  return db
    .prepare<[], Omit<HeldDemand, 'regions'> & { regions: string }>(
      `SELECT platform_id AS platformId, key, central_program_id AS centralProgramId, title, count, sites, regions, last_at AS lastAt
       FROM platform_demand`,
    )
    .all()
    .map((r) => ({ ...r, regions: JSON.parse(r.regions) as DemandItem['regions'] }));
}
