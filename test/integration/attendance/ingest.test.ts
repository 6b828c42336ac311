// Ingest: per-item rejection with reasons, clock correction, replays and grown sessions stored once, auth.
import t from 'tap';
import { makeServer } from '../../../testkit/helpers.ts';
import { seedTree, session, postBatch, countStored, provinceTime } from './fixtures.ts';

t.test('a batch: impossible items refused one by one, the rest stored once; clock corrected', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const { tokens } = seedTree(app.db);
  const now = Date.now();
  const start = provinceTime(now, 1, 9);

  // The site's clock is 10 minutes slow: sentAt is 10 min behind the server.
  const skew = 10 * 60_000;
  const sentAt = now - skew;
  const good = session({
    id: 'good-1',
    start: start - skew,
    end: start - skew + 1800_000,
    watchedSeconds: 1500,
    headcount: 3,
    members: [
      { memberNo: 'M001', watchedSeconds: 1500 },
      { memberNo: ' M002 ', watchedSeconds: 600 },
    ],
  });
  const batch = {
    sentAt,
    sessions: [
      good,
      session({ id: 'bad-order', start: start, end: start - 1000 }),
      session({ id: 'bad-long', start: start - 2 * 86_400_000, end: start - 2 * 86_400_000 + 25 * 3600_000 }),
      session({ id: 'bad-future', start: now - skew + 3600_000, end: now - skew + 7200_000 }),
      session({ id: 'bad-program', programId: 999, start }),
      session({ id: 'bad-duration', programId: 3, start, end: start + 7200_000, watchedSeconds: 3000 }),
      session({ id: 'bad-span', start, end: start + 60_000, watchedSeconds: 600 }),
      session({ id: 'bad-member', start, end: start + 60_000, watchedSeconds: 60, members: [{ memberNo: 'M9', watchedSeconds: 3600 }] }),
      session({ id: 'good-2', start: start - skew, mode: 'broadcast', channelId: null }),
    ],
  };
  const res = await postBatch(app, tokens[1], batch);
  t.equal(res.statusCode, 200, res.body);
  const body = res.json();
  t.same(body.accepted.sort(), ['good-1', 'good-2']);
  const reasons = Object.fromEntries(body.rejected.map((r: { id: string; reason: string }) => [r.id, r.reason]));
  t.same(reasons, {
    'bad-order': 'end_before_start',
    'bad-long': 'too_long',
    'bad-future': 'in_future',
    'bad-program': 'unknown_program',
    'bad-duration': 'watched_exceeds_duration',
    'bad-span': 'watched_exceeds_span',
    'bad-member': 'member_watched_exceeds_span',
  });
  for (const r of body.rejected) t.ok(r.message.length > 5, `reason for ${r.id} is explained`);
  t.ok(Math.abs(body.clockOffsetMs - skew) < 5_000, 'offset measured from sentAt');
  t.equal(countStored(app.db), 2);

  const row = app.db.prepare('SELECT * FROM attendance_sessions WHERE session_id = ?').get('good-1') as Record<string, number | string>;
  t.ok(Math.abs((row.start_at as number) - start) < 5_000, 'start corrected onto the server clock');
  t.equal(row.people, 3);
  t.equal(row.person_seconds, 4500);
  const members = app.db.prepare('SELECT member_no FROM attendance_session_members ORDER BY member_no').all();
  t.same(members, [{ member_no: 'M001' }, { member_no: 'M002' }], 'member numbers trimmed');
});

