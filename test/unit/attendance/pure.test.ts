// Pure attendance logic: province days, session checks, coverage, the region rollup tree, member hours,
// site health, CSV/HTML rendering, roll parsing.
import t from 'tap';
import { addDays, dayStartMs, eachDay, isDay, memoSplitByDay, provinceDay, rangeMs, splitByDay } from '../../../server/attendance/days.ts';
import { checkSession, type ValidationContext } from '../../../server/attendance/validate.ts';
import {
  buildActivityTree,
  buildMemberHours,
  buildSiteHealth,
  flattenTree,
  scheduledSecondsBySite,
  unionSeconds,
} from '../../../server/attendance/reports.ts';
import { barChartSvg, toCsv, toHtml } from '../../../server/attendance/render.ts';
import { parseRoll } from '../../../server/attendance/roll.ts';
import { connectedStretch, isOnline } from '../../../server/attendance/heartbeat.ts';
import type { AttendanceSession } from '../../../common/attendance.ts';

const TZ = 'Asia/Shanghai';

t.test('province days', async (t) => {
  // 2026-03-01 00:30 in Shanghai is 2026-02-28 16:30 UTC.
  t.equal(provinceDay(Date.UTC(2026, 1, 28, 16, 30), TZ), '2026-03-01');
  t.equal(provinceDay(Date.UTC(2026, 1, 28, 15, 59), TZ), '2026-02-28');
  t.equal(dayStartMs('2026-03-01', TZ), Date.UTC(2026, 1, 28, 16, 0));
  t.same(rangeMs('2026-03-01', '2026-03-02', TZ), { startMs: Date.UTC(2026, 1, 28, 16), endMs: Date.UTC(2026, 2, 2, 16) });
  t.same(eachDay('2024-02-28', '2024-03-01'), ['2024-02-28', '2024-02-29', '2024-03-01']);
  t.equal(addDays('2026-12-31', 1), '2027-01-01');
  t.notOk(isDay('2026-02-30'));
  t.notOk(isDay('2026-2-3'));
  t.throws(() => dayStartMs('yesterday', TZ));
  // A stretch across province midnight is split at midnight.
  const midnight = dayStartMs('2026-03-02', TZ);
  t.same(splitByDay(midnight - 90_000, midnight + 30_000, TZ), [
    { day: '2026-03-01', seconds: 90 },
    { day: '2026-03-02', seconds: 30 },
  ]);
  // A zone with daylight saving: a day of 23 hours.
  const ny = rangeMs('2026-03-08', '2026-03-08', 'America/New_York');
  t.equal((ny.endMs - ny.startMs) / 3600_000, 23);
});

t.test('session checks', async (t) => {
  const now = Date.UTC(2026, 5, 1, 12);
  const ctx: ValidationContext = {
    offsetMs: 60_000,
    now,
    programDurations: new Map([
      [1, 3600],
      [2, null],
    ]),
    channelIds: new Set([7]),
    oldestStartMs: now - 730 * 86_400_000,
  };
  const base: AttendanceSession = {
    id: 'x',
    programId: 1,
    mode: 'broadcast',
    channelId: 7,
    start: now - 3600_000,
    end: now - 1800_000,
    watchedSeconds: 1700,
    headcount: 2,
    members: [],
  };
  const ok = checkSession(base, ctx);
  t.same(ok, { ok: true, startAt: base.start + 60_000, endAt: base.end + 60_000 }, 'corrected by the offset');
  const reason = (over: Partial<AttendanceSession>, c = ctx) => {
    const v = checkSession({ ...base, ...over }, c);
    return v.ok ? 'ok' : v.reason;
  };
  t.equal(reason({ end: base.start - 1 }), 'end_before_start');
  t.equal(reason({ start: now - 25 * 3600_000 - 1, end: now - 3600_000 + 1, watchedSeconds: 10 }), 'too_long');
  t.equal(reason({ start: now - 24 * 3600_000, end: now - 1, watchedSeconds: 10 }, { ...ctx, offsetMs: 0 }), 'ok', 'exactly 24 h is fine');
  t.equal(reason({ start: now, end: now + 120_000, watchedSeconds: 60 }), 'in_future');
  t.equal(
    reason({ start: now - 3600_000, end: now + 1000, watchedSeconds: 60 }, { ...ctx, offsetMs: -120_000 }),
    'ok',
    'a fast clock corrected back into the past',
  );
  t.equal(reason({ programId: 5 }), 'unknown_program');
  t.equal(reason({ channelId: 8 }), 'unknown_channel');
  t.equal(reason({ channelId: 8 }, { ...ctx, channelIds: null }), 'ok', 'channels not checked without broadcast tables');
  t.equal(reason({ start: now - 3 * 3600_000, end: now - 3600_000, watchedSeconds: 3700 }), 'watched_exceeds_duration');
  t.equal(
    reason({ programId: 2, start: now - 3 * 3600_000, end: now - 3600_000, watchedSeconds: 5000 }),
    'ok',
    'unknown duration not checked',
  );
  t.equal(reason({ watchedSeconds: 1803 }), 'watched_exceeds_span');
  t.equal(reason({ members: [{ memberNo: 'a', watchedSeconds: 1900 }] }), 'member_watched_exceeds_span');
  t.equal(reason({}, { ...ctx, oldestStartMs: now }), 'too_old');
});

