// The site's attendance queue and uploader against a REAL server on a loopback socket: the kiosk's local routes
// feed the queue, the uploader delivers exactly once, survives a long outage (hundreds of sessions over a
// simulated 72 h), and heartbeats reach the server.
import t, { type Test } from 'tap';
import Fastify from 'fastify';
import { makeServer, tempDir } from '../../../testkit/helpers.ts';
import { pairedSite as registerSite, rmDir } from './attendance-site.ts';
import { createAttendance, type Log } from '../../../player/agent/attendance/index.ts';

const quiet: Log = { info() {}, warn() {}, error() {}, debug() {} };

/** A logger that remembers the size of every delivered batch. */
function batchLog(sizes: number[]): Log {
  return {
    ...quiet,
    info: (obj: object, msg?: string) => {
      if (msg === 'attendance batch delivered') sizes.push((obj as { sent: number }).sent);
    },
  };
}

const pairedSite = (_t: Test) =>
  registerSite([
    { id: 101, title: '农业技术讲座', duration: 3600 },
    { id: 102, title: '党史学习', duration: 1800 },
  ]);

const stored = (db: import('better-sqlite3').Database, siteId: number) =>
  db
    .prepare(
      'SELECT session_id AS id, program_id AS programId, watched_seconds AS watched, headcount, site_start_at AS start, site_end_at AS "end" FROM attendance_sessions WHERE site_id = ? ORDER BY session_id',
    )
    .all(siteId) as Array<{
    id: string;
    programId: number;
    watched: number;
    headcount: number;
    start: number;
    end: number;
  }>;

t.test('kiosk reports -> queue -> server: headcount, members, exactly once on replays', async (t) => {
  const site = await pairedSite(t);
  t.teardown(() => site.s.close());
  const dataDir = tempDir('dyb-att-');
  t.teardown(() => rmDir(dataDir));
  let now = Date.now() - 3600_000;
  const att = createAttendance({ dataDir, serverUrl: site.serverUrl, getToken: () => site.token, clock: () => now, log: quiet });
  const local = Fastify();
  await local.register(att.plugin);
  t.teardown(async () => {
    await local.close();
    await att.stop();
  });
  const post = (url: string, payload: object) => local.inject({ method: 'POST', url, payload });

  // The kiosk opens a lecture, 10 s later the room answers "6 people", a member signs in, it plays to 60 s.
  t.equal(
    (await post('/local/sessions', { id: 'k-1', programId: 101, mode: 'ondemand', watchedSeconds: 0, state: 'open' })).statusCode,
    200,
  );
  now += 10_000;
  await post('/local/sessions', { id: 'k-1', programId: 101, mode: 'ondemand', watchedSeconds: 10, state: 'open' });
  const hc = await post('/local/headcount', { count: 6 });
  t.same(hc.json().headcount, 6);
  const si = await post('/local/members/signin', { memberNo: ' 3301 0001 ' });
  t.same(
    si.json().members.map((m: { memberNo: string }) => m.memberNo),
    ['33010001'],
    'spaces from a card reader are dropped',
  );
  now += 50_000;
  const closed = await post('/local/sessions', { id: 'k-1', programId: 101, mode: 'ondemand', watchedSeconds: 60, state: 'closed' });
  t.match(closed.json(), { id: 'k-1', state: 'closed', watchedSeconds: 60, sitting: { headcount: 6 } });
  // The next program carries the headcount and the member over.
  await post('/local/sessions', { id: 'k-2', programId: 102, mode: 'ondemand', watchedSeconds: 0, state: 'open' });
  now += 30_000;
  await post('/local/sessions', { id: 'k-2', programId: 102, mode: 'ondemand', watchedSeconds: 30, state: 'closed' });
  // Bad input from the kiosk: a clear 400 in the usual shape, nothing written.
  const bad = await post('/local/sessions', { id: 'has space', programId: 101, mode: 'ondemand', watchedSeconds: 1, state: 'open' });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { error: { code: 'bad_request', message: /id/ } });
  t.equal(
    (await post('/local/sessions', { id: 'b-1', programId: 101, mode: 'broadcast', watchedSeconds: 1, state: 'open' })).statusCode,
    400,
    'broadcast needs its channel',
  );
  t.equal((await post('/local/headcount', { count: 0 })).statusCode, 400);
  t.equal((await post('/local/members/signin', { memberNo: '12#4' })).statusCode, 400);

  now = Date.now();
  const r = await att.flushNow();
  t.same(r, { accepted: 2, rejected: 0 });
  const rows = stored(site.s.app.db, site.siteId);
  t.same(
    rows.map((x) => [x.id, x.programId, x.watched, x.headcount]),
    [
      ['k-1', 101, 60, 6],
      ['k-2', 102, 30, 6],
    ],
  );
  const members = site.s.app.db
    .prepare('SELECT session_id AS id, member_no AS no, watched_seconds AS w FROM attendance_session_members ORDER BY session_id')
    .all();
  t.same(
    members,
    [
      { id: 'k-1', no: '33010001', w: 50 },
      { id: 'k-2', no: '33010001', w: 30 },
    ],
    'the member accrues from sign-in on',
  );
  t.match((await local.inject({ url: '/local/attendance' })).json(), { open: 0, pending: 0, delivered: 2 });

  // The kiosk retries an old report after delivery: answered closed, nothing new is queued or sent.
  t.equal(
    (await post('/local/sessions', { id: 'k-1', programId: 101, mode: 'ondemand', watchedSeconds: 70, state: 'open' })).json().state,
    'closed',
  );
  t.same(await att.flushNow(), { accepted: 0, rejected: 0 });
  t.equal(stored(site.s.app.db, site.siteId).length, 2);
});

