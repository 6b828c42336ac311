// Issue 9 for attendance: one site cannot flood the reports or stall the server (member caps per session and per
// batch, a body limit sized to the largest allowed batch, ingest committed in slices acknowledging only what
// committed), absurd heartbeat numbers are refused, the token is checked before a body is read, a number on another
// region's roll shows without its name, and reach reports keep draft titles from organizers.
import t from 'tap';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { MAX_BATCH_BYTES, MAX_MEMBER_ROWS_PER_BATCH, MAX_MEMBERS_PER_SESSION, MAX_SESSIONS_PER_BATCH } from '../../../common/attendance.ts';
import type { AttendanceBatchResult, AttendanceSession } from '../../../common/attendance.ts';
import { makeIngest, SLICE_SESSIONS } from '../../../server/attendance/ingest.ts';
import { makeServer, userAuth } from '../../../testkit/helpers.ts';
import { countStored, postBatch, provinceDate, provinceTime, seedTree, session, TZ } from './fixtures.ts';

const members = (n: number, prefix = 'M') => Array.from({ length: n }, (_, i) => ({ memberNo: `${prefix}${i}`, watchedSeconds: 600 }));
const memberRows = (db: import('../../../server/db/connection.ts').Db) =>
  db.prepare<[], { n: number }>('SELECT count(*) AS n FROM attendance_session_members').get()!.n;

t.test('member rows are capped per session (refused alone) and per batch (deferred, then taken on resend)', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { tokens } = seedTree(s.app.db);
  const now = Date.now();
  const start = provinceTime(now, 1, 20);

  const crowd = await postBatch(s.app, tokens[1], {
    sentAt: now,
    sessions: [
      session({ id: 'crowd', start, members: members(MAX_MEMBERS_PER_SESSION + 1) }),
      session({ id: 'room', start, members: members(30) }),
    ],
  });
  t.equal(crowd.statusCode, 200, crowd.body);
  const r1 = crowd.json<AttendanceBatchResult>();
  t.same(r1.accepted, ['room'], 'the other session of the batch is stored');
  t.same(
    r1.rejected.map((r) => [r.id, r.reason]),
    [['crowd', 'too_many_members']],
  );
  t.match(r1.rejected[0].message, /at most 200/);
  t.equal(memberRows(s.app.db), 30);

  // 500 sessions x 20 members = 10,000 rows: the first 5,000 rows' sessions are taken, the rest deferred.
  const per = 20;
  const big: AttendanceSession[] = Array.from({ length: MAX_SESSIONS_PER_BATCH }, (_, i) =>
    session({ id: `big${i}`, start: start + i * 1000, members: members(per, `B${i}-`) }),
  );
  const res = await postBatch(s.app, tokens[2], { sentAt: now, sessions: big });
  t.equal(res.statusCode, 200, res.body);
  const r2 = res.json<AttendanceBatchResult>();
  const fit = MAX_MEMBER_ROWS_PER_BATCH / per;
  t.equal(r2.accepted.length, fit, 'sessions up to the batch budget are stored');
  t.equal(r2.deferred?.length, MAX_SESSIONS_PER_BATCH - fit, 'the rest are handed back to send again');
  t.equal(r2.deferred?.[0].reason, 'batch_member_cap');
  t.equal(r2.rejected.length, 0, 'nothing valid is refused for good');
  t.equal(countStored(s.app.db, 2), fit);
  t.equal(memberRows(s.app.db), 30 + MAX_MEMBER_ROWS_PER_BATCH, 'one batch stores at most the budget');

  // The agent resends what was deferred: taken now, and nothing counted twice.
  const again = await postBatch(s.app, tokens[2], { sentAt: now, sessions: big.filter((b) => r2.deferred!.some((d) => d.id === b.id)) });
  t.equal(again.json<AttendanceBatchResult>().accepted.length, MAX_SESSIONS_PER_BATCH - fit);
  t.equal(countStored(s.app.db, 2), MAX_SESSIONS_PER_BATCH);
  t.equal(memberRows(s.app.db), 30 + MAX_SESSIONS_PER_BATCH * per);
});

