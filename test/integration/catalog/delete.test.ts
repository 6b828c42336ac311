// DELETE /api/programs/:id removes the rows and the media, and is refused while a broadcast still to
// come (or a recurring slot still running) uses the program.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { makeServer, tempDir } from '../../../testkit/helpers.ts';
import { makeClip } from '../../../testkit/media.ts';
import { programDir, sourceDir } from '../../../server/media/store.ts';

t.test('delete removes media; future broadcasts block it', async (t) => {
  const clips = tempDir('catalog-clips-');
  const s = await makeServer();
  t.teardown(async () => {
    await s.close();
    fs.rmSync(clips, { recursive: true, force: true });
    fs.rmSync(s.config.dataDir, { recursive: true, force: true });
  });
  const { db } = s.app;
  const clip = await makeClip(clips, 'tiny240', { seconds: 1 });
  const upload = async (title: string) => {
    const fd = new FormData();
    fd.append('title', title);
    fd.append('audiences', 'rural-members');
    fd.append('file', new Blob([fs.readFileSync(clip)]), 'clip.mp4');
    const res = await s.app.inject({ method: 'POST', url: '/api/programs', headers: s.auth, payload: fd });
    t.equal(res.statusCode, 202, res.body);
    return res.json().id as number;
  };
  const count = (sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;

  const id = await upload('要删除的节目');
  // Stand-in for published output, so removal of both folders is checked.
  fs.mkdirSync(path.join(programDir(s.config, id), '240p'), { recursive: true });
  fs.writeFileSync(path.join(programDir(s.config, id), 'master.m3u8'), '#EXTM3U\n');
  t.ok(fs.readdirSync(sourceDir(s.config, id)).length, 'source kept before delete');

  const del = await s.app.inject({ method: 'DELETE', url: `/api/programs/${id}`, headers: s.auth });
  t.equal(del.statusCode, 204);
  t.notOk(fs.existsSync(sourceDir(s.config, id)), 'source removed');
  t.notOk(fs.existsSync(programDir(s.config, id)), 'HLS output removed');
  t.equal(count('SELECT count(*) AS n FROM programs WHERE id = ?', id), 0);
  t.equal(count('SELECT count(*) AS n FROM program_audiences WHERE program_id = ?', id), 0);
  t.equal(count('SELECT count(*) AS n FROM jobs WHERE program_id = ?', id), 0, 'its job is gone');
  t.equal((await s.app.inject({ method: 'GET', url: `/api/programs/${id}`, headers: s.auth })).statusCode, 404);
  t.equal((await s.app.inject({ method: 'DELETE', url: `/api/programs/${id}`, headers: s.auth })).statusCode, 404);

  // Broadcast use (tables of server/broadcast, written directly here).
  const scheduled = await upload('已排播的节目');
  const now = Date.now();
  const iso = new Date().toISOString();
  db.prepare("INSERT INTO channels (id, number, name, epoch, created_at, updated_at) VALUES (1, 1, '党员教育频道', ?, ?, ?)").run(
    now - 86400e3,
    iso,
    iso,
  );
  const item = db
    .prepare('INSERT INTO schedule_items (channel_id, program_id, start_at, end_at, created_at, updated_at) VALUES (1, ?, ?, ?, ?, ?)')
    .run(scheduled, now + 3600e3, now + 7200e3, iso, iso).lastInsertRowid;
  const refused = await s.app.inject({ method: 'DELETE', url: `/api/programs/${scheduled}`, headers: s.auth });
  t.equal(refused.statusCode, 409, 'a broadcast still to come blocks deletion');
  t.match(refused.json().error, { code: 'program_scheduled', message: /scheduled on channel 1 at .*Remove it from the schedule first/ });
  t.ok(fs.existsSync(sourceDir(s.config, scheduled)), 'nothing removed on refusal');
  t.equal(count('SELECT count(*) AS n FROM programs WHERE id = ?', scheduled), 1);

  // Once that broadcast is in the past, it no longer blocks; the past schedule keeps its row.
  db.prepare('UPDATE schedule_items SET start_at = ?, end_at = ? WHERE id = ?').run(now - 7200e3, now - 3600e3, item);
  t.equal((await s.app.inject({ method: 'DELETE', url: `/api/programs/${scheduled}`, headers: s.auth })).statusCode, 204);
  t.equal(
    count('SELECT count(*) AS n FROM schedule_items WHERE id = ? AND program_id IS NULL', item),
    1,
    'past item kept, program detached',
  );

  // A recurring slot that still runs the program blocks deletion too; an ended one does not.
  const slotted = await upload('每周固定节目');
  const slot = db
    .prepare(
      `INSERT INTO schedule_slots (channel_id, days, time, program_id, from_at, until_at, materialised_until, created_at, updated_at)
       VALUES (1, '[1]', '20:00', ?, ?, NULL, ?, ?, ?)`,
    )
    .run(slotted, now - 86400e3, now, iso, iso).lastInsertRowid;
  const bySlot = await s.app.inject({ method: 'DELETE', url: `/api/programs/${slotted}`, headers: s.auth });
  t.equal(bySlot.statusCode, 409);
  t.match(bySlot.json().error.message, /recurring slot \d+ of channel 1/);
  db.prepare('UPDATE schedule_slots SET until_at = ? WHERE id = ?').run(now - 1000, slot);
  t.equal((await s.app.inject({ method: 'DELETE', url: `/api/programs/${slotted}`, headers: s.auth })).statusCode, 204);
});
