// Every catalog route: no token 401, organizer on writes 403, operator allowed.
import t from 'tap';
import fs from 'node:fs';
import { makeServer, userAuth } from '../../../testkit/helpers.ts';
import { insertProgram, createSeries } from '../../../server/catalog/repo.ts';

t.test('catalog routes check who is calling', async (t) => {
  const s = await makeServer();
  t.teardown(async () => {
    await s.close();
    fs.rmSync(s.config.dataDir, { recursive: true, force: true });
  });
  const { db } = s.app;
  const now = new Date().toISOString();
  const programId = db.transaction(() => insertProgram(db, { title: '测试节目' }, { name: 'a.mp4', size: 1, probe: null }, now))();
  const seriesId = createSeries(db, { title: '测试系列' }, now).id;
  const region = await s.app.inject({ method: 'POST', url: '/api/regions', headers: s.auth, payload: { name: '某县', level: 'county' } });
  const organizer = await userAuth(s.app, 'organizer1', 'organizer', region.json().id);

  // [method, url, payload, is a write, status for the operator]
  const routes: [string, string, unknown, boolean, number][] = [
    ['GET', '/api/taxonomy', undefined, false, 200],
    ['GET', '/api/programs', undefined, false, 200],
    ['GET', `/api/programs/${programId}`, undefined, false, 200],
    ['GET', '/api/series', undefined, false, 200],
    ['GET', `/api/series/${seriesId}`, undefined, false, 200],
    // Passing the guard, an upload without a file part is a 400 (uploads are tested in catalog-upload).
    ['POST', '/api/programs', undefined, true, 400],
    ['PATCH', `/api/programs/${programId}`, { published: false }, true, 200],
    ['POST', '/api/series', { title: '新系列' }, true, 201],
    ['PATCH', `/api/series/${seriesId}`, { description: '说明' }, true, 200],
    ['DELETE', `/api/series/${seriesId}`, undefined, true, 204],
    ['DELETE', `/api/programs/${programId}`, undefined, true, 204],
  ];
  for (const [method, url, payload, write, opStatus] of routes) {
    const name = `${method} ${url}`;
    const anon = await s.app.inject({ method: method as 'GET', url, payload: payload as object });
    t.equal(anon.statusCode, 401, `${name} without a token`);
    t.equal(anon.json().error.code, 'unauthorized');
    const org = await s.app.inject({ method: method as 'GET', url, headers: organizer, payload: payload as object });
    if (write) {
      t.equal(org.statusCode, 403, `${name} as organizer`);
      t.equal(org.json().error.code, 'forbidden');
    } else t.equal(org.statusCode, 200, `${name} as organizer`);
    const op = await s.app.inject({ method: method as 'GET', url, headers: s.auth, payload: payload as object });
    t.equal(op.statusCode, opStatus, `${name} as operator: ${op.statusCode === opStatus ? 'ok' : op.body}`);
  }
  const taxonomy = (await s.app.inject({ method: 'GET', url: '/api/taxonomy', headers: organizer })).json();
  t.equal(taxonomy.categories.length, 8);
  t.equal(taxonomy.audiences.length, 5);
  t.match(taxonomy.categories[0], { id: String, zh: String, en: String });

  const docs = (await s.app.inject({ method: 'GET', url: '/docs/json' })).json();
  for (const p of ['/api/programs', '/api/programs/{id}', '/api/series', '/api/series/{id}', '/api/taxonomy'])
    t.ok(docs.paths[p], `OpenAPI documents ${p}`);
});
