// The figures a province sends up for one day, built from plain data (pure: no I/O, no clock). Regions are summed
// over their subtree's sites down to the configured level (counties by default); below it nothing leaves the
// province, and no member number ever does: distinct members are counted here and only the count is sent.
import { createHash } from 'node:crypto';
import type { DayFigures, ProgramDayFigures, RegionDayFigures } from '../../common/api/platforms.ts';

export const FIGURE_LEVELS = ['province', 'prefecture', 'county', 'township', 'village'] as const;

export interface FigureRegion {
  id: number;
  parentId: number | null;
  name: string;
  level: string;
  path: string;
}
export interface FigureSite {
  id: number;
  regionId: number;
  paired: boolean;
  revoked: boolean;
}
export interface FigureSiteActivity {
  siteId: number;
  sessions: number;
  watchedSeconds: number;
  personSeconds: number;
  broadcastSeconds: number;
}
export interface FigureProgram {
  programId: number;
  title: string;
  centralProgramId: number | null;
  sites: number;
  sessions: number;
  watchedSeconds: number;
  personSeconds: number;
}

export interface DayInput {
  day: string;
  /** Deepest level sent (counties by default). */
  level: 'province' | 'prefecture' | 'county';
  regions: readonly FigureRegion[];
  sites: readonly FigureSite[];
  activity: readonly FigureSiteActivity[];
  /** Distinct (site, member) pairs that watched that day: counted, never sent. */
  members: ReadonlyArray<{ siteId: number; memberNo: string }>;
  programs: readonly FigureProgram[];
  connectedSiteIds: ReadonlySet<number>;
  readySiteIds: ReadonlySet<number>;
}

const hours = (s: number) => Math.round((s / 3600) * 1000) / 1000;
const rank = (level: string) => FIGURE_LEVELS.indexOf(level as (typeof FIGURE_LEVELS)[number]);
const pathIds = (path: string) => path.split('/').filter(Boolean).map(Number);

export function buildDayFigures(input: DayInput): DayFigures {
  const deepest = rank(input.level);
  const sent = input.regions.filter((r) => rank(r.level) >= 0 && rank(r.level) <= deepest);
  const sentIds = new Set(sent.map((r) => r.id));
  const regionPath = new Map(input.regions.map((r) => [r.id, r.path]));
  const live = input.sites.filter((s) => !s.revoked);
  /** The sent regions a site counts in: its region's ancestors down to the level. */
  const countsIn = new Map<number, number[]>(
    live.map((s) => [s.id, pathIds(regionPath.get(s.regionId) ?? '').filter((id) => sentIds.has(id))]),
  );
  type Acc = {
    sites: number;
    watching: number;
    sessions: number;
    watched: number;
    person: number;
    broadcast: number;
    members: Set<string>;
  };
  const acc = new Map<number, Acc>(
    sent.map((r) => [r.id, { sites: 0, watching: 0, sessions: 0, watched: 0, person: 0, broadcast: 0, members: new Set<string>() }]),
  );
  for (const s of live) for (const id of countsIn.get(s.id)!) acc.get(id)!.sites++;
  for (const a of input.activity) {
    for (const id of countsIn.get(a.siteId) ?? []) {
      const r = acc.get(id)!;
      if (a.sessions > 0) r.watching++;
      r.sessions += a.sessions;
      r.watched += a.watchedSeconds;
      r.person += a.personSeconds;
      r.broadcast += a.broadcastSeconds;
    }
  }
  for (const m of input.members) for (const id of countsIn.get(m.siteId) ?? []) acc.get(id)!.members.add(m.memberNo);

  const activity: RegionDayFigures[] = sent.map((r) => {
    const a = acc.get(r.id)!;
    return {
      regionId: r.id,
      parentId: r.parentId != null && sentIds.has(r.parentId) ? r.parentId : null,
      name: r.name,
      level: r.level,
      sites: a.sites,
      sitesWatching: a.watching,
      sessions: a.sessions,
      viewingHours: hours(a.watched),
      personHours: hours(a.person),
      broadcastHours: hours(a.broadcast),
      distinctMembers: a.members.size,
    };
  });
  const reach: ProgramDayFigures[] = input.programs.map((p) => ({
    key: p.centralProgramId != null ? `central:${p.centralProgramId}` : `local:${p.programId}`,
    centralProgramId: p.centralProgramId,
    title: p.title,
    sites: p.sites,
    sessions: p.sessions,
    viewingHours: hours(p.watchedSeconds),
    personHours: hours(p.personSeconds),
  }));
  const liveIds = new Set(live.map((s) => s.id));
  return {
    day: input.day,
    activity,
    reach,
    sites: {
      registered: live.length,
      paired: live.filter((s) => s.paired).length,
      connected: [...input.connectedSiteIds].filter((id) => liveIds.has(id)).length,
      ready: [...input.readySiteIds].filter((id) => liveIds.has(id)).length,
    },
  };
}

/**
 * What decides whether a day acknowledged before must be sent again: its history (activity, reach, connections).
 * The registered/paired/ready counts are snapshots taken at the send, so they alone never trigger a resend.
 */
export function dayDigest(d: DayFigures): string {
  const history = { activity: d.activity, reach: d.reach, connected: d.sites.connected };
  return createHash('sha256').update(JSON.stringify(history)).digest('hex');
}

/**
 * The days a send considers, oldest first: every day from the first recorded one (at most `maxBackDays` back) to
 * today; days older than the resend window are skipped once acknowledged (they no longer change).
 */
export function daysToConsider(allDays: readonly string[], today: string, resendFrom: string, acknowledged: ReadonlySet<string>): string[] {
  return allDays.filter((d) => d <= today && (d >= resendFrom || !acknowledged.has(d)));
}
