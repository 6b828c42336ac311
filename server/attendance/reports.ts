// Pure report builders: plain rows in, report objects out. No SQL, no clock (now is passed in).
import type { RegionRow, SiteRow } from './scope.ts';
import type { MemberAtSite, MemberWatch, ScheduleItem, SiteActivity, SiteStatusRow } from './report-data.ts';
import type { RollEntry } from './tables.ts';
import type {
  ActivityNode,
  MemberPeriodRow,
  MemberSiteShare,
  OnScreen,
  Per,
  Reach,
  ReachMember,
  ReachSite,
  SiteHealthRow,
} from '../../common/api/reports.ts';

export type { ActivityNode, MemberPeriodRow, Per, Reach, SiteHealthRow };
type RollMember = Pick<RollEntry, 'memberNo' | 'name' | 'siteId' | 'category'>;
import { isOnline } from './heartbeat.ts';
import { monthOf } from './days.ts';
import type { MediaSources } from '../../common/media-sources.ts';

export const round2 = (n: number): number => Math.round(n * 100) / 100;
const hours = (seconds: number): number => round2(seconds / 3600);

// ---------- broadcast coverage ----------

/** Total length (seconds) of the union of intervals, clipped to [startMs, endMs). */
export function unionSeconds(intervals: Array<{ startMs: number; endMs: number }>, startMs: number, endMs: number): number {
  const clipped = intervals
    .map((i) => ({ s: Math.max(i.startMs, startMs), e: Math.min(i.endMs, endMs) }))
    .filter((i) => i.e > i.s)
    .sort((a, b) => a.s - b.s);
  let total = 0;
  let curS = -Infinity;
  let curE = -Infinity;
  for (const i of clipped) {
    if (i.s > curE) {
      if (curE > curS) total += curE - curS;
      curS = i.s;
      curE = i.e;
    } else curE = Math.max(curE, i.e);
  }
  if (curE > curS) total += curE - curS;
  return total / 1000;
}

/**
 * Seconds of broadcast scheduled for each site in [startMs, endMs): the union of the schedules of the channels its
 * region receives — a site plays one channel at a time, so overlapping channels count once.
 */
export function scheduledSecondsBySite(
  sites: SiteRow[],
  channelsByRegion: Map<number, number[]>,
  items: ScheduleItem[],
  startMs: number,
  endMs: number,
): Map<number, number> {
  const itemsByChannel = new Map<number, ScheduleItem[]>();
  for (const it of items) {
    if (!itemsByChannel.has(it.channelId)) itemsByChannel.set(it.channelId, []);
    itemsByChannel.get(it.channelId)!.push(it);
  }
  const cache = new Map<string, number>();
  const out = new Map<number, number>();
  for (const site of sites) {
    const channels = channelsByRegion.get(site.regionId) ?? [];
    const key = channels.join(',');
    if (!cache.has(key))
      cache.set(
        key,
        unionSeconds(
          channels.flatMap((c) => itemsByChannel.get(c) ?? []),
          startMs,
          endMs,
        ),
      );
    out.set(site.id, cache.get(key)!);
  }
  return out;
}

// ---------- 1. activity by region ----------

type ActivityFigures = Omit<ActivityNode, 'kind' | 'id' | 'name' | 'level' | 'children'>;

export interface ActivityInput {
  regions: RegionRow[];
  sites: SiteRow[];
  activity: SiteActivity[];
  members: MemberAtSite[];
  /** Seconds scheduled per site, or null when the broadcast schedule is not available. */
  scheduled: Map<number, number> | null;
  /** Root of the report; null = every top-level region. */
  rootId: number | null;
}

interface Acc {
  sessions: number;
  watched: number;
  person: number;
  broadcast: number;
  scheduled: number;
  sites: number;
  members: Map<string, boolean>;
}

