import t from 'tap';
import { makeServer, userAuth } from '../../../testkit/helpers.ts';
import { isInSubtree, regionAncestorIds, regionSubtreeIds } from '../../../server/sites/regions.ts';

t.test('region tree rules', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const post = (payload: object, headers: Record<string, string> = s.auth) =>
    app.inject({ method: 'POST', url: '/api/regions', headers, payload });

  const province = (await post({ name: '某省', level: 'province' })).json();
  t.equal(province.path, `/${province.id}/`);
  const city = await post({ name: '某市', level: 'prefecture', parentId: province.id });
  t.equal(city.statusCode, 201);
  const county = (await post({ name: '甲县', level: 'county', parentId: city.json().id })).json();
  const county2 = (await post({ name: '乙县', level: 'county', parentId: city.json().id })).json();
  t.equal(county.path, `/${province.id}/${city.json().id}/${county.id}/`, 'path is the ancestry');

  const upward = await post({ name: '错', level: 'province', parentId: county.id });
  t.equal(upward.statusCode, 400, 'a child level must be below its parent');
  t.match(upward.json().error.message, /below its parent/);
  const same = await post({ name: '错', level: 'county', parentId: county.id });
  t.equal(same.statusCode, 400, 'same level as parent refused');
  const noParent = await post({ name: '孤', level: 'village', parentId: 9999 });
  t.equal(noParent.statusCode, 400);
  t.match(noParent.json().error.message, /9999/);
  const badLevel = await post({ name: 'x', level: 'hamlet' });
  t.equal(badLevel.statusCode, 400);
  t.match(badLevel.json().error.message, /province, prefecture/);
  const dup = await post({ name: '甲县', level: 'county', parentId: city.json().id });
  t.equal(dup.statusCode, 409, 'sibling names are unique');

  const town = (await post({ name: '某镇', level: 'township', parentId: county.id })).json();
  const village = (await post({ name: '新村', level: 'village', parentId: town.id })).json();
  const skipping = await post({ name: '直属村', level: 'village', parentId: county2.id });
  t.equal(skipping.statusCode, 201, 'levels may be skipped going down');

  t.same(regionSubtreeIds(app.db, county.id).sort(), [county.id, town.id, village.id].sort());
  t.ok(isInSubtree(app.db, village.id, province.id));
  t.notOk(isInSubtree(app.db, village.id, county2.id));
  t.same(regionAncestorIds(app.db, village.id), [province.id, city.json().id, county.id, town.id, village.id]);

  const tree = await app.inject({ method: 'GET', url: '/api/regions', headers: s.auth });
  t.equal(tree.statusCode, 200);
  const root = tree.json()[0];
  t.equal(root.name, '某省');
  t.equal(root.children[0].children.length, 2, 'two counties under the city');
  t.equal(root.children[0].children[0].children[0].children[0].name, '新村', 'nested down to the village');

  // Organizers read their own subtree only; writes need an operator.
  const org = await userAuth(app, 'org-a', 'organizer', county.id);
  const orgTree = (await app.inject({ method: 'GET', url: '/api/regions', headers: org })).json();
  t.equal(orgTree.length, 1);
  t.equal(orgTree[0].id, county.id, "an organizer's tree starts at their region");
  t.equal((await app.inject({ method: 'GET', url: `/api/regions/${county2.id}`, headers: org })).statusCode, 403);
  const one = await app.inject({ method: 'GET', url: `/api/regions/${town.id}`, headers: org });
  t.equal(one.statusCode, 200);
  t.same(
    one.json().ancestors.map((a: { name: string }) => a.name),
    ['某省', '某市', '甲县'],
  );
  t.equal((await post({ name: 'x', level: 'village', parentId: town.id }, org)).statusCode, 403);
  t.equal((await app.inject({ method: 'GET', url: '/api/regions' })).statusCode, 401);
  t.equal((await app.inject({ method: 'PATCH', url: `/api/regions/${town.id}`, payload: { name: 'y' } })).statusCode, 401);
  t.equal((await app.inject({ method: 'DELETE', url: `/api/regions/${town.id}`, headers: org })).statusCode, 403);

  // Rename and move a subtree: descendants' paths follow.
  const moved = await app.inject({
    method: 'PATCH',
    url: `/api/regions/${town.id}`,
    headers: s.auth,
    payload: { parentId: county2.id, name: '新镇' },
  });
  t.equal(moved.statusCode, 200);
  t.equal(moved.json().path, `/${province.id}/${city.json().id}/${county2.id}/${town.id}/`);
  t.ok(isInSubtree(app.db, village.id, county2.id), 'the village moved with its township');
  const cycle = await app.inject({ method: 'PATCH', url: `/api/regions/${county2.id}`, headers: s.auth, payload: { parentId: town.id } });
  t.equal(cycle.statusCode, 400, 'cannot move a region under its own descendant');
  const demote = await app.inject({ method: 'PATCH', url: `/api/regions/${town.id}`, headers: s.auth, payload: { level: 'village' } });
  t.equal(demote.statusCode, 400, 'a level change must stay above the children');

  // Delete refused while children exist.
  const del = await app.inject({ method: 'DELETE', url: `/api/regions/${town.id}`, headers: s.auth });
  t.equal(del.statusCode, 409);
  t.equal(del.json().error.code, 'has_children');
  t.equal((await app.inject({ method: 'DELETE', url: `/api/regions/${village.id}`, headers: s.auth })).statusCode, 204);
  t.equal((await app.inject({ method: 'DELETE', url: `/api/regions/${village.id}`, headers: s.auth })).statusCode, 404);
  t.equal((await app.inject({ method: 'DELETE', url: `/api/regions/${town.id}`, headers: s.auth })).statusCode, 204);
});
