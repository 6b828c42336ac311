// Two real servers on sockets: a centre and a province that follows it. Pairing once, sending figures, resending
// without double counting, a late day corrected, the answer lost (a restart mid-send), the centre down for a day,
// demand without member numbers, revocation, and who may call what.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { makeServer, tempDir, userAuth, type TestServer } from '../../../testkit/helpers.ts';
import { seedTree, session, postBatch, provinceTime, provinceDate, TZ } from '../attendance/fixtures.ts';
import { line, listening, registerProvince } from './fixtures.ts';
import { provinceDay } from '../../../server/attendance/days.ts';
import type { RegionDayFigures } from '../../../common/api/platforms.ts';

const heldActivity = (centre: TestServer, platformId: number, day: string, regionId: number) => {
  const row = centre.app.db.prepare('SELECT body FROM platform_figures WHERE platform_id = ? AND day = ? AND kind = ? AND key = ?')
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
  const county = await centre.app.inject({ method: 'POST', url: '/api/regions', headers: centre.auth, payload: { name: '中央直属县', level: 'county' } });
  const notProvince = await centre.app.inject({ method: 'POST', url: '/api/platforms', headers: centre.auth, payload: { regionId: county.json().id } });
  t.equal(notProvince.statusCode, 422);
  t.match(notProvince.json().error, { code: 'not_a_province', message: /only a region of level province/ });
  const { regionId, platformId, code } = await registerProvince(centre, '某省');
  const again = await centre.app.inject({ method: 'POST', url: '/api/platforms', headers: centre.auth, payload: { regionId } });
  t.equal(again.statusCode, 409, 'one platform per province while it is linked');

  const dataDir = tempDir(); // the province keeps it across its restart
  const startProvince = () => listening({ dataDir, upstreamUrl: hop.url, upstreamPairCode: code });
  let province = await startProvince();
  t.teardown(() => province.close());
  const { tokens } = seedTree(province.app.db);
  const now = Date.now();
  const day = (ago: number) => provinceDate(now, ago);
  const sentAt = now;
  const post = (site: number, ...sessions: ReturnType<typeof session>[]) => postBatch(province.app, tokens[site], { sentAt, sessions });
  t.equal((await post(1,
    session({ id: randomUUID(), start: provinceTime(now, 3, 20), headcount: 3, members: [{ memberNo: '4301001', watchedSeconds: 1800 }] }),
    session({ id: randomUUID(), start: provinceTime(now, 3, 21), programId: 3, headcount: 2 }),
  )).statusCode, 200);
  t.equal((await post(3, session({ id: randomUUID(), start: provinceTime(now, 3, 20), headcount: 1 }))).statusCode, 200);
  const asked = await province.app.inject({
    method: 'POST', url: '/api/sites/me/requests', headers: { authorization: `Bearer ${tokens[1]}` },
    payload: { topic: '果树冬季修剪', memberNo: '4301001' },
  });
  t.equal(asked.statusCode, 201);

  // First send: pairs (once, the code from the environment), then every day from the first recorded one to today.
  const first = await province.app.inject({ method: 'POST', url: '/api/upstream/send', headers: province.auth });
  t.equal(first.statusCode, 200, first.body);
  t.match(first.json(), { ok: true, error: null, demandItems: 1 });
  t.same(first.json().days, [day(3), day(2), day(1), day(0)]);
  const status = (await province.app.inject({ url: '/api/upstream', headers: province.auth })).json();
  t.match(status, { state: 'paired', platformId, regionId, regionName: '某省', pendingDays: 0, lastAcknowledgedDay: day(0) });
  t.notOk(JSON.stringify(province.app.db.prepare('SELECT * FROM upstream_link').get()).includes(code.replace('-', '')));

  const listed = (await centre.app.inject({ url: '/api/platforms', headers: centre.auth })).json();
  t.match(listed, [{ id: platformId, regionId, status: 'paired', daysReceived: 4, firstDay: day(3), lastDay: day(0) }]);
  t.ok(listed[0].lastSeenAt && listed[0].lastSendAt, 'link health: last seen and last send');
  // 红旗县 (region 2 at the province) holds site 1; 某省 (1) both sites. Counties are the deepest level sent.
  t.match(heldActivity(centre, platformId, day(3), 1), { parentId: null, level: 'province', sessions: 3, sitesWatching: 2, distinctMembers: 1 });
  t.match(heldActivity(centre, platformId, day(3), 2), { parentId: 1, name: '红旗县', sessions: 2, sitesWatching: 1 });
  const levels = centre.app.db.prepare("SELECT DISTINCT json_extract(body, '$.level') AS level FROM platform_figures WHERE kind = 'activity'")
    .all().map((r) => (r as { level: string }).level).sort();
  t.same(levels, ['county', 'province'], 'no township, village or site figures leave the province');
  const everything = JSON.stringify(centre.app.db.prepare('SELECT body FROM platform_figures').all())
    + JSON.stringify(centre.app.db.prepare('SELECT * FROM platform_demand').all());
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
  t.match((await province.app.inject({ url: '/api/upstream', headers: province.auth })).json(),
    { state: 'paired', lastSend: { ok: false } }, 'the token was kept: no second pairing with the used code');
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

  // Who may call what: the platform token is not a user token, and organizers do not manage platforms.
  const platformToken = province.app.db.prepare('SELECT token FROM upstream_link').get() as { token: string };
  const asPlatform = { authorization: `Bearer ${platformToken.token}` };
  t.equal((await centre.app.inject({ url: '/api/platforms', headers: asPlatform })).statusCode, 401);
  const organizer = await userAuth(centre.app, 'nation-organizer', 'organizer');
  t.equal((await centre.app.inject({ url: '/api/platforms', headers: organizer })).statusCode, 403);
  t.equal((await centre.app.inject({ method: 'POST', url: '/api/platforms/me/figures', headers: { authorization: `Bearer ${tokens[1]}` },
    payload: { sentAt: new Date().toISOString(), days: [] } })).statusCode, 401, 'a site token is not a platform token');
  const badDay = await centre.app.inject({ method: 'POST', url: '/api/platforms/me/figures', headers: asPlatform, payload: {
    sentAt: new Date().toISOString(),
    days: [{ day: '2026-02-30', activity: [], reach: [], sites: { registered: 0, paired: 0, connected: 0, ready: 0 } }] } });
  t.equal(badDay.statusCode, 400);
  t.match(badDay.json().error.message, /not a calendar day/);

  // Revoked: the token stops working at once, with a message; the province shows it.
  const revoked = await centre.app.inject({ method: 'POST', url: `/api/platforms/${platformId}/revoke`, headers: centre.auth });
  t.match(revoked.json(), { status: 'revoked' });
  const refused = await centre.app.inject({ method: 'POST', url: '/api/platforms/me/demand', headers: asPlatform,
    payload: { sentAt: new Date().toISOString(), items: [] } });
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

t.test('a server without UPSTREAM_URL stands alone; a used or wrong code is refused', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  t.match((await s.app.inject({ url: '/api/upstream', headers: s.auth })).json(), { state: 'standalone', upstreamUrl: null });
  const send = await s.app.inject({ method: 'POST', url: '/api/upstream/send', headers: s.auth });
  t.equal(send.statusCode, 409);
  t.match(send.json().error, { code: 'no_upstream' });
  const { code } = await registerProvince(s, '另一省');
  t.equal((await s.app.inject({ method: 'POST', url: '/api/platforms/pair', payload: { code } })).statusCode, 200);
  const used = await s.app.inject({ method: 'POST', url: '/api/platforms/pair', payload: { code } });
  t.equal(used.statusCode, 400);
  t.match(used.json().error.message, /already used/);
  const platforms = s.app.db.prepare('SELECT token_hash, pairing_code_hash FROM platforms').all() as Array<Record<string, string>>;
  t.ok(platforms.every((p) => p.token_hash && p.token_hash.length === 64 && p.pairing_code_hash === null), 'only the token hash is kept');
});
