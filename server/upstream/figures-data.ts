// Reads what the figures sent up are built from, through the owning domains' functions (attendance reports,
// sites, catalog), in one read transaction per day so a concurrent rollup cannot make a day count twice.
import type { Db } from '../db/connection.ts';
import type { DayFigures, DemandItem } from '../../common/api/platforms.ts';
import {
  connectedSeconds,
  daySplit,
  firstRecordedDay,
  membersAtSites,
  programTotals,
  siteActivity,
  siteStatuses,
} from '../attendance/report-data.ts';
import { listRegions } from '../sites/regions.ts';
import { sitesUnderPath } from '../sites/sites.ts';
import { requestDemand } from '../sites/requests.ts';
import { programTitles } from '../catalog/repo.ts';
import { buildDayFigures, type FigureRegion } from './figures.ts';
import { buildDemand } from './figures-demand.ts';

/** Central program ids of mirrored programs (w13b registers the mirror's mapping); none by default. */
export type CentralIdsOf = (programIds: readonly number[]) => ReadonlyMap<number, number>;
export const noCentralIds: CentralIdsOf = () => new Map();

export interface FiguresSettings {
  level: 'province' | 'prefecture' | 'county';
  centralIdsOf: CentralIdsOf;
}

const regionsOf = (db: Db): FigureRegion[] =>
  listRegions(db).map((r) => ({ id: r.id, parentId: r.parentId, name: r.name, level: r.level, path: r.path }));

export function dayFigures(db: Db, day: string, s: FiguresSettings): DayFigures {
  return db.transaction(() => {
    const split = daySplit(db, { from: day, to: day });
    const programs = programTotals(db, split);
    const ids = programs.map((p) => p.programId);
    const titles = programTitles(db, ids);
    const central = s.centralIdsOf(ids);
    return buildDayFigures({
      day,
      level: s.level,
      regions: regionsOf(db),
      sites: sitesUnderPath(db, null),
      activity: siteActivity(db, split, null),
      members: membersAtSites(db, split, null),
      programs: programs.map((p) => ({
        ...p,
        title: titles.get(p.programId) ?? `(deleted program ${p.programId})`,
        centralProgramId: central.get(p.programId) ?? null,
      })),
      connectedSiteIds: new Set([...connectedSeconds(db, { from: day, to: day })].filter(([, sec]) => sec > 0).map(([id]) => id)),
      readySiteIds: new Set(
        siteStatuses(db)
          .filter((r) => (r.cacheReadiness ?? 0) >= 1)
          .map((r) => r.siteId),
      ),
    });
  })();
}

export const firstDayWithFigures = (db: Db): string | null => firstRecordedDay(db);

/** At most this many topics and this many missing programs go up, the most wanted first. */
const DEMAND_LIMIT = 500;

export function openDemand(db: Db, level: FiguresSettings['level']): DemandItem[] {
  const d = requestDemand(db, { limit: DEMAND_LIMIT }, true);
  const sites = sitesUnderPath(db, null);
  return buildDemand({
    level,
    regions: regionsOf(db),
    siteRegion: new Map(sites.map((s) => [s.id, s.regionId])),
    missingPrograms: d.programs.filter((p) => p.programId == null),
    topics: d.topics,
  });
}
