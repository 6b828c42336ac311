// The manifest cache: shared fragments built once per (channel set, maxRung, hour), rebuilt when the data
// changes, ETag independent of generatedAt. Real SQLite file and the broadcast domain's timeline source,
// counted; `now` is passed in, so no clock is read.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb } from '../../../server/db/connection.ts';
import { recordOutputVersion } from '../../../server/media/media-data.ts';
import { createRegion } from '../../../server/sites/regions.ts';
import { createSite } from '../../../server/sites/sites.ts';
import { loadManifestSite, ManifestCache, type TimelineSource } from '../../../server/sites/manifest.ts';
import { invalidateChannel, timelineInputForChannel } from '../../../server/broadcast/timeline-input.ts';

t.test('manifest fragments are shared, cached and refreshed', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sites-cache-'));
  const db = openDb(path.join(dir, 'db.sqlite'));
  t.teardown(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const iso = new Date(0).toISOString();
  const program = (title: string, segs: number[], published = 1) => {
    const id = Number(
      db
        .prepare("INSERT INTO programs (title, status, published, created_at, updated_at) VALUES (?, 'ready', ?, ?, ?)")
        .run(title, published, iso, iso).lastInsertRowid,
    );
    const files = segs.map((_, i) => ({
      path: `240p/seg_${String(i).padStart(5, '0')}.ts`,
      rung: '240p',
      size: 100,
      sha256: 'f'.repeat(64),
    }));
    const renditions = [{ name: '240p' as const, width: 426, height: 240, bandwidth: 300000 }];
    recordOutputVersion(db, id, 1, { renditions, segments: segs, files }, iso);
    return id;
  };
  const slate = program('台标', [1, 1, 0.2, 0.4, 0.6, 0.8], 0);
  const lecture = program('讲座', [4, 4]);
  const hour = 3600_000;
  const t0 = Date.UTC(2026, 10, 22, 8, 10);
  for (const n of [1, 2])
    db.prepare(
      "INSERT INTO channels (number, name, generated_slate_id, slate_status, epoch, created_at, updated_at) VALUES (?, ?, ?, 'ready', ?, ?, ?)",
    ).run(n, `频道${n}`, slate, t0 - hour, iso, iso);
  const item = db.prepare(
    'INSERT INTO schedule_items (channel_id, program_id, start_at, end_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  item.run(1, lecture, t0 + hour, t0 + hour + 8000, iso, iso);

  const codeKey = Buffer.alloc(32, 7);
  const province = createRegion(db, { name: '省', level: 'province' });
  const v1 = createRegion(db, { name: '一村', level: 'village', parentId: province.id });
  const v2 = createRegion(db, { name: '二村', level: 'village', parentId: province.id });
  const a = createSite(db, codeKey, { name: 'A', regionId: v1.id, maxRung: '480p' }).site.id;
  const b = createSite(db, codeKey, { name: 'B', regionId: v2.id, maxRung: '480p' }).site.id;
  const c = createSite(db, codeKey, { name: 'C', regionId: v2.id, maxRung: '240p' }).site.id;

  let calls = 0;
  const counted: TimelineSource = (...args) => {
    calls++;
    return timelineInputForChannel(...args);
  };
  const cache = new ManifestCache(db, counted, 'Asia/Shanghai');
  const site = (id: number) => loadManifestSite(db, id)!;

  const mA = cache.manifest(site(a), t0);
  t.equal(calls, 2, 'one timeline per channel');
  const mB = cache.manifest(site(b), t0 + 10);
  t.equal(calls, 2, 'another village receiving the same channels at the same rung shares the fragment');
  t.not(mB.etag, mA.etag, 'site fields are in the ETag');
  cache.manifest(site(c), t0 + 20);
  t.equal(calls, 4, 'another maxRung builds its own');

  const again = cache.manifest(site(a), t0 + 500);
  t.equal(again.etag, mA.etag, 'same content, same ETag');
  t.not(again.body().toString(), mA.body().toString(), 'though generatedAt moved');
  t.equal(JSON.parse(again.body().toString()).generatedAt, t0 + 500);
  t.equal(calls, 4, 'nothing rebuilt');

  // A data change is noticed at the next fingerprint check (at most once a second).
  item.run(2, lecture, t0 + 2 * hour, t0 + 2 * hour + 8000, iso, iso);
  invalidateChannel(db, 2); // what the broadcast domain's schedule writes do after a change
  cache.manifest(site(a), t0 + 900);
  t.equal(calls, 4, 'not re-checked within the second');
  const changed = cache.manifest(site(a), t0 + 6000);
  t.ok(calls > 4, 'rebuilt after the change');
  t.not(changed.etag, mA.etag);
  t.ok(JSON.parse(changed.body().toString()).channels.find((ch: { id: number }) => ch.id === 2).timeline.items.length > 0);

  const before = calls;
  cache.manifest(site(a), t0 + 7000);
  t.equal(calls, before, 'steady state: no rebuilds');
  const nextHour = cache.manifest(site(a), t0 + hour);
  t.ok(calls > before, 'a new hour moves the window');
  t.not(nextHour.etag, changed.etag);
  const m = JSON.parse(nextHour.body().toString());
  t.ok(
    m.required.every((f: { neededAt: number }) => f.neededAt >= Math.floor((t0 + hour) / hour) * hour),
    'needs counted from the new window',
  );
});