t.test('a session the server refuses is set aside with its reason, the rest goes through', async (t) => {
  const site = await pairedSite(t);
  t.teardown(() => site.s.close());
  const dataDir = tempDir('dyb-att-');
  t.teardown(() => rmDir(dataDir));
  let now = Date.now() - 600_000;
  const att = createAttendance({ dataDir, serverUrl: site.serverUrl, getToken: () => site.token, clock: () => now, log: quiet });
  t.teardown(() => att.stop());
  for (const [id, programId] of [
    ['ok-1', 101],
    ['gone', 999],
    ['ok-2', 102],
  ] as const) {
    att.queue.report({ id, programId, mode: 'ondemand', watchedSeconds: 0, state: 'open' }, now);
    att.queue.report({ id, programId, mode: 'ondemand', watchedSeconds: 20, state: 'closed' }, now + 20_000);
  }
  now = Date.now();
  t.same(await att.flushNow(), { accepted: 2, rejected: 1 });
  t.match(att.queue.rejectedItems(), [{ id: 'gone', reason: 'unknown_program', session: { programId: 999 } }]);
  t.same(
    stored(site.s.app.db, site.siteId).map((r) => r.id),
    ['ok-1', 'ok-2'],
  );
  t.match(att.queue.counts(), { pending: 0, rejected: 1, delivered: 2 });
});

