// The catalog as its own resource: GET /api/sites/me/catalog with a strong ETag of its own, named by the manifest's
// catalogEtag. A schedule change re-sends the (small) manifest, never the library; a catalog change moves both.
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { makeServer } from '../../../testkit/helpers.ts';
import type { SiteCatalog, SiteManifest } from '../../../common/manifest.ts';
import { channel, program, schedule } from '../../../testkit/sites-rows.ts';

t.test('catalog resource: own ETag, 304, gzip, unchanged by a schedule edit, moved by a catalog edit', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const imp = await app.inject({
    method: 'POST',
    url: '/api/regions/import',
    headers: { ...s.auth, 'content-type': 'text/csv' },
    payload: 'path\n省/市/县/镇/村\n',
  });
  const village = imp.json().regions.find((r: { level: string }) => r.level === 'village').id;
  // Shaped like the broadcast domain's generated slate (short segments and tails), so the channel is playable.
  const slate = program(app, '台标', ['360p', '240p'], [1, 1, 0.2, 0.4, 0.6, 0.8], { published: false });
  const lectures = Array.from({ length: 40 }, (_, i) => program(app, `第${i + 1}讲 乡村振兴与基层治理`, ['360p', '240p'], [4, 4, 4, 4]));
  const ch = channel(app, 1, slate, []);
  const hour = 3600_000;
  const start = Math.floor(Date.now() / hour) * hour + 2 * hour;
  schedule(app, ch, lectures[0]!, start, start + 16_000);

  const created = (
    await app.inject({ method: 'POST', url: '/api/sites', headers: s.auth, payload: { name: '村站', regionId: village, maxRung: '360p' } })
  ).json();
  const token = (await app.inject({ method: 'POST', url: '/api/sites/pair', payload: { code: created.pairingCode } })).json().token;
  const auth = { authorization: `Bearer ${token}` };
  const get = (url: string, etag?: string, extra: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers: { ...auth, ...extra, ...(etag ? { 'if-none-match': etag } : {}) } });

  const m1res = await get('/api/sites/me/manifest');
  const m1 = m1res.json() as SiteManifest;
  t.same(
    m1.channels.map((c) => c.id),
    [ch],
    'the channel reaches the site',
  );
  t.match(m1.catalogEtag, /^"cat-[0-9a-f]{40}"$/, 'the manifest names the catalog by a strong ETag');
  t.notOk('catalog' in m1 || 'categories' in m1, 'the manifest no longer carries the library');

  const c1res = await get('/api/sites/me/catalog');
  t.equal(c1res.statusCode, 200);
  t.equal(c1res.headers.etag, m1.catalogEtag);
  t.equal(c1res.headers['cache-control'], 'private, no-cache');
  const c1 = c1res.json() as SiteCatalog;
  t.equal(c1.programs.length, 40, 'every published lecture');
  t.ok(
    c1.programs.every((p) => p.rungs[0] === '360p' && p.files.every((f) => !f.path.includes('/240p/'))),
    'at the held rung',
  );
  t.ok(
    m1res.rawPayload.length * 3 < c1res.rawPayload.length,
    `the manifest (${m1res.rawPayload.length} B) is a fraction of the catalog (${c1res.rawPayload.length} B)`,
  );

  const notModified = await get('/api/sites/me/catalog', m1.catalogEtag);
  t.equal(notModified.statusCode, 304);
  t.equal(notModified.body, '');
  t.equal(notModified.headers.etag, m1.catalogEtag);
  t.equal((await get('/api/sites/me/catalog', '"cat-stale"')).statusCode, 200, 'another ETag gets the body');

  const zipped = await get('/api/sites/me/catalog', undefined, { 'accept-encoding': 'gzip' });
  t.equal(zipped.headers['content-encoding'], 'gzip');
  t.same(JSON.parse(gunzipSync(zipped.rawPayload).toString('utf8')), c1, 'gunzips to the same catalog');

  // A schedule edit: the manifest changes, the catalog (and its ETag) does not.
  const added = await app.inject({
    method: 'POST',
    url: `/api/channels/${ch}/schedule`,
    headers: s.auth,
    payload: { programId: lectures[1], start: start + hour, end: start + hour + 16_000 },
  });
  t.equal(added.statusCode, 201);
  await sleep(1100); // the data fingerprint is re-read at most once a second
  const m2res = await get('/api/sites/me/manifest', m1res.headers.etag as string);
  t.equal(m2res.statusCode, 200, 'the schedule edit changes the manifest');
  const m2 = m2res.json() as SiteManifest;
  t.equal(m2.catalogEtag, m1.catalogEtag, 'but not the catalog: the library is not sent again');
  t.equal((await get('/api/sites/me/catalog', m2.catalogEtag)).statusCode, 304);

  // A catalog edit (a lecture withdrawn): both move, and the catalog no longer lists it.
  const unpublished = await app.inject({
    method: 'PATCH',
    url: `/api/programs/${lectures[5]}`,
    headers: s.auth,
    payload: { published: false },
  });
  t.equal(unpublished.statusCode, 200, unpublished.body);
  await sleep(1100);
  const m3res = await get('/api/sites/me/manifest', m2res.headers.etag as string);
  t.equal(m3res.statusCode, 200, 'a catalog change changes the manifest (its catalogEtag)');
  const m3 = m3res.json() as SiteManifest;
  t.not(m3.catalogEtag, m1.catalogEtag);
  const c3res = await get('/api/sites/me/catalog', m1.catalogEtag);
  t.equal(c3res.statusCode, 200);
  t.equal(c3res.headers.etag, m3.catalogEtag);
  t.notOk(
    (c3res.json() as SiteCatalog).programs.some((p) => p.id === lectures[5]),
    'the withdrawn lecture is gone',
  );

  t.equal((await app.inject({ method: 'GET', url: '/api/sites/me/catalog' })).statusCode, 401, 'no token, no catalog');
  t.equal(
    (await app.inject({ method: 'GET', url: '/api/sites/me/catalog', headers: s.auth })).statusCode,
    401,
    'an operator token does not speak for a site',
  );
  await app.inject({ method: 'POST', url: `/api/sites/${created.id}/revoke`, headers: s.auth });
  t.equal((await get('/api/sites/me/catalog', m3.catalogEtag)).statusCode, 401, 'a revoked site gets nothing, not even a 304');
});
