// The transcode queue: bad inputs, transient failures retried with backoff, permanent failures, cancel of a
// running ffmpeg, the background worker of the app, and a crash (SIGKILL) mid-transcode.
// When run with MEDIA_CRASH_CHILD=<dataDir> this file is the worker process the crash test kills.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeServer, tempDir } from '../../../testkit/helpers.ts';
import { makeClip } from '../../../testkit/media.ts';
import { submit, settle } from '../../../testkit/programs.ts';
import { openDb } from '../../../server/db/connection.ts';
import { loadConfig } from '../../../server/config.ts';
import { JobWorker, waitForProgram, getJob } from '../../../server/media/jobs.ts';
import { programDir, tmpRoot } from '../../../server/media/store.ts';
import { locateTools } from '../../../server/media/tools.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function jobDirs(mediaDir: string): string[] {
  const root = tmpRoot({ mediaDir });
  return fs.existsSync(root) ? fs.readdirSync(root).filter((n) => n.startsWith('job-')) : [];
}

/** Segments ffmpeg has written so far into the build folders of running jobs. */
function partialSegments(mediaDir: string): number {
  const root = tmpRoot({ mediaDir });
  return jobDirs(mediaDir).reduce(
    (n, dir) => n + (fs.readdirSync(path.join(root, dir), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).length,
    0,
  );
}

if (process.env.MEDIA_CRASH_CHILD) {
  // The child: a bare worker on the given data dir, running until it is killed.
  const config = loadConfig({}, { dataDir: process.env.MEDIA_CRASH_CHILD, logLevel: 'warn' });
  const worker = new JobWorker({ db: openDb(config.dbPath), config, pollMs: 50 });
  worker.start();
  setInterval(() => {}, 1000);
} else {
  t.test('bad inputs are refused with a reason, leaving nothing behind', async (t) => {
    const s = await makeServer();
    const work = tempDir('dyb-bad-');
    t.teardown(async () => {
      await s.close();
      fs.rmSync(work, { recursive: true, force: true });
    });
    const { app } = s;
    const viaRoute = app.hasRoute({ method: 'POST', url: '/api/programs' });
    const table = [
      { shape: 'empty' as const, status: 400, message: /empty/i },
      { shape: 'text' as const, status: 422, message: /not a media file|no audio or video/i },
      { shape: 'random' as const, status: 422, message: /not a media file|no audio or video/i },
    ];
    for (const row of table) {
      const file = await makeClip(work, row.shape);
      const r = await submit(app, s.auth, file, `bad ${row.shape}`);
      if (viaRoute) {
        t.ok(!('id' in r), `${row.shape}: refused at upload`);
        if (!('id' in r)) {
          t.equal(r.status, row.status, `${row.shape}: ${row.status}`);
          t.match(r.message, row.message, `${row.shape}: a reason a person can act on`);
        }
        continue;
      }
      // Without the upload route the job finds the same problem: failed at once, no retry.
      if (!('id' in r)) throw new Error('unexpected refusal');
      const end = await settle(app, r.id);
      t.equal(end.status, 'failed', `${row.shape}: failed`);
      t.match(end.error, row.message, `${row.shape}: ${end.error}`);
      const job = app.db.prepare('SELECT attempts FROM jobs WHERE program_id = ?').get(r.id) as { attempts: number };
      t.equal(job.attempts, 1, `${row.shape}: not retried (the file itself is at fault)`);
      t.notOk(fs.existsSync(programDir(app.config, r.id)), `${row.shape}: no output`);
    }
    if (viaRoute) {
      const listed = (await app.inject({ method: 'GET', url: '/api/programs?status=failed', headers: s.auth })).json();
      t.equal(listed.total, 0, 'nothing in the catalog');
    }
    t.same(jobDirs(app.config.mediaDir), [], 'no build folders');
  });

  t.test('transient failures retry with backoff; three failures give up with a reason', async (t) => {
    const s = await makeServer();
    const work = tempDir('dyb-retry-');
    t.teardown(async () => {
      await s.close();
      fs.rmSync(work, { recursive: true, force: true });
    });
    const { app } = s;
    // An ffmpeg that fails its first N runs (as on a full disk or a killed process), then is the real one.
    const real = locateTools({});
    const counter = path.join(work, 'runs');
    const flaky = path.join(work, 'ffmpeg-flaky');
    fs.writeFileSync(
      flaky,
      `#!/bin/sh\nn=$(cat "${counter}" 2>/dev/null || echo 0)\nif [ "$n" -gt 0 ]; then echo $((n-1)) > "${counter}"; echo "av_interleaved_write_frame(): No space left on device" >&2; exit 1; fi\nexec "${real.ffmpeg}" "$@"\n`,
    );
    fs.chmodSync(flaky, 0o755);
    const clip = await makeClip(work, 'tiny240', { seconds: 2 });
    const worker = (config = app.config) =>
      new JobWorker({ db: app.db, config, tools: { ffmpeg: flaky, ffprobe: real.ffprobe }, retryBaseMs: 100, pollMs: 30 });

    fs.writeFileSync(counter, '1');
    const once = await submit(app, s.auth, clip, 'flaky once');
    if (!('id' in once)) throw new Error(once.message);
    const w1 = worker();
    w1.start();
    const p1 = await waitForProgram(app.db, once.id, 60_000);
    await w1.stop();
    t.equal(p1.status, 'ready', 'ready after a retry');
    const j1 = app.db.prepare('SELECT id, attempts, status FROM jobs WHERE program_id = ?').get(once.id) as {
      id: number;
      attempts: number;
      status: string;
    };
    t.match(j1, { attempts: 2, status: 'done' }, 'two tries');

    fs.writeFileSync(counter, '99');
    const never = await submit(app, s.auth, clip, 'flaky always');
    if (!('id' in never)) throw new Error(never.message);
    const seen: string[] = [];
    const w2 = worker();
    w2.start();
    await until('a retry note', () => {
      const p = app.db.prepare('SELECT status, error FROM programs WHERE id = ?').get(never.id) as { status: string; error: string | null };
      if (p.error) seen.push(p.error);
      return p.status === 'failed' ? p : undefined;
    });
    await w2.stop();
    const p2 = app.db.prepare('SELECT status, error FROM programs WHERE id = ?').get(never.id) as { status: string; error: string };
    t.equal(p2.status, 'failed');
    t.match(p2.error, /No space left on device.*gave up after 3 tries/, p2.error);
    t.ok(
      seen.some((e) => /Try 1 of 3 failed .*trying again/.test(e)),
      'the program shows it is being retried',
    );
    const j2 = app.db.prepare('SELECT attempts, status, error FROM jobs WHERE program_id = ?').get(never.id) as {
      attempts: number;
      status: string;
    };
    t.match(j2, { attempts: 3, status: 'failed' });
    t.same(jobDirs(app.config.mediaDir), [], 'no build folders');
    const listed = (await app.inject({ method: 'GET', url: '/api/jobs?status=failed', headers: s.auth })).json();
    t.match(listed.items[0], { programId: never.id, attempts: 3, error: /gave up/ }, 'GET /api/jobs shows the failure');
  });

  t.test('the app worker runs jobs; cancel kills ffmpeg and removes partial output; re-transcode', async (t) => {
    const s = await makeServer({ startWorkers: true });
    const work = tempDir('dyb-cancel-');
    t.teardown(async () => {
      await s.close();
      fs.rmSync(work, { recursive: true, force: true });
    });
    const { app } = s;
    const clip = await makeClip(work, 'tiny240', { seconds: 40 });
    const r = await submit(app, s.auth, clip, 'to be cancelled');
    if (!('id' in r)) throw new Error(r.message);
    const running = await until('the job to run with progress', () => {
      const jobs = app.db.prepare('SELECT id, status, progress FROM jobs WHERE program_id = ?').all(r.id) as {
        id: number;
        status: string;
        progress: number;
      }[];
      return jobs.find((j) => j.status === 'running' && j.progress > 0);
    });
    const prog = (await app.inject({ method: 'GET', url: `/api/programs/${r.id}`, headers: s.auth })).json();
    t.equal(prog.status, 'processing');
    t.ok(prog.progress > 0 && prog.progress < 100, `progress ${prog.progress}`);
    const listed = (await app.inject({ method: 'GET', url: `/api/jobs?status=running`, headers: s.auth })).json();
    t.equal(listed.items[0].id, running.id);
    t.ok(listed.items[0].progress > 0, 'GET /api/jobs shows progress');
    t.equal(jobDirs(app.config.mediaDir).length, 1, 'a build folder while running');

    const res = await app.inject({ method: 'POST', url: `/api/jobs/${running.id}/cancel`, headers: s.auth });
    t.equal(res.statusCode, 200);
    await until('the build folder to go', () => jobDirs(app.config.mediaDir).length === 0, 15_000);
    t.equal(getJob(app.db, running.id)!.status, 'cancelled');
    t.equal((await app.inject({ method: 'GET', url: `/api/programs/${r.id}`, headers: s.auth })).json().status, 'cancelled');
    t.notOk(fs.existsSync(programDir(app.config, r.id)), 'nothing published');

    // A short source is re-transcoded to ready by the app's own worker.
    const short = await makeClip(work, 'tiny240', { seconds: 2, name: 'short' });
    const r2 = await submit(app, s.auth, short, 'short one');
    if (!('id' in r2)) throw new Error(r2.message);
    t.equal((await waitForProgram(app.db, r2.id, 60_000)).status, 'ready', 'the background worker made it ready');
    const again = await app.inject({ method: 'POST', url: `/api/programs/${r2.id}/retranscode`, headers: s.auth });
    t.equal(again.statusCode, 202);
    t.equal((await waitForProgram(app.db, r2.id, 60_000)).status, 'ready', 're-transcoded');
    const jobs = (await app.inject({ method: 'GET', url: `/api/jobs?programId=${r2.id}`, headers: s.auth })).json();
    t.same(
      jobs.items.map((j: { status: string }) => j.status),
      ['done', 'done'],
      'two jobs, both done',
    );
  });

  t.test('crash: the worker process is killed mid-transcode; a new one completes the job from scratch', async (t) => {
    const dataDir = tempDir('dyb-crash-');
    const work = tempDir('dyb-crash-src-');
    const s = await makeServer({ dataDir });
    t.teardown(async () => {
      await s.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(work, { recursive: true, force: true });
    });
    const { app } = s;
    const clip = await makeClip(work, 'tiny240', { seconds: 60 });
    const r = await submit(app, s.auth, clip, 'crash test');
    if (!('id' in r)) throw new Error(r.message);

    const self = fileURLToPath(import.meta.url);
    const child = spawn(process.execPath, ['--import', 'tsx', self], {
      env: { ...process.env, MEDIA_CRASH_CHILD: dataDir },
      stdio: 'ignore',
      detached: true, // its own process group: the kill takes its ffmpeg too, as a power cut would
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    t.teardown(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    });
    // Mid-transcode = ffmpeg has written segments and not finished. Not a progress percentage: a tiny source is encoded
    // faster than ffmpeg's half-second progress reports, so the child may go from 0 to done between two reports.
    await until(
      'the child to be mid-transcode',
      () => {
        const j = app.db.prepare('SELECT status FROM jobs WHERE program_id = ?').get(r.id) as { status: string };
        return j.status === 'running' && partialSegments(app.config.mediaDir) > 0;
      },
      180_000,
    ); // a loaded machine starts the child (tsx) and its measuring pass slowly
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    t.equal(jobDirs(app.config.mediaDir).length, 1, 'the dead worker left partial output');
    t.equal(
      (app.db.prepare('SELECT status FROM jobs WHERE program_id = ?').get(r.id) as { status: string }).status,
      'running',
      'and a job marked running',
    );

    const worker = new JobWorker({ db: app.db, config: app.config, pollMs: 50 });
    worker.start();
    t.teardown(() => worker.stop());
    const end = await waitForProgram(app.db, r.id, 120_000);
    t.equal(end.status, 'ready', 'the job completed');
    const job = app.db.prepare('SELECT status, attempts FROM jobs WHERE program_id = ?').get(r.id) as { status: string; attempts: number };
    t.match(job, { status: 'done', attempts: 2 });
    t.same(jobDirs(app.config.mediaDir), [], 'no partial output left');
    const prog = (await app.inject({ method: 'GET', url: `/api/programs/${r.id}`, headers: s.auth })).json();
    t.ok(Math.abs(prog.duration - 60) < 0.2, `whole duration (${prog.duration})`);
    const segs = app.db.prepare('SELECT count(*) AS n FROM segments WHERE program_id = ?').get(r.id) as { n: number };
    t.equal(segs.n, 15, '60 s -> 15 segments');
  });
}
