// The centre sums what provinces sent in SQLite (activityTotals) instead of parsing every day row: over a range of
// days with a renamed county, sites that change and a county that stops being sent, the report nodes are the same as
// folding the day rows one by one; and the members report reads the top regions' day rows only.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { openDb, migrate } from '../../../server/db/connection.ts';
import { createRegion } from '../../../server/sites/regions.ts';
import { createPlatform } from '../../../server/platforms/platforms.ts';
import { activityTotals, storeFigures, topActivityFigures, type Held } from '../../../server/platforms/figures.ts';
import { sentNodes } from '../../../server/platforms/central-report.ts';
import type { DayFigures, RegionDayFigures } from '../../../common/api/platforms.ts';
import { tempDir } from '../../../testkit/helpers.ts';

const days = Array.from({ length: 20 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`);

/** A province's day: the province and three counties; county 3 renamed on day 10, county 4 not sent after day 15. */
function dayOf(day: string, i: number): DayFigures {
  const row = (regionId: number, parentId: number | null, name: string, level: string, k: number): RegionDayFigures => ({
    regionId,
    parentId,
    name,
    level,
    sites: 10 + Math.floor(i / 5) + k,
    sitesWatching: (i * k) % 7,
    sessions: (i * 3 + k) % 11,
    viewingHours: ((i + 1) * (k + 2)) / 7,
    personHours: ((i + 2) * (k + 3)) / 3,
    broadcastHours: (i * k) / 9,
    distinctMembers: (i * 5 + k * 3) % 13,
  });
  const activity = [
    row(1, null, '某省', 'province', 0),
    row(2, 1, '甲县', 'county', 1),
    row(3, 1, i < 10 ? '乙县' : '乙县（新）', 'county', 2),
    ...(i < 15 ? [row(4, 1, '丙县', 'county', 3)] : []),
  ];
  return { day, activity, reach: [], sites: { registered: 30, paired: 28, connected: 20 + (i % 5), ready: 18 } } as DayFigures;
}

t.test('summed in SQLite, the sent nodes are those of the day rows folded one by one', async (t) => {
  const dir = tempDir('dyb-totals-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = openDb(path.join(dir, 'centre.db'));
  t.teardown(() => db.close());
  migrate(db);
  const nation = createRegion(db, { name: '全国', level: 'nation' });
  const province = createRegion(db, { name: '某省', level: 'province', parentId: nation.id });
  const { platform } = createPlatform(db, Buffer.alloc(32, 1), province.id);
  storeFigures(db, platform.id, days.map(dayOf));

  const dayRows = (
    db.prepare("SELECT day, body FROM platform_figures WHERE kind = 'activity'").all() as { day: string; body: string }[]
  ).map((r): Held<RegionDayFigures> => ({ platformId: platform.id, day: r.day, row: JSON.parse(r.body) as RegionDayFigures }));
  for (const [from, to] of [
    [days[0]!, days.at(-1)!],
    [days[3]!, days[12]!],
    [days[16]!, days[18]!],
  ] as const) {
    const folded = sentNodes(
      platform.id,
      dayRows.filter((r) => r.day >= from && r.day <= to),
    );
    const totals = activityTotals(db, [platform.id], from, to);
    t.equal(
      totals.length,
      new Set(dayRows.filter((r) => r.day >= from && r.day <= to).map((r) => r.row.regionId)).size,
      'a row per region',
    );
    t.same(sentNodes(platform.id, totals), folded, `${from}..${to}: the same nodes and totals`);
  }
  const renamed = sentNodes(platform.id, activityTotals(db, [platform.id], days[0]!, days.at(-1)!))[0]!.node;
  t.ok(
    renamed.children.some((c) => c.name === '乙县（新）'),
    'a region is named as on its last day',
  );
  t.same(activityTotals(db, [platform.id + 1], days[0]!, days.at(-1)!), [], "another province's figures are not these");

  const top = topActivityFigures(db, [platform.id], days[0]!, days.at(-1)!);
  t.equal(top.length, days.length, 'one top row a day');
  t.ok(
    top.every((r) => r.row.parentId === null),
    'only the regions sent without a parent',
  );
});