t.test('the body limit fits the largest allowed batch and refuses the 9.7 MB one', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { tokens } = seedTree(s.app.db);
  const now = Date.now();
  const start = provinceTime(now, 1, 20);
  // Largest allowed: 500 sessions with long ids and 5,000 member rows with 64-character numbers.
  const longNo = (i: number) => `${i}`.padStart(64, '党');
  const largest = Array.from({ length: MAX_SESSIONS_PER_BATCH }, (_, i) =>
    session({
      id: `${i}`.padStart(64, 'x'),
      start: start + i,
      headcount: 10,
      members: Array.from({ length: MAX_MEMBER_ROWS_PER_BATCH / MAX_SESSIONS_PER_BATCH }, (_, j) => ({
        memberNo: longNo(i * 100 + j),
        watchedSeconds: 1799.5,
      })),
    }),
  );
  const body = JSON.stringify({ sentAt: now, sessions: largest });
  t.ok(Buffer.byteLength(body) <= MAX_BATCH_BYTES, `largest allowed batch (${Buffer.byteLength(body)} bytes) fits the limit`);
  const headers = { authorization: `Bearer ${tokens[1]}`, 'content-type': 'application/json' };
  const ok = await s.app.inject({ method: 'POST', url: '/api/sites/me/attendance', headers, payload: body });
  t.equal(ok.statusCode, 200, ok.body.slice(0, 300));
  t.equal(ok.json<AttendanceBatchResult>().accepted.length, MAX_SESSIONS_PER_BATCH);

  // The batch of the review: 500 sessions x 500 members (about 9.7 MB).
  const flood = Array.from({ length: MAX_SESSIONS_PER_BATCH }, (_, i) => session({ id: `f${i}`, start: start + i, members: members(500) }));
  const res = await postBatch(s.app, tokens[2], { sentAt: now, sessions: flood });
  t.equal(res.statusCode, 413);
  t.match(res.json(), { error: { code: String, message: String } });
  t.equal(countStored(s.app.db, 2), 0, 'nothing of it stored');
});

