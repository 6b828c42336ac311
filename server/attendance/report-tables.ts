// Report objects -> printable tables (columns with labels, rows), shared by the CSV and HTML renderers. Pure.
import { DateTime } from 'luxon';
import type { Table } from './render.ts';
import type { ActivityNode, MemberPeriodRow, Reach, SiteHealthRow } from './reports.ts';
import type { ProvinceMembersRow, ProvinceSitesRow } from '../../common/api/reports.ts';
import { flattenTree } from './reports.ts';

export interface RangeNote {
  from: string;
  to: string;
  timeZone: string;
  scope: string;
}
const rangeNotes = (r: RangeNote): string[] => [`${r.from} — ${r.to} (${r.timeZone})`, `Region: ${r.scope}`];

export function activityTable(roots: ActivityNode[], r: RangeNote): Table {
  const rows = flattenTree(roots).map(({ depth, node }) => ({
    depth,
    kind: node.kind,
    id: node.id,
    name: node.name,
    level: node.level,
    sites: node.sites,
    sessions: node.sessions,
    viewingHours: node.viewingHours,
    personHours: node.personHours,
    distinctMembers: node.distinctMembers,
    unverifiedMembers: node.unverifiedMembers,
    broadcastHours: node.broadcastHours,
    scheduledHours: node.scheduledHours,
    coverage: node.coverage,
  }));
  const top = roots.length === 1 ? roots[0].children : roots;
  return {
    title: 'Activity by region / 各地区学习情况',
    notes: rangeNotes(r),
    indentKey: 'depth',
    columns: [
      { key: 'name', label: 'Region or site / 地区或站点' },
      { key: 'level', label: 'Level / 级别' },
      { key: 'id', label: 'Id', kind: 'number' },
      { key: 'sites', label: 'Sites / 站点数', kind: 'number' },
      { key: 'sessions', label: 'Sessions / 场次', kind: 'number' },
      { key: 'viewingHours', label: 'Viewing hours / 播放小时', kind: 'number' },
      { key: 'personHours', label: 'Person-hours / 人·小时', kind: 'number' },
      { key: 'distinctMembers', label: 'Members / 学员', kind: 'number' },
      { key: 'unverifiedMembers', label: 'Unverified / 未核实', kind: 'number' },
      { key: 'broadcastHours', label: 'Broadcast hours played / 收看直播小时', kind: 'number' },
      { key: 'scheduledHours', label: 'Broadcast hours scheduled / 应播小时', kind: 'number' },
      { key: 'coverage', label: 'Coverage / 覆盖率', kind: 'percent' },
    ],
    rows,
    chart: {
      title: 'Person-hours / 人·小时',
      labelKey: 'name',
      valueKey: 'personHours',
      unit: 'h',
      data: top.map((n) => ({ label: n.name, value: n.personHours })),
    },
  };
}

export function reachTable(reach: Reach, titleOf: string, r: RangeNote): Table {
  const t = reach.totals;
  return {
    title: `Program reach / 节目覆盖: ${titleOf}`,
    notes: [
      ...rangeNotes(r),
      `Sites ${t.sites} · sessions ${t.sessions} · viewing hours ${t.viewingHours} · person-hours ${t.personHours} · viewers ${t.viewers} · members ${t.distinctMembers} (unverified ${t.unverifiedMembers})`,
    ],
    columns: [
      { key: 'siteName', label: 'Site / 站点' },
      { key: 'region', label: 'Region / 地区' },
      { key: 'siteId', label: 'Site id', kind: 'number' },
      { key: 'sessions', label: 'Sessions / 场次', kind: 'number' },
      { key: 'viewingHours', label: 'Viewing hours / 播放小时', kind: 'number' },
      { key: 'personHours', label: 'Person-hours / 人·小时', kind: 'number' },
      { key: 'viewers', label: 'Viewers / 人次', kind: 'number' },
      { key: 'members', label: 'Members / 学员', kind: 'number' },
    ],
    rows: reach.sites.map((s) => ({ ...s })),
    chart: { title: 'Person-hours by site / 各站点人·小时', labelKey: 'siteName', valueKey: 'personHours', unit: 'h' },
  };
}

export function reachMembersTable(reach: Reach, titleOf: string, r: RangeNote): Table {
  return {
    title: `Members who watched / 收看学员: ${titleOf}`,
    notes: rangeNotes(r),
    columns: [
      { key: 'memberNo', label: 'Member no. / 编号' },
      { key: 'name', label: 'Name / 姓名' },
      { key: 'verified', label: 'On the roll / 已核实', kind: 'bool' },
      { key: 'siteName', label: 'Site / 站点' },
      { key: 'sessions', label: 'Sessions / 场次', kind: 'number' },
      { key: 'watchedHours', label: 'Hours / 小时', kind: 'number' },
    ],
    rows: reach.members.map((m) => ({ ...m })),
  };
}

/** '站点A 75%; 站点B 25%': each site a member watched at, with its share of their time. */
export function sharesText(sites: MemberPeriodRow['sites']): string {
  return sites.map((s) => `${s.siteName} ${Math.round(s.share * 100)}%`).join('; ');
}

