// Issue 9: media of unpublished programs need an operator's token or a signed, expiring preview URL; published ones
// stay open; draft titles never reach organizers; bad list queries answer 400, never 500.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { makeServer, userAuth } from '../../../testkit/helpers.ts';
import { readyProgram } from '../../../testkit/programs.ts';
import { signPreview } from '../../../server/media/preview.ts';

t.test('unpublished media: closed to anonymous and organizers, open to operators and signed previews', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const organizer = await userAuth(app, 'org1', 'organizer');
  const id = await readyProgram(app, { seconds: 5, title: '草稿讲座 secret draft' });
  const patch = await app.inject({ method: 'PATCH', url: `/api/programs/${id}`, headers: s.auth, payload: { published: false } });
  t.equal(patch.statusCode, 200);
  const view = patch.json();
  t.equal(view.hls, null, 'no open media path for a draft');
  t.match(
    view.previewUrl,
    new RegExp(`^/media/signed/\\d+\\.[A-Za-z0-9_-]{43}/programs/${id}/v1/master\\.m3u8$`),
    'operators get a signed preview',
  );

  const files = [
    `/media/programs/${id}/v1/master.m3u8`,
    `/media/programs/${id}/v1/240p/index.m3u8`,
    `/media/programs/${id}/v1/240p/seg_00000.ts`,
  ];
  for (const url of files) {
    const anon = await app.inject({ method: 'GET', url });
    t.equal(anon.statusCode, 404, `anonymous: ${url}`);
    t.match(anon.json(), { error: { code: 'not_found', message: /not published/ } });
    t.equal((await app.inject({ method: 'GET', url, headers: organizer })).statusCode, 404, `organizer: ${url}`);
    t.equal((await app.inject({ method: 'HEAD', url })).statusCode, 404, `anonymous HEAD: ${url}`);
    const op = await app.inject({ method: 'GET', url, headers: s.auth });
    t.equal(op.statusCode, 200, `operator token: ${url}`);
    t.equal(op.headers['cache-control'], 'private, no-store', `a draft is never kept by a relay or CDN: ${url}`);
  }

  // The signed master's relative URIs resolve under the same grant: a plain player follows them.
  const master = await app.inject({ method: 'GET', url: view.previewUrl });
  t.equal(master.statusCode, 200);
  t.equal(master.headers['cache-control'], 'private, no-store', 'a draft is not kept by shared caches');
  const variant = master.body.split('\n').find((l) => l && !l.startsWith('#'))!;
  const variantUrl = new URL(variant, `http://x${view.previewUrl}`).pathname;
  const playlist = await app.inject({ method: 'GET', url: variantUrl });
  t.equal(playlist.statusCode, 200, 'the variant playlist under the grant');
  const seg = playlist.body.split('\n').find((l) => l.endsWith('.ts'))!;
  const segRes = await app.inject({ method: 'GET', url: new URL(seg, `http://x${variantUrl}`).pathname });
  t.equal(segRes.statusCode, 200, 'a segment under the grant');
  t.ok(segRes.rawPayload.equals(fs.readFileSync(path.join(app.config.mediaDir, 'programs', String(id), 'v1', '240p', seg))));

  // Tampered, expired, or another program's grants are refused.
  const grant = view.previewUrl.split('/')[3] as string;
  const [expires, mac] = grant.split('.');
  const flipped = `${expires}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
  t.equal((await app.inject({ method: 'GET', url: view.previewUrl.replace(grant, flipped) })).statusCode, 404, 'tampered signature');
  t.equal(
    (await app.inject({ method: 'GET', url: view.previewUrl.replace(grant, `${Number(expires) + 3600_000}.${mac}`) })).statusCode,
    404,
    'extended expiry',
  );
  const other = await readyProgram(app, { seconds: 3, title: 'another draft' });
  await app.inject({ method: 'PATCH', url: `/api/programs/${other}`, headers: s.auth, payload: { published: false } });
  t.equal(
    (await app.inject({ method: 'GET', url: `/media/signed/${grant}/programs/${other}/v1/master.m3u8` })).statusCode,
    404,
    'grant of another program',
  );
  const secret = Buffer.from(fs.readFileSync(path.join(app.config.dataDir, 'media-preview.key'), 'utf8').trim(), 'hex');
  const expired = signPreview(secret, id, Date.now() - 10 * 3600_000);
  t.equal(
    (await app.inject({ method: 'GET', url: `/media/signed/${expired}/programs/${id}/v1/master.m3u8` })).statusCode,
    404,
    'expired grant',
  );
  t.equal(fs.statSync(path.join(app.config.dataDir, 'media-preview.key')).mode & 0o777, 0o600, 'the key file is private');

  // Published again: open to everyone at the plain path.
  const pub = (await app.inject({ method: 'PATCH', url: `/api/programs/${id}`, headers: s.auth, payload: { published: true } })).json();
  t.equal(pub.hls, `/media/programs/${id}/v1/master.m3u8`);
  t.equal((await app.inject({ method: 'GET', url: pub.hls })).statusCode, 200, 'published media stay open');
  const orgView = (await app.inject({ method: 'GET', url: `/api/programs/${id}`, headers: organizer })).json();
  t.equal(orgView.previewUrl, null, 'organizers never receive a preview URL');
});

t.test('draft titles never reach an organizer through the catalog API', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const organizer = await userAuth(app, 'org2', 'organizer');
  const series = (await app.inject({ method: 'POST', url: '/api/series', headers: s.auth, payload: { title: '系列' } })).json();
  const id = await readyProgram(app, { seconds: 3, title: '未发布的秘密标题' });
  await app.inject({ method: 'PATCH', url: `/api/programs/${id}`, headers: s.auth, payload: { published: false, seriesId: series.id } });
  const urls = [
    '/api/programs',
    '/api/programs?published=false',
    '/api/programs?q=秘密',
    `/api/programs?series=${series.id}`,
    '/api/programs?status=ready',
    `/api/programs/${id}`,
    '/api/series',
    `/api/series/${series.id}`,
    '/api/taxonomy',
  ];
  for (const url of urls) {
    const res = await app.inject({ method: 'GET', url, headers: organizer });
    t.notMatch(res.body, /秘密/, `organizer ${url} (${res.statusCode})`);
  }
  t.equal(
    (await app.inject({ method: 'GET', url: `/api/series/${series.id}`, headers: organizer })).json().programCount,
    0,
    'drafts are not counted',
  );
  t.equal(
    (await app.inject({ method: 'GET', url: `/api/series/${series.id}`, headers: s.auth })).json().programCount,
    1,
    'operators count them',
  );
  t.match(
    (await app.inject({ method: 'GET', url: '/api/programs?published=false', headers: s.auth })).body,
    /秘密/,
    'operators see the draft',
  );
});

t.test('bad list queries answer 400 with a message, never 500', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const bad = [
    '/api/programs?q=%00%00%00abc',
    '/api/programs?q=ab%00',
    '/api/programs?offset=99999999999999999999',
    '/api/programs?offset=9223372036854775807',
    '/api/programs?offset=-1',
    '/api/programs?limit=1e400',
    '/api/programs?offset=Infinity',
    '/api/jobs?limit=1e400',
    '/api/programs?series=9223372036854775807',
    '/api/jobs?offset=99999999999999999999',
    '/api/jobs?programId=9223372036854775807',
    '/api/programs/9223372036854775807',
    '/api/series/99999999999999999999',
  ];
  for (const url of bad) {
    const res = await app.inject({ method: 'GET', url, headers: s.auth });
    t.equal(res.statusCode, 400, url);
    t.match(res.json(), { error: { code: 'invalid_input', message: /\S/ } }, `${url}: ${res.body}`);
  }
  t.equal(
    (await app.inject({ method: 'GET', url: '/api/programs?offset=1000000&q=abc', headers: s.auth })).statusCode,
    200,
    'a large, valid offset',
  );
});
