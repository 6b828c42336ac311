// Exactly once under faults: the reply lost after the commit (real socket), the same batch sent two and three
// times, the server process killed mid-batch and restarted on the same data dir, and a site offline for 72 h
// whose sessions arrive late in batches. After each, every session is stored once and report totals equal
// the hand-computed ones.
import t from 'tap';
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../server/config.ts';
import { buildApp } from '../../../server/app.ts';
import { openDb } from '../../../server/db/connection.ts';
import { ensureAdmin } from '../../../server/auth/users.ts';
import { makeServer, tempDir, loginToken, ADMIN_PASSWORD } from '../../../testkit/helpers.ts';
import type { AttendanceBatch, AttendanceSession } from '../../../common/attendance.ts';
import { seedTree, postBatch, countStored, provinceDate } from './fixtures.ts';
import { slices } from '../../../server/attendance/ingest.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function rng(seed: number) {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Sessions at one site, `count` of them spread over the `hours` before `endMs`, on programs 1..3. */
function makeSessions(prefix: string, count: number, endMs: number, hours: number, seed: number, clockSkewMs = 0): AttendanceSession[] {
  const r = rng(seed);
  const step = (hours * 3600_000) / count;
  return Array.from({ length: count }, (_, i) => {
    const start = endMs - hours * 3600_000 + i * step;
    const spanS = 300 + Math.floor(r() * 1200);
    const watched = Math.floor(spanS * (0.3 + 0.7 * r()));
    const n = Math.floor(r() * 3);
    return {
      id: `${prefix}-${i}`,
      programId: 1 + (i % 3),
      mode: i % 2 ? 'ondemand' : 'broadcast',
      channelId: null,
      start: start + clockSkewMs,
      end: start + spanS * 1000 + clockSkewMs,
      watchedSeconds: watched,
      headcount: Math.floor(r() * 6),
      members: Array.from({ length: n }, (_, k) => ({ memberNo: `${prefix}-M${(i + k) % 7}`, watchedSeconds: Math.floor(watched * 0.9) })),
    } satisfies AttendanceSession;
  });
}

const hoursOf = (seconds: number) => Math.round(seconds / 36) / 100;
function expected(sessions: AttendanceSession[]) {
  let watched = 0,
    person = 0;
  for (const s of sessions) {
    watched += s.watchedSeconds;
    person += s.watchedSeconds * Math.max(s.headcount, s.members.length);
  }
  return { sessions: sessions.length, viewingHours: hoursOf(watched), personHours: hoursOf(person) };
}

