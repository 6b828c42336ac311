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

function figureRows(db: Db, kind: string, platformIds: readonly number[], from: string, to: string): FigureRow[] {
  return db
    .prepare<[string, string, string, string], FigureRow>(
      `SELECT platform_id AS platformId, day, key, body FROM platform_figures
      WHERE kind = ? AND platform_id IN (SELECT value FROM json_each(?)) AND day BETWEEN ? AND ? ORDER BY day`,
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

export const activityFigures = (db: Db, platformIds: readonly number[], from: string, to: string) =>
  parse<RegionDayFigures>(figureRows(db, 'activity', platformIds, from, to));
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