t.test('server down for a long time with hundreds of sessions queued: all delivered once when it is back', async (t) => {
  const site = await pairedSite(t);
  const dataDir = site.s.config.dataDir;
  const port = Number(new URL(site.serverUrl).port);
  await site.s.close(); // the uplink goes down

  const agentDir = tempDir('dyb-att-');
  t.teardown(() => rmDir(agentDir));
  const realNow = Date.now();
  let now = realNow - 72 * 3600_000;
  const sizes: number[] = [];
  const att = createAttendance({
    dataDir: agentDir,
    serverUrl: site.serverUrl,
    getToken: () => site.token,
    clock: () => now,
    log: batchLog(sizes),
    backoff: { baseMs: 50, capMs: 400, jitter: 0.5 },
    uploadIntervalMs: 100,
  });
  t.teardown(() => att.stop());

  // 72 h of evenings: 600 sessions, each 5 min watched in a 6 min span, some with a headcount.
  const N = 600;
  let expectedWatched = 0;
  for (let i = 0; i < N; i++) {
    const id = `off-${String(i).padStart(4, '0')}`;
    const programId = i % 2 ? 101 : 102;
    att.queue.report({ id, programId, mode: 'ondemand', watchedSeconds: 0, state: 'open' }, now);
    if (i % 3 === 0) att.queue.setHeadcount(1 + (i % 7), now);
    att.queue.report({ id, programId, mode: 'ondemand', watchedSeconds: 300, state: 'open' }, now + 300_000);
    att.queue.report({ id, programId, mode: 'ondemand', watchedSeconds: 300, state: 'closed' }, now + 360_000);
    expectedWatched += 300;
    now += (72 * 3600_000 - 400_000) / N;
  }
  now = realNow;
  t.equal(att.queue.counts().pending, N);

  // While down: the retry loop backs off (capped) and nothing is lost.
  att.uploader.start();
  const downSince = Date.now();
  while (att.uploader.status.failures < 4 && Date.now() - downSince < 10_000) await new Promise((r) => setTimeout(r, 20));
  t.ok(att.uploader.status.failures >= 4, `failures counted (${att.uploader.status.failures})`);
  t.match(att.uploader.status.lastError, /unreachable/);
  t.ok(att.uploader.status.nextAttemptAt! - now <= 400, 'the next attempt is no later than the cap');
  t.equal(att.queue.counts().pending, N, 'nothing dropped while the server is down');

  // The server comes back on the same address and the same database.
  const back = await makeServer({ dataDir });
  await back.app.listen({ port, host: '127.0.0.1' });
  t.teardown(() => back.close());
  const upSince = Date.now();
  while (att.queue.counts().pending > 0 && Date.now() - upSince < 20_000) await new Promise((r) => setTimeout(r, 50));
  await att.uploader.stop();

  t.equal(att.queue.counts().pending, 0, 'queue drained');
  t.same(
    att.queue.rejectedItems(3).map((r) => r.message),
    [],
    'nothing refused',
  );
  const rows = stored(back.app.db, site.siteId);
  t.equal(rows.length, N, 'every session on the server');
  t.equal(new Set(rows.map((r) => r.id)).size, N, 'each exactly once');
  t.equal(
    rows.reduce((a, r) => a + r.watched, 0),
    expectedWatched,
    'watched total equals the hand-computed one',
  );
  t.ok(sizes.every((s) => s <= 500) && sizes.reduce((a, b) => a + b, 0) === N, `batches of at most 500 (${sizes.join(', ')})`);
  t.equal(att.uploader.status.failures, 0);
  const spanH = (Math.max(...rows.map((r) => r.end)) - Math.min(...rows.map((r) => r.start))) / 3600_000;
  t.ok(spanH > 71 && spanH <= 72, `sessions spread over ${spanH.toFixed(1)} h`);
});

t.test('heartbeats carry what the agent knows; the server records them', async (t) => {
  const site = await pairedSite(t);
  t.teardown(() => site.s.close());
  const dataDir = tempDir('dyb-att-');
  t.teardown(() => rmDir(dataDir));
  const att = createAttendance({
    dataDir,
    serverUrl: site.serverUrl,
    getToken: () => site.token,
    log: quiet,
    agentVersion: '9.9.9-test',
    // The agent's own extras; an unknown field must not make the server refuse the heartbeat.
    heartbeatSource: () => ({ cacheReadiness: 0.75, lastError: null, bogus: 1 }) as never,
  });
  t.teardown(() => att.stop());
  att.queue.report({ id: 'live-1', programId: 101, channelId: 4, mode: 'broadcast', watchedSeconds: 0, state: 'open' }, Date.now());
  const ack = await att.heartbeat.beat();
  t.ok(ack && Math.abs(ack.serverTime - Date.now()) < 60_000, 'server time in the answer');
  const row = site.s.app.db.prepare('SELECT * FROM site_status WHERE site_id = ?').get(site.siteId) as Record<string, unknown>;
  t.match(row, { cache_readiness: 0.75, agent_version: '9.9.9-test' });
  t.ok((row.free_disk_bytes as number) > 0, 'free disk measured');
  t.match(JSON.parse(row.on_screen as string), { kind: 'broadcast', channelId: 4, programId: 101 });
  const offline = createAttendance({
    dataDir: tempDir('dyb-att-'),
    serverUrl: 'http://127.0.0.1:1',
    getToken: () => site.token,
    log: quiet,
  });
  t.teardown(() => offline.stop());
  t.equal(await offline.heartbeat.beat(), null, 'a heartbeat that cannot be delivered is simply missed');
  t.ok(offline.heartbeat.status.lastError);
});