t.test('broadcast coverage: union of the schedule of the channels a site receives', async (t) => {
  t.equal(
    unionSeconds(
      [
        { startMs: 0, endMs: 10_000 },
        { startMs: 5_000, endMs: 15_000 },
        { startMs: 20_000, endMs: 30_000 },
      ],
      0,
      100_000,
    ),
    25,
  );
  t.equal(unionSeconds([{ startMs: 0, endMs: 10_000 }], 4_000, 8_000), 4, 'clipped to the range');
  t.equal(unionSeconds([], 0, 1), 0);
  const sites = [
    { id: 1, name: 'a', regionId: 5, paired: true, revoked: false },
    { id: 3, name: 'c', regionId: 6, paired: true, revoked: false },
  ];
  // Channel 10 reaches everyone, 11 only county 2 (village 5), 12 only county 3 (village 6).
  const channelsByRegion = new Map([
    [5, [10, 11]],
    [6, [10, 12]],
  ]);
  const items = [
    { channelId: 10, startMs: 0, endMs: 3600_000 },
    { channelId: 11, startMs: 1800_000, endMs: 5400_000 },
    { channelId: 12, startMs: 7200_000, endMs: 9000_000 },
  ];
  const got = scheduledSecondsBySite(sites, channelsByRegion, items, 0, 86_400_000);
  t.equal(got.get(1), 5400, 'site 1: channel 10 + 11 overlapping -> 1.5 h');
  t.equal(got.get(3), 5400, 'site 3: channel 10 + 12 -> 1 h + 0.5 h');
});

t.test('activity tree rolls sites up to every level', async (t) => {
  const regions = [
    { id: 1, parentId: null, name: '省', level: 'province', path: '/1/' },
    { id: 2, parentId: 1, name: '县甲', level: 'county', path: '/1/2/' },
    { id: 3, parentId: 1, name: '县乙', level: 'county', path: '/1/3/' },
  ];
  const sites = [
    { id: 1, name: 's1', regionId: 2, paired: true, revoked: false },
    { id: 2, name: 's2', regionId: 2, paired: true, revoked: false },
    { id: 3, name: 's3', regionId: 3, paired: true, revoked: false },
  ];
  const activity = [
    { siteId: 1, sessions: 2, watchedSeconds: 3600, personSeconds: 7200, people: 4, broadcastSeconds: 1800 },
    { siteId: 3, sessions: 1, watchedSeconds: 1800, personSeconds: 1800, people: 1, broadcastSeconds: 1800 },
  ];
  const members = [
    { siteId: 1, memberNo: 'A', verified: true },
    { siteId: 2, memberNo: 'A', verified: true },
    { siteId: 2, memberNo: 'B', verified: false },
    { siteId: 3, memberNo: 'C', verified: true },
  ];
  const scheduled = new Map([
    [1, 3600],
    [2, 3600],
    [3, 900],
  ]);
  const [prov] = buildActivityTree({ regions, sites, activity, members, scheduled, rootId: null });
  t.match(prov, {
    sites: 3,
    sessions: 3,
    viewingHours: 1.5,
    personHours: 2.5,
    distinctMembers: 3,
    unverifiedMembers: 1,
    broadcastHours: 1,
    scheduledHours: 2.25,
    coverage: 0.44,
  });
  const [c2, c3] = prov.children;
  t.match(c2, { id: 2, sites: 2, distinctMembers: 2, coverage: 0.25 }, 'a member at two sites counts once');
  t.match(
    c2.children.find((n) => n.id === 2),
    { kind: 'site', sessions: 0, viewingHours: 0 },
    'a silent site is listed with zeros',
  );
  t.match(c3, { coverage: 1 }, 'coverage is capped at 1');
  t.same(
    flattenTree([prov]).map((r) => [r.depth, r.node.name]),
    [
      [0, '省'],
      [1, '县甲'],
      [2, 's1'],
      [2, 's2'],
      [1, '县乙'],
      [2, 's3'],
    ],
  );
  const [only] = buildActivityTree({
    regions: regions.filter((r) => r.id === 3),
    sites: [sites[2]],
    activity,
    members,
    scheduled: null,
    rootId: 3,
  });
  t.match(only, { id: 3, sessions: 1, coverage: null, scheduledHours: null });
});

