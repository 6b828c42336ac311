// Media serving and the job routes, on a program made by the real job path (readyProgram).
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { makeServer, userAuth } from '../../../testkit/helpers.ts';
import { readyProgram } from '../../../testkit/programs.ts';
import { versionDir } from '../../../server/media/store.ts';

t.test('serving a ready program: types, ETag, Range, HEAD, Cache-Control, 404s', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const id = await readyProgram(app, { seconds: 6, title: '测试节目' });
  const dir = versionDir(app.config, id, 1);
  const base = `/media/programs/${id}/v1`;

  const prog = (await app.inject({ method: 'GET', url: `/api/programs/${id}`, headers: s.auth })).json();
  t.equal(prog.status, 'ready');
  t.equal(prog.hls, `${base}/master.m3u8`, 'the first transcode is version 1');
  t.same(
    prog.renditions.map((r: { name: string }) => r.name),
    ['240p'],
    'a 240p source makes only the 240p rung',
  );

  const master = await app.inject({ method: 'GET', url: prog.hls });
  t.equal(master.statusCode, 200);
  t.equal(master.headers['content-type'], 'application/vnd.apple.mpegurl');
  t.equal(master.headers['cache-control'], 'public, max-age=31536000, immutable', 'a version never changes: playlists too');
  t.match(master.body, /#EXT-X-STREAM-INF:BANDWIDTH=\d+.*RESOLUTION=426x240.*CODECS="avc1\.4d401f,mp4a\.40\.2"/);
  t.match(master.body, /^240p\/index\.m3u8$/m);

  const media = await app.inject({ method: 'GET', url: `${base}/240p/index.m3u8` });
  t.equal(media.statusCode, 200);
  t.match(media.body, /#EXT-X-PLAYLIST-TYPE:VOD/);
  const segs = media.body.split('\n').filter((l) => l.endsWith('.ts'));
  t.same(segs, ['seg_00000.ts', 'seg_00001.ts'], '6 s -> a 4 s segment and a 2 s one');

  const segUrl = `${base}/240p/seg_00000.ts`;
  const bytes = fs.readFileSync(path.join(dir, '240p', 'seg_00000.ts'));
  const seg = await app.inject({ method: 'GET', url: segUrl });
  t.equal(seg.statusCode, 200);
  t.equal(seg.headers['content-type'], 'video/mp2t');
  t.equal(seg.headers['cache-control'], 'public, max-age=31536000, immutable');
  t.equal(seg.headers['accept-ranges'], 'bytes');
  t.equal(Number(seg.headers['content-length']), bytes.length);
  t.ok(seg.rawPayload.equals(bytes), 'the body is the file');
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');
  t.equal(seg.headers.etag, `"${sha.slice(0, 32)}"`, 'ETag from the content hash');
  const again = await app.inject({ method: 'GET', url: segUrl });
  t.ok(again.rawPayload.equals(bytes), 'a second read (from the memory cache) is the same bytes');

  const notModified = await app.inject({ method: 'GET', url: segUrl, headers: { 'if-none-match': seg.headers.etag as string } });
  t.equal(notModified.statusCode, 304);
  t.equal(notModified.rawPayload.length, 0);

  const head = await app.inject({ method: 'HEAD', url: segUrl });
  t.equal(head.statusCode, 200);
  t.equal(Number(head.headers['content-length']), bytes.length, 'HEAD tells the size');
  t.equal(head.rawPayload.length, 0, 'HEAD sends no body');

  const part = await app.inject({ method: 'GET', url: segUrl, headers: { range: 'bytes=100-299' } });
  t.equal(part.statusCode, 206);
  t.equal(part.headers['content-range'], `bytes 100-299/${bytes.length}`);
  t.ok(part.rawPayload.equals(bytes.subarray(100, 300)));
  const tailPart = await app.inject({ method: 'GET', url: segUrl, headers: { range: 'bytes=-188' } });
  t.equal(tailPart.statusCode, 206);
  t.ok(tailPart.rawPayload.equals(bytes.subarray(bytes.length - 188)), 'suffix range');
  const open = await app.inject({ method: 'GET', url: segUrl, headers: { range: `bytes=${bytes.length - 10}-` } });
  t.equal(open.statusCode, 206);
  t.equal(open.rawPayload.length, 10);
  const beyond = await app.inject({ method: 'GET', url: segUrl, headers: { range: `bytes=${bytes.length}-` } });
  t.equal(beyond.statusCode, 416);
  t.equal(beyond.headers['content-range'], `bytes */${bytes.length}`);
  const staleIfRange = await app.inject({ method: 'GET', url: segUrl, headers: { range: 'bytes=0-9', 'if-range': '"other"' } });
  t.equal(staleIfRange.statusCode, 200, 'If-Range with another ETag gets the whole file');

  const poster = await app.inject({ method: 'GET', url: `${base}/poster.jpg` });
  t.equal(poster.statusCode, 200);
  t.equal(poster.headers['content-type'], 'image/jpeg');
  t.equal(poster.rawPayload.subarray(0, 2).toString('hex'), 'ffd8', 'a JPEG');

  // Nothing outside the published file list is served.
  fs.writeFileSync(path.join(app.config.mediaDir, 'secret.txt'), 'TOP-SECRET-CONTENT');
  for (const url of [
    `/media/programs/${id}/master.m3u8`, // unversioned
    `/media/programs/${id}/240p/seg_00000.ts`,
    `/media/programs/${id}/v2/master.m3u8`, // no such version
    `/media/programs/${id}/v0/master.m3u8`,
    `${base}/../../../secret.txt`,
    `/media/programs/${id}/../../secret.txt`,
    `/media/programs/${id}/%2e%2e/%2e%2e/secret.txt`,
    `/media/programs/${id}/240p/..%2F..%2F..%2Fsecret.txt`,
    `${base}/240p/seg_00099.ts`,
    `${base}/720p/index.m3u8`,
    `/media/programs/999999/master.m3u8`,
    `/media/programs/abc/master.m3u8`,
  ]) {
    const r = await app.inject({ method: 'GET', url });
    t.equal(r.statusCode, 404, `404 for ${url}`);
    t.notMatch(r.body, /TOP-SECRET-CONTENT/, 'the file outside is not sent');
  }

  // Being transcoded again: the published version is still served (sites and live windows may still name it).
  app.db.prepare(`UPDATE programs SET status = 'processing' WHERE id = ?`).run(id);
  t.equal((await app.inject({ method: 'GET', url: prog.hls })).statusCode, 200, 'processing again -> its version still served');
  app.db.prepare(`UPDATE programs SET status = 'ready' WHERE id = ?`).run(id);

  // Jobs routes: auth and content.
  const organizer = await userAuth(app, 'org-media', 'organizer', null);
  t.equal((await app.inject({ method: 'GET', url: '/api/jobs' })).statusCode, 401, 'no token');
  t.equal((await app.inject({ method: 'GET', url: '/api/jobs', headers: organizer })).statusCode, 403, 'organizer');
  const jobs = await app.inject({ method: 'GET', url: `/api/jobs?programId=${id}`, headers: s.auth });
  t.equal(jobs.statusCode, 200);
  t.equal(jobs.json().total, 1);
  t.match(jobs.json().items[0], { programId: id, programTitle: '测试节目', status: 'done', attempts: 1, progress: 100, error: null });
  const jobId = jobs.json().items[0].id;
  const cancelDone = await app.inject({ method: 'POST', url: `/api/jobs/${jobId}/cancel`, headers: s.auth });
  t.equal(cancelDone.statusCode, 409, 'a finished job cannot be cancelled');
  t.match(cancelDone.json().error.message, /already finished/);
  t.equal((await app.inject({ method: 'POST', url: `/api/jobs/99999/cancel`, headers: s.auth })).statusCode, 404);
  t.equal((await app.inject({ method: 'POST', url: `/api/jobs/${jobId}/cancel`, headers: organizer })).statusCode, 403);
  t.equal((await app.inject({ method: 'POST', url: `/api/programs/${id}/retranscode`, headers: organizer })).statusCode, 403);
  t.equal((await app.inject({ method: 'POST', url: `/api/programs/99999/retranscode`, headers: s.auth })).statusCode, 404);
  t.equal((await app.inject({ method: 'GET', url: '/api/jobs?status=bogus', headers: s.auth })).statusCode, 400);

  // Re-transcode queued, then cancelled: the program keeps its earlier output and stays playable.
  const re = await app.inject({ method: 'POST', url: `/api/programs/${id}/retranscode`, headers: s.auth });
  t.equal(re.statusCode, 202);
  t.match(re.json(), { id, status: 'queued' });
  t.equal((await app.inject({ method: 'GET', url: `/api/programs/${id}`, headers: s.auth })).json().status, 'queued');
  const cancel = await app.inject({ method: 'POST', url: `/api/jobs/${re.json().jobId}/cancel`, headers: s.auth });
  t.equal(cancel.statusCode, 200);
  t.equal(cancel.json().status, 'cancelled');
  t.equal((await app.inject({ method: 'GET', url: `/api/programs/${id}`, headers: s.auth })).json().status, 'ready', 'earlier output kept');
  t.equal((await app.inject({ method: 'GET', url: prog.hls })).statusCode, 200);
});