t.test('replays are acknowledged and never stored twice; a grown session only grows', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const { tokens } = seedTree(app.db);
  const now = Date.now();
  const start = provinceTime(now, 2, 20);
  const open = session({
    id: 'sess-a',
    start,
    end: start + 600_000,
    watchedSeconds: 500,
    headcount: 2,
    members: [{ memberNo: 'M1', watchedSeconds: 400 }],
  });
  const batch = { sentAt: now, sessions: [open, session({ id: 'sess-b', start })] };

  for (let i = 0; i < 3; i++) {
    const res = await postBatch(app, tokens[1], { ...batch, sentAt: Date.now() });
    t.equal(res.statusCode, 200);
    t.same(res.json().accepted.sort(), ['sess-a', 'sess-b'], `send #${i + 1} acknowledged`);
  }
  t.equal(countStored(app.db), 2, 'three sends, two rows');

  // The same session, later and longer (closed properly after the power came back), and one older copy.
  const grown = {
    ...open,
    end: start + 1200_000,
    watchedSeconds: 1100,
    headcount: 5,
    members: [
      { memberNo: 'M1', watchedSeconds: 1000 },
      { memberNo: 'M2', watchedSeconds: 300 },
    ],
  };
  t.same((await postBatch(app, tokens[1], { sentAt: Date.now(), sessions: [grown] })).json().accepted, ['sess-a']);
  t.same(
    (await postBatch(app, tokens[1], { sentAt: Date.now(), sessions: [open] })).json().accepted,
    ['sess-a'],
    'an older copy is acknowledged',
  );
  const row = app.db
    .prepare(
      "SELECT end_at - start_at AS span, watched_seconds AS w, headcount, people, person_seconds AS ps FROM attendance_sessions WHERE session_id = 'sess-a'",
    )
    .get();
  t.same(row, { span: 1200_000, w: 1100, headcount: 5, people: 5, ps: 5500 }, 'kept the larger version, not a sum');
  const mem = app.db
    .prepare("SELECT member_no AS m, watched_seconds AS w FROM attendance_session_members WHERE session_id = 'sess-a' ORDER BY m")
    .all();
  t.same(mem, [
    { m: 'M1', w: 1000 },
    { m: 'M2', w: 300 },
  ]);

  // The same id from another site is another session, and does not touch site 1's row.
  const other = await postBatch(app, tokens[2], { sentAt: Date.now(), sessions: [{ ...open, programId: 2, watchedSeconds: 100 }] });
  t.same(other.json().accepted, ['sess-a']);
  t.equal(countStored(app.db, 1), 2);
  t.equal(countStored(app.db, 2), 1);
  t.equal(
    (app.db.prepare("SELECT program_id AS p FROM attendance_sessions WHERE site_id = 1 AND session_id = 'sess-a'").get() as { p: number })
      .p,
    1,
  );

  // Same site, same id, another program: refused as a conflict, first version kept.
  const conflict = await postBatch(app, tokens[1], { sentAt: Date.now(), sessions: [{ ...open, programId: 3 }] });
  t.same(
    conflict.json().rejected.map((r: { reason: string }) => r.reason),
    ['id_conflict'],
  );
});

t.test('auth and malformed input', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const { tokens } = seedTree(app.db);
  const none = await app.inject({ method: 'POST', url: '/api/sites/me/attendance', payload: { sentAt: 1, sessions: [] } });
  t.equal(none.statusCode, 401);
  const userToken = await app.inject({
    method: 'POST',
    url: '/api/sites/me/attendance',
    headers: s.auth,
    payload: { sentAt: 1, sessions: [] },
  });
  t.equal(userToken.statusCode, 401, 'an operator token is not a site token');
  app.db.prepare("UPDATE sites SET revoked_at = 'x' WHERE id = 3").run();
  t.equal((await postBatch(app, tokens[3], { sentAt: Date.now(), sessions: [] })).statusCode, 401, 'revoked site');

  const tooMany = {
    sentAt: Date.now(),
    sessions: Array.from({ length: 501 }, (_, i) => session({ id: `x${i}`, start: Date.now() - 7200_000 })),
  };
  const big = await postBatch(app, tokens[1], tooMany);
  t.equal(big.statusCode, 400);
  t.match(big.json().error.message, /500/);
  t.equal(countStored(app.db), 0, 'nothing of a refused batch stored');

  const badId = await postBatch(app, tokens[1], {
    sentAt: Date.now(),
    sessions: [session({ id: 'no spaces allowed', start: Date.now() - 7200_000 })],
  });
  t.equal(badId.statusCode, 400);
  t.match(badId.json(), { error: { code: 'invalid_input' } });
  const noSentAt = await app.inject({
    method: 'POST',
    url: '/api/sites/me/attendance',
    headers: { authorization: `Bearer ${tokens[1]}` },
    payload: { sessions: [] },
  });
  t.equal(noSentAt.statusCode, 400);
  t.match(noSentAt.json().error.message, /sentAt/);
});

