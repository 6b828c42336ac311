import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { makeServer } from '../../../testkit/helpers.ts';
import type { SiteCatalog, SiteManifest } from '../../../common/manifest.ts';

import { channel, program, schedule } from '../../../testkit/sites-rows.ts';

t.test('manifest: channels by region, required files at the right rung, catalog, ETag', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const imp = await app.inject({
    method: 'POST',
    url: '/api/regions/import',
    headers: { ...s.auth, 'content-type': 'text/csv' },
    payload: 'path\n省/市/甲县/甲镇/甲村\n省/市/乙县/乙镇/乙村\n',
  });
  const r = new Map<string, number>(imp.json().regions.map((x: { name: string; id: number }) => [x.name, x.id]));

  // Shaped like the broadcast domain's generated slate: an unpublished program of short segments and tails.
  const slate = program(app, '台标', ['480p', '360p', '240p'], [1, 1, 0.2, 0.4, 0.6, 0.8], { published: false });
  const lecture = program(app, '养猪技术', ['480p', '360p', '240p'], [4, 4, 2]);
  const lowRes = program(app, '老片子', ['240p'], [4, 1]);
  const later = program(app, '后天的课', ['480p', '360p', '240p'], [4]);
  const draft = program(app, '草稿', ['240p'], [4], { published: false });

  const everyone = channel(app, 1, slate, []);
  const countyA = channel(app, 2, slate, [r.get('甲县')!]);
  const villageB = channel(app, 3, slate, [r.get('乙村')!]);
  const province = channel(app, 4, slate, [r.get('省')!]);

  const hour = 3600_000;
  const start = Math.floor(Date.now() / hour) * hour + 2 * hour;
  schedule(app, countyA, lecture, start, start + 10_000);
  schedule(app, countyA, lowRes, start + hour, start + hour + 5_000);
  schedule(app, everyone, lecture, start + 3 * hour, start + 3 * hour + 10_000);
  schedule(app, villageB, later, start + 60 * hour, start + 60 * hour + 4_000); // beyond 48 h
  schedule(app, countyA, draft, start + 5 * hour, start + 5 * hour + 4_000); // scheduled before it was published

  const site = async (name: string, village: string, maxRung: string) => {
    const created = (
      await app.inject({ method: 'POST', url: '/api/sites', headers: s.auth, payload: { name, regionId: r.get(village), maxRung } })
    ).json();
    const paired = (await app.inject({ method: 'POST', url: '/api/sites/pair', payload: { code: created.pairingCode } })).json();
    return { id: created.id as number, auth: { authorization: `Bearer ${paired.token}` } };
  };
  const a = await site('甲村站', '甲村', '360p');
  const b = await site('乙村站', '乙村', '720p');

  const get = (auth: object, etag?: string) =>
    app.inject({ method: 'GET', url: '/api/sites/me/manifest', headers: { ...auth, ...(etag ? { 'if-none-match': etag } : {}) } });

  const resA = await get(a.auth);
  t.equal(resA.statusCode, 200);
  t.match(resA.headers['content-type'], /application\/json/);
  const mA = resA.json() as SiteManifest;
  t.match(mA, { siteId: a.id, siteName: '甲村站', maxRung: '360p', downloadWindow: '00:00-06:00', provinceTz: 'Asia/Shanghai' });
  t.same(
    mA.channels.map((c) => c.id),
    [everyone, countyA, province],
    "a site receives its region's and its ancestors' channels, and unrestricted ones",
  );
  const mB = (await get(b.auth)).json() as SiteManifest;
  t.same(
    mB.channels.map((c) => c.id),
    [everyone, villageB, province],
    "not a sibling region's channel",
  );

  const chA = mA.channels.find((c) => c.id === countyA)!;
  // The draft's slot reaches the site without its program (the public guide's rule too): the site plays the slate.
  t.same(
    chA.timeline.items.map((i) => i.programId),
    [lecture, lowRes, null],
    'the schedule of the next 48 h',
  );
  t.equal(chA.titles[lecture], '养猪技术');
  t.notOk(JSON.stringify(mA).includes('草稿'), "a draft's title never reaches a site");
  t.notOk(chA.timeline.programs[draft], 'a scheduled draft is not offered: the site plays the slate in its slot');
  t.equal(chA.titles[slate], '台标');

  // Required files: held rung only (360p; the 240p-only program at 240p), each once, slates included, nothing beyond 48 h.
  const paths = mA.required.map((f) => f.path);
  t.equal(new Set(paths).size, paths.length, 'each file once');
  const expectFiles = (id: number, rung: string, segs: number) => [
    `programs/${id}/v1/master.m3u8`,
    `programs/${id}/v1/poster.jpg`,
    `programs/${id}/v1/${rung}/index.m3u8`,
    ...Array.from({ length: segs }, (_, i) => `programs/${id}/v1/${rung}/seg_${String(i).padStart(5, '0')}.ts`),
  ];
  t.same(
    [...paths].sort(),
    [...expectFiles(slate, '360p', 6), ...expectFiles(lecture, '360p', 3), ...expectFiles(lowRes, '240p', 2)].sort(),
  );
  const dbFile = app.db.prepare('SELECT size, sha256 FROM program_files WHERE program_id = ? AND version = ? AND path = ?');
  for (const f of mA.required) {
    const [, pid, version, ...rest] = f.path.split('/');
    t.equal(version, 'v1', `${f.path} names the current version`);
    t.same(
      { size: f.size, sha256: f.sha256 },
      dbFile.get(Number(pid), 1, rest.join('/')),
      `${f.path} carries program_files' size and sha256`,
    );
  }
  const needed = (p: string) => mA.required.find((f) => f.path === p)!.neededAt;
  t.equal(needed(`programs/${lecture}/v1/360p/seg_00000.ts`), start, 'first segment needed when the item starts');
  t.equal(needed(`programs/${lecture}/v1/360p/seg_00002.ts`), start + 8000, 'later segments when they go on air');
  t.equal(needed(`programs/${lowRes}/v1/240p/seg_00001.ts`), start + hour + 4000);
  t.ok(needed(`programs/${slate}/v1/360p/seg_00000.ts`)! <= Date.now(), 'the slate is needed at once');
  t.notOk(
    paths.some((p) => p.startsWith(`programs/${later}/`)),
    'nothing beyond the window',
  );
  const bPaths = mB.required.map((f) => f.path);
  t.ok(bPaths.includes(`programs/${lecture}/v1/480p/seg_00000.ts`), 'a 720p site holds the highest rung below its cap');
  t.notOk(bPaths.some((p) => p.includes('/360p/')));

  // Catalog (its own resource, named by the manifest's catalogEtag): published ready programs (not the generated
  // slate, not drafts) with files at the held rung.
  const catRes = await app.inject({ method: 'GET', url: '/api/sites/me/catalog', headers: a.auth });
  t.equal(catRes.statusCode, 200);
  t.equal(catRes.headers.etag, mA.catalogEtag, "the manifest names the catalog's ETag");
  const catA = catRes.json() as SiteCatalog;
  t.same(catA.programs.map((p) => p.id).sort(), [lecture, lowRes, later].sort());
  t.notOk(catA.programs.some((p) => p.id === draft));
  const lec = catA.programs.find((p) => p.id === lecture)!;
  t.same(lec.rungs, ['360p']);
  t.equal(lec.files.length, 6);
  t.ok(lec.files.every((f) => !f.path.includes('/480p/') && !f.path.includes('/240p/')));
  t.ok(catA.categories.length > 0 && catA.categories.every((c) => c.id && c.zh && c.en));

  // ETag: strong, 304 when unchanged, over content not generatedAt.
  const etag = resA.headers.etag as string;
  t.match(etag, /^"[0-9a-f]{40}"$/);
  const again = await get(a.auth, etag);
  t.equal(again.statusCode, 304);
  t.equal(again.body, '');
  t.equal(again.headers.etag, etag);
  t.equal((await get(a.auth, `W/"x", ${etag}`)).statusCode, 304, 'a list of tags is understood');
  t.equal((await get(a.auth, '"stale"')).statusCode, 200);
  await sleep(5);
  const later2 = await get(a.auth);
  t.equal(later2.headers.etag, etag, 'same content, same ETag, whatever generatedAt');

  // gzip: the same manifest, compressed (shared parts pre-compressed, concatenated gzip members).
  const zipped = await app.inject({
    method: 'GET',
    url: '/api/sites/me/manifest',
    headers: { ...a.auth, 'accept-encoding': 'gzip, deflate' },
  });
  t.equal(zipped.headers['content-encoding'], 'gzip');
  t.equal(zipped.headers.etag, etag);
  const unzipped = JSON.parse(gunzipSync(zipped.rawPayload).toString('utf8')) as SiteManifest;
  t.same({ ...unzipped, generatedAt: 0 }, { ...mA, generatedAt: 0 }, 'gunzips to the same manifest');
  t.ok(zipped.rawPayload.length < resA.rawPayload.length / 2, 'and is much smaller');

  // Site settings change the manifest at once.
  await app.inject({ method: 'PATCH', url: `/api/sites/${a.id}`, headers: s.auth, payload: { bandwidthKbps: 300 } });
  const patched = await get(a.auth, etag);
  t.equal(patched.statusCode, 200);
  t.equal(patched.json().bandwidthKbps, 300);

  // A schedule change shows within a second (the data fingerprint is re-read at most once a second).
  const etag2 = patched.headers.etag as string;
  const added = await app.inject({
    method: 'POST',
    url: `/api/channels/${countyA}/schedule`,
    headers: s.auth,
    payload: { programId: later, start: start + 2 * hour, end: start + 2 * hour + 4_000 },
  });
  t.equal(added.statusCode, 201, 'scheduled through the broadcast API');
  await sleep(1100);
  const changed = await get(a.auth, etag2);
  t.equal(changed.statusCode, 200, 'a new item changes the ETag');
  t.ok((changed.json() as SiteManifest).required.some((f) => f.path === `programs/${later}/v1/360p/seg_00000.ts`));

  // Making a channel regional takes it away from other regions.
  const regional = await app.inject({
    method: 'PATCH',
    url: `/api/channels/${everyone}`,
    headers: s.auth,
    payload: { regionIds: [r.get('乙县')] },
  });
  t.equal(regional.statusCode, 200);
  await sleep(1100);
  t.same(
    (await get(a.auth)).json().channels.map((c: { id: number }) => c.id),
    [countyA, province],
  );
  t.same(
    (await get(b.auth)).json().channels.map((c: { id: number }) => c.id),
    [everyone, villageB, province],
  );

  const revoke = await app.inject({ method: 'POST', url: `/api/sites/${a.id}/revoke`, headers: s.auth });
  t.equal(revoke.statusCode, 200);
  t.equal((await get(a.auth, etag)).statusCode, 401, 'a revoked site gets nothing, not even a 304');
});
