import t from 'tap';
import { makeServer, userAuth } from '../../../testkit/helpers.ts';

t.test("members' requests: idempotent retries and demand roll-up", async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const imp = await app.inject({
    method: 'POST',
    url: '/api/regions/import',
    headers: { ...s.auth, 'content-type': 'text/csv' },
    payload: 'name,parent,level\n某县,,county\n东村,某县,village\n西村,某县,village\n',
  });
  t.equal(imp.statusCode, 200, 'regions imported');
  const r = new Map<string, number>(imp.json().regions.map((x: { name: string; id: number }) => [x.name, x.id]));
  const site = async (name: string, village: string) => {
    const created = (
      await app.inject({ method: 'POST', url: '/api/sites', headers: s.auth, payload: { name, regionId: r.get(village) } })
    ).json();
    const paired = (await app.inject({ method: 'POST', url: '/api/sites/pair', payload: { code: created.pairingCode } })).json();
    return { id: created.id as number, auth: { authorization: `Bearer ${paired.token}` } };
  };
  const east = await site('东村站', '东村');
  const west = await site('西村站', '西村');
  const now = new Date().toISOString();
  const program = (title: string) =>
    Number(
      app.db.prepare("INSERT INTO programs (title, status, created_at, updated_at) VALUES (?, 'ready', ?, ?)").run(title, now, now)
        .lastInsertRowid,
    );
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
  t.equal(
    (await ask(west.auth, { programId: tea, topic: 'tea pests' }, { 'idempotency-key': 'w-9' })).statusCode,
    200,
    'Idempotency-Key header works too',
  );
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
  t.equal(
    (app.db.prepare('SELECT count(*) AS n FROM broadcast_requests').get() as { n: number }).n,
    7,
    'exactly the distinct requests stored',
  );

  const res = await app.inject({ method: 'GET', url: '/api/requests', headers: s.auth });
  t.equal(res.statusCode, 200);
  const d = res.json();
  t.equal(d.total, 7);
  t.match(d.programs[0], { programId: pigs, title: '生猪养殖', count: 4, sites: 2, members: 2 });
  t.same(
    d.programs[0].bySite.map((x: { siteId: number; count: number }) => [x.siteId, x.count]),
    [
      [east.id, 3],
      [west.id, 1],
    ],
  );
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
  t.match(
    afterDelete.programs.find((p: { title: string }) => p.title === '茶叶种植'),
    { programId: null, count: 1 },
  );

  const org = await userAuth(app, 'org-r', 'organizer', r.get('某县')!);
  t.equal((await app.inject({ method: 'GET', url: '/api/requests', headers: org })).statusCode, 403, 'operators only');
  t.equal((await app.inject({ method: 'GET', url: '/api/requests' })).statusCode, 401);
});

t.test('requests marked handled leave the ranked list; new requests bring them back', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const imp = await app.inject({
    method: 'POST',
    url: '/api/regions/import',
    headers: { ...s.auth, 'content-type': 'text/csv' },
    payload: 'name,parent,level\n某县,,county\n东村,某县,village\n',
  });
  const village = imp.json().regions.find((x: { name: string }) => x.name === '东村').id;
  const created = (
    await app.inject({ method: 'POST', url: '/api/sites', headers: s.auth, payload: { name: '东村站', regionId: village } })
  ).json();
  const token = (await app.inject({ method: 'POST', url: '/api/sites/pair', payload: { code: created.pairingCode } })).json().token;
  const site = { authorization: `Bearer ${token}` };
  const now = new Date().toISOString();
  const program = (title: string) =>
    Number(
      app.db
        .prepare("INSERT INTO programs (title, status, published, created_at, updated_at) VALUES (?, 'ready', 1, ?, ?)")
        .run(title, now, now).lastInsertRowid,
    );
  const pigs = program('生猪养殖');
  const tea = program('茶叶种植');
  const ask = async (payload: object) =>
    t.equal((await app.inject({ method: 'POST', url: '/api/sites/me/requests', headers: site, payload })).statusCode, 201);
  await ask({ programId: pigs, topic: 'Pig feed' });
  await ask({ programId: pigs });
  await ask({ programId: tea });
  await ask({ topic: 'pig  FEED' });
  const list = async (query = '') => {
    const res = await app.inject({ method: 'GET', url: `/api/requests${query}`, headers: s.auth });
    t.equal(res.statusCode, 200);
    return res.json() as {
      total: number;
      programs: Array<{ programId: number | null; title: string; count: number }>;
      topics: Array<{ topic: string; count: number }>;
    };
  };
  const handle = (payload: object, auth: Record<string, string> = s.auth) =>
    app.inject({ method: 'POST', url: '/api/requests/handled', headers: auth, payload });

  const org = await userAuth(app, 'org-h', 'organizer', village);
  t.equal((await handle({ programId: pigs }, org)).statusCode, 403, 'organizers may not mark requests handled');
  t.equal((await handle({ programId: pigs }, {})).statusCode, 401);
  t.equal((await list()).programs[0].count, 2, 'nothing changed by the refused calls');

  const done = await handle({ programId: pigs });
  t.equal(done.statusCode, 200, done.body);
  t.equal(done.json().handled, 2, 'both open requests for the program');
  let d = await list();
  t.same(
    d.programs.map((p) => p.programId),
    [tea],
    'the handled program left the list',
  );
  t.match(d.topics, [{ topic: 'Pig feed', count: 2 }], 'a request naming both still counts for its topic');
  t.equal(d.total, 3, 'the request fully handled on every side is no longer counted');

  const again = await handle({ programId: pigs });
  t.equal(again.statusCode, 404, 'nothing open: said so');
  t.match(again.json().error, { code: 'no_open_requests', message: /program \d+/ });

  await ask({ programId: pigs, memberNo: 'M9' });
  d = await list();
  t.match(
    d.programs.find((p) => p.programId === pigs),
    { count: 1 },
    'a new request brings it back, counting only the new one',
  );

  const topic = await handle({ topic: '  PIG feed ' });
  t.equal(topic.statusCode, 200);
  t.equal(topic.json().handled, 2, 'topics match regardless of spacing and case');
  t.same((await list()).topics, []);

  for (const bad of [{}, { programId: pigs, topic: 'x' }, { programId: 'x' }, { topic: '' }, { programId: pigs, extra: 1 }]) {
    const res = await handle(bad);
    t.equal(res.statusCode, 400, JSON.stringify(bad));
    t.ok(res.json().error.message.length > 10, 'with a message that says what to send');
  }

  // A deleted program's requests are marked by the title they remember.
  app.db.prepare('DELETE FROM programs WHERE id = ?').run(tea);
  t.match(
    (await list()).programs.find((p) => p.title === '茶叶种植'),
    { programId: null, count: 1 },
  );
  t.equal((await handle({ programTitle: '茶叶种植' })).json().handled, 1);
  t.same(
    (await list()).programs.map((p) => p.programId),
    [pigs],
  );

  await ask({ topic: 'a' });
  await ask({ topic: 'b' });
  const limited = await list('?limit=1');
  t.equal(limited.topics.length, 1, 'limit bounds the lists');
  t.equal(limited.programs.length, 1);
});