t.test('ingest commits in slices: other work runs between them, and only committed slices are acknowledged', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  seedTree(s.app.db);
  const now = Date.now();
  const start = provinceTime(now, 1, 20);
  const batch = (prefix: string) =>
    Array.from({ length: 3 * SLICE_SESSIONS }, (_, i) => session({ id: `${prefix}${i}`, start: start + i }));
  const ingest = makeIngest(s.app.db, TZ, 30);

  const pending = ingest(1, { sentAt: now, sessions: batch('s') }, now);
  // Each slice waits for the group commit of the loop's turn; the event loop is free between slices.
  t.equal(countStored(s.app.db, 1), 0, 'nothing written before the loop turns: the slice is in the next group commit');
  const seenBetween = await new Promise<number>((resolve) => setImmediate(() => resolve(countStored(s.app.db, 1))));
  t.equal(seenBetween, SLICE_SESSIONS, 'another task ran after the first slice committed, before the rest');
  t.equal((await pending).accepted.length, 3 * SLICE_SESSIONS);

  // A store failure in the third slice (a real SQLite error): the first two slices are acknowledged, the third is
  // handed back, and sending it all again stores each session once.
  s.app.db.exec(`CREATE TRIGGER boom BEFORE INSERT ON attendance_sessions WHEN NEW.session_id = 'f${2 * SLICE_SESSIONS + 5}'
    BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
  const errors: unknown[] = [];
  const failing = makeIngest(s.app.db, TZ, 30, {
    error: (o: unknown) => {
      errors.push(o);
    },
  });
  const r = await failing(2, { sentAt: now, sessions: batch('f') }, now);
  t.equal(r.accepted.length, 2 * SLICE_SESSIONS, 'only the committed slices are acknowledged');
  t.equal(r.deferred?.length, SLICE_SESSIONS);
  t.ok(r.deferred?.every((d) => d.reason === 'store_failed'));
  t.equal(countStored(s.app.db, 2), 2 * SLICE_SESSIONS, 'the failed slice left nothing behind');
  t.equal(errors.length, 1, 'the failure is logged');
  s.app.db.exec('DROP TRIGGER boom');
  const retry = await failing(2, { sentAt: now, sessions: batch('f') }, now);
  t.equal(retry.accepted.length, 3 * SLICE_SESSIONS);
  t.equal(countStored(s.app.db, 2), 3 * SLICE_SESSIONS, 'the replayed slices are not stored twice');
});

t.test('absurd numbers from a site are refused with a message naming the field, and nothing is stored', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { tokens } = seedTree(s.app.db);
  const headers = { authorization: `Bearer ${tokens[1]}` };
  const hb = (payload: object) => s.app.inject({ method: 'POST', url: '/api/sites/me/heartbeat', headers, payload });
  const absurd = [
    ['sentAt', 1e300],
    ['freeDiskBytes', 1e300],
    ['uptimeSeconds', 1e300],
    ['cacheReadiness', 2],
    ['freeDiskBytes', -1],
  ] as const;
  for (const [field, value] of absurd) {
    const res = await hb({ [field]: value });
    t.equal(res.statusCode, 400, `${field}: ${value}`);
    t.match(res.json().error.message, new RegExp(field), 'the message names the field');
  }
  const onScreen = await hb({ onScreen: { kind: 'broadcast', channelId: 1e300 } });
  t.equal(onScreen.statusCode, 400);
  t.equal(s.app.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM site_status').get()!.n, 0, 'no heartbeat stored');
  t.equal((await hb({ sentAt: Date.now(), freeDiskBytes: 5e11, uptimeSeconds: 3600, cacheReadiness: 1 })).statusCode, 200);

  const batch = await postBatch(s.app, tokens[1], { sentAt: 1e300, sessions: [] });
  t.equal(batch.statusCode, 400);
  t.match(batch.json().error.message, /sentAt/);
  const huge = session({ id: 'x', start: provinceTime(Date.now(), 1, 20), watchedSeconds: 1e300 });
  const watched = await postBatch(s.app, tokens[1], { sentAt: Date.now(), sessions: [huge] });
  t.equal(watched.statusCode, 400);
  t.match(watched.json().error.message, /watchedSeconds/);
});

/** Sends only the headers of a request announcing `length` bytes, and returns the status line that comes back. */
function headersOnly(port: number, path: string, contentType: string, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let text = '';
    sock.setTimeout(10_000, () => {
      sock.destroy();
      reject(new Error('no answer before the body was sent'));
    });
    sock.on('data', (c) => {
      text += c.toString('utf8');
      if (text.includes('\r\n\r\n')) {
        sock.destroy();
        resolve(text.split('\r\n')[0]);
      }
    });
    sock.on('error', reject);
    sock.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\nContent-Length: ${length}\r\n\r\nM001,`);
  });
}

t.test('the token is checked before the body is read; the roll import has its own body limit', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  seedTree(s.app.db);
  await s.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (s.app.server.address() as AddressInfo).port;
  // 19 MB announced, a few bytes sent: the 401 comes back at once.
  t.match(await headersOnly(port, '/api/members/import', 'text/csv', 19 * 1024 * 1024), /^HTTP\/1\.1 401/);
  t.match(await headersOnly(port, '/api/sites/me/attendance', 'application/json', 9_700_000), /^HTTP\/1\.1 401/);
  t.match(await headersOnly(port, '/api/sites/me/heartbeat', 'application/json', 1_000_000), /^HTTP\/1\.1 401/);

  // Signed in, a roll over the limit is refused whole with 413.
  const big = `memberNo,name,site\n${'M1234567,张三丰,1\n'.repeat(400_000)}`;
  const csv = { ...s.auth, 'content-type': 'text/csv' };
  const res = await s.app.inject({ method: 'POST', url: '/api/members/import', headers: csv, payload: big });
  t.equal(res.statusCode, 413);
  t.equal(s.app.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM members').get()!.n, 0);
});

