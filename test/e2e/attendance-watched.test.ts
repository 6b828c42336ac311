// Watched time in REAL headless Chromium with hls.js: a lecture is played, paused, seeked forward and stalled
// (the segment server holds its answers), and the watched seconds the site queue recorded are checked against
// the playback progress the test itself read from the <video> between those events. Also the corner panel:
// digits answer the headcount, a card reader's fast burst signs a member in, a hand-typed digit reaches the page.
import t from 'tap';
import { swipeCard } from '../../testkit/kiosk-site.ts';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { tempDir } from '../../testkit/helpers.ts';
import { createAttendance } from '../../player/agent/attendance/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

// The page: hls.js with a short forward buffer (so holding segments stalls it quickly) and the kiosk's module.
const PAGE_TS = `
import Hls from 'hls.js';
import { attachAttendance } from './player/kiosk/attendance/index.ts';
const video = document.querySelector('video');
video.muted = true;
const hls = new Hls({ maxBufferLength: 2, maxMaxBufferLength: 3, backBufferLength: 10 });
hls.attachMedia(video);
hls.loadSource('/media/index.m3u8');
hls.on(Hls.Events.MANIFEST_PARSED, () => video.play());
const w = window;
w.keysSeen = [];
window.addEventListener('keydown', (e) => w.keysSeen.push(e.key));
w.waiting = 0;
video.addEventListener('waiting', () => w.waiting++);
w.att = attachAttendance(video, { mode: 'ondemand', programId: 7, lang: 'en', reportEveryMs: 1000, promptAfterSeconds: 1 });
`;

/** A tiny 160x90 HLS VOD (2 s segments) in dir/media: quick to make, enough for hls.js to play. Returns the folder. */
function tinyHls(dir: string, seconds: number): string {
  const media = path.join(dir, 'media');
  fs.mkdirSync(media);
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=160x90:rate=25',
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-g',
    '50',
    '-keyint_min',
    '50',
    '-sc_threshold',
    '0',
    '-f',
    'hls',
    '-hls_time',
    '2',
    '-hls_playlist_type',
    'vod',
    '-hls_segment_filename',
    path.join(media, 'seg_%03d.ts'),
    path.join(media, 'index.m3u8'),
  ]);
  return media;
}

