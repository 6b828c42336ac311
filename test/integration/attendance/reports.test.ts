// Reports against figures computed by hand, before and after the daily rollup and with a late arrival;
// scoping for organizers; CSV (BOM, quoting, Chinese) and HTML; member roll import and search.
import t from 'tap';
import { parse } from 'csv-parse/sync';
import { makeServer, userAuth } from '../../../testkit/helpers.ts';
import { seedTree, session, postBatch, provinceTime, provinceDate } from './fixtures.ts';

const ROLL = `党员编号,姓名,站点,类别
M001,张三,"东村, 第一站",党员
M002,"李四, 老党员",1,党员
M003,王五,西村站,入党积极分子
`;

t.test('reports', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const { tokens } = seedTree(app.db);
  const now = Date.now();
  const D = provinceDate(now, 2);
  const D1 = provinceDate(now, 3);
  const q = `from=${D1}&to=${D}`;
  const get = (url: string, headers = s.auth) => app.inject({ method: 'GET', url, headers });

  const imp = await app.inject({
    method: 'POST',
    url: '/api/members/import',
    headers: { ...s.auth, 'content-type': 'text/csv' },
    payload: ROLL,
  });
  t.equal(imp.statusCode, 200, imp.body);
  t.same(imp.json(), { inserted: 3, updated: 0 });

  const sentAt = Date.now();
  t.equal(
    (
      await postBatch(app, tokens[1], {
        sentAt,
        sessions: [
          session({
            id: 'a1',
            programId: 1,
            mode: 'broadcast',
            start: provinceTime(now, 2, 20),
            watchedSeconds: 1800,
            headcount: 4,
            members: [
              { memberNo: 'M001', watchedSeconds: 1800 },
              { memberNo: 'M002', watchedSeconds: 900 },
            ],
          }),
          session({
            id: 'a2',
            programId: 3,
            start: provinceTime(now, 2, 21),
            end: provinceTime(now, 2, 21, 30),
            watchedSeconds: 1200,
            headcount: 0,
            members: [{ memberNo: 'M001', watchedSeconds: 1200 }],
          }),
        ],
      })
    ).json().accepted.length,
    2,
  );
  t.equal(
    (
      await postBatch(app, tokens[2], {
        sentAt,
        sessions: [
          session({
            id: 'b1',
            programId: 2,
            start: provinceTime(now, 2, 10),
            watchedSeconds: 3600,
            headcount: 2,
            members: [{ memberNo: 'X999', watchedSeconds: 3600 }],
          }),
        ],
      })
    ).json().accepted.length,
    1,
  );
  t.equal(
    (
      await postBatch(app, tokens[3], {
        sentAt,
        sessions: [
          session({
            id: 'c1',
            programId: 1,
            mode: 'broadcast',
            start: provinceTime(now, 3, 20),
            watchedSeconds: 900,
            headcount: 2,
            members: [{ memberNo: 'M003', watchedSeconds: 900 }],
          }),
          // Outside the range (4 days ago): never counted.
          session({ id: 'c0', programId: 1, start: provinceTime(now, 4, 20), watchedSeconds: 900, headcount: 2 }),
        ],
      })
    ).json().accepted.length,
    2,
  );

  // Broadcast schedule: channel 1 reaches every site (D 20:00-21:00), channel 2 only county 3 (D-1 20:00-20:30).
  const iso = new Date().toISOString();
  app.db
    .prepare(
      "INSERT INTO channels (id, number, name, epoch, created_at, updated_at) VALUES (1, 1, '综合频道', 0, ?, ?), (2, 2, '前进县频道', 0, ?, ?)",
    )
    .run(iso, iso, iso, iso);
  app.db.prepare('INSERT INTO channel_regions (channel_id, region_id) VALUES (2, 3)').run();
  const item = app.db.prepare(
    'INSERT INTO schedule_items (channel_id, program_id, start_at, end_at, created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?)',
  );
  item.run(1, provinceTime(now, 2, 20), provinceTime(now, 2, 21), iso, iso);
  item.run(2, provinceTime(now, 3, 20), provinceTime(now, 3, 20, 30), iso, iso);
  item.run(1, provinceTime(now, 9, 20), provinceTime(now, 9, 21), iso, iso); // outside the range

  // Hand-computed: person-seconds a1 1800x4=7200, a2 1200x1 (headcount 0, one member)=1200, b1 3600x2=7200, c1 900x2=1800.
  // Coverage: scheduled site 1: 1 h, site 2: 1 h, site 3: 1 h + 0.5 h; broadcast played a1 1800 s, c1 900 s.
  const expectedProvince = {
    sites: 3,
    sessions: 4,
    viewingHours: 2.08,
    personHours: 4.83,
    distinctMembers: 4,
    unverifiedMembers: 1,
    broadcastHours: 0.75,
    scheduledHours: 3.5,
    coverage: 0.21,
  };
  const expectedCounty2 = {
    sites: 2,
    sessions: 3,
    viewingHours: 1.83,
    personHours: 4.33,
    distinctMembers: 3,
    unverifiedMembers: 1,
    broadcastHours: 0.5,
    scheduledHours: 2,
    coverage: 0.25,
  };
  const expectedSite1 = {
    kind: 'site',
    id: 1,
    sessions: 2,
    viewingHours: 0.83,
    personHours: 2.33,
    distinctMembers: 2,
    unverifiedMembers: 0,
    scheduledHours: 1,
    coverage: 0.5,
  };
  const checkActivity = async (label: string, extra = { sessions: 0, viewing: 0, person: 0 }) => {
    const res = await get(`/api/reports/activity?${q}`);
    t.equal(res.statusCode, 200, res.body);
    const [prov] = res.json().regions;
    t.match(
      prov,
      {
        kind: 'region',
        id: 1,
        level: 'province',
        ...expectedProvince,
        sessions: 4 + extra.sessions,
        viewingHours: Math.round((7500 + extra.viewing) / 36) / 100,
        personHours: Math.round((17400 + extra.person) / 36) / 100,
      },
      `${label}: province`,
    );
    const county2 = prov.children.find((c: { id: number }) => c.id === 2);
    t.match(county2, expectedCounty2, `${label}: county 2`);
    const village5 = county2.children[0].children[0];
    t.equal(village5.name, '东村');
    t.match(
      village5.children.find((c: { id: number }) => c.id === 1),
      expectedSite1,
      `${label}: site 1`,
    );
    const site3 = prov.children.find((c: { id: number }) => c.id === 3).children[0].children[0];
    t.match(site3, { id: 3, scheduledHours: 1.5, coverage: 0.17 }, `${label}: site 3 receives both channels`);
    return res.json();
  };
  await checkActivity('raw rows');

  // Roll both days up: same figures from the aggregates.
  for (const day of [D1, D]) {
    const r = await app.inject({ method: 'POST', url: '/api/attendance/rollup', headers: s.auth, payload: { day } });
    t.same(r.json(), { days: [day] });
  }
  t.equal((app.db.prepare('SELECT count(*) AS n FROM attendance_rolled_days').get() as { n: number }).n, 2);
  await checkActivity('rolled up');
  // Rolling up again replaces, never adds.
  await app.inject({ method: 'POST', url: '/api/attendance/rollup', headers: s.auth, payload: { day: D } });
  await checkActivity('rolled up twice');

  // A late session for day D: the day reads raw again until the next rollup, and counts once either way.
  t.same(
    (
      await postBatch(app, tokens[3], {
        sentAt: Date.now(),
        sessions: [session({ id: 'c2', programId: 2, start: provinceTime(now, 2, 8), watchedSeconds: 600, headcount: 1 })],
      })
    ).json().accepted,
    ['c2'],
  );
  await checkActivity('late arrival, raw', { sessions: 1, viewing: 600, person: 600 });
  const pending = await app.inject({ method: 'POST', url: '/api/attendance/rollup', headers: s.auth, payload: {} });
  t.ok(pending.json().days.includes(D), 'pending rollup picks the day again');
  await checkActivity('late arrival, rolled', { sessions: 1, viewing: 600, person: 600 });
  const today = await app.inject({
    method: 'POST',
    url: '/api/attendance/rollup',
    headers: s.auth,
    payload: { day: provinceDate(Date.now(), 0) },
  });
  t.equal(today.statusCode, 400, 'today cannot be rolled up');

  // ---- scoping ----
  const org2 = await userAuth(app, 'org-county2', 'organizer', 2);
  const mine = await get(`/api/reports/activity?${q}`, org2);
  t.equal(mine.statusCode, 200);
  t.equal(mine.json().regions.length, 1);
  t.match(mine.json().regions[0], { id: 2, ...expectedCounty2 });
  t.equal((await get(`/api/reports/activity?${q}&regionId=3`, org2)).statusCode, 403, 'another county: 403');
  t.equal((await get(`/api/reports/activity?${q}&regionId=1`, org2)).statusCode, 403, 'the province above: 403');
  t.equal((await get(`/api/reports/activity?${q}&regionId=5`, org2)).statusCode, 200, 'a village below: ok');
  t.equal((await get(`/api/reports/sites?regionId=3`, org2)).statusCode, 403);
  t.equal((await get(`/api/reports/members?regionId=3`, org2)).statusCode, 403);
  t.equal((await get(`/api/reports/reach?programId=1&regionId=3`, org2)).statusCode, 403);
  t.equal((await get(`/api/reports/activity?${q}`, {} as never)).statusCode, 401, 'no token: 401');
  const orgSites = (await get('/api/reports/sites', org2)).json().sites.map((x: { siteId: number }) => x.siteId);
  t.same(orgSites, [1, 2], 'organizer sees only the sites of their county');
  t.equal((await get(`/api/reports/activity?${q}&regionId=999`)).statusCode, 404);
  const badRange = await get(`/api/reports/activity?from=${D}&to=${D1}`);
  t.equal(badRange.statusCode, 400);
  t.match(badRange.json().error.message, /before/);
  t.equal((await get('/api/reports/activity?from=2026-13-01')).statusCode, 400);

  // ---- reach ----
  const reach = await get(`/api/reports/reach?${q}&programId=1`);
  t.equal(reach.statusCode, 200, reach.body);
  t.match(reach.json().totals, {
    sites: 2,
    sessions: 2,
    viewingHours: 0.75,
    personHours: 2.5,
    viewers: 6,
    distinctMembers: 3,
    unverifiedMembers: 0,
  });
  t.same(
    reach.json().sites.map((x: { siteId: number }) => x.siteId),
    [1, 3],
  );
  t.match(reach.json().sites[0], { siteId: 1, sessions: 1, viewingHours: 0.5, personHours: 2, viewers: 4, members: 2 });
  t.match(
    reach.json().members.find((m: { memberNo: string }) => m.memberNo === 'M002'),
    { name: '李四, 老党员', verified: true, watchedHours: 0.25 },
  );
  const series = await get(`/api/reports/reach?${q}&seriesId=1`);
  t.match(
    series.json().totals,
    { sites: 3, sessions: 4, distinctMembers: 4, unverifiedMembers: 1 },
    'series: programs 1 and 2 (c2 is late but counted)',
  );
  const orgReach = await get(`/api/reports/reach?${q}&programId=1`, org2);
  t.same(
    orgReach.json().sites.map((x: { siteId: number }) => x.siteId),
    [1],
    'organizer reach: own sites only',
  );
  t.equal((await get(`/api/reports/reach?${q}`)).statusCode, 400, 'programId or seriesId required');
  t.equal((await get(`/api/reports/reach?${q}&programId=424242`)).statusCode, 404);

  // ---- members ----
  const mem = await get(`/api/reports/members?${q}&per=day&targetHours=0.5`);
  t.equal(mem.statusCode, 200, mem.body);
  const rows = mem.json().rows as Array<{ memberNo: string; period: string; hours: number; belowTarget: boolean; verified: boolean }>;
  t.equal(rows.length, 8, '4 members x 2 days');
  const cell = (no: string, day: string) => rows.find((r) => r.memberNo === no && r.period === day)!;
  t.match(cell('M001', D), { hours: 0.83, belowTarget: false });
  t.match(cell('M001', D1), { hours: 0, belowTarget: true });
  t.match(cell('M002', D), { hours: 0.25, belowTarget: true });
  t.match(cell('M003', D1), { hours: 0.25, belowTarget: true });
  t.match(cell('X999', D), { hours: 1, belowTarget: false, verified: false });
  t.same(mem.json().summary, { members: 4, rows: 8, belowTarget: 6, membersBelowTarget: 4 });
  const below = await get(`/api/reports/members?${q}&per=month&targetHours=1&belowOnly=true`);
  const belowNos = [...new Set(below.json().rows.map((r: { memberNo: string }) => r.memberNo))].sort();
  t.same(belowNos, ['M001', 'M002', 'M003'], 'below 1 h in the month: everyone but X999 (1 h)');
  const orgMem = await get(`/api/reports/members?${q}`, org2);
  t.same([...new Set(orgMem.json().rows.map((r: { memberNo: string }) => r.memberNo))].sort(), ['M001', 'M002', 'X999']);

  // ---- CSV and HTML ----
  const csv = await get(`/api/reports/activity?${q}&format=csv`);
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /text\/csv; charset=utf-8/);
  t.match(csv.headers['content-disposition'], /attachment; filename="activity_/);
  t.equal(csv.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf', 'UTF-8 BOM');
  t.ok(csv.body.includes('"东村, 第一站"'), 'a name with a comma is quoted, Chinese intact');
  const table = parse(csv.body.replace(/^\uFEFF/, ''), { columns: true }) as Array<Record<string, string>>;
  const site1 = table.find((r) => r['Region or site / 地区或站点'] === '东村, 第一站')!;
  t.equal(site1['Person-hours / 人·小时'], '2.33');
  t.equal(table[0]['Sessions / 场次'], '5', 'province row first, late session included');
  const memCsv = await get(`/api/reports/reach?${q}&programId=1&format=csv&list=members`);
  t.ok(memCsv.body.includes('"李四, 老党员"'));
  const html = await get(`/api/reports/activity?${q}&format=html`);
  t.match(html.headers['content-type'], /text\/html/);
  t.match(html.body, /<svg[^>]*>.*<rect/s);
  t.match(html.body, /<table>/);
  t.ok(html.body.includes('东村, 第一站'));
  t.notOk(/<script|https?:\/\//.test(html.body.replace('http://www.w3.org/2000/svg', '')), 'no external assets');
  for (const r of ['sites', 'members', `reach?programId=1&`]) {
    const url = `/api/reports/${r}${r.includes('?') ? '' : '?'}format=html`;
    const h = await get(url);
    t.equal(h.statusCode, 200, `${url} renders`);
  }
});

t.test('member rolls: all-or-nothing import with row errors, scoping, search', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  seedTree(app.db);
  const post = (body: string, headers = s.auth) =>
    app.inject({ method: 'POST', url: '/api/members/import', headers: { ...headers, 'content-type': 'text/csv' }, payload: body });

  const bad = await post('memberNo,name,site,category\nM1,甲,1,\nM2,,1,\nM3,丙,no-such-site,\nM1,丁,2,\n');
  t.equal(bad.statusCode, 400);
  t.same(
    bad.json().error.rows.map((r: { row: number }) => r.row),
    [3, 4, 5],
  );
  t.match(bad.json().error.message, /Nothing was imported/);
  t.equal((app.db.prepare('SELECT count(*) AS n FROM members').get() as { n: number }).n, 0, 'nothing imported');

  // No header: the columns in order.
  const ok = await post('\uFEFFM1,甲,1,党员\nM2,乙,东村二站,\n');
  t.same(ok.json(), { inserted: 2, updated: 0 });
  const again = await post('M2,乙二,3,\n');
  t.same(again.json(), { inserted: 0, updated: 1 }, 'a known number is updated (moved)');

  const org3 = await userAuth(app, 'org-county3', 'organizer', 3);
  const outside = await post('M9,某人,1,\n', org3);
  t.equal(outside.statusCode, 403, 'organizer cannot import into a site outside their region');
  const steal = await post('M1,甲,3,\n', org3);
  t.equal(steal.statusCode, 403, 'nor take over a member of another region');
  t.equal((await post('M9,某人,3,\n', org3)).statusCode, 200);
  t.equal(
    (await app.inject({ method: 'POST', url: '/api/members/import', headers: { 'content-type': 'text/csv' }, payload: 'M1,a,1' }))
      .statusCode,
    401,
  );

  const all = await app.inject({ method: 'GET', url: '/api/members', headers: s.auth });
  t.equal(all.json().total, 3);
  const search = await app.inject({ method: 'GET', url: `/api/members?q=${encodeURIComponent('甲')}`, headers: s.auth });
  t.same(
    search.json().items.map((m: { memberNo: string }) => m.memberNo),
    ['M1'],
  );
  t.equal(search.json().items[0].siteName, '东村, 第一站');
  const orgList = await app.inject({ method: 'GET', url: '/api/members', headers: org3 });
  t.same(
    orgList
      .json()
      .items.map((m: { memberNo: string }) => m.memberNo)
      .sort(),
    ['M2', 'M9'],
  );
  t.equal((await app.inject({ method: 'GET', url: '/api/members?siteId=1', headers: org3 })).statusCode, 403);
});