t.test('member hours per period, with members who watched nothing', async (t) => {
  const roll = [
    { memberNo: 'A', name: '甲', siteId: 1, category: '党员' },
    { memberNo: 'B', name: '乙', siteId: 1, category: '党员' },
  ];
  const watch = [
    { memberNo: 'A', siteId: 1, day: '2026-01-31', watchedSeconds: 3600, sessions: 1 },
    { memberNo: 'A', siteId: 1, day: '2026-02-01', watchedSeconds: 1800, sessions: 1 },
    { memberNo: 'Z', siteId: 1, day: '2026-02-01', watchedSeconds: 7200, sessions: 2 },
  ];
  const days = ['2026-01-31', '2026-02-01'];
  const daily = buildMemberHours(roll, watch, days, 'day', 1, new Map([[1, '站']]));
  t.equal(daily.length, 6);
  t.match(
    daily.find((r) => r.memberNo === 'A' && r.period === '2026-02-01'),
    { hours: 0.5, belowTarget: true },
  );
  t.match(
    daily.find((r) => r.memberNo === 'A' && r.period === '2026-01-31'),
    { hours: 1, belowTarget: false },
    'exactly the target is not below',
  );
  t.match(
    daily.find((r) => r.memberNo === 'B' && r.period === '2026-01-31'),
    { hours: 0, belowTarget: true, name: '乙' },
  );
  t.match(
    daily.find((r) => r.memberNo === 'Z'),
    { verified: false, name: null, siteName: '站' },
  );
  const monthly = buildMemberHours(roll, watch, days, 'month', null, new Map());
  t.same(
    monthly.filter((r) => r.memberNo === 'A').map((r) => [r.period, r.hours, r.belowTarget]),
    [
      ['2026-01', 1, false],
      ['2026-02', 0.5, false],
    ],
  );
});

t.test('site health and heartbeats', async (t) => {
  const now = Date.UTC(2026, 5, 10, 12);
  t.ok(isOnline(now - 180_000, now));
  t.notOk(isOnline(now - 180_001, now), 'three missed heartbeats: offline');
  t.notOk(isOnline(null, now));
  t.same(connectedStretch(now - 60_000, now), { startMs: now - 60_000, endMs: now });
  t.equal(connectedStretch(now - 181_000, now), null);
  t.equal(connectedStretch(null, now), null);
  const sites = [
    { id: 1, name: 'a', regionId: 5, paired: true, revoked: false },
    { id: 2, name: 'b', regionId: 5, paired: true, revoked: false },
    { id: 3, name: 'c', regionId: 5, paired: false, revoked: true },
  ];
  const statuses = [
    {
      siteId: 1,
      firstSeen: 0,
      lastSeen: now - 30_000,
      onScreen: '{"kind":"menu"}',
      cacheReadiness: 0.5,
      freeDiskBytes: 1,
      agentVersion: 'v',
      uptimeSeconds: 1,
      lastError: null,
      clockOffsetMs: 5,
      mediaSources:
        '{"relayUrl":"http://relay/","relayFiles":3,"relayBytes":300,"originFiles":1,"originBytes":100,"relayFailures":1,"lastRelayError":"x"}',
    },
    {
      siteId: 2,
      firstSeen: 0,
      lastSeen: now - 4 * 86_400_000,
      onScreen: null,
      cacheReadiness: 1,
      freeDiskBytes: 1,
      agentVersion: 'v',
      uptimeSeconds: 1,
      lastError: 'x',
      clockOffsetMs: 0,
      mediaSources: null,
    },
  ];
  const range = { startMs: now - 86_400_000, endMs: now + 86_400_000 };
  const rows = buildSiteHealth(sites, new Map([[5, 'r']]), statuses, new Map([[1, 43_200]]), range, now, 3);
  t.match(rows[0], { online: true, dark: false, onlineShare: 0.5, onScreen: { kind: 'menu' } }, 'share of the range up to now');
  t.match(rows[0], { mediaSources: { relayBytes: 300, originBytes: 100, relayFailures: 1 } }, 'where its media came from, as reported');
  t.equal(rows[1]!.mediaSources, null, 'nothing reported: null');
  t.match(rows[1], { online: false, dark: true, daysSinceSeen: 4 });
  t.match(rows[2], { dark: false, lastSeen: null }, 'a revoked site is not reported dark');
});