t.test('watched seconds follow real playback through pause, seek and stall', async (t) => {
  const dir = tempDir('dyb-att-e2e-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const media = tinyHls(dir, 40);
  const bundle = await build({
    stdin: { contents: PAGE_TS, resolveDir: root, sourcefile: 'page.ts', loader: 'ts' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    alias: { 'hls.js': 'hls.js/light' },
    logLevel: 'silent',
  });

  const att = createAttendance({
    dataDir: path.join(dir, 'agent'),
    serverUrl: 'http://127.0.0.1:1',
    getToken: () => null,
    log: { info() {}, warn() {}, error() {}, debug() {} },
  });
  const app = Fastify();
  await app.register(att.plugin);
  let hold: Promise<void> | null = null;
  let release = () => {};
  app.get('/', async (_req, reply) =>
    reply
      .type('text/html')
      .send(
        '<!doctype html><html><body style="margin:0;background:#000"><video style="width:640px;height:360px"></video><script src="/page.js"></script></body></html>',
      ),
  );
  app.get('/page.js', async (_req, reply) => reply.type('text/javascript').send(bundle.outputFiles[0]!.text));
  app.get<{ Params: { file: string } }>('/media/:file', async (req, reply) => {
    const file = path.join(media, path.basename(req.params.file));
    if (!fs.existsSync(file)) return reply.code(404).send();
    if (file.endsWith('.ts') && hold) await hold; // a link that stopped delivering
    return reply.type(file.endsWith('.ts') ? 'video/mp2t' : 'application/vnd.apple.mpegurl').send(fs.readFileSync(file));
  });
  // The page's (the kiosk's) other local routes are not part of this test.
  app.get('/local/channels', async () => []);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    release();
    await app.close();
    await att.stop();
  });

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.goto(base);
  const sleep = (ms: number) => page.waitForTimeout(ms);
  const time = () => page.evaluate(() => document.querySelector('video')!.currentTime);
  const wallStart = Date.now();

  await page.waitForFunction(() => document.querySelector('video')!.currentTime > 0, null, { timeout: 20_000 });
  let reference = 0;
  let from = 0; // playback started at 0

  // 1. play ~4 s, then pause 3 s
  await sleep(4000);
  let now = await page.evaluate(() => {
    const v = document.querySelector('video')!;
    v.pause();
    return v.currentTime;
  });
  reference += now - from;
  await sleep(3000);
  t.equal(await time(), now, 'paused: the picture did not move');

  // 2. play ~3 s, then seek 10 s forward
  await page.evaluate(() => document.querySelector('video')!.play());
  from = now;
  await sleep(3000);
  now = await page.evaluate(() => {
    const v = document.querySelector('video')!;
    const c = v.currentTime;
    v.currentTime = c + 10;
    return c;
  });
  reference += now - from;
  await page.waitForFunction(
    () => {
      const v = document.querySelector('video')!;
      return !v.seeking && !v.paused && v.readyState >= 3;
    },
    null,
    { timeout: 15_000 },
  );
  from = await time();

  // 3. play ~2 s, then the segment server stops answering: the buffer runs dry and playback stalls
  await sleep(2000);
  hold = new Promise<void>((r) => (release = r));
  const waitingBefore = await page.evaluate(() => (window as unknown as { waiting: number }).waiting);
  await page.waitForFunction((n) => (window as unknown as { waiting: number }).waiting > n, waitingBefore, { timeout: 20_000 });
  // A segment already on its way when the hold began can still arrive and play on a moment: the stall is where the
  // picture stopped moving (the same position a second apart), and it must then stay there.
  let stalledAt = await time();
  for (let k = 0; k < 15; k++) {
    await sleep(1000);
    const again = await time();
    if (again === stalledAt) break;
    stalledAt = again;
  }
  await sleep(4000);
  t.equal(await time(), stalledAt, 'stalled: no progress while the segments are held');
  reference += stalledAt - from;
  release();
  hold = null;
  await page.waitForFunction((c) => document.querySelector('video')!.currentTime > c + 0.2, stalledAt, { timeout: 15_000 });
  from = stalledAt;

  // 4. play ~3 s more, then the kiosk leaves the lecture
  await sleep(3000);
  now = await page.evaluate(() => {
    const v = document.querySelector('video')!;
    v.pause();
    const c = v.currentTime;
    (window as unknown as { att: { detach(): void } }).att.detach();
    return c;
  });
  reference += now - from;
  const wall = (Date.now() - wallStart) / 1000;

  let recorded = 0;
  const since = Date.now();
  while (Date.now() - since < 10_000) {
    const closed = att.queue.batch(10);
    if (closed.length === 1) {
      recorded = closed[0]!.watchedSeconds;
      t.match(closed[0], { programId: 7, mode: 'ondemand', channelId: null });
      break;
    }
    await sleep(100);
  }
  t.ok(
    wall - reference > 5,
    `paused (3 s) and stalled (4 s) time left a clear gap: wall ${wall.toFixed(1)} s vs playback ${reference.toFixed(1)} s`,
  );
  t.ok(Math.abs(recorded - reference) <= 1.5, `recorded ${recorded} s vs real playback ${reference.toFixed(2)} s`);
});

