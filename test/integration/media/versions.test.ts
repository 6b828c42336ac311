// Immutable, versioned media end to end: a re-transcode while a site holds the old version. Real ffmpeg, SQLite on a
// file, the server on a socket and a real agent. Version 1's URLs keep their bytes while anything names them; the
// catalog, the site manifest and the playlists of upcoming items name version 2; an item that aired keeps naming
// version 1; the agent holds each version it plays complete and never plays a mix; the collector removes version 1
// only when the rule allows (no live window names it).
import crypto from 'node:crypto';
import fs from 'node:fs';
import t from 'tap';
import { agentFor, publishedProgram, rmDir, serverWithSite } from '../agent/agent-fixture.ts';
import { JobWorker } from '../../../server/media/jobs.ts';
import { collectOldVersions } from '../../../server/media/versions.ts';
import { versionDir } from '../../../server/media/store.ts';
import { slatesSettled } from '../../../server/broadcast/slate.ts';
import { mediaPlaylist } from '../../../common/playlist.ts';
import type { SiteManifest } from '../../../common/manifest.ts';

const sha = (b: Buffer | Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quiet = { info() {} };

/** Segment URIs of `programId` in the playlist a site computes for `channelId` at `atMs`. */
function siteSegments(m: SiteManifest, channelId: number, programId: number, atMs: number): string[] {
  const channel = m.channels.find((c) => c.id === channelId)!;
  return mediaPlaylist(channel.timeline, '240p', atMs)
    .split('\n')
    .filter((l) => l.startsWith(`/media/programs/${programId}/`));
}

t.test('re-transcode while a site holds version 1: no mix, no stale bytes, collected by the rule', async (t) => {
  const site = await serverWithSite({ maxRung: '240p' });
  t.teardown(() => site.s.close());
  const { app } = site.s;
  const auth = site.s.auth;
  const id = await publishedProgram(site.s, 6, '版本讲座');
  const base = (v: number) => `${site.serverUrl}/media/programs/${id}/v${v}`;

  // Channel B airs the lecture in 30 minutes: the site must hold it now (within 2 h).
  const chB = (await app.inject({ method: 'POST', url: '/api/channels', headers: auth, payload: { number: 2, name: '二台' } })).json();
  await slatesSettled(app.db);
  const startB = Math.ceil(Date.now() / 1000) * 1000 + 30 * 60_000;
  const itemB = await app.inject({
    method: 'POST',
    url: `/api/channels/${chB.id}/schedule`,
    headers: auth,
    payload: { programId: id, start: new Date(startB).toISOString() },
  });
  t.equal(itemB.statusCode, 201, itemB.body);

  const a = await agentFor(site.serverUrl, { pairCode: site.pairingCode });
  t.teardown(async () => {
    await a.close();
    rmDir(a.dataDir);
  });
  await a.syncNow();
  await a.whenIdle();
  const heldOf = () =>
    a.store
      .heldFiles()
      .filter((h) => h.programId === id)
      .map((h) => h.path);
  const v1Held = heldOf();
  t.ok(v1Held.length > 3 && v1Held.every((p) => p.startsWith(`programs/${id}/v1/`)), 'the site holds version 1 of the lecture');
  t.same(
    siteSegments(a.sync.manifest!, chB.id, id, startB + 1000).filter((u) => !u.includes('/v1/')),
    [],
    'the playlist the site computes for the item names version 1 only',
  );

  // Version 1 as served: immutable, strong ETag from the content hash.
  const seg1 = await fetch(`${base(1)}/240p/seg_00000.ts`);
  const seg1Bytes = Buffer.from(await seg1.arrayBuffer());
  t.equal(seg1.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  t.equal(seg1.headers.get('etag'), `"${sha(seg1Bytes).slice(0, 32)}"`);
  const master1 = await fetch(`${base(1)}/master.m3u8`);
  t.equal(master1.headers.get('cache-control'), 'public, max-age=31536000, immutable', 'playlists of a version never change either');
  const master1Text = await master1.text();

  // Channel A airs the lecture now: the item starts, is frozen on version 1 (it aired), and ends.
  const chA = (await app.inject({ method: 'POST', url: '/api/channels', headers: auth, payload: { number: 1, name: '一台' } })).json();
  await slatesSettled(app.db);
  const startA = Math.ceil(Date.now() / 1000) * 1000 + 1000;
  const itemA = await app.inject({
    method: 'POST',
    url: `/api/channels/${chA.id}/schedule`,
    headers: auth,
    payload: { programId: id, start: new Date(startA).toISOString() },
  });
  t.equal(itemA.statusCode, 201, itemA.body);
  await sleep(startA + 1500 - Date.now());
  const onAir = await app.inject({ method: 'GET', url: `/live/channels/${chA.id}/240p.m3u8` });
  t.match(onAir.body, new RegExp(`/media/programs/${id}/v1/240p/seg_0000\\d\\.ts`), 'on air: version 1');

  // The re-transcode publishes version 2 next to version 1.
  const re = await app.inject({ method: 'POST', url: `/api/programs/${id}/retranscode`, headers: auth });
  t.equal(re.statusCode, 202, 'a scheduled program may be transcoded again');
  t.equal((await fetch(`${base(1)}/240p/seg_00000.ts`)).status, 200, 'version 1 is served while the new one is made');
  await new JobWorker({ db: app.db, config: app.config }).drain();
  const view = (await app.inject({ method: 'GET', url: `/api/programs/${id}`, headers: auth })).json();
  t.equal(view.status, 'ready');
  t.equal(view.hls, `/media/programs/${id}/v2/master.m3u8`, 'the catalog names version 2');
  t.match(view.previewUrl, new RegExp(`/programs/${id}/v2/master\\.m3u8$`), 'so does the preview');

  // Version 1's URLs: the same bytes, the same ETag, still immutable. Version 2 has its own URLs.
  const again = await fetch(`${base(1)}/240p/seg_00000.ts`);
  t.ok(Buffer.from(await again.arrayBuffer()).equals(seg1Bytes), 'version 1 bytes unchanged');
  t.equal(again.headers.get('etag'), seg1.headers.get('etag'));
  t.equal(await (await fetch(`${base(1)}/master.m3u8`)).text(), master1Text);
  const seg2 = await fetch(`${base(2)}/240p/seg_00000.ts`);
  t.equal(seg2.status, 200);
  t.equal(seg2.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  t.equal((await fetch(`${site.serverUrl}/media/programs/${id}/240p/seg_00000.ts`)).status, 404, 'unversioned URLs: 404');

  // Live playlists: the aired item keeps version 1 (the past never changes); channel B's upcoming item plays version 2.
  const atA = await app.inject({ method: 'GET', url: `/live/channels/${chA.id}/240p.m3u8` });
  t.notMatch(atA.body, `/media/programs/${id}/v2/`, 'channel A: its aired item still names version 1');

  // The site: its manifest names version 2 for channel B and version 1 for channel A's aired item, each complete.
  await a.syncNow();
  await a.whenIdle();
  const m = a.sync.manifest!;
  t.equal(m.channels.find((c) => c.id === chB.id)!.timeline.programs[id].version, 2, 'channel B: version 2');
  t.same(
    a.sync.catalog!.programs.find((p) => p.id === id)!.files.filter((f) => !f.path.startsWith(`programs/${id}/v2/`)),
    [],
    'catalog: version 2',
  );
  const bSegs = siteSegments(m, chB.id, id, startB + 1000);
  t.ok(bSegs.length > 0 && bSegs.every((u) => u.includes('/v2/')), 'the item on channel B plays version 2 only');
  const held = new Set(heldOf());
  const required = m.required.filter((f) => f.programId === id).map((f) => f.path);
  const byVersion = (v: number) => required.filter((p) => p.startsWith(`programs/${id}/v${v}/`));
  t.ok(byVersion(2).length > 3 && byVersion(2).every((p) => held.has(p)), 'version 2 held complete');
  t.ok(
    byVersion(1).every((p) => held.has(p)),
    'what channel A still names of version 1 is held complete',
  );
  // The playlist's segments come from the site's own disk, each with the bytes the manifest says.
  for (const uri of bSegs) {
    const res = await fetch(`${a.url}${uri}`);
    const want = m.required.find((f) => `/media/${f.path}` === uri)!;
    t.equal(sha(Buffer.from(await res.arrayBuffer())), want.sha256, `${uri} from the site's cache`);
  }

  // The collector: channel A's live window still names version 1, so it stays even with no grace left.
  const noGrace = { ...app.config, mediaVersionGraceHours: 0 };
  t.same(collectOldVersions(app.db, app.config, Date.now(), quiet), [], 'inside the grace: kept');
  t.same(collectOldVersions(app.db, noGrace, Date.now(), quiet), [], 'named by a live window: kept');
  t.ok(fs.existsSync(versionDir(app.config, id, 1)));
  // Channel A goes: nothing names version 1 any more.
  t.equal((await app.inject({ method: 'DELETE', url: `/api/channels/${chA.id}`, headers: auth })).statusCode, 204);
  const removed = collectOldVersions(app.db, noGrace, Date.now(), quiet);
  t.same(
    removed.map((v) => [v.programId, v.version]),
    [[id, 1]],
    'version 1 removed',
  );
  t.notOk(fs.existsSync(versionDir(app.config, id, 1)), 'its folder is gone');
  t.ok(fs.existsSync(versionDir(app.config, id, 2)), 'the current version stays');
  t.equal((await fetch(`${base(1)}/240p/seg_00000.ts`)).status, 404, 'a removed version answers 404, never other bytes');
  t.equal((await fetch(`${base(2)}/240p/seg_00000.ts`)).status, 200);

  // The site lets version 1 go and keeps version 2 complete.
  await a.syncNow();
  await a.whenIdle();
  const finalHeld = heldOf();
  t.same(
    finalHeld.filter((p) => !p.startsWith(`programs/${id}/v2/`)),
    [],
    'only version 2 is held',
  );
  t.ok(
    byVersion(2).every((p) => finalHeld.includes(p)),
    'version 2 complete',
  );
});