t.test('heartbeats: state, online/offline, connected time per day', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const { tokens } = seedTree(app.db);
  const hb = await app.inject({
    method: 'POST',
    url: '/api/sites/me/heartbeat',
    headers: { authorization: `Bearer ${tokens[1]}` },
    payload: {
      sentAt: Date.now(),
      onScreen: { kind: 'broadcast', channelId: 1, programId: 2 },
      cacheReadiness: 0.75,
      freeDiskBytes: 123456789,
      agentVersion: '1.2.3',
      uptimeSeconds: 3600,
      lastError: '下载失败: timeout',
    },
  });
  t.equal(hb.statusCode, 200, hb.body);
  t.equal(hb.json().intervalSeconds, 60);
  const bad = await app.inject({
    method: 'POST',
    url: '/api/sites/me/heartbeat',
    headers: { authorization: `Bearer ${tokens[1]}` },
    payload: { cacheReadiness: 2 },
  });
  t.equal(bad.statusCode, 400);
  t.equal((await app.inject({ method: 'POST', url: '/api/sites/me/heartbeat', payload: {} })).statusCode, 401);

  // A second heartbeat 60 s after the first adds 60 s of connected time: rewind the first by 60 s.
  app.db.prepare('UPDATE site_status SET last_seen = last_seen - 60000 WHERE site_id = 1').run();
  await app.inject({
    method: 'POST',
    url: '/api/sites/me/heartbeat',
    headers: { authorization: `Bearer ${tokens[1]}` },
    payload: { cacheReadiness: 0.8 },
  });
  const conn = app.db.prepare('SELECT sum(seconds) AS s FROM site_connected_daily WHERE site_id = 1').get() as { s: number };
  t.ok(conn.s >= 60 && conn.s < 62, `60 s connected (${conn.s})`);
  // After a 10-minute silence the site was offline: no connected time for the gap.
  app.db.prepare('UPDATE site_status SET last_seen = last_seen - 600000 WHERE site_id = 1').run();
  await app.inject({ method: 'POST', url: '/api/sites/me/heartbeat', headers: { authorization: `Bearer ${tokens[1]}` }, payload: {} });
  const conn2 = app.db.prepare('SELECT sum(seconds) AS s FROM site_connected_daily WHERE site_id = 1').get() as { s: number };
  t.equal(conn2.s, conn.s, 'gap longer than three heartbeats not counted');

  const report = await app.inject({ method: 'GET', url: '/api/reports/sites?darkDays=2', headers: s.auth });
  t.equal(report.statusCode, 200, report.body);
  const rows = report.json().sites as Array<Record<string, unknown>>;
  const one = rows.find((r) => r.siteId === 1)!;
  t.match(one, {
    online: true,
    cacheReadiness: 0.8,
    agentVersion: '1.2.3',
    freeDiskBytes: 123456789,
    dark: false,
    daysSinceSeen: 0,
    connectedHours: 0.02,
  });
  t.equal(one.lastError, null, 'last error cleared by a heartbeat without one');
  const two = rows.find((r) => r.siteId === 2)!;
  t.match(two, { online: false, lastSeen: null, dark: true }, 'never seen: dark');
  t.same(report.json().summary, { sites: 3, online: 1, dark: 2 });
});

t.test('heartbeats that arrive together are written together, and each is answered once stored', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const tokens = Object.values(seedTree(app.db).tokens); // sites 1, 2, 3
  const send = (token: string, cacheReadiness: number) =>
    app.inject({
      method: 'POST',
      url: '/api/sites/me/heartbeat',
      headers: { authorization: `Bearer ${token}` },
      payload: { cacheReadiness },
    });
  // Several from each site in one burst: all stored, the last one sent by each site is its state.
  const burst = await Promise.all(tokens.flatMap((tok) => [0.1, 0.2, 0.3].map((r) => send(tok, r))));
  t.same(
    burst.map((r) => r.statusCode),
    burst.map(() => 200),
  );
  const rows = app.db.prepare('SELECT site_id AS siteId, cache_readiness AS r FROM site_status ORDER BY site_id').all();
  t.same(
    rows,
    tokens.map((_, i) => ({ siteId: i + 1, r: 0.3 })),
    'every site stored, with its last reading',
  );

  // One row that cannot be written fails alone: the others of its group are stored and answered 200.
  app.db.exec(`CREATE TRIGGER refuse_site_3 BEFORE UPDATE ON site_status WHEN NEW.site_id = 3
    BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
  const mixed = await Promise.all(tokens.map((tok) => send(tok, 0.9)));
  t.same(
    mixed.map((r) => r.statusCode),
    [200, 200, 500],
  );
  t.same(
    app.db.prepare('SELECT cache_readiness AS r FROM site_status ORDER BY site_id').all(),
    [{ r: 0.9 }, { r: 0.9 }, { r: 0.3 }],
    'the two others stored; the refused one kept its previous state',
  );
});
