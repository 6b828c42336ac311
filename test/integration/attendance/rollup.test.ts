// Daily rollups and the raw purge on a real SQLite file: idempotent rollups, reports equal before and after,
// raw rows of old rolled-up days purged while report totals stay, unrolled days never purged, sessions older
// than the retention refused, and the worker catching up on start.
import t from 'tap';
import fs from 'node:fs';
import { DateTime } from 'luxon';
import { makeServer, tempDir } from '../../../testkit/helpers.ts';
import { makeIngest } from '../../../server/attendance/ingest.ts';
import { makeRollups } from '../../../server/attendance/rollup.ts';
import { loadConfig } from '../../../server/config.ts';
import { seedTree, session, provinceTime, provinceDate, TZ, countStored } from './fixtures.ts';

t.test('rollup, purge, retention', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  seedTree(app.db);
  const now = Date.now();
  const ingest = makeIngest(app.db, TZ, 7);
  const rollups = makeRollups(app.db, TZ);
  const res = await ingest(
    1,
    {
      sentAt: now,
      sessions: [
        session({ id: 'old', start: provinceTime(now, 10, 9) }),
        session({
          id: 'd5',
          start: provinceTime(now, 5, 9),
          watchedSeconds: 1800,
          headcount: 2,
          members: [{ memberNo: 'A', watchedSeconds: 1800 }],
        }),
        session({ id: 'd1', start: provinceTime(now, 1, 9), watchedSeconds: 900, headcount: 1 }),
        session({ id: 'today', start: now - 2 * 3600_000, end: now - 3600_000, watchedSeconds: 600 }),
      ],
    },
    now,
  );
  t.same(
    res.rejected.map((r) => [r.id, r.reason]),
    [['old', 'too_old']],
    'older than the retention: refused',
  );

  const report = async (from: string) => {
    const r = await app.inject({ method: 'GET', url: `/api/reports/activity?from=${from}&to=${provinceDate(now, 0)}`, headers: s.auth });
    const m = await app.inject({
      method: 'GET',
      url: `/api/reports/members?from=${from}&to=${provinceDate(now, 0)}&per=month`,
      headers: s.auth,
    });
    const { sessions, viewingHours, personHours, distinctMembers } = r.json().regions[0];
    return {
      sessions,
      viewingHours,
      personHours,
      distinctMembers,
      memberHours: m.json().rows.reduce((n: number, x: { hours: number }) => n + x.hours, 0),
    };
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
  await ingest(2, { sentAt: now, sessions: [session({ id: 'late6', start: provinceTime(now, 6, 9), watchedSeconds: 300 })] }, now);
  const purged = rollups.purgeRaw(later, 7);
  t.equal(purged, 1, 'one raw session purged');
  t.equal(countStored(app.db), 3, 'd1, today and the unrolled late6 are kept');
  t.ok(app.db.prepare("SELECT 1 FROM attendance_sessions WHERE session_id = 'late6'").get(), 'an unrolled day is never purged');
  t.equal((app.db.prepare('SELECT count(*) AS n FROM attendance_session_members').get() as { n: number }).n, 0, 'its members went with it');
  const after = await report(from);
  t.same(after, { ...before, sessions: 4, viewingHours: 1, personHours: 1.5 }, 'report totals kept from the aggregates (plus late6)');
});

t.test('settings from the environment', async (t) => {
  t.match(loadConfig({}), { attendanceRetentionDays: 731, attendanceRollupCron: '30 2 * * *' });
  t.match(loadConfig({ ATTENDANCE_RETENTION_DAYS: '1000', ATTENDANCE_ROLLUP_CRON: '0 3 * * *' }), {
    attendanceRetentionDays: 1000,
    attendanceRollupCron: '0 3 * * *',
  });
  t.throws(() => loadConfig({ ATTENDANCE_RETENTION_DAYS: 'two years' }), /ATTENDANCE_RETENTION_DAYS/);
  t.throws(() => loadConfig({ ATTENDANCE_RETENTION_DAYS: '0' }), /ATTENDANCE_RETENTION_DAYS/);
  t.throws(() => loadConfig({ ATTENDANCE_ROLLUP_CRON: 'every night' }), /ATTENDANCE_ROLLUP_CRON/);
});

