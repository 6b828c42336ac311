// Daily rollups and the raw purge on a real SQLite file: idempotent rollups, reports equal before and after,
// raw rows of old rolled-up days purged while report totals stay, unrolled days never purged, sessions older
// than the retention refused, and the worker catching up on start.
import t from 'tap';
import fs from 'node:fs';
import { makeServer, tempDir } from '../helpers.ts';
import { makeIngest } from '../../server/attendance/ingest.ts';
import { makeRollups } from '../../server/attendance/rollup.ts';
import { attendanceSettings } from '../../server/attendance/settings.ts';
import { seedTree, session, provinceTime, provinceDate, TZ, countStored } from './attendance-fixtures.ts';

t.test('rollup, purge, retention', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  seedTree(app.db);
  const now = Date.now();
  const ingest = makeIngest(app.db, TZ, 7);
  const rollups = makeRollups(app.db, TZ);
  const res = ingest(1, { sentAt: now, sessions: [
    session({ id: 'old', start: provinceTime(now, 10, 9) }),
    session({ id: 'd5', start: provinceTime(now, 5, 9), watchedSeconds: 1800, headcount: 2, members: [{ memberNo: 'A', watchedSeconds: 1800 }] }),
    session({ id: 'd1', start: provinceTime(now, 1, 9), watchedSeconds: 900, headcount: 1 }),
    session({ id: 'today', start: now - 2 * 3600_000, end: now - 3600_000, watchedSeconds: 600 }),
  ] }, now);
  t.same(res.rejected.map((r) => [r.id, r.reason]), [['old', 'too_old']], 'older than the retention: refused');

  const report = async (from: string) => {
    const r = await app.inject({ method: 'GET', url: `/api/reports/activity?from=${from}&to=${provinceDate(now, 0)}`, headers: s.auth });
    const m = await app.inject({ method: 'GET', url: `/api/reports/members?from=${from}&to=${provinceDate(now, 0)}&per=month`, headers: s.auth });
    const { sessions, viewingHours, personHours, distinctMembers } = r.json().regions[0];
    return { sessions, viewingHours, personHours, distinctMembers, memberHours: m.json().rows.reduce((n: number, x: { hours: number }) => n + x.hours, 0) };
  };
  const from = provinceDate(now, 6);
  const before = await report(from);
  // By hand: watched 1800 + 900 + 600 s; person-seconds 1800x2 + 900x1 + 600x1.
  t.same(before, { sessions: 3, viewingHours: 0.92, personHours: 1.42, distinctMembers: 1, memberHours: 0.5 });

  t.same(rollups.rollupPending(now), [provinceDate(now, 5), provinceDate(now, 1)], 'past days with sessions, not today');
  t.same(rollups.rollupPending(now), [], 'nothing left');
  rollups.rollupDay(provinceDate(now, 5), now);
  t.same(await report(from), before, 'same figures from the aggregates, rolling twice changes nothing');

  // Four days later with a 7-day retention, day -5 is older than the cutoff: its raw rows go, its aggregates stay.
  const later = now + 4 * 86_400_000;
  // A late session for day -6 arrives before the purge and is not rolled up yet: it must survive the purge.
  ingest(2, { sentAt: now, sessions: [session({ id: 'late6', start: provinceTime(now, 6, 9), watchedSeconds: 300 })] }, now);
  const purged = rollups.purgeRaw(later, 7);
  t.equal(purged, 1, 'one raw session purged');
  t.equal(countStored(app.db), 3, 'd1, today and the unrolled late6 are kept');
  t.ok(app.db.prepare("SELECT 1 FROM attendance_sessions WHERE session_id = 'late6'").get(), 'an unrolled day is never purged');
  t.equal((app.db.prepare("SELECT count(*) AS n FROM attendance_session_members").get() as { n: number }).n, 0, 'its members went with it');
  const after = await report(from);
  t.same(after, { ...before, sessions: 4, viewingHours: 1, personHours: 1.5 }, 'report totals kept from the aggregates (plus late6)');
});

t.test('settings from the environment', async (t) => {
  t.same(attendanceSettings({}), { retentionDays: 730, rollupCron: '30 2 * * *' });
  t.same(attendanceSettings({ ATTENDANCE_RETENTION_DAYS: '1000', ATTENDANCE_ROLLUP_CRON: '0 3 * * *' }), { retentionDays: 1000, rollupCron: '0 3 * * *' });
  t.throws(() => attendanceSettings({ ATTENDANCE_RETENTION_DAYS: 'two years' }), /ATTENDANCE_RETENTION_DAYS/);
});

t.test('the worker catches up on start: days not rolled up while the server was down', async (t) => {
  const dataDir = tempDir();
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const first = await makeServer({ dataDir });
  seedTree(first.app.db);
  const now = Date.now();
  makeIngest(first.app.db, TZ, 730)(1, { sentAt: now, sessions: [session({ id: 'x', start: provinceTime(now, 2, 9) })] }, now);
  await first.close();

  const second = await makeServer({ dataDir, startWorkers: true });
  t.teardown(() => second.close());
  const rolled = () => second.app.db.prepare('SELECT day FROM attendance_rolled_days').all();
  for (let i = 0; i < 100 && rolled().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  t.same(rolled(), [{ day: provinceDate(now, 2) }]);
  t.same(second.app.db.prepare('SELECT sessions FROM attendance_daily').all(), [{ sessions: 1 }]);
});
