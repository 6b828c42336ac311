// The pure parts of the two-tier link: what a province sends for a day, which days it sends, the demand it sends,
// and how the centre grafts what it received into its report and merges demand.
import t from 'tap';
import { buildDayFigures, dayDigest, daysToConsider, type DayInput } from '../../../server/upstream/figures.ts';
import { buildDemand } from '../../../server/upstream/figures-demand.ts';
import { graftSent, sentNodes, sentRegionId } from '../../../server/platforms/central-report.ts';
import { mergeDemand } from '../../../server/platforms/demand.ts';
import type { ActivityNode } from '../../../common/api/reports.ts';
import type { RegionDayFigures } from '../../../common/api/platforms.ts';

const regions = [
  { id: 1, parentId: null, name: '某省', level: 'province', path: '/1/' },
  { id: 2, parentId: 1, name: '甲县', level: 'county', path: '/1/2/' },
  { id: 3, parentId: 2, name: '甲镇', level: 'township', path: '/1/2/3/' },
  { id: 4, parentId: 3, name: '甲村', level: 'village', path: '/1/2/3/4/' },
  { id: 5, parentId: 1, name: '乙县', level: 'county', path: '/1/5/' },
  { id: 6, parentId: 5, name: '乙村', level: 'village', path: '/1/5/6/' },
];
const input = (over: Partial<DayInput> = {}): DayInput => ({
  day: '2026-11-20',
  level: 'county',
  regions,
  sites: [
    { id: 10, regionId: 4, paired: true, revoked: false },
    { id: 11, regionId: 4, paired: false, revoked: false },
    { id: 12, regionId: 6, paired: true, revoked: false },
    { id: 13, regionId: 6, paired: true, revoked: true },
  ],
  activity: [
    { siteId: 10, sessions: 2, watchedSeconds: 3600, personSeconds: 7200, broadcastSeconds: 1800 },
    { siteId: 12, sessions: 1, watchedSeconds: 1800, personSeconds: 1800, broadcastSeconds: 0 },
  ],
  members: [
    { siteId: 10, memberNo: 'A1' },
    { siteId: 12, memberNo: 'A1' },
    { siteId: 12, memberNo: 'B2' },
  ],
  programs: [
    { programId: 7, title: '讲座', centralProgramId: null, sites: 2, sessions: 3, watchedSeconds: 5400, personSeconds: 9000 },
    { programId: 8, title: '中央讲座', centralProgramId: 501, sites: 1, sessions: 1, watchedSeconds: 60, personSeconds: 60 },
  ],
  connectedSiteIds: new Set([10, 12, 13]),
  readySiteIds: new Set([10]),
  ...over,
});

t.test('a day sent up: regions down to the level, counts not numbers, central programs by their central id', async (t) => {
  const d = buildDayFigures(input());
  t.same(
    d.activity.map((r) => [r.name, r.level, r.parentId]),
    [
      ['某省', 'province', null],
      ['甲县', 'county', 1],
      ['乙县', 'county', 1],
    ],
  );
  t.match(d.activity[0], {
    sites: 3,
    sitesWatching: 2,
    sessions: 3,
    viewingHours: 1.5,
    personHours: 2.5,
    broadcastHours: 0.5,
    distinctMembers: 2,
  });
  t.match(d.activity[1], { sites: 2, sitesWatching: 1, sessions: 2, distinctMembers: 1 });
  t.notOk(JSON.stringify(d).includes('A1'), 'member numbers are counted, never sent');
  t.same(
    d.reach.map((r) => r.key),
    ['local:7', 'central:501'],
  );
  t.same(d.sites, { registered: 3, paired: 2, connected: 2, ready: 1 }, 'a revoked site is not counted');
  const provinceOnly = buildDayFigures(input({ level: 'province' }));
  t.same(
    provinceOnly.activity.map((r) => r.name),
    ['某省'],
  );
});

t.test('the digest follows history, not the snapshots taken at the send', async (t) => {
  const base = dayDigest(buildDayFigures(input()));
  t.equal(dayDigest(buildDayFigures(input({ readySiteIds: new Set([10, 12]) }))), base, 'a site becoming ready does not resend a day');
  t.not(dayDigest(buildDayFigures(input({ activity: [] }))), base, 'a late upload changes the day');
});