function figures(a: Acc, haveSchedule: boolean): ActivityFigures {
  let unverified = 0;
  for (const v of a.members.values()) if (!v) unverified++;
  const scheduledHours = haveSchedule ? hours(a.scheduled) : null;
  return {
    sites: a.sites,
    sessions: a.sessions,
    viewingHours: hours(a.watched),
    personHours: hours(a.person),
    distinctMembers: a.members.size,
    unverifiedMembers: unverified,
    broadcastHours: hours(a.broadcast),
    scheduledHours,
    coverage: haveSchedule && a.scheduled > 0 ? round2(Math.min(1, a.broadcast / a.scheduled)) : null,
  };
}

export function buildActivityTree(input: ActivityInput): ActivityNode[] {
  const haveSchedule = input.scheduled !== null;
  const act = new Map(input.activity.map((a) => [a.siteId, a]));
  const membersBySite = new Map<number, Map<string, boolean>>();
  for (const m of input.members) {
    if (!membersBySite.has(m.siteId)) membersBySite.set(m.siteId, new Map());
    membersBySite.get(m.siteId)!.set(m.memberNo, m.verified);
  }
  const childRegions = new Map<number | null, RegionRow[]>();
  const ids = new Set(input.regions.map((r) => r.id));
  for (const r of input.regions) {
    const parent = r.parentId != null && ids.has(r.parentId) ? r.parentId : null;
    childRegions.set(parent, [...(childRegions.get(parent) ?? []), r]);
  }
  const sitesByRegion = new Map<number, SiteRow[]>();
  for (const s of input.sites) sitesByRegion.set(s.regionId, [...(sitesByRegion.get(s.regionId) ?? []), s]);

  function siteNode(s: SiteRow): { node: ActivityNode; acc: Acc } {
    const a = act.get(s.id);
    const acc: Acc = {
      sites: 1,
      sessions: a?.sessions ?? 0,
      watched: a?.watchedSeconds ?? 0,
      person: a?.personSeconds ?? 0,
      broadcast: a?.broadcastSeconds ?? 0,
      scheduled: input.scheduled?.get(s.id) ?? 0,
      members: membersBySite.get(s.id) ?? new Map(),
    };
    return { node: { kind: 'site', id: s.id, name: s.name, level: 'site', ...figures(acc, haveSchedule), children: [] }, acc };
  }

  function regionNode(r: RegionRow): { node: ActivityNode; acc: Acc } {
    const acc: Acc = { sites: 0, sessions: 0, watched: 0, person: 0, broadcast: 0, scheduled: 0, members: new Map() };
    const children: ActivityNode[] = [];
    const parts = [...(childRegions.get(r.id) ?? []).map(regionNode), ...(sitesByRegion.get(r.id) ?? []).map(siteNode)];
    for (const p of parts) {
      children.push(p.node);
      acc.sites += p.acc.sites;
      acc.sessions += p.acc.sessions;
      acc.watched += p.acc.watched;
      acc.person += p.acc.person;
      acc.broadcast += p.acc.broadcast;
      acc.scheduled += p.acc.scheduled;
      for (const [no, v] of p.acc.members) acc.members.set(no, v);
    }
    return { node: { kind: 'region', id: r.id, name: r.name, level: r.level, ...figures(acc, haveSchedule), children }, acc };
  }

  const roots = input.rootId != null ? input.regions.filter((r) => r.id === input.rootId) : (childRegions.get(null) ?? []);
  return roots.map((r) => regionNode(r).node);
}

/** Depth-first rows of a tree, for tables: each node with its depth. */
export function flattenTree(nodes: ActivityNode[], depth = 0): Array<{ depth: number; node: ActivityNode }> {
  return nodes.flatMap((n) => [{ depth, node: n }, ...flattenTree(n.children, depth + 1)]);
}

// ---------- 2. program reach ----------

