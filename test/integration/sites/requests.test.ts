import t from 'tap';
import { makeServer, userAuth } from '../../../testkit/helpers.ts';

t.test("members' requests: idempotent retries and demand roll-up", async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const imp = await app.inject({
    method: 'POST', url: '/api/regions/import', headers: { ...s.auth, 'content-type': 'text/csv' },
    payload: 'name,parent,level\n某县,,county\n东村,某县,village\n西村,某县,village\n',
  });
  t.equal(imp.statusCode, 200, 'regions imported');
  const r = new Map<string, number>(imp.json().regions.map((x: { name: string; id: number }) => [x.name, x.id]));
  const site = async (name: string, village: string) => {
    const created = (await app.inject({ method: 'POST', url: '/api/sites', headers: s.auth, payload: { name, regionId: r.get(village) } })).json();
    const paired = (await app.inject({ method: 'POST', url: '/api/sites/pair', payload: { code: created.pairingCode } })).json();
    return { id: created.id as number, auth: { authorization: `Bearer ${paired.token}` } };
  };
  const east = await site('东村站', '东村');
  const west = await site('西村站', '西村');
  const now = new Date().toISOString();
  const program = (title: string) =>
    Number(app.db.prepare("INSERT INTO programs (title, status, created_at, updated_at) VALUES (?, 'ready', ?, ?)").run(title, now, now).lastInsertRowid);
  const pigs = program('生猪养殖');
  const tea = program('茶叶种植');

  const ask = (auth: object, payload: object, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/api/sites/me/requests', headers: { ...auth, ...headers }, payload });

  const first = await ask(east.auth, { programId: pigs, memberNo: 'M001', clientId: 'e-1' });
  t.equal(first.statusCode, 201);
  const retry = await ask(east.auth, { programId: pigs, memberNo: 'M001', clientId: 'e-1' });
  t.equal(retry.statusCode, 200, 'a retry is acknowledged');
  t.same(retry.json(), { id: first.json().id, duplicate: true }, 'with the first id, not stored twice');
  t.equal((await ask(east.auth, { programId: pigs, memberNo: 'M002', clientId: 'e-2' })).statusCode, 201);
  t.equal((await ask(east.auth, { programId: pigs })).statusCode, 201, 'clientId is optional');
  t.equal((await ask(west.auth, { programId: pigs, clientId: 'e-1' })).statusCode, 201, 'client ids are per site');
  t.equal((await ask(west.auth, { programId: tea, topic: '  Tea   pests ' }, { 'idempotency-key': 'w-9' })).statusCode, 201);
  t.equal((await ask(west.auth, { programId: tea, topic: 'tea pests' }, { 'idempotency-key': 'w-9' })).statusCode, 200, 'Idempotency-Key header works too');
  t.equal((await ask(east.auth, { topic: 'tea PESTS' })).statusCode, 201);
  t.equal((await ask(east.auth, { topic: '医保政策', memberNo: 'M001' })).statusCode, 201);

  const empty = await ask(east.auth, { memberNo: 'M001' });
  t.equal(empty.statusCode, 400);
  t.match(empty.json().error.message, /programId.*topic/);
  t.equal((await ask(east.auth, { topic: '   ' })).statusCode, 400, 'a blank topic is no topic');
  const missing = await ask(east.auth, { programId: 9999 });
  t.equal(missing.statusCode, 400);
  t.match(missing.json().error.message, /9999/);
  t.equal((await ask({}, { topic: 'x' })).statusCode, 401, 'needs a site token');
  t.equal((await ask({ authorization: 'Bearer nope' }, { topic: 'x' })).statusCode, 401);
  t.equal((await ask(east.auth, { topic: 'x', extra: 1 })).statusCode, 400, 'unknown fields refused');
  t.equal((app.db.prepare('SELECT count(*) AS n FROM broadcast_requests').get() as { n: number }).n, 7, 'exactly the distinct requests stored');

  const res = await app.inject({ method: 'GET', url: '/api/requests', headers: s.auth });
  t.equal(res.statusCode, 200);
  const d = res.json();
  t.equal(d.total, 7);
  t.match(d.programs[0], { programId: pigs, title: '生猪养殖', count: 4, sites: 2, members: 2 });
  t.same(d.programs[0].bySite.map((x: { siteId: number; count: number }) => [x.siteId, x.count]), [[east.id, 3], [west.id, 1]]);
  t.match(d.programs[1], { programId: tea, count: 1, sites: 1 });
  t.match(d.topics[0], { topic: 'Tea pests', count: 2, sites: 2 }, 'topics grouped regardless of spacing and case');
  t.match(d.topics[1], { topic: '医保政策', count: 1, members: 1 });

  const westOnly = (await app.inject({ method: 'GET', url: `/api/requests?regionId=${r.get('西村')}`, headers: s.auth })).json();
  t.equal(westOnly.total, 2, 'filtered by region subtree');
  const future = (await app.inject({ method: 'GET', url: '/api/requests?from=2100-01-01T00:00:00Z', headers: s.auth })).json();
  t.equal(future.total, 0, 'filtered by time');
  t.equal((await app.inject({ method: 'GET', url: '/api/requests?from=yesterday', headers: s.auth })).statusCode, 400);

  // Deleting a program keeps its requests under the remembered title.
  app.db.prepare('DELETE FROM programs WHERE id = ?').run(tea);
  const afterDelete = (await app.inject({ method: 'GET', url: '/api/requests', headers: s.auth })).json();
  t.match(afterDelete.programs.find((p: { title: string }) => p.title === '茶叶种植'), { programId: null, count: 1 });

  const org = await userAuth(app, 'org-r', 'organizer', r.get('某县')!);
  t.equal((await app.inject({ method: 'GET', url: '/api/requests', headers: org })).statusCode, 403, 'operators only');
  t.equal((await app.inject({ method: 'GET', url: '/api/requests' })).statusCode, 401);
});