t.test('corner panel: digits set the headcount, a card burst signs in, a slow digit reaches the page', async (t) => {
  const dir = tempDir('dyb-att-e2e-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bundle = await build({
    stdin: {
      contents: `
        import { attachAttendance } from './player/kiosk/attendance/index.ts';
        const video = document.querySelector('video');
        const w = window;
        w.keysSeen = [];
        window.addEventListener('keydown', (e) => w.keysSeen.push(e.key));
        w.att = attachAttendance(video, { mode: 'ondemand', programId: 7, lang: 'zh' });
      `,
      resolveDir: root,
      sourcefile: 'panel.ts',
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const att = createAttendance({
    dataDir: dir,
    serverUrl: 'http://127.0.0.1:1',
    getToken: () => null,
    log: { info() {}, warn() {}, error() {}, debug() {} },
  });
  const app = Fastify();
  await app.register(att.plugin);
  app.get('/', async (_req, reply) =>
    reply.type('text/html').send('<!doctype html><html><body><video></video><script src="/panel.js"></script></body></html>'),
  );
  app.get('/panel.js', async (_req, reply) => reply.type('text/javascript').send(bundle.outputFiles[0]!.text));
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await app.close();
    await att.stop();
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.goto(base);
  await page.waitForFunction(() => 'att' in window);

  // A person presses 3 with the panel closed: the kiosk gets it (a channel number).
  await page.keyboard.press('3');
  await page.waitForFunction(() => (window as unknown as { keysSeen: string[] }).keysSeen.includes('3'));
  // Opened on purpose (red key / F2), the room answers 12 people, Enter saves.
  await page.keyboard.press('F2');
  await page.waitForSelector('[data-testid=attendance-panel]:not(.att-hidden)');
  t.match(await page.textContent('[data-testid=attendance-panel]'), /现在有几人在看/, 'Chinese by default');
  await page.keyboard.press('1');
  await page.keyboard.press('2');
  await page.waitForFunction(() => document.querySelector('[data-testid=attendance-headcount]')!.textContent === '12');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /12/.test(document.querySelector('[data-testid=attendance-toast]')!.textContent ?? ''));
  t.equal(att.queue.sitting(Date.now()).headcount, 12, 'headcount on the agent');
  const seen = await page.evaluate(() => (window as unknown as { keysSeen: string[] }).keysSeen);
  t.notOk(seen.includes('1') || seen.includes('2'), 'digits typed into the panel did not reach the kiosk');
  // A card reader types 8 digits a few ms apart and Enter.
  await swipeCard(page, '20260042');
  await page.waitForFunction(() => /20260042/.test(document.querySelector('[data-testid=attendance-toast]')!.textContent ?? ''));
  t.same(
    att.queue.sitting(Date.now()).members.map((m) => m.memberNo),
    ['20260042'],
  );
  // Member number typed on the remote: Down to the member field, digits, OK.
  await page.keyboard.press('ArrowDown');
  for (const d of '7788') await page.keyboard.press(d, { delay: 20 }).then(() => page.waitForTimeout(120));
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /7788/.test(document.querySelector('[data-testid=attendance-toast]')!.textContent ?? ''));
  t.same(
    att.queue
      .sitting(Date.now())
      .members.map((m) => m.memberNo)
      .sort(),
    ['20260042', '7788'],
  );
  await page.keyboard.press('Escape');
  await page.waitForSelector('[data-testid=attendance-panel].att-hidden', { state: 'attached' });
  const after = await page.evaluate(() => (window as unknown as { keysSeen: string[] }).keysSeen);
  t.same(
    after.filter((k) => /^\d$/.test(k)),
    ['3'],
    'only the hand-typed channel digit reached the page',
  );
  t.notOk(after.includes('Escape'), 'Back closed the panel without reaching the kiosk');
});

