// The sites page's list over HTTP: one page of a region's sites with health, filters (dark, not ready), sorting,
// search, paging totals, organizer scoping; dark at a later instant through the function the route calls.
import t from 'tap';
import { makeServer, userAuth } from '../../../testkit/helpers.ts';
import { seedTree, TZ } from '../attendance/fixtures.ts';
import { sitesWithHealth } from '../../../server/console/site-health.ts';
import type { ConsoleSitesPage } from '../../../common/api/console.ts';

t.test('console sites: paged on the server with health filters and sorting', async (t) => {
  const s = await makeServer({ provinceTz: TZ });
  t.teardown(() => s.close());
  const { app } = s;
  const { tokens } = seedTree(app.db); // 红旗县 (2) > 城关镇 (4) > 东村 (5): sites 1, 2; 前进县 (3) > 西村 (6): site 3
  const beat = (site: number, payload: object) =>
    app.inject({ method: 'POST', url: '/api/sites/me/heartbeat', headers: { authorization: `Bearer ${tokens[site]}` }, payload });
  t.equal((await beat(1, { cacheReadiness: 1, freeDiskBytes: 5e9, agentVersion: '1.2.3' })).statusCode, 200);
  t.equal((await beat(3, { cacheReadiness: 0.5, freeDiskBytes: 9e9 })).statusCode, 200);
  const unpaired = await app.inject({ method: 'POST', url: '/api/sites', headers: s.auth, payload: { name: '西村新站', regionId: 6 } });
  t.equal(unpaired.statusCode, 201);

  const get = async (query: string, auth: Record<string, string> = s.auth): Promise<ConsoleSitesPage> => {
    const res = await app.inject({ method: 'GET', url: `/api/console/sites?${query}`, headers: auth });
    t.equal(res.statusCode, 200, `${query}: ${res.body}`);
    return res.json();
  };
  const all = await get('');
  t.equal(all.total, 4);
  t.same(all.counts, { all: 4, online: 2, dark: 1, notReady: 2 }, 'site 2 (paired, never seen) is dark; sites 2 and 3 are not ready');
  t.same(
    all.items.map((i) => i.id),
    [1, 2, unpaired.json().id, 3],
    'by region, then name (西村新站 before 西村站)',
  );
  t.match(all.items[0], {
    name: '东村, 第一站',
    regionPath: ['某省', '红旗县', '城关镇', '东村'],
    health: { online: true, dark: false, cacheReadiness: 1, freeDiskBytes: 5e9, agentVersion: '1.2.3' },
  });
  t.match(all.items[1].health, { online: false, dark: true, lastSeen: null });
  t.match(all.items[2], { status: 'unpaired', health: { online: false, dark: false } }, 'an unpaired site is not counted dark');

  t.same(
    (await get('health=dark')).items.map((i) => i.id),
    [2],
  );
  const notReady = await get('health=notReady');
  t.same([notReady.total, notReady.items.map((i) => i.id)], [2, [2, 3]]);
  t.same((await get('sort=freeDisk&order=desc')).items.map((i) => i.id).slice(0, 2), [3, 1], 'sorted, empty values last');
  t.same((await get('sort=freeDisk')).items.map((i) => i.id).slice(0, 2), [1, 3]);
  const paged = await get('limit=2&offset=2');
  t.same([paged.total, paged.items.map((i) => i.id)], [4, [unpaired.json().id, 3]], 'the second page, total unchanged');
  t.same(
    (await get('q=二站')).items.map((i) => i.id),
    [2],
    'search by part of the name',
  );
  t.same(
    (await get('regionId=3')).items.map((i) => i.id),
    [unpaired.json().id, 3],
    "a region's subtree",
  );

  const red = await userAuth(app, 'red', 'organizer', 2);
  t.same(
    (await get('', red)).items.map((i) => i.id),
    [1, 2],
    'an organizer sees their county only',
  );
  const other = await app.inject({ method: 'GET', url: '/api/console/sites?regionId=3', headers: red });
  t.equal(other.statusCode, 403, 'and is refused another');
  t.match(other.json().error.message, /outside your region/);
  for (const bad of ['health=gone', 'sort=size', 'limit=0', 'limit=201', 'offset=-1', 'regionId=x', 'extra=1']) {
    const res = await app.inject({ method: 'GET', url: `/api/console/sites?${bad}`, headers: s.auth });
    t.equal(res.statusCode, 400, bad);
    t.ok(res.json().error.message, 'with a message');
  }
  t.equal((await app.inject({ method: 'GET', url: '/api/console/sites?regionId=999', headers: s.auth })).statusCode, 404);

  t.equal((await app.inject({ method: 'POST', url: '/api/sites/3/revoke', headers: s.auth })).statusCode, 200);
  const later = sitesWithHealth(
    app.db,
    { id: 1, username: 'admin', role: 'operator', regionId: null },
    { health: 'dark' },
    new Date(Date.now() + 2 * 86_400_000),
  );
  t.same(
    later.items.map((i) => i.id),
    [1, 2],
    'two days on, site 1 is dark too; the revoked site is not',
  );
});