function post(port: number, token: string, batch: AttendanceBatch, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: { accepted: string[]; rejected: unknown[] } }>((resolve, reject) => {
    const body = JSON.stringify(batch);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/sites/me/attendance',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

t.test('the reply is lost after the commit; the same batch is sent again, twice and three times', async (t) => {
  const dataDir = tempDir();
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const config = loadConfig({}, { dataDir, logLevel: 'warn', startWorkers: false, demo: false });
  const app = await buildApp(config, { logger: false });
  let dropped = 0;
  // The network eats the answer: the connection dies after the handler (and its commit), before the reply leaves.
  app.addHook('onSend', async (req) => {
    if (req.headers['x-test-drop-reply']) {
      dropped++;
      req.raw.socket.destroy();
    }
  });
  await ensureAdmin(app.db, ADMIN_PASSWORD);
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  const port = (app.server.address() as net.AddressInfo).port;
  const { tokens } = seedTree(app.db);

  const sessions = makeSessions('lost', 120, Date.now() - 3600_000, 24, 7);
  const batch = { sentAt: Date.now(), sessions };
  await t.rejects(post(port, tokens[1], batch, { 'x-test-drop-reply': '1' }), 'the agent sees a network error');
  t.equal(dropped, 1);
  t.equal(countStored(app.db, 1), 120, 'the server had committed before the reply was lost');

  for (let i = 2; i <= 3; i++) {
    const res = await post(port, tokens[1], { ...batch, sentAt: Date.now() });
    t.equal(res.status, 200);
    t.equal(res.body.accepted.length, 120, `send #${i}: every id acknowledged`);
    t.equal(countStored(app.db, 1), 120, `send #${i}: still stored once`);
  }
  const from = provinceDate(Date.now(), 3);
  const token = await loginToken(app, 'admin', ADMIN_PASSWORD);
  const rep = await app.inject({ method: 'GET', url: `/api/reports/activity?from=${from}`, headers: { authorization: `Bearer ${token}` } });
  t.match(rep.json().regions[0], expected(sessions), 'report totals = hand-computed totals');
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function startChild(dataDir: string, port: number, t: { teardown(fn: () => void): void }): Promise<ChildProcess> {
  // In a process group of its own, so a kill -9 takes its ffmpeg children too (the server makes the channel slates
  // at start): left running, they wrote into the data dir while the teardown removed it.
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    detached: true,
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', ADMIN_PASSWORD, LOG_LEVEL: 'warn', DEMO: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  t.teardown(() => {
    if (child.exitCode === null) killGroup(child);
  });
  // Up to two minutes: tsx compiling the server on a loaded machine has taken more than 30 s.
  for (const until = Date.now() + 120_000; Date.now() < until; ) {
    if (child.exitCode !== null) throw new Error(`server exited: ${stderr}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not start: ${stderr}`);
}

/** kill -9 of the server and everything it started (it leads its own process group). */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

t.test('the server process is killed mid-batch and restarted on the same data dir', async (t) => {
  const dataDir = tempDir();
  let child: ChildProcess | null = null;
  t.teardown(() => {
    // The server (and any ffmpeg it started) first; the retries cover a child still dying as the removal starts.
    if (child && child.exitCode === null) killGroup(child);
    fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  });
  const seedDb = openDb(path.join(dataDir, 'broadcast.sqlite'));
  const { tokens } = seedTree(seedDb);
  seedDb.close();

  const port = await freePort();
  const dbFile = path.join(dataDir, 'broadcast.sqlite');
  const all: AttendanceSession[] = [];
  // Kill -9 at different instants after the whole request is on the wire: before, during or after the commits.
  child = await startChild(dataDir, port, t);
  for (const [round, delayMs] of [0, 10, 30, 80].entries()) {
    const sessions = makeSessions(`crash${round}`, 500, Date.now() - 3600_000, 48, 11 + round);
    all.push(...sessions);
    const batch = { sentAt: Date.now(), sessions };
    const inFlight = post(port, tokens[1], batch).then(
      () => 'answered',
      () => 'lost',
    );
    await new Promise((r) => setTimeout(r, delayMs));
    const victim = child;
    killGroup(victim);
    await new Promise((r) => victim.once('exit', r));
    const outcome = await inFlight;

    const check = openDb(dbFile);
    const heldIds = new Set(
      check
        .prepare<[string], { id: string }>('SELECT session_id AS id FROM attendance_sessions WHERE session_id LIKE ?')
        .all(`crash${round}-%`)
        .map((r) => r.id),
    );
    check.close();
    const held = heldIds.size;
    t.comment(`kill after ${delayMs} ms: reply ${outcome}, ${held} of 500 held`);
    // Ingest commits a batch in slices, in order, so others are served in between: a kill keeps whole slices only.
    const boundaries = [0];
    for (const slice of slices(sessions.map((x) => ({ members: x.members ?? [] })) as unknown as Parameters<typeof slices>[0])) {
      boundaries.push(boundaries[boundaries.length - 1] + slice.length);
    }
    t.ok(
      boundaries.includes(held),
      `round ${round}: whole slices survived the kill (${held} held; slices end at ${boundaries.join(', ')})`,
    );
    t.ok(
      sessions.slice(0, held).every((x) => heldIds.has(x.id)),
      `round ${round}: the slices held are the first ones`,
    );
    if (outcome === 'answered') t.equal(held, 500, 'an answered batch was committed');

    child = await startChild(dataDir, port, t);
    const res = await post(port, tokens[1], { ...batch, sentAt: Date.now() });
    t.equal(res.status, 200);
    t.equal(res.body.accepted.length, 500, `round ${round}: after restart every id is acknowledged`);
  }
  const again = await post(port, tokens[1], { sentAt: Date.now(), sessions: all.slice(0, 500) });
  t.equal(again.body.accepted.length, 500);

  const db = openDb(dbFile);
  t.teardown(() => db.close());
  t.equal(countStored(db, 1), all.length, 'each session stored exactly once');
  const sums = db.prepare('SELECT count(*) AS n, sum(watched_seconds) AS w, sum(person_seconds) AS p FROM attendance_sessions').get() as {
    n: number;
    w: number;
    p: number;
  };
  t.same(
    { sessions: sums.n, viewingHours: hoursOf(sums.w), personHours: hoursOf(sums.p) },
    expected(all),
    'stored totals = hand-computed totals',
  );

  // What an organizer reads after the restarts: the report, from raw rows and again from the daily rollups.
  const app = await buildApp(loadConfig({}, { dataDir, logLevel: 'warn', startWorkers: false, demo: false }), { logger: false, db });
  t.teardown(() => app.close());
  await ensureAdmin(app.db, ADMIN_PASSWORD);
  const auth = { authorization: `Bearer ${await loginToken(app, 'admin', ADMIN_PASSWORD)}` };
  const url = `/api/reports/activity?from=${provinceDate(Date.now(), 4)}`;
  t.match(
    (await app.inject({ method: 'GET', url, headers: auth })).json().regions[0],
    expected(all),
    'report totals = hand-computed totals',
  );
  t.equal((await app.inject({ method: 'POST', url: '/api/attendance/rollup', headers: auth, payload: {} })).statusCode, 200);
  t.match((await app.inject({ method: 'GET', url, headers: auth })).json().regions[0], expected(all), 'and the same after the rollup');
});

t.test('a site offline for 72 h: hundreds of sessions arrive late in batches, some twice, across rolled-up days', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const { tokens } = seedTree(app.db);
  const now = Date.now();
  // Site 2 was online all along; its days were rolled up before site 1's backlog arrived.
  const online = makeSessions('on', 60, now - 3600_000, 72, 3);
  t.equal((await postBatch(app, tokens[2], { sentAt: Date.now(), sessions: online })).json().accepted.length, 60);
  const rolled = await app.inject({ method: 'POST', url: '/api/attendance/rollup', headers: s.auth, payload: {} });
  t.ok(rolled.json().days.length >= 3, `past days rolled up (${rolled.json().days.join(', ')})`);

  // Site 1: 300 sessions queued over 72 h with a clock 7 minutes fast, uploaded in batches of 100 when back.
  const skew = 7 * 60_000;
  const offline = makeSessions('off', 300, now - 600_000, 72, 5, skew);
  const batches = [0, 100, 200].map((i) => offline.slice(i, i + 100));
  for (const [i, b] of batches.entries()) {
    const res = await postBatch(app, tokens[1], { sentAt: Date.now() + skew, sessions: b });
    t.equal(res.json().accepted.length, 100, `batch ${i + 1} accepted`);
    t.same(res.json().rejected, []);
    // The second batch's answer is lost: the agent sends it again.
    if (i === 1) t.equal((await postBatch(app, tokens[1], { sentAt: Date.now() + skew, sessions: b })).json().accepted.length, 100);
  }
  t.equal(countStored(app.db, 1), 300);
  const row = app.db.prepare("SELECT start_at FROM attendance_sessions WHERE site_id = 1 AND session_id = 'off-0'").get() as {
    start_at: number;
  };
  t.ok(Math.abs(row.start_at - (offline[0].start - skew)) < 5_000, 'the fast clock was corrected');

  const from = provinceDate(now, 4);
  const url = `/api/reports/activity?from=${from}`;
  const county = async () =>
    (await app.inject({ method: 'GET', url, headers: s.auth })).json().regions[0].children.find((c: { id: number }) => c.id === 2);
  const site = (c: { children: Array<{ children: Array<{ children: Array<{ id: number }> }> }> }, id: number) =>
    c.children[0].children[0].children.find((x) => x.id === id);
  let c2 = await county();
  t.match(site(c2, 1), expected(offline), 'site 1 totals (late days read raw)');
  t.match(site(c2, 2), expected(online), 'site 2 totals unchanged');
  t.match(c2, { sessions: 360 }, 'county totals');
  t.ok(
    (app.db.prepare('SELECT count(*) AS n FROM attendance_rolled_days').get() as { n: number }).n < rolled.json().days.length,
    'days touched by late sessions are no longer read from the rollups',
  );

  await app.inject({ method: 'POST', url: '/api/attendance/rollup', headers: s.auth, payload: {} });
  c2 = await county();
  t.match(site(c2, 1), expected(offline), 'site 1 totals after the next rollup');
  t.match(site(c2, 2), expected(online));
});