t.test('days considered: recent days always (to catch late uploads), older ones until acknowledged', async (t) => {
  const all = ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04'];
  t.same(daysToConsider(all, '2026-11-04', '2026-11-03', new Set(['2026-11-01', '2026-11-03'])), [
    '2026-11-02',
    '2026-11-03',
    '2026-11-04',
  ]);
  t.same(daysToConsider(all, '2026-11-02', '2026-11-01', new Set()), ['2026-11-01', '2026-11-02'], 'never a day after today');
});

t.test('demand sent up: counted per county, no site, no member', async (t) => {
  const items = buildDemand({
    level: 'county',
    regions,
    siteRegion: new Map([
      [10, 4],
      [12, 6],
    ]),
    missingPrograms: [{ title: '旧讲座', count: 2, sites: 1, lastAt: 'x', bySite: [{ siteId: 10, count: 2 }] }],
    topics: [
      {
        topic: '养蜂',
        count: 3,
        sites: 2,
        lastAt: 'y',
        bySite: [
          { siteId: 10, count: 1 },
          { siteId: 12, count: 2 },
        ],
      },
    ],
  });
  t.same(
    items.map((i) => [i.key, i.count, i.regions.map((r) => [r.name, r.count])]),
    [
      ['title:旧讲座', 2, [['甲县', 2]]],
      [
        'topic:养蜂',
        3,
        [
          ['乙县', 2],
          ['甲县', 1],
        ],
      ],
    ],
  );
});

const node = (id: number, name: string, level: string, children: ActivityNode[] = [], sessions = 0): ActivityNode => ({
  kind: 'region',
  id,
  name,
  level,
  sites: 0,
  sessions,
  viewingHours: 0,
  personHours: 0,
  distinctMembers: 0,
  unverifiedMembers: 0,
  broadcastHours: 0,
  scheduledHours: null,
  coverage: null,
  children,
});
const row = (
  regionId: number,
  parentId: number | null,
  name: string,
  sessions: number,
  members: number,
  sites: number,
): RegionDayFigures => ({
  regionId,
  parentId,
  name,
  level: parentId ? 'county' : 'province',
  sites,
  sitesWatching: 1,
  sessions,
  viewingHours: sessions,
  personHours: sessions,
  broadcastHours: 0,
  distinctMembers: members,
});

t.test('the centre grafts sent figures under the province and adds them up to the root', async (t) => {
  const sent = sentNodes(4, [
    { platformId: 4, day: '2026-11-01', row: row(1, null, '某省', 3, 5, 10) },
    { platformId: 4, day: '2026-11-01', row: row(2, 1, '甲县', 3, 5, 10) },
    { platformId: 4, day: '2026-11-02', row: row(1, null, '某省', 2, 4, 11) },
    { platformId: 4, day: '2026-11-02', row: row(2, 1, '甲县', 2, 4, 11) },
  ]);
  const tree = [node(100, '全国', 'nation', [node(101, '某省', 'province'), node(102, '另一省', 'province', [], 1)], 1)];
  const [root] = graftSent(tree, new Map([[101, sent]]));
  t.match(root, { sessions: 6, viewingHours: 5, sites: 11, distinctMembers: 5 });
  t.match(root.children[0], {
    id: 101,
    sessions: 5,
    sites: 11,
    distinctMembers: 5,
    children: [{ id: sentRegionId(4, 2), name: '甲县', sessions: 5 }],
  });
  t.match(root.children[1], { id: 102, sessions: 1, children: [] });
});

t.test('the centre merges the same demand from several provinces', async (t) => {
  const merged = mergeDemand(
    [
      {
        platformId: 1,
        key: 'topic:养蜂',
        centralProgramId: null,
        title: '养蜂',
        count: 2,
        sites: 1,
        lastAt: 'a',
        regions: [{ regionId: 9, name: '甲县', count: 2 }],
      },
      { platformId: 2, key: 'topic:养蜂', centralProgramId: null, title: '养蜂', count: 3, sites: 2, lastAt: 'b', regions: [] },
      { platformId: 2, key: 'topic:修剪', centralProgramId: null, title: '修剪', count: 1, sites: 1, lastAt: 'c', regions: [] },
    ],
    (id) => `省${id}`,
  );
  t.match(merged, [
    {
      key: 'topic:养蜂',
      count: 5,
      sites: 3,
      lastAt: 'b',
      regions: [{ name: '省1 / 甲县' }],
      platforms: [{ platformId: 1 }, { platformId: 2 }],
    },
    { key: 'topic:修剪', count: 1 },
  ]);
});
