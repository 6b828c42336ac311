// Two real servers on sockets: a centre and a province that follows it. Pairing once, sending figures, resending
// without double counting, a late day corrected, the answer lost (a restart mid-send), the centre down for a day,
// demand without member numbers, revocation, and who may call what.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { tempDir, userAuth, type TestServer } from '../../../testkit/helpers.ts';
import { seedTree, session, postBatch, provinceTime, provinceDate, TZ } from '../attendance/fixtures.ts';
import { line, listening, registerProvince } from './fixtures.ts';
import { program } from '../../../testkit/sites-rows.ts';
import { provinceDay } from '../../../server/attendance/days.ts';
import type { RegionDayFigures } from '../../../common/api/platforms.ts';

const heldActivity = (centre: TestServer, platformId: number, day: string, regionId: number) => {
  const row = centre.app.db
    .prepare('SELECT body FROM platform_figures WHERE platform_id = ? AND day = ? AND kind = ? AND key = ?')
    .get(platformId, day, 'activity', String(regionId)) as { body: string } | undefined;
  return row && (JSON.parse(row.body) as RegionDayFigures);
};
const heldRows = (centre: TestServer, platformId: number) =>
  (centre.app.db.prepare('SELECT count(*) AS n FROM platform_figures WHERE platform_id = ?').get(platformId) as { n: number }).n;