t.test("a number on another region's roll shows without its name to the reporting site's organizer", async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { tokens } = seedTree(s.app.db);
  const now = Date.now();
  // M900 is on the roll of site 3 (西村, county 3); site 1 (东村, county 2) reports it.
  const roll = 'memberNo,name,site\nM900,赵秘密,3\nM100,钱公开,1\n';
  const csv = { ...s.auth, 'content-type': 'text/csv' };
  t.equal((await s.app.inject({ method: 'POST', url: '/api/members/import', headers: csv, payload: roll })).statusCode, 200);
  t.equal(
    (
      await postBatch(s.app, tokens[1], {
        sentAt: now,
        sessions: [
          session({
            id: 'a',
            start: provinceTime(now, 1, 20),
            members: [
              { memberNo: 'M900', watchedSeconds: 1200 },
              { memberNo: 'M100', watchedSeconds: 1200 },
            ],
          }),
        ],
      })
    ).json().accepted.length,
    1,
  );
  const organizer = await userAuth(s.app, 'org2', 'organizer', 2);
  const range = `from=${provinceDate(now, 2)}&to=${provinceDate(now, 0)}`;

  for (const format of ['json', 'csv', 'html']) {
    const members = await s.app.inject({ method: 'GET', url: `/api/reports/members?${range}&format=${format}`, headers: organizer });
    t.equal(members.statusCode, 200);
    t.notMatch(members.body, /赵秘密/, `members report (${format}) does not name M900`);
    t.match(members.body, /M900/, 'the number itself shows');
    t.match(members.body, /钱公开/, 'a member of the region is named');
    const url = `/api/reports/reach?programId=1&list=members&${range}&format=${format}`;
    const reach = await s.app.inject({ method: 'GET', url, headers: organizer });
    t.equal(reach.statusCode, 200);
    t.notMatch(reach.body, /赵秘密/, `reach report (${format}) does not name M900`);
  }
  const json = (await s.app.inject({ method: 'GET', url: `/api/reports/members?${range}`, headers: organizer })).json();
  t.match(
    json.rows.find((r: { memberNo: string }) => r.memberNo === 'M900'),
    { name: null, verified: false },
  );
  const activity = (await s.app.inject({ method: 'GET', url: `/api/reports/activity?${range}`, headers: organizer })).json();
  t.equal(activity.regions[0].unverifiedMembers, 1, 'counted as not on a roll of this region');
  // The operator covering the whole province sees the name.
  t.match((await s.app.inject({ method: 'GET', url: `/api/reports/members?${range}&format=csv`, headers: s.auth })).body, /赵秘密/);
});

t.test('reach reports never show a draft title to an organizer', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { tokens } = seedTree(s.app.db);
  const now = Date.now();
  s.app.db.prepare("UPDATE programs SET published = 0, title = '未发布草稿' WHERE id = 2").run();
  t.equal(
    (
      await postBatch(s.app, tokens[1], {
        sentAt: now,
        sessions: [
          session({ id: 'a', programId: 1, start: provinceTime(now, 1, 20) }),
          session({ id: 'b', programId: 2, start: provinceTime(now, 1, 21) }),
        ],
      })
    ).json().accepted.length,
    2,
  );
  const organizer = await userAuth(s.app, 'org1', 'organizer', 1);
  const range = `from=${provinceDate(now, 2)}&to=${provinceDate(now, 0)}`;
  const draft = await s.app.inject({ method: 'GET', url: `/api/reports/reach?programId=2&${range}`, headers: organizer });
  t.equal(draft.statusCode, 404, 'a draft is not there for an organizer');
  t.notMatch(draft.body, /未发布草稿/);
  for (const format of ['json', 'csv', 'html']) {
    const url = `/api/reports/reach?seriesId=1&${range}&format=${format}`;
    const series = await s.app.inject({ method: 'GET', url, headers: organizer });
    t.equal(series.statusCode, 200);
    t.notMatch(series.body, /未发布草稿/, `series reach (${format}) leaves the draft out`);
  }
  const json = (await s.app.inject({ method: 'GET', url: `/api/reports/reach?seriesId=1&${range}`, headers: organizer })).json();
  t.same(
    json.programs.map((p: { id: number }) => p.id),
    [1],
  );
  t.equal(json.totals.sessions, 1, 'only the published program is counted');
  const op = (await s.app.inject({ method: 'GET', url: `/api/reports/reach?seriesId=1&${range}`, headers: s.auth })).json();
  t.same(
    op.programs.map((p: { title: string }) => p.title),
    ['乡村振兴（一）', '未发布草稿'],
    'operators see drafts',
  );
});