/** At a centre, one line per province from what it sent up (no member leaves a province: counts only). */
const provinceMemberNotes = (rows: readonly ProvinceMembersRow[]): string[] =>
  rows.map(
    (p) =>
      `${p.name} (sent up / 上报, ${p.days} days): ${p.distinctMembers} members at least / 至少 ${p.distinctMembers} 人 · ` +
      `${p.sessions} sessions · ${p.personHours} person-hours`,
  );

const provinceSiteNotes = (rows: readonly ProvinceSitesRow[]): string[] =>
  rows.map((p) =>
    p.lastDay === null
      ? `${p.name} (sent up / 上报): nothing sent for this range`
      : `${p.name} (sent up / 上报, ${p.lastDay}): ${p.registered} sites · ${p.paired} paired · ${p.connected} connected · ` +
        `${p.ready} ready` +
        (p.connectedShare !== null ? ` · connected share ${Math.round(p.connectedShare * 100)}%` : ''),
  );

export function membersTable(
  rows: MemberPeriodRow[],
  per: string,
  targetHours: number | null,
  r: RangeNote,
  provinces: readonly ProvinceMembersRow[] = [],
): Table {
  const below = rows.filter((x) => x.belowTarget).length;
  return {
    title: 'Member learning hours / 学员学习时长',
    notes: [
      ...rangeNotes(r),
      `Per ${per}` + (targetHours != null ? ` · target ${targetHours} h · ${below} of ${rows.length} below target` : ''),
      ...provinceMemberNotes(provinces),
    ],
    columns: [
      { key: 'memberNo', label: 'Member no. / 编号' },
      { key: 'name', label: 'Name / 姓名' },
      { key: 'category', label: 'Category / 类别' },
      { key: 'verified', label: 'On the roll / 已核实', kind: 'bool' },
      { key: 'siteName', label: 'Site / 站点' },
      { key: 'sites', label: 'Sites watched (share) / 收看站点 (占比)' },
      { key: 'period', label: per === 'day' ? 'Day / 日期' : 'Month / 月份' },
      { key: 'sessions', label: 'Sessions / 场次', kind: 'number' },
      { key: 'hours', label: 'Hours / 小时', kind: 'number' },
      { key: 'belowTarget', label: 'Below target / 未达标', kind: 'bool' },
    ],
    rows: rows.map((x) => ({ ...x, sites: sharesText(x.sites) })),
    chart: {
      title: 'Hours per member and period / 学习小时',
      labelKey: 'name',
      valueKey: 'hours',
      unit: 'h',
      data: rows.map((x) => ({ label: `${x.name ?? x.memberNo} ${x.period}`, value: x.hours })),
      ...(targetHours != null ? { target: targetHours } : {}),
    },
  };
}

export function sitesTable(rows: SiteHealthRow[], darkDays: number, r: RangeNote, provinces: readonly ProvinceSitesRow[] = []): Table {
  const online = rows.filter((x) => x.online).length;
  const dark = rows.filter((x) => x.dark).length;
  return {
    title: 'Site health / 站点运行状况',
    notes: [
      ...rangeNotes(r),
      `${rows.length} sites · ${online} online now · ${dark} dark for ${darkDays}+ days or never seen`,
      ...provinceSiteNotes(provinces),
    ],
    columns: [
      { key: 'siteName', label: 'Site / 站点' },
      { key: 'region', label: 'Region / 地区' },
      { key: 'siteId', label: 'Site id', kind: 'number' },
      { key: 'online', label: 'Online / 在线', kind: 'bool' },
      { key: 'lastSeenLocal', label: 'Last seen / 最后在线' },
      { key: 'daysSinceSeen', label: 'Days since seen / 离线天数', kind: 'number' },
      { key: 'dark', label: 'Dark / 黑屏', kind: 'bool' },
      { key: 'onlineShare', label: 'Online share / 在线率', kind: 'percent' },
      { key: 'connectedHours', label: 'Hours connected / 在线小时', kind: 'number' },
      { key: 'cacheReadiness', label: 'Cache ready / 缓存就绪', kind: 'percent' },
      { key: 'freeDiskGB', label: 'Free disk (GB) / 剩余磁盘', kind: 'number' },
      { key: 'agentVersion', label: 'Agent / 版本' },
      { key: 'lastError', label: 'Last error / 最近错误' },
      { key: 'relayShare', label: 'Media via relay / 经中继下载', kind: 'percent' },
    ],
    rows: rows.map(({ onScreen: _o, mediaSources: m, ...x }) => ({
      ...x,
      relayShare: m && m.relayBytes + m.originBytes > 0 ? Math.round((m.relayBytes / (m.relayBytes + m.originBytes)) * 100) / 100 : null,
      lastSeenLocal: x.lastSeen ? DateTime.fromISO(x.lastSeen, { zone: r.timeZone }).toFormat('yyyy-MM-dd HH:mm') : null,
      freeDiskGB: x.freeDiskBytes != null ? Math.round(x.freeDiskBytes / 1e7) / 100 : null,
    })),
    chart: { title: 'Online share / 在线率', labelKey: 'siteName', valueKey: 'onlineShare', unit: '', max: 1, percent: true },
  };
}