export function buildReach(
  sites: Map<number, { name: string; region: string }>,
  activity: SiteActivity[],
  watch: MemberWatch[],
  roll: Map<string, RollMember>,
): Reach {
  const membersBySite = new Map<number, Set<string>>();
  const byMember = new Map<string, ReachMember & { seconds: number }>();
  for (const w of watch) {
    if (!membersBySite.has(w.siteId)) membersBySite.set(w.siteId, new Set());
    membersBySite.get(w.siteId)!.add(w.memberNo);
    const key = `${w.memberNo}\u0000${w.siteId}`;
    const r = roll.get(w.memberNo);
    const cur = byMember.get(key) ?? {
      memberNo: w.memberNo,
      name: r?.name ?? null,
      verified: !!r,
      siteId: w.siteId,
      siteName: sites.get(w.siteId)?.name ?? `#${w.siteId}`,
      sessions: 0,
      watchedHours: 0,
      seconds: 0,
    };
    cur.sessions += w.sessions;
    cur.seconds += w.watchedSeconds;
    byMember.set(key, cur);
  }
  const siteRows: ReachSite[] = activity
    .filter((a) => a.sessions > 0)
    .map((a) => ({
      siteId: a.siteId,
      siteName: sites.get(a.siteId)?.name ?? `#${a.siteId}`,
      region: sites.get(a.siteId)?.region ?? '',
      sessions: a.sessions,
      viewingHours: hours(a.watchedSeconds),
      personHours: hours(a.personSeconds),
      viewers: a.people,
      members: membersBySite.get(a.siteId)?.size ?? 0,
    }))
    .sort((x, y) => y.personHours - x.personHours || x.siteId - y.siteId);
  const members = [...byMember.values()]
    .map(({ seconds, ...m }) => ({ ...m, watchedHours: hours(seconds) }))
    .sort((a, b) => b.watchedHours - a.watchedHours || a.memberNo.localeCompare(b.memberNo));
  const distinct = new Map(members.map((m) => [m.memberNo, m.verified]));
  return {
    totals: {
      sites: siteRows.length,
      sessions: activity.reduce((n, a) => n + a.sessions, 0),
      viewingHours: hours(activity.reduce((n, a) => n + a.watchedSeconds, 0)),
      personHours: hours(activity.reduce((n, a) => n + a.personSeconds, 0)),
      viewers: activity.reduce((n, a) => n + a.people, 0),
      distinctMembers: distinct.size,
      unverifiedMembers: [...distinct.values()].filter((v) => !v).length,
    },
    sites: siteRows,
    members,
  };
}

// ---------- 3. member learning hours ----------

/** The periods (dates or YYYY-MM months) that make up a list of dates. */
export function periodsOf(days: string[], per: Per): string[] {
  return per === 'day' ? days : [...new Set(days.map(monthOf))];
}

/** Each site's share of the seconds watched, largest first (shares rounded to 0.01; ties by site id). */
export function siteShares(secondsBySite: Map<number, number>, siteNames: Map<number, string>): MemberSiteShare[] {
  const total = [...secondsBySite.values()].reduce((a, b) => a + b, 0);
  if (total <= 0) return [];
  return [...secondsBySite]
    .filter(([, sec]) => sec > 0)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .map(([siteId, sec]) => ({ siteId, siteName: siteNames.get(siteId) ?? `#${siteId}`, share: round2(sec / total) }));
}

/**
 * Hours per member and period, with every site the member watched at in that period and its share of their time.
 * Members on the roll (of sites in scope) who watched nothing still get a row with 0 hours in every period — they
 * are the ones below target. Numbers not on a roll in scope are listed too, without a name (unverified); their
 * home site is where they watched most.
 */
