// The dashboard summary over HTTP: sites online / dark / never seen by the regions below the caller's root, today's
// viewing, organizer scoping, revoked sites left out; the dark count at a later instant through the summary function.
import t from 'tap';
import { makeServer, userAuth } from '../../../testkit/helpers.ts';
import { postBatch, seedTree, session, TZ } from '../attendance/fixtures.ts';
import { dashboardSummary } from '../../../server/console/summary.ts';
import type { DashboardSummary } from '../../../common/api/console.ts';

t.test('dashboard summary: counts by region, scoping, revoked sites, today', async (t) => {
  const s = await makeServer({ provinceTz: TZ });
  t.teardown(() => s.close());
  const { app } = s;
  const { tokens } = seedTree(app.db); // 红旗县 (2): sites 1, 2; 前进县 (3): site 3
  const beat = (site: number) =>
    app.inject({ method: 'POST', url: '/api/sites/me/heartbeat', headers: { authorization: `Bearer ${tokens[site]}` }, payload: {} });
  t.equal((await beat(1)).statusCode, 200);
  t.equal((await beat(3)).statusCode, 200);
  const now = Date.now();
  const start = now - 5 * 60_000;
  const batch = await postBatch(app, tokens[1], {
    sentAt: now,
    sessions: [session({ id: 's-today-1', start, end: now - 60_000, watchedSeconds: 240, headcount: 3 })],
  });
  t.equal(batch.statusCode, 200, batch.body);

  const summary = async (auth: { authorization: string }): Promise<DashboardSummary> => {
    const res = await app.inject({ method: 'GET', url: '/api/console/summary', headers: auth });
    t.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const all = await summary(s.auth);
  t.match(all.sites, { regionId: 1, name: '某省', total: 3, online: 2, offline24h: 0, neverSeen: 1 });
  t.same(
    all.sites.byRegion,
    [
      { regionId: 2, name: '红旗县', total: 2, online: 1, offline24h: 0 },
      { regionId: 3, name: '前进县', total: 1, online: 1, offline24h: 0 },
    ],
    'grouped by the counties below the province, largest first',
  );
  // Sessions that started in the last five minutes may straddle midnight in the province zone: count only when not.
  const sameDay = new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(start) === all.day;
  t.same(all.today, sameDay ? { sessions: 1, personHours: 0.2, watchedHours: 0.1, sitesWatching: 1 } : all.today);

  const red = await summary(await userAuth(app, 'red', 'organizer', 2));
  t.match(red.sites, { regionId: 2, total: 2, online: 1, neverSeen: 1 }, 'an organizer counts their county only');
  t.same(
    red.sites.byRegion.map((r) => r.name),
    ['城关镇'],
    'by the townships below it',
  );
  const forward = await summary(await userAuth(app, 'forward', 'organizer', 3));
  t.match(forward.sites, { total: 1, online: 1, neverSeen: 0 });
  t.equal(forward.today.sessions, 0, "the other county's viewing is not counted");
  const lost = await app.inject({ method: 'GET', url: '/api/console/summary', headers: await userAuth(app, 'lost', 'organizer', null) });
  t.equal(lost.statusCode, 403, 'an organizer without a region sees nothing');
  t.equal((await app.inject({ method: 'GET', url: '/api/console/summary' })).statusCode, 401);

  t.equal((await app.inject({ method: 'POST', url: '/api/sites/3/revoke', headers: s.auth })).statusCode, 200);
  const afterRevoke = await summary(s.auth);
  t.match(afterRevoke.sites, { total: 2, online: 1, neverSeen: 1 }, 'a revoked site is no longer counted');

  const later = dashboardSummary(
    app.db,
    { provinceTz: TZ },
    { id: 1, username: 'admin', role: 'operator', regionId: null },
    new Date(now + 2 * 86_400_000),
  );
  t.match(later.sites, { total: 2, online: 0, offline24h: 1, neverSeen: 1 }, 'two days on, the site last seen today is dark');
  t.match(later.sites.byRegion[0], { regionId: 2, offline24h: 1 });
  const soon = dashboardSummary(
    app.db,
    { provinceTz: TZ },
    { id: 1, username: 'admin', role: 'operator', regionId: null },
    new Date(now + 3600_000),
  );
  t.match(soon.sites, { online: 0, offline24h: 0 }, 'an hour of silence is offline, not yet dark');
});
