// Issue 12: the house slate, made once per server through the one publish path, lets a channel play from its first
// second: right after POST /api/channels its live playlist answers (gaps filled by the house slate), no 503.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { makeServer, tempDir } from '../../../testkit/helpers.ts';
import { ensureHouseSlate, slatesSettled } from '../../../server/broadcast/slate.ts';
import { programFiles, segmentDurations } from '../../../server/media/media-data.ts';
import { slateSegmentDurations } from '../../../server/broadcast/slate-plan.ts';

t.test('house slate: made once, open media, never in the catalog; a new channel plays at once', async (t) => {
  // Without the suite's card cache: the gap right after POST is what this checks, before the card is rendered.
  const s = await makeServer({ slateCacheDir: undefined });
  t.teardown(() => s.close());
  const { app } = s;
  const id = await ensureHouseSlate(app.db, app.config, app.log);
  t.ok(id, 'the house slate is made');
  t.equal(await ensureHouseSlate(app.db, app.config, app.log), id, 'once per server: the same program again');
  t.same(segmentDurations(app.db, id!), slateSegmentDurations(), 'the slate layout, recorded by the publish path');
  t.ok(
    programFiles(app.db, id!).some((f) => f.path === '240p/seg_00000.ts'),
    'its files are listed with their hashes',
  );
  t.notOk(
    programFiles(app.db, id!).some((f) => f.path.includes('.slate-')),
    'no scratch files published',
  );

  const master = await app.inject({ method: 'GET', url: `/media/programs/${id}/v1/master.m3u8` });
  t.equal(master.statusCode, 200, 'open to anonymous players (set-top boxes play it in gaps)');
  const list = (await app.inject({ method: 'GET', url: '/api/programs?published=false', headers: s.auth })).json();
  t.notOk(
    list.items.some((p: { id: number }) => p.id === id),
    'not a catalog program',
  );
  t.equal((await app.inject({ method: 'GET', url: `/api/programs/${id}`, headers: s.auth })).statusCode, 404);

  const created = await app.inject({ method: 'POST', url: '/api/channels', headers: s.auth, payload: { number: 7, name: '新频道' } });
  t.equal(created.statusCode, 201);
  const ch = created.json();
  const live = await app.inject({ method: 'GET', url: `/live/channels/${ch.id}/240p.m3u8` });
  t.equal(live.statusCode, 200, `the new channel plays before its own card exists (${live.body.slice(0, 80)})`);
  t.match(live.body, new RegExp(`/media/programs/${id}/v1/240p/seg_\\d{5}\\.ts`), 'the gap is the house slate');
  await slatesSettled(app.db);
});

t.test('SLATE_CACHE_DIR: a card rendered once is reused by the next server, as kept', async (t) => {
  const cache = tempDir('dyb-slate-cache-');
  t.teardown(() => fs.rmSync(cache, { recursive: true, force: true }));
  const card = async () => {
    const s = await makeServer({ slateCacheDir: cache });
    t.teardown(() => s.close());
    const ch = (
      await s.app.inject({ method: 'POST', url: '/api/channels', headers: s.auth, payload: { number: 3, name: '缓存频道' } })
    ).json();
    await slatesSettled(s.app.db);
    const row = s.app.db.prepare('SELECT generated_slate_id AS id FROM channels WHERE id = ?').get(ch.id) as { id: number };
    return programFiles(s.app.db, row.id).find((f) => f.path === '240p/seg_00000.ts')!;
  };
  const first = await card();
  const kept = fs.readdirSync(cache);
  t.ok(kept.length >= 1, 'cards are kept under their content keys (the channel card, and the house slate it needed)');
  // Mark the kept copies: the next server publishes exactly what is kept instead of encoding it again.
  for (const k of kept) fs.appendFileSync(path.join(cache, k, '240p', 'seg_00000.ts'), Buffer.alloc(188));
  const second = await card();
  t.equal(second.size, first.size + 188, 'the second server used the kept card');
  t.not(second.sha256, first.sha256);
});
