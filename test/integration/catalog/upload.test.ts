// Uploading courseware through POST /api/programs: good files are queued; every bad input gets its
// status and a message, and leaves nothing in the catalog or on disk.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { makeServer, tempDir, userAuth } from '../../../testkit/helpers.ts';
import { createRegion } from '../../../server/sites/regions.ts';
import { makeClip, type BadShape } from '../../../testkit/media.ts';
import { multipartBody } from '../../../testkit/programs.ts';

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

t.test('bad inputs are refused with a status and a message, leaving nothing behind', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const dir = tempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cases: Array<{ shape: BadShape; status: number; message: RegExp }> = [
    { shape: 'empty', status: 400, message: /empty/ },
    { shape: 'text', status: 422, message: /text\.mp4: This is not a media file/ },
    { shape: 'random', status: 422, message: /random\.mp4: This is not a media file/ },
  ];
  for (const c of cases) {
    const file = await makeClip(dir, c.shape);
    const { body, contentType } = multipartBody(file, { title: `bad ${c.shape}` });
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/programs',
      headers: { ...s.auth, 'content-type': contentType },
      payload: body,
    });
    t.equal(res.statusCode, c.status, `${c.shape}: ${c.status}`);
    t.match(res.json().error.message, c.message, `${c.shape}: the message names the problem`);
  }

  // A declared size far over the limit is refused before a byte is read.
  const huge = await s.app.inject({
    method: 'POST',
    url: '/api/programs',
    headers: { ...s.auth, 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(9 * 1024 ** 3) },
    payload: '--x--\r\n',
  });
  t.equal(huge.statusCode, 413, 'huge declared size: 413');
  t.match(huge.json().error.message, /MAX_UPLOAD_BYTES/);

  // Not multipart, and multipart without a file part.
  const notMultipart = await s.app.inject({ method: 'POST', url: '/api/programs', headers: s.auth, payload: { title: 'x' } });
  t.equal(notMultipart.statusCode, 400);
  t.match(notMultipart.json().error.message, /multipart/);
  const noFile = await s.app.inject({
    method: 'POST',
    url: '/api/programs',
    headers: { ...s.auth, 'content-type': 'multipart/form-data; boundary=b' },
    payload: '--b\r\nContent-Disposition: form-data; name="title"\r\n\r\nno file\r\n--b--\r\n',
  });
  t.equal(noFile.statusCode, 400);
  t.match(noFile.json().error.message, /part named "file"/);

  // Bad metadata beside a good file: 400 naming the valid choices.
  const good = await makeClip(dir, 'tiny240', { seconds: 1 });
  const badCategory = multipartBody(good, { title: 'x', category: 'cooking' });
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/programs',
    headers: { ...s.auth, 'content-type': badCategory.contentType },
    payload: badCategory.body,
  });
  t.equal(res.statusCode, 400);
  t.match(res.json().error.message, /Unknown category "cooking"\. Valid categories/);

  t.equal((s.app.db.prepare('SELECT count(*) AS n FROM programs').get() as { n: number }).n, 0, 'no program rows');
  t.equal((s.app.db.prepare('SELECT count(*) AS n FROM jobs').get() as { n: number }).n, 0, 'no jobs');
  t.same(filesUnder(s.config.mediaDir), [], 'no files left in the media store');
});

t.test('an upload over a small limit is cut off with 413 and leaves nothing', async (t) => {
  const s = await makeServer({ maxUploadBytes: 20_000 });
  t.teardown(() => s.close());
  const dir = tempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = await makeClip(dir, 'tiny240', { seconds: 2 });
  t.ok(fs.statSync(file).size > 20_000, 'the clip is over the limit');
  const { body, contentType } = multipartBody(file, { title: 'too big' });
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/programs',
    headers: { ...s.auth, 'content-type': contentType },
    payload: body,
  });
  t.equal(res.statusCode, 413);
  t.equal((s.app.db.prepare('SELECT count(*) AS n FROM programs').get() as { n: number }).n, 0);
  t.same(filesUnder(s.config.mediaDir), []);
});

t.test('a good upload is recorded, its source kept and its transcode queued; roles are enforced', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const dir = tempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = await makeClip(dir, 'tiny240', { seconds: 1 });
  const fields = {
    title: '乡村振兴政策解读',
    category: 'current-affairs',
    audiences: 'rural-members,village-cadres',
    series: '政策讲堂',
    episode: '2',
    tags: '政策,乡村',
  };
  const { body, contentType } = multipartBody(file, fields);

  const anon = await s.app.inject({ method: 'POST', url: '/api/programs', headers: { 'content-type': contentType }, payload: body });
  t.equal(anon.statusCode, 401, 'no token: 401');
  const county = createRegion(s.app.db, { name: '某县', level: 'county' });
  const organizer = await userAuth(s.app, 'org', 'organizer', county.id);
  const forbidden = await s.app.inject({
    method: 'POST',
    url: '/api/programs',
    headers: { ...organizer, 'content-type': contentType },
    payload: body,
  });
  t.equal(forbidden.statusCode, 403, 'organizer: 403');

  const res = await s.app.inject({
    method: 'POST',
    url: '/api/programs',
    headers: { ...s.auth, 'content-type': contentType },
    payload: body,
  });
  t.equal(res.statusCode, 202, res.body);
  const p = res.json();
  t.match(p, { title: '乡村振兴政策解读', status: 'queued', category: 'current-affairs', episode: 2 });
  t.same([...p.audiences].sort(), ['rural-members', 'village-cadres']);
  const row = s.app.db.prepare('SELECT source_path AS src FROM programs WHERE id = ?').get(p.id) as { src: string };
  t.ok(fs.existsSync(path.join(s.config.mediaDir, row.src)), 'the source is kept in the store');
  t.equal(
    (s.app.db.prepare("SELECT count(*) AS n FROM jobs WHERE program_id = ? AND status = 'queued'").get(p.id) as { n: number }).n,
    1,
    'a transcode job is queued',
  );
  t.same(
    fs.existsSync(path.join(s.config.mediaDir, 'incoming')) ? fs.readdirSync(path.join(s.config.mediaDir, 'incoming')) : [],
    [],
    'nothing left in incoming',
  );
});