t.test('broadcast: one session per program on air, none for the slate between them', async (t) => {
  const dir = tempDir('dyb-att-e2e-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const media = tinyHls(dir, 30);
  // The picture on screen is "now" (playingDate), so the channel's schedule decides which program it is.
  const bundle = await build({
    stdin: {
      contents: `
        import Hls from 'hls.js';
        import { attachAttendance } from './player/kiosk/attendance/index.ts';
        const video = document.querySelector('video');
        video.muted = true;
        const hls = new Hls();
        hls.attachMedia(video);
        hls.loadSource('/media/index.m3u8');
        hls.on(Hls.Events.MANIFEST_PARSED, () => video.play());
        window.att = attachAttendance(video, { mode: 'broadcast', channelId: () => window.tuned ?? null, playingDate: () => Date.now(), reportEveryMs: 1000 });
      `,
      resolveDir: root,
      sourcefile: 'live.ts',
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    alias: { 'hls.js': 'hls.js/light' },
    logLevel: 'silent',
  });
  const att = createAttendance({
    dataDir: path.join(dir, 'agent'),
    serverUrl: 'http://127.0.0.1:1',
    getToken: () => null,
    log: { info() {}, warn() {}, error() {}, debug() {} },
  });
  const app = Fastify();
  await app.register(att.plugin);
  // Program 11 airs for 6 s from T, the slate for 3 s, then program 12.
  let T = 0;
  const A = () => ({ programId: 11, title: '甲', start: T, end: T + 6000 });
  const gap = () => ({ programId: null, title: '', start: T + 6000, end: T + 9000 });
  const B = () => ({ programId: 12, title: '乙', start: T + 9000, end: T + 60_000 });
  app.get('/local/channels', async () => {
    if (!T) return []; // not on air until the test tunes in
    const now = Date.now();
    const [cur, next] = now < T + 6000 ? [A(), gap()] : now < T + 9000 ? [gap(), B()] : [B(), null];
    return [{ id: 3, number: 1, name: '一套', description: '', now: { ...cur, offsetSec: (now - cur.start) / 1000 }, next }];
  });
  app.get('/', async (_req, reply) =>
    reply.type('text/html').send('<!doctype html><html><body><video></video><script src="/live.js"></script></body></html>'),
  );
  app.get('/live.js', async (_req, reply) => reply.type('text/javascript').send(bundle.outputFiles[0]!.text));
  app.get<{ Params: { file: string } }>('/media/:file', async (req, reply) => {
    const file = path.join(media, path.basename(req.params.file));
    return reply.type(file.endsWith('.ts') ? 'video/mp2t' : 'application/vnd.apple.mpegurl').send(fs.readFileSync(file));
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await app.close();
    await att.stop();
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.goto(base);
  await page.waitForFunction(() => document.querySelector('video')!.currentTime > 0, null, { timeout: 20_000 });
  // Program 11 goes on air, and the page tunes to the channel, only once the picture moves (a loaded machine may take
  // seconds to start the page): until then the page plays but is tuned to nothing, which no session counts.
  T = Date.now();
  const startedAt = await page.evaluate(() => {
    (window as unknown as { tuned: number }).tuned = 3;
    return document.querySelector('video')!.currentTime;
  });
  const wallAtStart = T;
  await page.waitForTimeout(Math.max(0, T + 13_000 - Date.now()));
  const played = await page.evaluate(() => {
    const v = document.querySelector('video')!;
    const c = v.currentTime;
    (window as unknown as { att: { detach(): void } }).att.detach();
    return c;
  });
  const wallAtEnd = Date.now();

  let sessions: ReturnType<typeof att.queue.batch> = [];
  const since = Date.now();
  while (Date.now() - since < 10_000 && sessions.length < 2) {
    sessions = att.queue.batch(10);
    await page.waitForTimeout(100);
  }
  t.same(
    sessions.map((s) => [s.programId, s.channelId, s.mode]),
    [
      [11, 3, 'broadcast'],
      [12, 3, 'broadcast'],
    ],
    'two programs, two sessions',
  );
  const [a, b] = sessions;
  // What was on screen during each program's air time (the video plays at real speed from wallAtStart).
  const onAir = (from: number, to: number) => Math.max(0, (Math.min(to, wallAtEnd) - Math.max(from, wallAtStart)) / 1000);
  t.ok(
    Math.abs(a!.watchedSeconds - onAir(T, T + 6000)) <= 1.5,
    `program 11: ${a!.watchedSeconds} s vs ${onAir(T, T + 6000).toFixed(1)} s on air while watched`,
  );
  t.ok(
    Math.abs(b!.watchedSeconds - onAir(T + 9000, wallAtEnd)) <= 1.5,
    `program 12: ${b!.watchedSeconds} s vs ${onAir(T + 9000, wallAtEnd).toFixed(1)} s`,
  );
  t.ok(played - startedAt - a!.watchedSeconds - b!.watchedSeconds >= 1.5, 'the slate seconds are in no session');
  t.ok(a!.end <= b!.start, 'sessions do not overlap');
});