t.test('the worker catches up on start: days not rolled up while the server was down', async (t) => {
  const dataDir = tempDir();
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const first = await makeServer({ dataDir });
  seedTree(first.app.db);
  const now = Date.now();
  await makeIngest(first.app.db, TZ, 730)(1, { sentAt: now, sessions: [session({ id: 'x', start: provinceTime(now, 2, 9) })] }, now);
  await first.close();

  const second = await makeServer({ dataDir, startWorkers: true });
  t.teardown(() => second.close());
  const rolled = () => second.app.db.prepare('SELECT day FROM attendance_rolled_days').all();
  for (let i = 0; i < 100 && rolled().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  t.same(rolled(), [{ day: provinceDate(now, 2) }]);
  t.same(second.app.db.prepare('SELECT sessions FROM attendance_daily').all(), [{ sessions: 1 }]);
});

t.test('whole months read from the monthly sums, edges from the days, late arrivals from the raw rows', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  seedTree(app.db);
  const now = Date.now();
  const ingest = makeIngest(app.db, TZ, 730);
  const rollups = makeRollups(app.db, TZ);
  // Two months back: a whole month in the past.
  const month = DateTime.fromMillis(now, { zone: TZ }).minus({ months: 2 }).startOf('month');
  const at = (day: number, hour: number) => month.set({ day, hour }).toMillis();
  const last = month.daysInMonth!;
  const sessions = [
    session({ id: 'm1', start: at(1, 9), watchedSeconds: 1800, headcount: 2, members: [{ memberNo: 'A', watchedSeconds: 1800 }] }),
    session({
      id: 'm15',
      start: at(15, 9),
      watchedSeconds: 3600,
      headcount: 3,
      members: [
        { memberNo: 'A', watchedSeconds: 3600 },
        { memberNo: 'B', watchedSeconds: 60 },
      ],
    }),
    session({ id: 'mLast', start: at(last, 20), watchedSeconds: 900, headcount: 1 }),
    // The first day of the next month, outside a whole-month query.
    session({ id: 'next1', start: month.plus({ months: 1 }).set({ hour: 9 }).toMillis(), watchedSeconds: 600, headcount: 1 }),
  ];
  t.equal((await ingest(1, { sentAt: now, sessions }, now)).accepted.length, 4);
  const first = month.toISODate()!;
  const end = month.endOf('month').toISODate()!;
  const activity = async (from: string, to: string) => {
    const r = await app.inject({ method: 'GET', url: `/api/reports/activity?from=${from}&to=${to}`, headers: s.auth });
    const { sessions: n, viewingHours, personHours, distinctMembers } = r.json().regions[0];
    return { n, viewingHours, personHours, distinctMembers };
  };
  // By hand: watched 1800 + 3600 + 900 = 6300 s; person 3600 + 10800 + 900 = 15300 s.
  const whole = { n: 3, viewingHours: 1.75, personHours: 4.25, distinctMembers: 2 };
  t.same(await activity(first, end), whole, 'raw');
  rollups.rollupPending(now);
  t.ok(app.db.prepare('SELECT 1 FROM attendance_site_monthly WHERE month = ?').get(first.slice(0, 7)), 'monthly sums built');
  t.same(await activity(first, end), whole, 'whole month from the monthly sums');
  const edge = month.set({ day: 15 }).toISODate()!;
  const nextFirst = month.plus({ months: 1 }).toISODate()!;
  // By hand: m15 + mLast + next1: watched 3600 + 900 + 600; person 10800 + 900 + 600.
  t.same(
    await activity(edge, nextFirst),
    { n: 3, viewingHours: 1.42, personHours: 3.42, distinctMembers: 2 },
    'partial months from the days',
  );

  // A late session on day 15 un-rolls that day: the month must not count day 15 twice nor lose it.
  t.same(
    (
      await ingest(
        2,
        {
          sentAt: now,
          sessions: [
            session({
              id: 'late15',
              start: at(15, 10),
              watchedSeconds: 1200,
              headcount: 1,
              members: [{ memberNo: 'C', watchedSeconds: 1200 }],
            }),
          ],
        },
        now,
      )
    ).accepted,
    ['late15'],
  );
  const withLate = { n: 4, viewingHours: 2.08, personHours: 4.58, distinctMembers: 3 };
  t.same(await activity(first, end), withLate, 'month sums without day 15 + day 15 raw');
  rollups.rollupPending(now);
  t.same(await activity(first, end), withLate, 'after the next rollup');
  // A replay of an already counted session changes nothing anywhere.
  await ingest(1, { sentAt: now, sessions: [sessions[1]] }, now);
  t.same(await activity(first, end), withLate, 'replay after rollup');
  const manual = await app.inject({ method: 'POST', url: '/api/attendance/rollup', headers: s.auth, payload: { day: '2001-01-01' } });
  t.equal(manual.statusCode, 400, 'a day past the retention cannot be rolled again');
});