export function buildMemberHours(
  roll: RollMember[],
  watch: MemberWatch[],
  days: string[],
  per: Per,
  targetHours: number | null,
  siteNames: Map<number, string>,
): MemberPeriodRow[] {
  const periods = periodsOf(days, per);
  const rollByNo = new Map(roll.map((m) => [m.memberNo, m]));
  type Cell = { seconds: number; sessions: number; bySite: Map<number, number> };
  const sums = new Map<string, Map<string, Cell>>();
  const totalBySite = new Map<string, Map<number, number>>();
  for (const w of watch) {
    const period = per === 'day' ? w.day : monthOf(w.day);
    if (!sums.has(w.memberNo)) sums.set(w.memberNo, new Map());
    const cell = sums.get(w.memberNo)!.get(period) ?? { seconds: 0, sessions: 0, bySite: new Map() };
    cell.seconds += w.watchedSeconds;
    cell.sessions += w.sessions;
    cell.bySite.set(w.siteId, (cell.bySite.get(w.siteId) ?? 0) + w.watchedSeconds);
    sums.get(w.memberNo)!.set(period, cell);
    if (!totalBySite.has(w.memberNo)) totalBySite.set(w.memberNo, new Map());
    const t = totalBySite.get(w.memberNo)!;
    t.set(w.siteId, (t.get(w.siteId) ?? 0) + w.watchedSeconds);
  }
  const homeSite = (no: string): number =>
    rollByNo.get(no)?.siteId ?? [...(totalBySite.get(no) ?? new Map<number, number>())].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
  const memberNos = [...new Set([...roll.map((m) => m.memberNo), ...sums.keys()])].sort();
  const rows: MemberPeriodRow[] = [];
  for (const no of memberNos) {
    const r = rollByNo.get(no);
    const siteId = homeSite(no);
    for (const period of periods) {
      const cell = sums.get(no)?.get(period);
      const seconds = cell?.seconds ?? 0;
      rows.push({
        memberNo: no,
        name: r?.name ?? null,
        category: r?.category ?? null,
        verified: !!r,
        siteId,
        siteName: siteNames.get(siteId) ?? `#${siteId}`,
        sites: cell ? siteShares(cell.bySite, siteNames) : [],
        period,
        sessions: cell?.sessions ?? 0,
        hours: hours(seconds),
        belowTarget: targetHours != null && seconds < targetHours * 3600,
      });
    }
  }
  return rows;
}

// ---------- 4. site health ----------

export function buildSiteHealth(
  sites: SiteRow[],
  regionNames: Map<number, string>,
  statuses: SiteStatusRow[],
  connected: Map<number, number>,
  range: { startMs: number; endMs: number },
  now: number,
  darkDays: number,
): SiteHealthRow[] {
  const byId = new Map(statuses.map((s) => [s.siteId, s]));
  const elapsed = Math.max(0, Math.min(range.endMs, now) - range.startMs) / 1000;
  return sites.map((site) => {
    const st = byId.get(site.id);
    const since = st ? Math.floor((now - st.lastSeen) / 86_400_000) : null;
    return {
      siteId: site.id,
      siteName: site.name,
      region: regionNames.get(site.regionId) ?? '',
      paired: site.paired,
      revoked: site.revoked,
      online: isOnline(st?.lastSeen ?? null, now),
      lastSeen: st ? new Date(st.lastSeen).toISOString() : null,
      daysSinceSeen: since,
      dark: !site.revoked && (since === null || since >= darkDays),
      onlineShare: elapsed > 0 ? round2(Math.min(1, (connected.get(site.id) ?? 0) / elapsed)) : 0,
      connectedHours: hours(connected.get(site.id) ?? 0),
      cacheReadiness: st?.cacheReadiness ?? null,
      freeDiskBytes: st?.freeDiskBytes ?? null,
      agentVersion: st?.agentVersion ?? null,
      uptimeSeconds: st?.uptimeSeconds ?? null,
      lastError: st?.lastError ?? null,
      onScreen: st?.onScreen ? (JSON.parse(st.onScreen) as OnScreen) : null,
      clockOffsetMs: st?.clockOffsetMs ?? null,
      mediaSources: st?.mediaSources ? (JSON.parse(st.mediaSources) as MediaSources) : null,
    };
  });
}
