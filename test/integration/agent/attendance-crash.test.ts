// Faults at the site with a REAL server and the attendance part of the agent as a CHILD PROCESS:
// - the agent is killed (SIGKILL) after the server committed a batch but before the answer reached it:
//   after a restart it sends again, the server acknowledges the replay, every session is stored exactly once;
// - a power cut (SIGKILL) while a session is open: on restart it is closed at its last recorded progress and delivered.
import t from 'tap';
import net from 'node:net';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { tempDir } from '../../../testkit/helpers.ts';
import { pairedSite, rmDir } from './attendance-site.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cli = path.join(root, 'player', 'agent', 'attendance', 'cli.ts');

interface Child {
  proc: ChildProcess;
  url: string;
  exited: Promise<NodeJS.Signals | number | null>;
}

function startChild(dataDir: string, serverUrl: string, token: string): Promise<Child> {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      cli,
      '--data-dir',
      dataDir,
      '--server',
      serverUrl,
      `--token=${token}`,
      '--port',
      '0',
      '--upload-interval-ms',
      '200',
    ],
    {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => proc.once('exit', (code, signal) => resolve(signal ?? code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    // Two minutes: tsx compiling the agent on a loaded machine has taken more than 30 s.
    const timer = setTimeout(() => reject(new Error(`child did not start: ${err}`)), 120_000);
    proc.stderr!.on('data', (d) => (err += d));
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /attendance listening (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]!, exited });
      }
    });
    proc.once('exit', () => reject(new Error(`child exited early: ${err}`)));
  });
}

/**
 * A TCP proxy between the agent and the server. While armed, the first response to an attendance upload is
 * swallowed and the agent killed at that instant: the server has committed, the agent never hears it.
 */
function killingProxy(upstreamPort: number) {
  const state = { armed: false, victim: null as ChildProcess | null, kills: 0 };
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    let attendanceRequest = false;
    client.on('data', (d) => {
      const head = d.toString('latin1', 0, 64);
      if (/^(GET|POST|PUT|DELETE|HEAD) /.test(head)) attendanceRequest = head.startsWith('POST /api/sites/me/attendance');
      upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (state.armed && attendanceRequest && state.victim) {
        state.victim.kill('SIGKILL');
        state.armed = false;
        state.kills++;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(d);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  return {
    state,
    listen: () =>
      new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function postJson(url: string, body: object) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const since = Date.now();
  while (!(await check())) {
    if (Date.now() - since > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('killed between upload and acknowledgement, then a power cut with a session open', async (t) => {
  const site = await pairedSite([{ id: 201, title: '冬季防火', duration: 600 }]);
  t.teardown(() => site.s.close());
  const db = site.s.app.db;
  const token = site.token;
  const upstreamPort = Number(new URL(site.serverUrl).port);
  const proxy = killingProxy(upstreamPort);
  const proxyUrl = `http://127.0.0.1:${await proxy.listen()}`;
  t.teardown(() => proxy.close());
  const dataDir = tempDir('dyb-att-child-');
  t.teardown(() => rmDir(dataDir));
  const queueFile = path.join(dataDir, 'attendance.sqlite');
  const children: Child[] = [];
  t.teardown(() => children.forEach((c) => c.proc.exitCode === null && c.proc.kill('SIGKILL')));
  const onServer = () =>
    db
      .prepare(
        'SELECT session_id AS id, watched_seconds AS watched, site_start_at AS start, site_end_at AS "end" FROM attendance_sessions WHERE site_id = ? ORDER BY session_id',
      )
      .all(site.siteId) as Array<{ id: string; watched: number; start: number; end: number }>;
  const pendingInQueue = () => {
    const q = new Database(queueFile, { readonly: true });
    try {
      return q
        .prepare('SELECT id, end_at AS endAt, last_progress_at AS lastProgressAt, start_at AS startAt FROM sessions ORDER BY id')
        .all() as Array<{ id: string; endAt: number | null; lastProgressAt: number; startAt: number }>;
    } finally {
      q.close();
    }
  };

  // --- 1. killed between upload and acknowledgement ---
  const a = await startChild(dataDir, proxyUrl, token);
  children.push(a);
  proxy.state.victim = a.proc;
  proxy.state.armed = true;
  const ids = ['s-1', 's-2', 's-3', 's-4', 's-5'];
  for (const id of ids)
    t.equal(
      (await postJson(`${a.url}/local/sessions`, { id, programId: 201, mode: 'ondemand', watchedSeconds: 0, state: 'open' })).status,
      200,
    );
  await sleep(1200);
  for (const id of ids)
    await postJson(`${a.url}/local/sessions`, { id, programId: 201, mode: 'ondemand', watchedSeconds: 1, state: 'closed' });
  t.equal(await a.exited, 'SIGKILL', 'the agent died as the answer came back');
  t.equal(proxy.state.kills, 1);
  t.same(
    onServer().map((r) => r.id),
    ids,
    'the server had committed the batch',
  );
  t.same(
    pendingInQueue().map((r) => r.id),
    ids,
    'the agent never heard the answer: all still queued',
  );

  const b = await startChild(dataDir, proxyUrl, token);
  children.push(b);
  await until(
    'the replay to be acknowledged',
    async () => ((await (await fetch(`${b.url}/local/attendance`)).json()) as { pending: number }).pending === 0,
  );
  const rows = onServer();
  t.same(
    rows.map((r) => r.id),
    ids,
    'after the restart: every session exactly once',
  );
  t.equal(
    rows.reduce((s, r) => s + r.watched, 0),
    5,
  );
  t.same(pendingInQueue(), [], 'acknowledged ids deleted');

  // --- 2. power cut with a session open ---
  await postJson(`${b.url}/local/sessions`, { id: 'cut-1', programId: 201, mode: 'ondemand', watchedSeconds: 0, state: 'open' });
  await sleep(1500);
  await postJson(`${b.url}/local/sessions`, { id: 'cut-1', programId: 201, mode: 'ondemand', watchedSeconds: 1.2, state: 'open' });
  b.proc.kill('SIGKILL');
  t.equal(await b.exited, 'SIGKILL');
  const [open] = pendingInQueue();
  t.match(open, { id: 'cut-1', endAt: null }, 'open at the power cut, and on disk');

  const c = await startChild(dataDir, proxyUrl, token);
  children.push(c);
  await until('the recovered session on the server', () => onServer().some((r) => r.id === 'cut-1'));
  const cut = onServer().find((r) => r.id === 'cut-1')!;
  t.equal(cut.end, Math.round(open!.lastProgressAt), 'closed at its last recorded progress');
  t.equal(cut.start, Math.round(open!.startAt));
  t.equal(cut.watched, 1.2);
  // The kiosk, still playing, reports on the old id: told it is closed, so it starts a new session.
  t.equal(
    (await postJson(`${c.url}/local/sessions`, { id: 'cut-1', programId: 201, mode: 'ondemand', watchedSeconds: 3, state: 'open' })).body
      .state,
    'closed',
  );
  c.proc.kill('SIGTERM');
  await c.exited;
  t.equal(onServer().length, 6, 'six sessions, none twice');
});
