// The region tree the console loads a level at a time (a province has ~25,000 villages): one level with each
// region's sub-region and site counts, and a search by name that names each hit's ancestors. An organizer never
// sees, opens or finds a region outside their own.
import t from 'tap';
import { makeServer, userAuth } from '../../../testkit/helpers.ts';

t.test('region children and search, scoped by the organizer region', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const call = async (url: string, headers: Record<string, string> = s.auth) => app.inject({ method: 'GET', url, headers });
  const post = async (url: string, payload: object) => {
    const res = await app.inject({ method: 'POST', url, headers: s.auth, payload });
    if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json() as { id: number; path: string };
  };
  const region = (name: string, level: string, parentId?: number) => post('/api/regions', { name, level, parentId });
  const province = await region('某省', 'province');
  const east = await region('东县', 'county', province.id);
  const west = await region('西县', 'county', province.id);
  const eastTown = await region('东镇', 'township', east.id);
  const eastVillages = [await region('红旗村', 'village', eastTown.id), await region('幸福村', 'village', eastTown.id)];
  const westVillage = await region('红旗村', 'village', west.id); // the same name in another county
  await post('/api/sites', { name: '红旗村活动室', regionId: eastVillages[0].id });
  await post('/api/sites', { name: '红旗村二室', regionId: eastVillages[0].id });
  await post('/api/sites', { name: '西县红旗村活动室', regionId: westVillage.id });
  const other = await region('邻省', 'province');

  // The operator: the roots, then one level at a time with counts.
  const roots = (await call('/api/regions/children')).json();
  t.same(roots.map((r: { name: string }) => r.name).sort(), ['某省', '邻省'].sort());
  t.match(
    roots.find((r: { id: number }) => r.id === province.id),
    { childCount: 2, siteCount: 3 },
  );
  t.match(
    roots.find((r: { id: number }) => r.id === other.id),
    { childCount: 0, siteCount: 0 },
    'a leaf',
  );
  const counties = (await call(`/api/regions/children?parentId=${province.id}`)).json();
  t.same(counties.map((r: { name: string; childCount: number; siteCount: number }) => [r.name, r.childCount, r.siteCount]).sort(), [
    ['东县', 1, 2],
    ['西县', 1, 1],
  ]);
  const villages = (await call(`/api/regions/children?parentId=${eastTown.id}`)).json();
  t.same(villages.map((r: { name: string; siteCount: number }) => [r.name, r.siteCount]).sort(), [
    ['幸福村', 0],
    ['红旗村', 2],
  ]);
  t.equal((await call('/api/regions/children?parentId=99999')).statusCode, 404);
  const bad = await call('/api/regions/children?parentId=abc');
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { error: { code: String, message: /parentId/ } });

  // Search by name: each hit with its ancestors' names, nearest the top first; a level filter; ids name chosen ones.
  const hits = (await call(`/api/regions/search?q=${encodeURIComponent('红旗')}`)).json();
  t.same(
    hits.map((h: { pathNames: string[]; name: string }) => [...h.pathNames, h.name].join('/')),
    ['某省/西县/红旗村', '某省/东县/东镇/红旗村'],
  );
  t.same((await call(`/api/regions/search?q=${encodeURIComponent('县')}&level=county`)).json().length, 2);
  const named = (await call(`/api/regions/search?ids=${east.id},${westVillage.id}`)).json();
  t.same(named.map((h: { id: number }) => h.id).sort(), [east.id, westVillage.id].sort());
  t.same((await call(`/api/regions/search?q=${encodeURIComponent('%')}`)).json(), [], 'a % is a character, not a wildcard');
  t.equal((await call('/api/regions/search?ids=1;DROP')).statusCode, 400, 'ids are digits and commas');

  // An organizer of the east county: their county is the top; nothing outside it opens or is found.
  const organizer = await userAuth(app, 'dongxian', 'organizer', east.id);
  const top = (await call('/api/regions/children', organizer)).json();
  t.same(
    top.map((r: { id: number; siteCount: number }) => [r.id, r.siteCount]),
    [[east.id, 2]],
    'their own county at the top',
  );
  t.equal((await call(`/api/regions/children?parentId=${eastTown.id}`, organizer)).json().length, 2, 'and below it');
  for (const outside of [province.id, west.id, other.id]) {
    const res = await call(`/api/regions/children?parentId=${outside}`, organizer);
    t.equal(res.statusCode, 403, `region ${outside} does not open for them`);
    t.match(res.json().error.message, /outside your region/);
  }
  const theirs = (await call(`/api/regions/search?q=${encodeURIComponent('红旗')}`, organizer)).json();
  t.same(
    theirs.map((h: { id: number }) => h.id),
    [eastVillages[0].id],
    'only the village of their county is found',
  );
  t.same((await call(`/api/regions/search?ids=${west.id},${province.id}`, organizer)).json(), [], 'ids outside are not named');
  t.equal((await call(`/api/regions/search?q=x&under=${west.id}`, organizer)).statusCode, 403);
  const nobody = await userAuth(app, 'noregion', 'organizer', null);
  t.same((await call('/api/regions/search?q=村', nobody)).json(), [], 'an organizer without a region finds nothing');
  t.same((await call('/api/regions/children', nobody)).json(), []);
  t.equal((await app.inject({ method: 'GET', url: '/api/regions/children' })).statusCode, 401, 'signed in only');
});