t.test('CSV and HTML rendering', async (t) => {
  const table = {
    title: '报表 <1>',
    notes: ['n'],
    columns: [
      { key: 'name', label: '名称' },
      { key: 'v', label: 'Value', kind: 'number' as const },
      { key: 'ok', label: 'OK', kind: 'bool' as const },
    ],
    rows: [
      { name: '东村, "一"站', v: 1.5, ok: true },
      { name: '西村', v: null, ok: false },
    ],
    chart: { title: 'c', labelKey: 'name', valueKey: 'v', unit: 'h' },
  };
  const csv = toCsv(table);
  t.ok(csv.startsWith('\uFEFF名称,Value,OK\n'), 'BOM then header');
  t.ok(csv.includes('"东村, ""一""站",1.5,yes\n'), 'commas and quotes quoted, Chinese intact');
  t.ok(csv.includes('西村,,no'));
  const risky = toCsv({
    ...table,
    rows: [
      { name: '=HYPERLINK("http://x")', v: -2, ok: true },
      { name: '@SUM(A1)', v: 0, ok: false },
    ],
  });
  t.ok(risky.includes(`"'=HYPERLINK(""http://x"")",-2,yes`), 'a text cell starting with = is not a formula; numbers stay numbers');
  t.ok(risky.includes("'@SUM(A1),0,no"), 'nor one starting with @');
  const wide = toCsv({ ...table, rows: [{ name: "\uFF1Dcmd|' /C calc'!A0", v: 1, ok: true }] });
  t.ok(wide.includes("'\uFF1Dcmd|"), 'nor one starting with a full-width = (Excel reads it as =)');
  const html = toHtml(table);
  t.ok(html.includes('报表 &lt;1&gt;'), 'escaped');
  t.ok(html.includes('东村, &quot;一&quot;站'));
  t.match(html, /<svg[\s\S]*<rect/);
  const svg = barChartSvg(
    [
      { label: 'a', value: 2 },
      { label: 'b', value: 1 },
    ],
    'h',
  );
  const widths = [...svg.matchAll(/<rect[^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
  t.same(widths, [420, 210], 'bars scaled to the largest');
});

t.test('roll parsing', async (t) => {
  const sites = [
    { id: 1, name: '东村, 第一站' },
    { id: 2, name: '同名' },
    { id: 3, name: '同名' },
  ];
  const all = () => true;
  const r1 = parseRoll('姓名,党员编号,站点\n张三,M1,"东村, 第一站"\n', sites, all);
  t.same(r1.rows, [{ memberNo: 'M1', name: '张三', siteId: 1, category: '' }], 'Chinese header in any order');
  const r2 = parseRoll('M1,张三,同名,x\n', sites, all);
  t.match(r2.errors[0], { row: 1, message: /several sites/ });
  const r3 = parseRoll('M1,张三,2,x\n', sites, (id) => id !== 2);
  t.match(r3.forbidden[0], { row: 1 });
  t.match(parseRoll('', sites, all).errors[0].message, /no rows/);
  t.match(parseRoll('a,"b\n', sites, all).errors[0].message, /CSV/);
  t.match(parseRoll('bad no,张三,1\n', sites, all).errors[0].message, /member number/);
});

t.test('memoSplitByDay gives what splitByDay gives, across midnights and a daylight-saving change', async (t) => {
  for (const tz of ['Asia/Shanghai', 'America/New_York']) {
    const memo = memoSplitByDay(tz);
    // A site heartbeating every minute, with gaps, from the day before a DST change (New York, 2026-03-08) on.
    let at = Date.UTC(2026, 2, 7, 2, 0, 0);
    let mismatches = 0;
    let crossings = 0;
    for (let i = 0; i < 5000; i++) {
      const step = i % 97 === 0 ? 7_200_000 : i % 13 === 0 ? 0 : 60_000 + (i % 7) * 1000;
      const want = splitByDay(at, at + step, tz);
      if (want.length > 1) crossings++;
      if (JSON.stringify(memo(at, at + step)) !== JSON.stringify(want)) mismatches++;
      at += step;
    }
    t.equal(mismatches, 0, `${tz}: the same days and seconds for every stretch`);
    t.ok(crossings > 0, `${tz}: some stretches crossed a midnight`);
  }
});