t.test('a province pairs once, sends its days exactly once, and survives a lost answer, the centre down and a restart', async (t) => {
  const centre = await listening();
  t.teardown(() => centre.close());
  const hop = await line(centre.url);
  t.teardown(() => hop.close());

  // Only a province region can be a platform: anything else is a 422 that says why.
  const county = await centre.app.inject({
    method: 'POST',
    url: '/api/regions',
    headers: centre.auth,
    payload: { name: '中央直属县', level: 'county' },
  });
  const notProvince = await centre.app.inject({
    method: 'POST',
    url: '/api/platforms',
    headers: centre.auth,
    payload: { regionId: county.json().id },
  });
  t.equal(notProvince.statusCode, 422);
  t.match(notProvince.json().error, { code: 'not_a_province', message: /only a region of level province/ });
  const nation = await centre.app.inject({
    method: 'POST',
    url: '/api/regions',
    headers: centre.auth,
    payload: { name: '全国', level: 'nation' },
  });
  t.equal(nation.statusCode, 201, 'a centre has a national root above its provinces');
  const { regionId, platformId, code } = await registerProvince(centre, '某省', nation.json().id);
  const again = await centre.app.inject({ method: 'POST', url: '/api/platforms', headers: centre.auth, payload: { regionId } });
  t.equal(again.statusCode, 409, 'one platform per province while it is linked');
  // The centre itself has no UPSTREAM_URL: it follows nobody.
  t.match((await centre.app.inject({ url: '/api/upstream', headers: centre.auth })).json(), { state: 'standalone', upstreamUrl: null });
  const standalone = await centre.app.inject({ method: 'POST', url: '/api/upstream/send', headers: centre.auth });
  t.equal(standalone.statusCode, 409);
  t.match(standalone.json().error, { code: 'no_upstream' });
  const malformed = await centre.app.inject({ method: 'POST', url: '/api/platforms/pair', payload: { code: 'not-a-code' } });
  t.equal(malformed.statusCode, 400);

  const dataDir = tempDir(); // the province keeps it across its restart
  const startProvince = () => listening({ dataDir, upstreamUrl: hop.url, upstreamPairCode: code });
  let province = await startProvince();
  t.teardown(() => province.close());
  const { tokens } = seedTree(province.app.db);
  const now = Date.now();
  const day = (ago: number) => provinceDate(now, ago);
  const sentAt = now;
  const post = (site: number, ...sessions: ReturnType<typeof session>[]) => postBatch(province.app, tokens[site], { sentAt, sessions });
  t.equal(
    (
      await post(
        1,
        session({
          id: randomUUID(),
          start: provinceTime(now, 3, 20),
          headcount: 3,
          members: [{ memberNo: '4301001', watchedSeconds: 1800 }],
        }),
        session({ id: randomUUID(), start: provinceTime(now, 3, 21), programId: 3, headcount: 2 }),
      )
    ).statusCode,
    200,
  );
  t.equal((await post(3, session({ id: randomUUID(), start: provinceTime(now, 3, 20), headcount: 1 }))).statusCode, 200);
  const asked = await province.app.inject({
    method: 'POST',
    url: '/api/sites/me/requests',
    headers: { authorization: `Bearer ${tokens[1]}` },
    payload: { topic: '果树冬季修剪', memberNo: '4301001' },
  });
  t.equal(asked.statusCode, 201);

  // Program 1 at the province is a mirror of a central program (the mirror registers this mapping: w13b).
  const centralProgram = program(centre.app, '中央讲座', ['240p'], [4, 4]);
  const mapCentral = (app: TestServer['app']) =>
    app.upstream.setCentralIds((ids) => new Map(ids.filter((id) => id === 1).map((id) => [id, centralProgram])));
  mapCentral(province.app);

  // First send: pairs (once, the code from the environment), then every day from the first recorded one to today.
  const first = await province.app.inject({ method: 'POST', url: '/api/upstream/send', headers: province.auth });
  t.equal(first.statusCode, 200, first.body);
  t.match(first.json(), { ok: true, error: null, demandItems: 1 });
  t.same(first.json().days, [day(3), day(2), day(1), day(0)]);
  const status = (await province.app.inject({ url: '/api/upstream', headers: province.auth })).json();
  t.match(status, { state: 'paired', platformId, regionId, regionName: '某省', pendingDays: 0, lastAcknowledgedDay: day(0) });
  t.notOk(JSON.stringify(province.app.db.prepare('SELECT * FROM upstream_link').get()).includes(code.replace('-', '')));
  const used = await centre.app.inject({ method: 'POST', url: '/api/platforms/pair', payload: { code } });
  t.equal(used.statusCode, 400);
  t.match(used.json().error.message, /already used/);
  const held = centre.app.db.prepare('SELECT token_hash, pairing_code_hash FROM platforms WHERE id = ?').get(platformId) as {
    token_hash: string;
    pairing_code_hash: string | null;
  };
  t.ok(held.token_hash.length === 64 && held.pairing_code_hash === null, 'the centre keeps only the hash of the token');

  const listed = (await centre.app.inject({ url: '/api/platforms', headers: centre.auth })).json();
  t.match(listed, [{ id: platformId, regionId, status: 'paired', daysReceived: 4, firstDay: day(3), lastDay: day(0) }]);
  t.ok(listed[0].lastSeenAt && listed[0].lastSendAt, 'link health: last seen and last send');
  // 红旗县 (region 2 at the province) holds site 1; 某省 (1) both sites. Counties are the deepest level sent.
  t.match(heldActivity(centre, platformId, day(3), 1), {
    parentId: null,
    level: 'province',
    sessions: 3,
    sitesWatching: 2,
    distinctMembers: 1,
  });
  t.match(heldActivity(centre, platformId, day(3), 2), { parentId: 1, name: '红旗县', sessions: 2, sitesWatching: 1 });
  const levels = centre.app.db
    .prepare("SELECT DISTINCT json_extract(body, '$.level') AS level FROM platform_figures WHERE kind = 'activity'")
    .all()
    .map((r) => (r as { level: string }).level)
    .sort();
  t.same(levels, ['county', 'province'], 'no township, village or site figures leave the province');
  const everything =
    JSON.stringify(centre.app.db.prepare('SELECT body FROM platform_figures').all()) +
    JSON.stringify(centre.app.db.prepare('SELECT * FROM platform_demand').all());
  t.notOk(everything.includes('4301001'), 'no member number leaves the province');
  const demand = (await centre.app.inject({ url: '/api/platforms/demand', headers: centre.auth })).json();
  t.match(demand, [{ key: 'topic:果树冬季修剪', count: 1, sites: 1, regions: [{ name: '某省 / 红旗县', count: 1 }] }]);

  // Nothing changed: a resend carries nothing and the centre holds the same rows.
  const rows = heldRows(centre, platformId);
  const idle = (await province.app.inject({ method: 'POST', url: '/api/upstream/send', headers: province.auth })).json();
  t.match(idle, { ok: true, days: [] });
  t.equal(heldRows(centre, platformId), rows);

  // A late upload for day -3 (a site back after an outage): that day alone goes again and is corrected, not added.
  t.equal((await post(3, session({ id: randomUUID(), start: provinceTime(now, 3, 22), headcount: 5 }))).statusCode, 200);
  const late = (await province.app.inject({ method: 'POST', url: '/api/upstream/send', headers: province.auth })).json();
  t.same(late.days, [day(3)]);
  t.match(heldActivity(centre, platformId, day(3), 1), { sessions: 4, sitesWatching: 2 });
  t.match(heldActivity(centre, platformId, day(3), 3), { name: '前进县', sessions: 2 });

  // The answer is lost after the centre stored the send (a restart mid-send): the province did not record the day
  // as acknowledged, restarts, sends it again, and the centre still counts it once.
  t.equal((await post(1, session({ id: randomUUID(), start: provinceTime(now, 1, 20), headcount: 2 }))).statusCode, 200);
  hop.mode = 'drop-answer';
  const cut = (await province.app.inject({ method: 'POST', url: '/api/upstream/send', headers: province.auth })).json();
  t.match(cut, { ok: false, days: [], error: /could not be reached/ });
  t.match(heldActivity(centre, platformId, day(1), 1), { sessions: 1 }, 'the centre did store it');
  await province.close();
  hop.mode = 'pass';
  province = await startProvince();
  mapCentral(province.app);
  t.match(
    (await province.app.inject({ url: '/api/upstream', headers: province.auth })).json(),
    { state: 'paired', lastSend: { ok: false } },
    'the token was kept: no second pairing with the used code',
  );
  const resent = (await province.app.inject({ method: 'POST', url: '/api/upstream/send', headers: province.auth })).json();
  t.same(resent.days, [day(1)]);
  t.match(heldActivity(centre, platformId, day(1), 1), { sessions: 1 }, 'counted once after the resend');

  // The centre unreachable for a day: nothing is lost, the next send carries every day not acknowledged.
  hop.mode = 'down';
  const recent = now - 600_000;
  const recentDay = provinceDay(recent, TZ);
  const before = heldActivity(centre, platformId, recentDay, 1)?.sessions ?? 0;
  const stored = await post(1, session({ id: randomUUID(), start: recent, end: recent + 300_000, watchedSeconds: 200, headcount: 1 }));
  t.equal(stored.json().accepted.length, 1, 'the session is held at the province');
  const down = (await province.app.inject({ method: 'POST', url: '/api/upstream/send', headers: province.auth })).json();
  t.match(down, { ok: false, error: /could not be reached/ });
  t.match((await province.app.inject({ url: '/api/upstream', headers: province.auth })).json(), { lastError: /could not be reached/ });
  hop.mode = 'pass';
  const back = (await province.app.inject({ method: 'POST', url: '/api/upstream/send', headers: province.auth })).json();
  t.match(back, { ok: true });
  t.ok(back.days.includes(recentDay), 'the day sent while the centre was down arrives');
  t.match(heldActivity(centre, platformId, recentDay, 1), { sessions: before + 1 });

  // Central reports: at the national root the provinces are the first level with what they sent, down to counties.
  const other = await registerProvince(centre, '另一省', nation.json().id);
  const range = `from=${day(3)}&to=${day(0)}`;
  const nationalOrganizer = await userAuth(centre.app, 'nation-organizer', 'organizer', nation.json().id);
  const national = await centre.app.inject({
    url: `/api/reports/activity?regionId=${nation.json().id}&${range}`,
    headers: nationalOrganizer,
  });
  t.equal(national.statusCode, 200, national.body);
  const [root] = national.json().regions;
  t.match(root, { name: '全国', level: 'nation', sessions: 6, sites: 3 });
  t.same(root.children.map((c: { name: string }) => c.name).sort(), ['另一省', '某省'].sort());
  const sent = root.children.find((c: { name: string }) => c.name === '某省');
  t.match(sent, { id: regionId, level: 'province', sessions: 6, sites: 3, distinctMembers: 1 });
  t.match(sent.children.map((c: { name: string; level: string; sessions: number }) => [c.name, c.level, c.sessions]).sort(), [
    ['前进县', 'county', 2],
    ['红旗县', 'county', 4],
  ]);
  t.ok(
    sent.children.every((c: { children: unknown[] }) => c.children.length === 0),
    'nothing below the counties was sent',
  );
  const drill = await centre.app.inject({ url: `/api/reports/activity?regionId=${regionId}&${range}`, headers: nationalOrganizer });
  t.match(drill.json().regions, [{ id: regionId, sessions: 6, children: [{}, {}] }], 'drilling into a province');
  const csv = await centre.app.inject({
    url: `/api/reports/activity?regionId=${nation.json().id}&${range}&format=csv`,
    headers: nationalOrganizer,
  });
  t.match(csv.body, /红旗县/, 'the CSV carries the sent counties too');
  const otherOrganizer = await userAuth(centre.app, 'other-organizer', 'organizer', other.regionId);
  t.equal(
    (await centre.app.inject({ url: `/api/reports/activity?regionId=${regionId}&${range}`, headers: otherOrganizer })).statusCode,
    403,
    "another province's organizer does not see this province",
  );
  t.match((await centre.app.inject({ url: `/api/reports/activity?${range}`, headers: otherOrganizer })).json().regions, [
    { name: '另一省', sessions: 0, children: [] },
  ]);

  // Reach of the central program at the national root: the province's sessions of its mirror, as one row.
  const reach = await centre.app.inject({
    url: `/api/reports/reach?programId=${centralProgram}&regionId=${nation.json().id}&${range}`,
    headers: nationalOrganizer,
  });
  t.equal(reach.statusCode, 200, reach.body);
  t.match(reach.json(), { totals: { sessions: 5 }, sites: [{ siteId: -platformId, region: '某省', sessions: 5 }] });
  // Members and sites at the national root: each province with the counts it sent (no member leaves a province).
  const atRoot = async (report: string, headers = nationalOrganizer, format = 'json') =>
    centre.app.inject({ url: `/api/reports/${report}?regionId=${nation.json().id}&${range}&format=${format}`, headers });
  const members = await atRoot('members');
  t.equal(members.statusCode, 200, members.body);
  t.same(members.json().rows, [], 'no member of a province is listed at the centre');
  t.match(members.json().provinces, [
    { name: '另一省', days: 0, distinctMembers: 0, sessions: 0 },
    { name: '某省', regionId, distinctMembers: 1, sessions: 6 },
  ]);
  const sitesAtRoot = await atRoot('sites');
  t.equal(sitesAtRoot.statusCode, 200, sitesAtRoot.body);
  t.match(sitesAtRoot.json().provinces, [
    { name: '另一省', lastDay: null, registered: 0 },
    { name: '某省', regionId, lastDay: day(0), registered: 3 },
  ]);
  t.match(sitesAtRoot.json().provinces[1], { paired: 3, connected: 0, ready: 0, connectedShare: 0 });
  t.match(
    (await atRoot('sites', nationalOrganizer, 'html')).body,
    /某省 \(sent up \/ 上报, [-0-9]+\): 3 sites · 3 paired/,
    'the printable page says it too',
  );
  t.same(
    (await centre.app.inject({ url: `/api/reports/sites?${range}`, headers: otherOrganizer }))
      .json()
      .provinces.map((p: { name: string }) => p.name),
    ['另一省'],
    "an organizer of one province sees that province's counts only",
  );

  // Who may call what: the platform token is not a user token, and organizers do not manage platforms.
  const platformToken = province.app.db.prepare('SELECT token FROM upstream_link').get() as { token: string };
  const asPlatform = { authorization: `Bearer ${platformToken.token}` };
  t.equal((await centre.app.inject({ url: '/api/platforms', headers: asPlatform })).statusCode, 401);
  t.equal((await centre.app.inject({ url: '/api/platforms', headers: nationalOrganizer })).statusCode, 403);
  t.equal(
    (
      await centre.app.inject({
        method: 'POST',
        url: '/api/platforms/me/figures',
        headers: { authorization: `Bearer ${tokens[1]}` },
        payload: { sentAt: new Date().toISOString(), days: [] },
      })
    ).statusCode,
    401,
    'a site token is not a platform token',
  );
  const badDay = await centre.app.inject({
    method: 'POST',
    url: '/api/platforms/me/figures',
    headers: asPlatform,
    payload: {
      sentAt: new Date().toISOString(),
      days: [{ day: '2026-02-30', activity: [], reach: [], sites: { registered: 0, paired: 0, connected: 0, ready: 0 } }],
    },
  });
  t.equal(badDay.statusCode, 400);
  t.match(badDay.json().error.message, /not a calendar day/);

  // Revoked: the token stops working at once, with a message; the province shows it.
  const revoked = await centre.app.inject({ method: 'POST', url: `/api/platforms/${platformId}/revoke`, headers: centre.auth });
  t.match(revoked.json(), { status: 'revoked' });
  const refused = await centre.app.inject({
    method: 'POST',
    url: '/api/platforms/me/demand',
    headers: asPlatform,
    payload: { sentAt: new Date().toISOString(), items: [] },
  });
  t.equal(refused.statusCode, 401);
  t.match(refused.json().error.message, /revoked/);
  t.equal((await post(3, session({ id: randomUUID(), start: recent, end: recent + 300_000, watchedSeconds: 100 }))).statusCode, 200);
  const afterRevoke = (await province.app.inject({ method: 'POST', url: '/api/upstream/send', headers: province.auth })).json();
  t.match(afterRevoke, { ok: false, error: /401.*revoked/ });
  t.match((await province.app.inject({ url: '/api/upstream', headers: province.auth })).json(), { state: 'revoked' });
  const noLink = await province.app.inject({ method: 'POST', url: '/api/upstream/send', headers: province.auth });
  t.equal(noLink.statusCode, 409);
  t.match(noLink.json().error, { code: 'not_paired', message: /UPSTREAM_PAIR_CODE/ });
});
